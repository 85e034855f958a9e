"""The parameters the experimentation's rules read: path, kind and unit (the schema of its
parameter files). The values live in ``reference.toml``."""

from __future__ import annotations

from typing import Final

from secpa_model.model.parameters import ParameterRelation, ParameterSpec

PARAMETERS: Final = (
    ParameterSpec(
        "eligibility.min_file_active",
        "count",
        "patients",
        description="Minimum general-medicine file active to join (file active minimale).",
    ),
    ParameterSpec(
        "participatory_activities.min_file_active",
        "count",
        "patients",
        description="File active below which no participatory-activity ETP is funded.",
    ),
    ParameterSpec(
        "participatory_activities.max_file_active",
        "count",
        "patients",
        description="File active above which the ETP level no longer rises.",
    ),
    ParameterSpec(
        "participatory_activities.etp_schedule",
        "scale",
        "ETP",
        threshold_unit="patients",
        description="ETP funded by general-medicine file active of the previous year.",
    ),
    ParameterSpec(
        "participatory_activities.cost_per_etp",
        "amount",
        "EUR/ETP/year",
        description="Annual cost of one full-time equivalent (ETP).",
    ),
    ParameterSpec(
        "practitioner_participation.amount_per_patient",
        "scale",
        "EUR/patient/year",
        threshold_unit="fraction",
        description="Amount per file-active patient by the territory's poverty rate.",
    ),
    ParameterSpec(
        "practitioner_participation.max_patients",
        "count",
        "patients",
        description="File-active patients counted at most.",
    ),
    ParameterSpec(
        "interpreting.hourly_rate_in_person",
        "amount",
        "EUR/hour",
        description="Hourly rate of in-person professional interpreting.",
    ),
    ParameterSpec(
        "interpreting.hourly_rate_phone",
        "amount",
        "EUR/hour",
        description="Hourly rate of telephone interpreting.",
    ),
    ParameterSpec(
        "interpreting.annual_cap",
        "amount",
        "EUR/year",
        description="Annual cap of the interpreting dotation.",
    ),
    ParameterSpec(
        "psychological_support.annual_cap",
        "amount",
        "EUR/year",
        description="Maximum psychological-support dotation per structure and year.",
    ),
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
