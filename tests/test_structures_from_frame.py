"""structures_from_frame: a frame's rows as Structures (what ``Structure(**row)`` cannot do
on a row holding NaT, NaN or numpy values), validated as allocate_frame validates them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from secpa_model import (
    InputError,
    Period,
    Structure,
    allocate,
    allocate_frame,
    get_model,
    structures_from_frame,
)
from secpa_model.core.money import euros_to_cents
from secpa_model.testing import periods, structure_frames
from tests.profiles import examples


@settings(max_examples=examples(30), deadline=None)
@given(frame=structure_frames(min_size=1, max_size=5), period=periods())
def test_each_structure_allocates_as_its_row(frame: pd.DataFrame, period: Period) -> None:
    structures = structures_from_frame(frame)
    assert [s.structure_id for s in structures] == list(frame["structure_id"])
    result = allocate_frame(frame, period)
    for row, structure in enumerate(structures):
        single = allocate(structure, period)
        assert int(result["total_cents"].iloc[row]) == euros_to_cents(single.total)
        assert bool(result["eligible"].iloc[row]) == single.eligible


def test_missing_cells_numpy_values_and_timestamps_become_python_values() -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a", "b"],
            "kind": ["msp", "centre_de_sante"],
            "location": ["in_qpv", "near_qpv"],
            "file_active_mg": np.array([1200, 3000], dtype=np.int64),
            "poverty_rate": [0.25, 0.4],
            "psychologist_cost_requested": [0.0, 1234.5],
            "entry_date": pd.to_datetime(["2022-03-01", None]),
            "nom": ["Centre A", "Centre B"],  # not an input: not part of a structure
        }
    )
    with pytest.raises(ValueError, match="nom"):  # what the docs used to suggest
        Structure(**frame.iloc[1].to_dict())
    first, second = structures_from_frame(frame)
    assert first == Structure(
        structure_id="a",
        kind="msp",
        location="in_qpv",
        file_active_mg=1200,
        poverty_rate=0.25,
        entry_date=date(2022, 3, 1),
    )
    assert type(first.file_active_mg) is int
    assert second.entry_date is None
    assert second.psychologist_cost_requested == Decimal("1234.50")
    assert first.interpreting_hours_phone == 0  # a column left out: the field's default


def test_an_empty_amount_is_refused_as_allocate_frame_refuses_it() -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a"],
            "kind": ["msp"],
            "location": ["in_qpv"],
            "file_active_mg": [1200],
            "poverty_rate": [0.25],
            "psychologist_cost_requested": [np.nan],
        }
    )
    # said to be missing, never quoted as "= nan" (issue 11)
    message = r"row 0, structure 'a': psychologist_cost_requested is missing \(NaN or empty\)"
    with pytest.raises(InputError, match=message):
        allocate_frame(frame, 2022)
    with pytest.raises(InputError, match=message):
        structures_from_frame(frame)


def test_an_invalid_cell_is_named_by_row_field_and_value() -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a", "b"],
            "kind": ["msp", "hospital"],
            "location": ["in_qpv", "in_qpv"],
            "file_active_mg": [1200, 1300],
            "poverty_rate": [0.25, 0.3],
        },
        index=[10, 11],
    )
    with pytest.raises(InputError, match="hospital") as caught:
        structures_from_frame(frame)
    assert "11" in str(caught.value) and "kind" in str(caught.value)


def test_a_structure_year_table_is_refused() -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a", "a"],
            "kind": ["msp", "msp"],
            "location": ["in_qpv", "in_qpv"],
            "file_active_mg": [1200, 1300],
            "poverty_rate": [0.25, 0.3],
            "year": [2022, 2023],
        }
    )
    with pytest.raises(InputError, match="structure-year table"):
        structures_from_frame(frame)


def test_another_models_structures() -> None:
    proposal = get_model("five_pillars")
    frame = pd.DataFrame(
        {
            "structure_id": ["p"],
            "kind": ["msp"],
            "location": ["in_qpv"],
            "file_active_mg": [2000],
            "poverty_rate": [0.3],
            "team_size": [12],
        }
    )
    (structure,) = structures_from_frame(frame, model=proposal)
    assert isinstance(structure, proposal.structure)
    assert structure.inputs()["team_size"] == 12
