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
    ParameterSpec(
        "coordination.etp_schedule",
        "scale",
        "ETP",
        threshold_unit="patients",
        description="ETP of coordination funded, by general-medicine file active.",
    ),
    ParameterSpec(
        "coordination.cost_per_etp",
        "amount",
        "EUR/ETP/year",
        description="Annual cost of one ETP of coordinator, employer's charges included.",
    ),
    ParameterSpec(
        "psychosocial_support.amount_per_patient",
        "scale",
        "EUR/patient/year",
        threshold_unit="fraction",
        description="Psycho-social support per file-active patient, by the territory's "
        "poverty rate.",
    ),
    ParameterSpec(
        "psychosocial_support.max_patients",
        "count",
        "patients",
        description="File-active patients counted at most for psycho-social support.",
    ),
    ParameterSpec(
        "psychosocial_support.annual_cap",
        "amount",
        "EUR/year",
        description="Annual cap of the psycho-social support pillar.",
    ),
    ParameterSpec(
        "participatory_approach.etp_schedule",
        "scale",
        "ETP",
        threshold_unit="patients",
        description="ETP of mediators and other participatory staff funded, by file active.",
    ),
    ParameterSpec(
        "participatory_approach.cost_per_etp",
        "amount",
        "EUR/ETP/year",
        description="Annual cost of one ETP of participatory staff, employer's charges included.",
    ),
    _KEPT["interpreting.hourly_rate_in_person"],
    _KEPT["interpreting.hourly_rate_phone"],
    _KEPT["interpreting.annual_cap"],
    ParameterSpec(
        "training.amount_per_professional",
        "amount",
        "EUR/professional/year",
        description="Training funded per professional of the team and year.",
    ),
    ParameterSpec(
        "training.annual_cap",
        "amount",
        "EUR/year",
        description="Annual cap of the training pillar.",
    ),
)
"""The five-pillar proposal's parameters, in the order of its parameter file."""
