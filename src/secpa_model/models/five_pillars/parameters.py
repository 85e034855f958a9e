"""The parameters of the five-pillar proposal: path, kind and unit. The values, all
assumptions, live in ``proposal.toml``."""

from __future__ import annotations

from typing import Final

from secpa_model.model.parameters import ParameterSpec
from secpa_model.models.experimentation.parameters import PARAMETERS as EXPERIMENTATION

_KEPT: Final = {
    spec.path: spec
    for spec in EXPERIMENTATION
    if spec.path == "eligibility.min_file_active" or spec.group == "interpreting"
}
"""The experimentation's declarations the proposal keeps: its eligibility minimum and its
interpreting parameters (read by the same rules)."""

PARAMETERS: Final = (
    _KEPT["eligibility.min_file_active"],
    ParameterSpec("coordination.etp_schedule", "scale", "ETP", threshold_unit="patients"),
    ParameterSpec("coordination.cost_per_etp", "amount", "EUR/ETP/year"),
    ParameterSpec(
        "psychosocial_support.amount_per_patient",
        "scale",
        "EUR/patient/year",
        threshold_unit="fraction",
    ),
    ParameterSpec("psychosocial_support.max_patients", "count", "patients"),
    ParameterSpec("psychosocial_support.annual_cap", "amount", "EUR/year"),
    ParameterSpec("participatory_approach.etp_schedule", "scale", "ETP", threshold_unit="patients"),
    ParameterSpec("participatory_approach.cost_per_etp", "amount", "EUR/ETP/year"),
    _KEPT["interpreting.hourly_rate_in_person"],
    _KEPT["interpreting.hourly_rate_phone"],
    _KEPT["interpreting.annual_cap"],
    ParameterSpec("training.amount_per_professional", "amount", "EUR/professional/year"),
    ParameterSpec("training.annual_cap", "amount", "EUR/year"),
)
"""The five-pillar proposal's parameters, in the order of its parameter file."""
