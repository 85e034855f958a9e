"""Helpers of the DataFrame tests: a parameter set with dated changes, hypothesis strategies
of valid structures and periods, and frames built from structures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from secpa_model import Parameters, Period, Structure
from tests.helpers import parameters_with

# Test values, not real ones: cost_per_etp rises from 45 000 € to 54 750 € on 1 March 2022,
# and the eligibility minimum rises from 1 000 to 1 200 patients on 1 July 2023.
CHANGES = """
[[participatory_activities.cost_per_etp.values]]
effective_from = 2022-03-01
value = 54750
status = "assumption"
rationale = "Test value: a change on 1 March."
source = { title = "secpa-model tests", reference = "tests/frame_support.py" }

[[eligibility.min_file_active.values]]
effective_from = 2023-07-01
value = 1200
status = "assumption"
rationale = "Test value: a change of an eligibility threshold."
source = { title = "secpa-model tests", reference = "tests/frame_support.py" }
"""
COVERAGE_START = date(2021, 8, 1)
LAST_DAY = date(2024, 12, 31)


@lru_cache(maxsize=1)
def changed_parameters() -> Parameters:
    """The reference parameters plus the two dated test changes above."""
    return parameters_with(CHANGES, "reference+test-changes.toml")


def valid_row(**changes: Any) -> dict[str, Any]:
    """One valid row (an eligible centre de santé in a QPV), then ``changes``."""
    row: dict[str, Any] = {
        "structure_id": "s",
        "kind": "centre_de_sante",
        "location": "in_qpv",
        "file_active_mg": 2500,
        "poverty_rate": 0.30,
    }
    row.update(changes)
    return row


def frame_of(*rows: dict[str, Any], index: list[Any] | None = None) -> pd.DataFrame:
    """A DataFrame of rows given as dicts (cells as given: object columns where mixed)."""
    return pd.DataFrame(list(rows), index=index)


days = st.dates(min_value=COVERAGE_START, max_value=LAST_DAY)
cents = st.integers(min_value=0, max_value=12_000_000)


@st.composite
def structures(draw: st.DrawFn, structure_id: str = "s") -> Structure:
    """A valid structure: eligible or not, entering or leaving at any day (or never)."""
    entry = draw(st.none() | days)
    exit_ = draw(st.none() | days)
    if entry and exit_ and exit_ < entry:
        entry, exit_ = exit_, entry
    return Structure(
        structure_id=structure_id,
        kind=draw(st.sampled_from(["msp", "centre_de_sante"])),
        location=draw(st.sampled_from(["in_qpv", "near_qpv", "outside_qpv"])),
        file_active_mg=draw(
            st.sampled_from([0, 999, 1000, 1199, 1200, 5999, 6000, 6001]) | st.integers(0, 9000)
        ),
        poverty_rate=draw(
            st.sampled_from([0.0, 0.15, 0.25, 0.35, 1.0])
            | st.integers(0, 10_000).map(lambda n: n / 10_000)
        ),
        interpreting_hours_in_person=draw(st.integers(0, 100_000).map(lambda n: n / 100)),
        interpreting_hours_phone=draw(st.integers(0, 100_000).map(lambda n: n / 100)),
        psychologist_cost_requested=Decimal(draw(cents)) / 100,
        segur_psychologist_funding=Decimal(draw(cents)) / 100,
        ars_psychology_agreement=draw(st.booleans()),
        entry_date=entry,
        exit_date=exit_,
    )


@st.composite
def periods(draw: st.DrawFn) -> Period:
    """A period inside the test parameters' coverage, often across 1 March 2022."""
    start = draw(st.sampled_from([COVERAGE_START, date(2022, 1, 1), date(2022, 2, 15)]) | days)
    length = draw(st.sampled_from([0, 30, 364, 365, 800]) | st.integers(0, 1300))
    end = min(start + timedelta(days=length), LAST_DAY)
    return Period(start, end)


def structures_frame(items: list[Structure], as_text: bool = False) -> pd.DataFrame:
    """Structures as a frame: exact Python values (Decimal, date), or as a file gives
    them (euros as float, dates as ISO text, booleans as words)."""
    rows = [item.model_dump() for item in items]
    frame = pd.DataFrame(rows, columns=list(Structure.model_fields))
    if as_text:
        for name in ("psychologist_cost_requested", "segur_psychologist_funding"):
            frame[name] = frame[name].astype(float)
        for name in ("entry_date", "exit_date"):
            frame[name] = frame[name].map(lambda d: d.isoformat() if d else "")
        frame["ars_psychology_agreement"] = frame["ars_psychology_agreement"].map(
            {True: "oui", False: "non"}
        )
    return frame
