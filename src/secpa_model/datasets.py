"""Built-in example structures. SYNTHETIC: invented figures, no real structure's name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from secpa_model.structures import Structure


def example_structures() -> list[Structure]:
    """Four synthetic structures for the demo and the docs (labelled ``synthetic-…``).

    They show a typical centre de santé, a large MSP above every cap, a structure that
    entered mid-year, and an ineligible one.
    """
    return [
        Structure(
            structure_id="synthetic-cds-typical",
            kind="centre_de_sante",
            location="in_qpv",
            file_active_mg=3200,
            poverty_rate=0.31,
            interpreting_hours_in_person=300,
            interpreting_hours_phone=200,
            psychologist_cost_requested=Decimal("70000"),
            segur_psychologist_funding=Decimal("10000"),
            ars_psychology_agreement=True,
        ),
        Structure(
            structure_id="synthetic-msp-large",
            kind="msp",
            location="near_qpv",
            file_active_mg=7400,
            poverty_rate=0.42,
            interpreting_hours_in_person=800,
            interpreting_hours_phone=300,
            psychologist_cost_requested=Decimal("90000"),
            ars_psychology_agreement=True,
        ),
        Structure(
            structure_id="synthetic-cds-mid-year-entry",
            kind="centre_de_sante",
            location="in_qpv",
            file_active_mg=1350,
            poverty_rate=0.22,
            interpreting_hours_in_person=120,
            interpreting_hours_phone=60,
            psychologist_cost_requested=Decimal("30000"),
            ars_psychology_agreement=False,
            entry_date=date(2022, 3, 1),
        ),
        Structure(
            structure_id="synthetic-msp-ineligible",
            kind="msp",
            location="outside_qpv",
            file_active_mg=800,
            poverty_rate=0.12,
        ),
    ]
