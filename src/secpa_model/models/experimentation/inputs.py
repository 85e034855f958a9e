"""The inputs of the experimentation model, declared once: what a structure says about
itself (everything else, from the ``Structure`` class to the docs' table, derives)."""

from __future__ import annotations

from typing import Final, Literal

from secpa_model.model.inputs import Input


def _hours(name: str, description: str) -> Input:
    return Input(name, "quantity", description, "hours/year", 0.0, examples=(0, 3_000))


def _euros(name: str, description: str, high: int) -> Input:
    return Input(name, "euros", description, "EUR/year", 0, examples=(0, high))


def _date(name: str, description: str, open_as: Literal["earliest", "latest"]) -> Input:
    return Input(name, "date", description, default=None, open_as=open_as)


INPUTS: Final = (
    Input("structure_id", "text", "Identifier of the structure (identifiant de la structure)."),
    Input(
        "kind",
        "category",
        "MSP (maison de santé pluriprofessionnelle) or centre de santé.",
        categories=("msp", "centre_de_sante"),
    ),
    Input(
        "location",
        "category",
        "In a QPV (quartier prioritaire de la politique de la ville), near one (quartier "
        "vécu), or outside (implantation).",
        categories=("in_qpv", "near_qpv", "outside_qpv"),
    ),
    Input(
        "file_active_mg",
        "count",
        "General-medicine file active of the previous year (file active en médecine générale "
        "de l'année précédente), in patients.",
        unit="patients",
        examples=(0, 12_000),
    ),
    Input(
        "poverty_rate",
        "fraction",
        "Poverty rate of the territory of implantation (taux de pauvreté), as a fraction in "
        "[0, 1].",
        unit="fraction",
        examples=(0, 1),
    ),
    _hours(
        "interpreting_hours_in_person",
        "Hours per year of in-person interpreting (interprétariat en présentiel).",
    ),
    _hours(
        "interpreting_hours_phone",
        "Hours per year of telephone interpreting (interprétariat téléphonique).",
    ),
    _euros(
        "psychologist_cost_requested",
        "Euros per year of psychological support asked for (soutien psychologique).",
        200_000,
    ),
    _euros(
        "segur_psychologist_funding",
        "Euros per year already funded by the Ségur psychologists measure (mesure Ségur).",
        100_000,
    ),
    Input(
        "ars_psychology_agreement",
        "boolean",
        "Agreement of the competent ARS for psychological support (accord de l'ARS).",
        default=False,
    ),
    _date(
        "entry_date",
        "First day in the experimentation (date d'entrée; empty: throughout).",
        "earliest",
    ),
    _date(
        "exit_date",
        "Last day in the experimentation (date de sortie; empty: throughout).",
        "latest",
    ),
)
"""The experimentation's inputs, in the order of a Structure's fields and a frame's columns."""
