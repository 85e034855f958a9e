"""A user's own property test: does a proposed parameter set keep the policy's promises?

Run it with pytest (hypothesis is in the ``test`` extra)::

    pytest examples/property_test_example.py
    SECPA_PROPOSED_PARAMETERS=my_proposal.toml pytest examples/property_test_example.py

Without the environment variable it checks the shipped reference set. The promises:

1. psychological support never exceeds 66 000 € a year per structure (the published
   « montant maximum de 66 000 € par structure », read per year), prorated to the days paid;
2. payments are monotone: a structure with more patients, a poorer territory or more
   interpreting hours never receives less;
3. an eligible structure is paid on every day of any period the parameters cover.
"""

from __future__ import annotations

import math
import os
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import Parameters, Period, Structure, allocate, load_parameters
from secpa_model.core.periods import days_in_year, split_period
from secpa_model.testing import eligible_structures, periods, structures

# The promise under test, written independently of the parameter set being checked:
# « d'un montant maximum de 66 000 € par structure » (ministry's SECPA project page).
PROMISED_PSYCHOLOGY_CAP_EUROS = Decimal("66000")

PROPOSED: Parameters = load_parameters(os.environ.get("SECPA_PROPOSED_PARAMETERS") or None)
CHECK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def promised_ceiling_cents(period: Period) -> int:
    """The promise prorated to the days of ``period`` (each day worth 1/365 or 1/366 of a
    year), rounded half up like the library's lines (rounding is monotone, so the line,
    which is at most the exact ceiling before rounding, is at most this)."""
    cap_cents = Fraction(PROMISED_PSYCHOLOGY_CAP_EUROS * 100)
    exact = sum(
        (cap_cents * piece.days / days_in_year(piece.start.year) for piece in split_period(period)),
        Fraction(0),
    )
    return math.floor(exact + Fraction(1, 2))


@CHECK
@given(structure=structures(), period=periods(PROPOSED))
def test_psychological_support_stays_within_the_promise(
    structure: Structure, period: Period
) -> None:
    line = allocate(structure, period, PROPOSED).line("psychological_support")
    assert line.amount * 100 <= promised_ceiling_cents(period), (line.amount, period)


@CHECK
@given(
    structure=eligible_structures(PROPOSED),
    period=periods(PROPOSED),
    more_patients=st.integers(0, 3000),
    more_poverty=st.floats(0, 1),
    more_hours=st.floats(0, 500),
)
def test_payments_are_monotone(
    structure: Structure,
    period: Period,
    more_patients: int,
    more_poverty: float,
    more_hours: float,
) -> None:
    richer = Structure.model_validate(
        {
            **structure.model_dump(),
            "file_active_mg": structure.file_active_mg + more_patients,
            "poverty_rate": min(1.0, structure.poverty_rate + more_poverty),
            "interpreting_hours_in_person": structure.interpreting_hours_in_person + more_hours,
        }
    )
    before = allocate(structure, period, PROPOSED)
    after = allocate(richer, period, PROPOSED)
    assert after.total >= before.total
    for old, new in zip(before.lines, after.lines, strict=True):
        assert new.amount >= old.amount, old.key


@CHECK
@given(structure=eligible_structures(PROPOSED), period=periods(PROPOSED))
def test_eligible_structures_are_paid_every_day(structure: Structure, period: Period) -> None:
    allocation = allocate(structure, period, PROPOSED)
    assert allocation.eligible and not allocation.reasons
    assert sum(piece.days for piece in allocation.lines[0].pieces) == period.days
