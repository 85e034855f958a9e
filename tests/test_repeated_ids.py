"""Repeated ids are found exactly, whatever the ids look like and however pandas stores them.

The frame validation decides "no id is repeated" on one 64-bit key per row (a hash of all
its bytes) and compares exactly only the rows that share a key. These tests
hold it to pandas' own exact ``duplicated`` on generated ids: short, long, of one length
or of many, accented, empty, in slices of a larger column (Arrow arrays with an offset),
with and without a year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import InputError, allocate_frame
from secpa_model.io import validation
from secpa_model.io.validation import _repeated
from secpa_model.model.text_cells import text_keys
from tests.frame_support import frame_of, valid_row

# a small alphabet makes repeats and shared prefixes and suffixes likely
TEXTS = st.text(alphabet="ab-é0", max_size=20)
STORAGES = ["pyarrow", "python"]


@pytest.fixture(params=["set", "keys"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of looking for repeats: a Python set (a few rows) and the 64-bit keys."""
    if request.param == "keys":
        monkeypatch.setattr(validation, "_FEW_ROWS", 0)
    return str(request.param)


def _exact(ids: list[str], years: list[int] | None) -> np.ndarray:
    pairs = pd.DataFrame({"id": pd.Series(ids, dtype=object)})
    if years is not None:
        pairs["year"] = years
    return pairs.duplicated(keep=False).to_numpy(dtype=np.bool_)


# the fixture only patches a module constant, the same for every example
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ids=st.lists(TEXTS, max_size=40),
    skip=st.integers(0, 5),
    with_years=st.booleans(),
    data=st.data(),
)
@pytest.mark.parametrize("storage", STORAGES)
def test_repeats_are_exactly_pandas_duplicated(
    way: str, storage: str, ids: list[str], skip: int, with_years: bool, data: st.DataObject
) -> None:
    column = pd.Series(["pad"] * skip + ids, dtype=pd.StringDtype(storage)).iloc[skip:]
    column = column.reset_index(drop=True)
    years = None
    if with_years:
        years = data.draw(st.lists(st.integers(2021, 2023), min_size=len(ids), max_size=len(ids)))
    found = _repeated(column, None if years is None else np.array(years, dtype=np.int64))
    assert found.tolist() == _exact(ids, years).tolist()


@given(ids=st.lists(TEXTS, min_size=1, max_size=40))
def test_equal_cells_have_equal_keys(ids: list[str]) -> None:
    keys = text_keys(pd.array(ids, dtype=pd.StringDtype("pyarrow")))
    for first, text in enumerate(ids):
        for second in range(first):
            if ids[second] == text:
                assert keys[first] == keys[second]


def test_ids_of_one_length_that_differ_in_the_middle_are_told_apart(
    way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids of 20 characters whose first and last 8 agree get distinct keys (every byte is
    read); when every key is the same, the exact comparison alone tells them apart."""
    ids = ["ABCDEFGH0000ZYXWVUTS", "ABCDEFGH0001ZYXWVUTS", "ABCDEFGH0000ZYXWVUTS"]
    keys = text_keys(pd.array(ids, dtype=pd.StringDtype("pyarrow")))
    assert keys[0] == keys[2] != keys[1]
    column = pd.Series(ids, dtype=pd.StringDtype("pyarrow"))
    assert _repeated(column, None).tolist() == [True, False, True]
    monkeypatch.setattr(validation, "text_keys", lambda values: np.full(len(values), 7, np.uint64))
    assert _repeated(column, None).tolist() == [True, False, True]


def test_keys_of_one_length_and_of_many_agree() -> None:
    """A cell's key is the same in a column of one length (read in place) as in one of many
    lengths (read through masks): the streamed batch compares keys across pieces."""
    ids = ["STRUCTURE-0001", "STRUCTURE-0002", "ABCDEFGH", "é" * 7]
    alone = [int(text_keys(np.array([text] * 3, dtype=object))[0]) for text in ids]
    assert text_keys(np.array(ids, dtype=object)).tolist() == alone


@pytest.mark.parametrize("shape", ["STRUCTURE-{:010d}", "S-{}", "{:020d}", "FR-{:06d}-2024-A"])
def test_ids_counting_up_share_no_key(shape: str) -> None:
    """Ids that count up differ in one or two words: none shares a key, so a file without
    repeats is decided on the keys alone."""
    ids = pd.array([shape.format(number) for number in range(200_000)], dtype="string[pyarrow]")
    assert len(np.unique(text_keys(ids))) == len(ids)


def test_a_repeated_id_is_reported_in_a_large_frame(way: str) -> None:
    """One repeat among 50 000 distinct ids is found and both copies are named."""
    rows = [valid_row(structure_id=f"S-{number:06d}") for number in range(50_000)]
    rows[31_415] = valid_row(structure_id="S-000007")
    frame = frame_of(*rows)
    with pytest.raises(InputError, match=r"structure_id 'S-000007' is in 2 rows \(7, 31415\)"):
        allocate_frame(frame, 2022)


def test_the_rows_of_a_repeat_are_named_by_their_labels_as_written() -> None:
    """Labels of an int64 index (a filtered frame, partitions put together) read as
    numbers, not as numpy's repr."""
    frame = frame_of(valid_row(structure_id="A"), valid_row(structure_id="B"), valid_row())
    frame = frame.assign(structure_id=["A", "B", "A"]).set_index(pd.Index([10, 20, 35]))
    assert frame.index.dtype == np.int64 and not isinstance(frame.index, pd.RangeIndex)
    with pytest.raises(InputError, match=r"structure_id 'A' is in 2 rows \(10, 35\)"):
        allocate_frame(frame, 2022)
