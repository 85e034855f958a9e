"""A PROPOSAL for the successor of the experimentation: five pillars.

In April 2025 the CTIS and the CSIS recommended consolidating the funding around five
pillars (coordination, psycho-social support, participatory approach, interpreting,
training) and stabilising and simplifying the economic model. **No official five-pillar
schedule exists.** This model is a starting point for economists: its formulas are
secpa-model's proposal, and every value of its parameter file is an assumption with a
rationale, calibrated so that the illustrative portfolio costs about what it costs under
the experimentation over 2024 (``docs/models.md`` says how).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from secpa_model.model.model import Model
from secpa_model.models.experimentation.eligibility import CONDITIONS
from secpa_model.models.experimentation.inputs import INPUTS as EXPERIMENTATION_INPUTS
from secpa_model.models.five_pillars.inputs import TEAM_SIZE
from secpa_model.models.five_pillars.parameters import PARAMETERS
from secpa_model.models.five_pillars.rules import RULES

NAME: Final = "five_pillars"
NOTE: Final = (
    "PROPOSAL, not an official model: no five-pillar schedule has been published; every "
    "value is an ASSUMPTION of secpa-model (a starting point for economists)."
)
NOTE_FR: Final = (
    "PROPOSITION, pas un modèle officiel : aucun barème à cinq piliers n'a été publié ; "
    "chaque valeur est une HYPOTHÈSE de secpa-model (un point de départ pour les économistes)."
)
_PSYCHOLOGY_REQUESTS: Final = frozenset(
    {"psychologist_cost_requested", "segur_psychologist_funding", "ars_psychology_agreement"}
)
"""The experimentation's inputs of its psychology dotation, which the proposal replaces by
a psycho-social pillar computed from the file active and the poverty rate."""


@cache
def five_pillars() -> Model:
    """The five-pillar proposal: coordination, psycho-social support, participatory
    approach, interpreting and training; the experimentation's eligibility; its own
    parameters, every one an assumption."""
    inputs = [item for item in EXPERIMENTATION_INPUTS if item.name not in _PSYCHOLOGY_REQUESTS]
    return Model(
        name=NAME,
        description=(
            "A proposal for the successor of the SECPA experimentation, around the five "
            "pillars recommended in 2025; every value is an assumption."
        ),
        inputs=(*inputs, TEAM_SIZE),
        parameters=PARAMETERS,
        rules=RULES,
        conditions=CONDITIONS,
        parameter_files=(
            resources.files("secpa_model.models.five_pillars").joinpath("proposal.toml"),
        ),
        note=NOTE,
        note_fr=NOTE_FR,
    )
