"""Fuzzing the input model: whatever JSON-like data a user passes, building a Structure
either succeeds or raises pydantic's ValidationError (never TypeError, OverflowError...)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from secpa_model import Structure, allocate
from secpa_model.testing import invalid_structure_data, structures
from tests.helpers import STRUCTURE_FIELDS
from tests.profiles import examples

FUZZ = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["1e999", "1e999999", "-0", "NaN", "Infinity", "2022-02-30", " 12 ", "0x10"])
    | st.sampled_from([2**63, 2**64, 10**400, -(10**400), 1e308, 5e-324])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
KEYS = st.sampled_from(STRUCTURE_FIELDS) | st.text(max_size=8)


def build(data: Any) -> Structure | None:
    """Structure.model_validate(data), None when it is rejected with a ValidationError."""
    try:
        return Structure.model_validate(data)
    except ValidationError:
        return None


@FUZZ
@given(st.dictionaries(KEYS, JSON_VALUES, max_size=14) | JSON_VALUES)
def test_arbitrary_json_like_data_raises_only_validation_error(data: Any) -> None:
    build(data)


@FUZZ
@given(
    structures(),
    st.dictionaries(st.sampled_from(STRUCTURE_FIELDS), JSON_VALUES, min_size=1, max_size=3),
)
def test_a_valid_structure_with_arbitrary_fields_raises_only_validation_error(
    structure: Structure, changes: dict[str, Any]
) -> None:
    """Near-valid data reaches every field validator (one bad field at a time is common)."""
    data = {**structure.model_dump(mode="json"), **changes}
    built = build(data)
    if built is not None:
        # whatever was accepted must allocate (or be refused for coverage), not crash
        assert built.file_active_mg >= 0
        assert 0 <= built.poverty_rate <= 1


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_json_text_raises_only_validation_error(text: str) -> None:
    try:
        built = Structure.model_validate_json(text)
    except ValidationError:
        return
    assert Structure.model_validate_json(built.model_dump_json()) == built


@FUZZ
@given(invalid_structure_data())
def test_invalid_data_is_rejected_naming_the_field(case: tuple[dict[str, Any], str]) -> None:
    data, field = case
    try:
        Structure.model_validate(data)
    except ValidationError as exc:
        named = {str(part) for error in exc.errors() for part in error["loc"]}
        assert field in named or field in str(exc), (field, str(exc))
    else:
        raise AssertionError(f"accepted invalid data (field {field}): {data!r}")


def test_huge_numbers_are_validation_errors_not_overflow() -> None:
    """Regression: float(10**400) raised OverflowError out of the poverty-rate validator,
    Decimal("1e999999") a decimal.Overflow out of the euro fields, and counts or amounts
    beyond int64 were accepted (then overflowed the columns)."""
    cases: list[tuple[str, object]] = [
        ("poverty_rate", 10**400),
        ("file_active_mg", 10**400),
        ("file_active_mg", 2**63),
        ("interpreting_hours_phone", 10**400),
        ("psychologist_cost_requested", "1e999999"),
        ("segur_psychologist_funding", 10**30),
    ]
    for field, value in cases:
        data = {
            "structure_id": "s",
            "kind": "msp",
            "location": "in_qpv",
            "file_active_mg": 1000,
            "poverty_rate": 0.2,
            field: value,
        }
        assert build(data) is None, field


@settings(max_examples=examples(40), deadline=None)
@given(structures())
def test_every_accepted_structure_allocates(structure: Structure) -> None:
    allocation = allocate(structure, 2023)
    assert allocation.total >= 0
