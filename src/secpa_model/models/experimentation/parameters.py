"""The parameters the experimentation's rules read: path, kind and unit (the schema of its
parameter files). The values live in ``reference.toml``."""

from __future__ import annotations

from typing import Final

from secpa_model.model.parameters import ParameterRelation, ParameterSpec


def etp_specs(group: str) -> tuple[ParameterSpec, ParameterSpec]:
    """The ETP by file active and the yearly cost of one ETP, of the dotation ``group``."""
    return (
        ParameterSpec(f"{group}.etp_schedule", "scale", "ETP", threshold_unit="patients"),
        ParameterSpec(f"{group}.cost_per_etp", "amount", "EUR/ETP/year"),
    )


def per_patient_specs(group: str) -> tuple[ParameterSpec, ParameterSpec]:
    """The amount per patient by poverty rate and the most patients, of ``group``."""
    return (
        ParameterSpec(
            f"{group}.amount_per_patient", "scale", "EUR/patient/year", threshold_unit="fraction"
        ),
        ParameterSpec(f"{group}.max_patients", "count", "patients"),
    )


PARAMETERS: Final = (
    ParameterSpec("eligibility.min_file_active", "count", "patients"),
    ParameterSpec("participatory_activities.min_file_active", "count", "patients"),
    ParameterSpec("participatory_activities.max_file_active", "count", "patients"),
    *etp_specs("participatory_activities"),
    *per_patient_specs("practitioner_participation"),
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
