"""The parameters the experimentation's rules read: path, kind and unit (the schema of its
parameter files). The values live in ``reference.toml``."""

from __future__ import annotations

from typing import Final

from secpa_model.model.parameters import ParameterRelation, ParameterSpec

PARAMETERS: Final = (
    ParameterSpec("eligibility.min_file_active", "count", "patients"),
    ParameterSpec("participatory_activities.min_file_active", "count", "patients"),
    ParameterSpec("participatory_activities.max_file_active", "count", "patients"),
    ParameterSpec(
        "participatory_activities.etp_schedule", "scale", "ETP", threshold_unit="patients"
    ),
    ParameterSpec("participatory_activities.cost_per_etp", "amount", "EUR/ETP/year"),
    ParameterSpec(
        "practitioner_participation.amount_per_patient",
        "scale",
        "EUR/patient/year",
        threshold_unit="fraction",
    ),
    ParameterSpec("practitioner_participation.max_patients", "count", "patients"),
    ParameterSpec("interpreting.hourly_rate_in_person", "amount", "EUR/hour"),
    ParameterSpec("interpreting.hourly_rate_phone", "amount", "EUR/hour"),
    ParameterSpec("interpreting.annual_cap", "amount", "EUR/year"),
    ParameterSpec("psychological_support.annual_cap", "amount", "EUR/year"),
)
"""The experimentation's parameters, in the order of its parameter file."""

RELATIONS: Final = (
    ParameterRelation(
        lower="participatory_activities.min_file_active",
        upper="participatory_activities.max_file_active",
        reason="the file active that sets the ETP runs from the minimum to the maximum "
        "(« entre 1000 et 6000 patients »); a maximum below the minimum would fund no ETP",
    ),
)
"""What the experimentation's parameters keep on every day."""
