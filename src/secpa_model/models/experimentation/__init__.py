"""The model of the SECPA experimentation (2021-2025): four fungible dotations.

« Le financement est constitué de 4 dotations destinées uniquement à financer du temps
humain et non des frais de fonctionnement, versées à la structure et fongibles entre elles. »
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from secpa_model.model.model import Model
from secpa_model.models.experimentation.eligibility import CONDITIONS
from secpa_model.models.experimentation.inputs import INPUTS
from secpa_model.models.experimentation.parameters import PARAMETERS, RELATIONS
from secpa_model.models.experimentation.rules import RULES

NAME = "experimentation"


@cache
def experimentation() -> Model:
    """The SECPA experimentation's model: its inputs, two eligibility conditions, four
    rules and reference parameters (published values where public, labelled assumptions
    elsewhere). The default model everywhere."""
    return Model(
        name=NAME,
        description=(
            "The SECPA experimentation (article 51, 2021-2025): four fungible dotations "
            "paying human time, from the published summaries of its cahier des charges."
        ),
        inputs=INPUTS,
        parameters=PARAMETERS,
        rules=RULES,
        conditions=CONDITIONS,
        relations=RELATIONS,
        parameter_files=(
            resources.files("secpa_model.models.experimentation").joinpath("reference.toml"),
        ),
    )
