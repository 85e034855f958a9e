"""The JSON Schemas accept the library's real payloads and reject invalid ones."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from secpa_model import Period, Structure, allocate, build_trace, json_schema
from secpa_model.datasets import example_structures


def validator(name: str) -> Draft202012Validator:
    schema = json_schema(name)  # type: ignore[arg-type]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def structures() -> list[Structure]:
    return [
        *example_structures(),
        Structure(
            structure_id="with-dates",
            kind="msp",
            location="near_qpv",
            file_active_mg=2100,
            poverty_rate=1,
            interpreting_hours_phone=12.5,
            psychologist_cost_requested=Decimal("1234.56"),
            entry_date=date(2022, 3, 1),
            exit_date=date(2023, 6, 30),
        ),
    ]


PERIODS = [Period.year(2022), Period(date(2022, 2, 15), date(2024, 3, 1))]


def test_every_schema_is_a_valid_draft_2020_12_schema_with_a_title() -> None:
    for name in ("structure", "allocation", "trace"):
        schema = json_schema(name)  # type: ignore[arg-type]
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == f"secpa-model {name}"
        Draft202012Validator.check_schema(schema)


def test_unknown_schema_name_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="structure, allocation, trace"):
        json_schema("parameters")  # type: ignore[arg-type]


def test_real_structures_allocations_and_traces_validate() -> None:
    structure_schema, allocation_schema, trace_schema = (
        validator("structure"),
        validator("allocation"),
        validator("trace"),
    )
    for structure in structures():
        structure_schema.validate(structure.model_dump(mode="json"))
        # the schema describes what Structure accepts: the JSON payload builds it back
        assert Structure.model_validate(structure.model_dump(mode="json")) == structure
        for period in PERIODS:
            allocation = allocate(structure, period)
            allocation_schema.validate(allocation.model_dump(mode="json"))
            trace_schema.validate(build_trace(allocation).model_dump(mode="json"))


def test_a_minimal_hand_written_structure_validates() -> None:
    payload = {
        "structure_id": "x",
        "kind": "msp",
        "location": "in_qpv",
        "file_active_mg": 1000,
        "poverty_rate": 0.2,
        "psychologist_cost_requested": 5000,
    }
    validator("structure").validate(payload)
    Structure.model_validate(payload)


VALID_STRUCTURE: dict[str, Any] = {
    "structure_id": "x",
    "kind": "msp",
    "location": "in_qpv",
    "file_active_mg": 1000,
    "poverty_rate": 0.2,
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "hospital"}, "kind"),
        ({"location": "downtown"}, "location"),
        ({"file_active_mg": -1}, "file_active_mg"),
        ({"file_active_mg": 12.5}, "file_active_mg"),
        ({"poverty_rate": 31}, "poverty_rate"),
        ({"poverty_rate": "high"}, "poverty_rate"),
        ({"interpreting_hours_phone": -2}, "interpreting_hours_phone"),
        ({"psychologist_cost_requested": "12,50"}, "psychologist_cost_requested"),
        ({"entry_date": "2022-02-30"}, "entry_date"),
        ({"structure_id": ""}, "structure_id"),
        ({"entry_date": "2022-06"}, "entry_date"),
        ({"psychologist_cost_requested": 1.234}, "psychologist_cost_requested"),
    ],
)
def test_invalid_structures_are_rejected_by_schema_and_model(
    change: dict[str, Any], field: str
) -> None:
    payload = {**VALID_STRUCTURE, **change}
    errors = list(validator("structure").iter_errors(payload))
    assert errors, f"the schema accepted {change}"
    assert any(field in str(error.path) + error.message for error in errors)
    with pytest.raises(ValueError, match=field):
        Structure.model_validate(payload)


def test_missing_required_structure_field_is_rejected() -> None:
    payload = {k: v for k, v in VALID_STRUCTURE.items() if k != "location"}
    errors = list(validator("structure").iter_errors(payload))
    assert [error.validator for error in errors] == ["required"]
    assert "'location' is a required property" in errors[0].message


def test_invalid_allocations_and_traces_are_rejected() -> None:
    allocation = allocate(example_structures()[0], 2022)
    good = allocation.model_dump(mode="json")
    broken: list[dict[str, Any]] = []
    number_total = copy.deepcopy(good)
    number_total["total"] = 394400.0  # money is an exact decimal string, never a float
    broken.append(number_total)
    no_amount = copy.deepcopy(good)
    del no_amount["lines"][0]["amount"]
    broken.append(no_amount)
    extra = copy.deepcopy(good)
    extra["lines"][1]["bonus"] = "1"
    broken.append(extra)
    bad_status = copy.deepcopy(good)
    bad_status["lines"][0]["parameters"][0]["status"] = "rumour"
    broken.append(bad_status)
    bad_days = copy.deepcopy(good)
    bad_days["lines"][0]["pieces"][0]["days"] = "365"
    broken.append(bad_days)
    allocation_schema = validator("allocation")
    allocation_schema.validate(good)
    for payload in broken:
        assert not allocation_schema.is_valid(payload)

    trace = build_trace(allocation).model_dump(mode="json")
    trace_schema = validator("trace")
    trace_schema.validate(trace)
    for key, value in [("format", "other.trace"), ("version", 2), ("total", "3 944,00")]:
        assert not trace_schema.is_valid({**trace, key: value}), key
    assert not trace_schema.is_valid({k: v for k, v in trace.items() if k != "lines"})
