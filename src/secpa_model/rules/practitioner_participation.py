"""Dotation 2: the health professionals' participatory approach
(dotation de rémunération de la démarche participative des professionnels de santé)."""

from __future__ import annotations

from typing import Final

import numpy as np

from secpa_model.parameters import ParameterSnapshot
from secpa_model.rules.base import RuleResult
from secpa_model.structures import StructureColumns

KEY: Final = "practitioner_participation"
LABEL: Final = "Health professionals' participatory approach"
LEGAL_BASIS_FR: Final = (
    "Dotations de rémunération de la démarche participative des professionnels de santé et "
    "de leur prise en charge d'une patientèle précaire ou vivant dans un territoire "
    "fragilisé, basée sur le taux de pauvreté du territoire dans lequel est implantée la "
    "structure."
)
LEGAL_BASIS_EN: Final = (
    "Pays the health professionals' participatory approach and their care of a precarious "
    "patientèle, based on the poverty rate of the structure's territory."
)
FORMULA: Final = "min(file_active_mg, max_patients) × amount_per_patient(poverty_rate)"
PARAMETERS: Final = (
    "practitioner_participation.amount_per_patient",
    "practitioner_participation.max_patients",
)
INPUTS: Final = ("file_active_mg", "poverty_rate")

_CENTS_PER_EURO: Final = 100  # a unit conversion, not a parameter of the model


def compute(columns: StructureColumns, params: ParameterSnapshot) -> RuleResult:
    """Annual cents: patients counted times the amount per patient for the poverty rate."""
    maximum = params.count("practitioner_participation.max_patients")
    schedule = params.scale("practitioner_participation.amount_per_patient")

    patients = np.minimum(columns.file_active_mg, maximum).astype(np.float64)
    per_patient_cents = schedule.evaluate(columns.poverty_rate) * _CENTS_PER_EURO
    return RuleResult(
        annual_cents=patients * per_patient_cents,
        details={"patients_counted": patients, "amount_per_patient_cents": per_patient_cents},
    )
