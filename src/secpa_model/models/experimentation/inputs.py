"""The inputs of the experimentation model, declared once: what a structure says about
itself (everything else, from the ``Structure`` class to the docs' table, derives)."""

from __future__ import annotations

from typing import Final

from secpa_model.model.inputs import Input

STRUCTURE_ID: Final = Input(
    "structure_id", "text", "Identifier of the structure (identifiant de la structure)."
)
KIND: Final = Input(
    "kind",
    "category",
    "MSP (maison de santé pluriprofessionnelle) or centre de santé.",
    categories=("msp", "centre_de_sante"),
)
LOCATION: Final = Input(
    "location",
    "category",
    "In a QPV (quartier prioritaire de la politique de la ville), near one (quartier "
    "vécu), or outside (implantation).",
    categories=("in_qpv", "near_qpv", "outside_qpv"),
)
FILE_ACTIVE: Final = Input(
    "file_active_mg",
    "count",
    "General-medicine file active of the previous year (file active en médecine générale "
    "de l'année précédente), in patients.",
    unit="patients",
    examples=(0, 12_000),
)
POVERTY_RATE: Final = Input(
    "poverty_rate",
    "fraction",
    "Poverty rate of the territory of implantation (taux de pauvreté), as a fraction in [0, 1].",
    unit="fraction",
    examples=(0, 1),
)
HOURS_IN_PERSON: Final = Input(
    "interpreting_hours_in_person",
    "quantity",
    "Hours per year of in-person interpreting (interprétariat en présentiel).",
    unit="hours/year",
    default=0.0,
    examples=(0, 3_000),
)
HOURS_PHONE: Final = Input(
    "interpreting_hours_phone",
    "quantity",
    "Hours per year of telephone interpreting (interprétariat téléphonique).",
    unit="hours/year",
    default=0.0,
    examples=(0, 3_000),
)
PSYCHOLOGIST_REQUESTED: Final = Input(
    "psychologist_cost_requested",
    "euros",
    "Euros per year of psychological support asked for (soutien psychologique).",
    unit="EUR/year",
    default=0,
    examples=(0, 200_000),
)
SEGUR_FUNDING: Final = Input(
    "segur_psychologist_funding",
    "euros",
    "Euros per year already funded by the Ségur psychologists measure (mesure Ségur).",
    unit="EUR/year",
    default=0,
    examples=(0, 100_000),
)
ARS_AGREEMENT: Final = Input(
    "ars_psychology_agreement",
    "boolean",
    "Agreement of the competent ARS for psychological support (accord de l'ARS).",
    default=False,
)
ENTRY_DATE: Final = Input(
    "entry_date",
    "date",
    "First day in the experimentation (date d'entrée; empty: throughout).",
    default=None,
    open_as="earliest",
)
EXIT_DATE: Final = Input(
    "exit_date",
    "date",
    "Last day in the experimentation (date de sortie; empty: throughout).",
    default=None,
    open_as="latest",
)

INPUTS: Final = (
    STRUCTURE_ID,
    KIND,
    LOCATION,
    FILE_ACTIVE,
    POVERTY_RATE,
    HOURS_IN_PERSON,
    HOURS_PHONE,
    PSYCHOLOGIST_REQUESTED,
    SEGUR_FUNDING,
    ARS_AGREEMENT,
    ENTRY_DATE,
    EXIT_DATE,
)
"""The experimentation's inputs, in the order of a Structure's fields and a frame's columns."""
