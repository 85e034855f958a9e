"""The parameters of the five-pillar proposal: path, kind and unit. The values, all
assumptions, live in ``proposal.toml``."""

from __future__ import annotations

from typing import Final

from secpa_model.model.parameters import ParameterSpec
from secpa_model.models.experimentation.parameters import PARAMETERS as EXPERIMENTATION
from secpa_model.models.experimentation.parameters import etp_specs, per_patient_specs

_KEPT: Final = {
    spec.path: spec
    for spec in EXPERIMENTATION
    if spec.path == "eligibility.min_file_active" or spec.group == "interpreting"
}
"""The experimentation's declarations the proposal keeps: its eligibility minimum and its
interpreting parameters (read by the same rules)."""

PARAMETERS: Final = (
    _KEPT["eligibility.min_file_active"],
    *etp_specs("coordination"),
    *per_patient_specs("psychosocial_support"),
    ParameterSpec("psychosocial_support.annual_cap", "amount", "EUR/year"),
    *etp_specs("participatory_approach"),
    _KEPT["interpreting.hourly_rate_in_person"],
    _KEPT["interpreting.hourly_rate_phone"],
    _KEPT["interpreting.annual_cap"],
    ParameterSpec("training.amount_per_professional", "amount", "EUR/professional/year"),
    ParameterSpec("training.annual_cap", "amount", "EUR/year"),
)
"""The five-pillar proposal's parameters, in the order of its parameter file."""
