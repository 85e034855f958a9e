"""A model built from scratch in the tests (no shipped input, rule or parameter reused):
other input names (``practice``, ``enrolled``, ``deprived_share``, ``opened``,
``closed``), one rule, no eligibility condition, and a parameter in ``fraction``.

Its one line, by hand: ``min(enrolled × per_patient × (1 + deprivation_uplift ×
deprived_share), annual_cap)``; with the values of ``scratch_model.toml`` (60 €, 0.5 and
300 000 €) a practice of 2 000 patients and a deprived share of 0.4 is paid
2 000 × 60 × 1.2 = 144 000 € a year."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from secpa_model import Input, Model, ParameterSpec, RuleInputs, RuleParameters, RuleResult, rule

PARAMETER_FILE: Final = Path(__file__).with_name("scratch_model.toml")
NAME: Final = "enrolment_scratch"
NOTE: Final = "ILLUSTRATIVE model of the tests: every value is an assumption."

INPUTS: Final = (
    Input("practice", "text", "Identifier of the practice (identifiant du cabinet)."),
    Input(
        "enrolled",
        "count",
        "Patients enrolled with the practice (patientèle inscrite).",
        unit="patients",
        examples=(0, 6000),
    ),
    Input(
        "deprived_share",
        "fraction",
        "Share of the enrolled patients in deprivation (part de patients précaires).",
        unit="fraction",
        default=0.0,
    ),
    Input("opened", "date", "First day paid (ouverture; empty: throughout).", default=None),
    Input(
        "closed",
        "date",
        "Last day paid (fermeture; empty: throughout).",
        default=None,
        open_as="latest",
    ),
)
PARAMETERS: Final = (
    ParameterSpec("enrolment.per_patient", "amount", "EUR/patient/year"),
    ParameterSpec("enrolment.deprivation_uplift", "quantity", "fraction"),
    ParameterSpec("enrolment.annual_cap", "amount", "EUR/year"),
)


@rule(
    key="enrolment",
    label="Enrolment",
    label_fr="Forfait d'inscription",
    legal_basis_fr="Forfait par patient inscrit, majoré selon la précarité (modèle de test).",
    legal_basis_en="A payment per enrolled patient, raised by deprivation (a test model).",
    formula="min(enrolled × per_patient × (1 + deprivation_uplift × deprived_share), annual_cap)",
    inputs=("enrolled", "deprived_share"),
    parameters=(
        "enrolment.per_patient",
        "enrolment.deprivation_uplift",
        "enrolment.annual_cap",
    ),
)
def enrolment(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: the enrolled patients times the weighted amount each, capped."""
    weight = 1 + params.number("enrolment.deprivation_uplift") * inputs["deprived_share"]
    uncapped = inputs["enrolled"] * params.amount_cents("enrolment.per_patient") * weight
    amount = np.minimum(uncapped, params.amount_cents("enrolment.annual_cap"))
    return RuleResult(np.asarray(amount, dtype=np.float64), {"weight": weight})


@cache
def scratch_model() -> Model:
    """The model (built once)."""
    return Model(
        name=NAME,
        description="A capitation-like payment per enrolled patient (a test model).",
        inputs=INPUTS,
        parameters=PARAMETERS,
        rules=(enrolment,),
        parameter_files=(PARAMETER_FILE,),
        note=NOTE,
        id_input="practice",
        entry_input="opened",
        exit_input="closed",
    )


def scratch_frame() -> pd.DataFrame:
    """Four practices, with their amounts over 2024 by hand (a whole year each but the
    last, open from 2024-07-01: 184 of 366 days)::

        p-1: 2 000 × 60 × (1 + 0.5 × 0.4)  = 144 000 €
        p-2: 1 000 × 60 × (1 + 0.5 × 0)    =  60 000 €
        p-3: 5 000 × 60 × (1 + 0.5 × 0.8)  = 420 000 € → capped at 300 000 €
        p-4:   500 × 60 × (1 + 0.5 × 1)    =  45 000 € × 184/366 = 22 622.95 € (half up)
    """
    return pd.DataFrame(
        {
            "practice": ["p-1", "p-2", "p-3", "p-4"],
            "enrolled": [2000, 1000, 5000, 500],
            "deprived_share": [0.4, 0.0, 0.8, 1.0],
            "opened": [None, None, None, "2024-07-01"],
        }
    )


SCRATCH_2024_CENTS: Final = {
    "p-1": 14_400_000,
    "p-2": 6_000_000,
    "p-3": 30_000_000,
    "p-4": 2_262_295,
}
"""The amounts of :func:`scratch_frame` over 2024 (see its docstring)."""
