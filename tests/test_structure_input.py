"""Bad input is an error naming the field and the value; nothing is clipped or guessed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from secpa_model import Structure
from tests.helpers import make_structure


def error_text(**changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        make_structure(**changes)
    return str(caught.value)


def test_poverty_rate_in_percent_suggests_the_fraction() -> None:
    text = error_text(poverty_rate=31)
    assert "poverty_rate" in text
    assert "31" in text
    assert "0.31" in text


@pytest.mark.parametrize("value", [-0.01, 100.5, float("nan"), float("inf"), "lots", True])
def test_poverty_rate_out_of_range_or_not_a_number(value: object) -> None:
    assert "poverty_rate" in error_text(poverty_rate=value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("file_active_mg", -1),
        ("file_active_mg", 1000.5),
        ("interpreting_hours_in_person", -2),
        ("interpreting_hours_phone", float("nan")),
        ("psychologist_cost_requested", Decimal("-5")),
        ("psychologist_cost_requested", Decimal("10.005")),
        ("segur_psychologist_funding", "abc"),
        ("kind", "hospital"),
        ("location", "paris"),
        ("structure_id", ""),
    ],
)
def test_invalid_fields_are_named_with_their_value(field: str, value: object) -> None:
    text = error_text(**{field: value})
    assert field in text
    assert str(value) in text or repr(value) in text


def test_unknown_fields_are_rejected() -> None:
    assert "budget" in error_text(budget=12)


def test_exit_before_entry_is_rejected() -> None:
    text = error_text(entry_date="2022-03-01", exit_date="2022-02-01")
    # the message a frame gives for the same row (its value column shows the exit date)
    assert "exit_date is before entry_date" in text


def test_structure_is_frozen_and_defaults_are_documented() -> None:
    structure = make_structure()
    with pytest.raises(ValidationError):
        structure.file_active_mg = 5  # type: ignore[misc]
    assert structure.psychologist_cost_requested == 0
    assert structure.ars_psychology_agreement is False
    assert structure.entry_date is None and structure.exit_date is None
    for name, field in Structure.model_fields.items():
        assert field.description, f"{name} has no description"
