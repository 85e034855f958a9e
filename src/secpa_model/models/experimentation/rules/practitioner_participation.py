"""Dotation 2: the health professionals' participatory approach
(dotation de rémunération de la démarche participative des professionnels de santé)."""

from __future__ import annotations

from typing import Final

import numpy as np

from secpa_model.model.rules import RuleInputs, RuleParameters, RuleResult, rule

_CENTS_PER_EURO: Final = 100  # a unit conversion, not a parameter of the model


@rule(
    key="practitioner_participation",
    label="Health professionals' participatory approach",
    label_fr="Démarche participative des professionnels de santé",
    legal_basis_fr=(
        "Dotations de rémunération de la démarche participative des professionnels de santé "
        "et de leur prise en charge d'une patientèle précaire ou vivant dans un territoire "
        "fragilisé, basée sur le taux de pauvreté du territoire dans lequel est implantée la "
        "structure."
    ),
    legal_basis_en=(
        "Pays the health professionals' participatory approach and their care of a "
        "precarious patientèle, based on the poverty rate of the structure's territory."
    ),
    formula="min(file_active_mg, max_patients) × amount_per_patient(poverty_rate)",
    inputs=("file_active_mg", "poverty_rate"),
    parameters=(
        "practitioner_participation.amount_per_patient",
        "practitioner_participation.max_patients",
    ),
)
def practitioner_participation(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: patients counted times the amount per patient for the poverty rate."""
    maximum = params.count("practitioner_participation.max_patients")
    schedule = params.scale("practitioner_participation.amount_per_patient")

    # « basée sur le taux de pauvreté du territoire »
    # (the minimum taken in float64: the conversion keeps order, so the same values)
    patients = np.minimum(inputs["file_active_mg"], maximum, dtype=np.float64)
    per_patient_cents = schedule.evaluate(inputs["poverty_rate"])
    np.multiply(per_patient_cents, _CENTS_PER_EURO, out=per_patient_cents)
    return RuleResult(
        annual_cents=patients * per_patient_cents,
        details={"patients_counted": patients, "amount_per_patient_cents": per_patient_cents},
    )
