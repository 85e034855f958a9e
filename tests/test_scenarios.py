"""Scenario overrides: hand-computed effects, validation of every override, base untouched."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpa_model import ParameterError, Scenario, Structure, allocate, reference_parameters
from tests.profiles import examples

# The reference values these hand computations rest on (assumptions of reference.toml):
# cost of an ETP 45 000 €; ETP schedule 2 ETP from 1 000 patients, +1 per 1 000 up to 6 at
# 5 000; poverty brackets 0/25/40/55 € per patient from 0/15/25/35 %.
COST = "participatory_activities.cost_per_etp"


def centre(**changes: object) -> Structure:
    fields: dict[str, object] = {
        "structure_id": "t",
        "kind": "centre_de_sante",
        "location": "in_qpv",
        "file_active_mg": 3100,  # 4 ETP in the reference schedule
        "poverty_rate": 0.30,  # 40 € per patient
    }
    fields.update(changes)
    return Structure.model_validate(fields)


def half_up(amount: Fraction) -> Decimal:
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_reference_values_behind_the_hand_computations() -> None:
    snapshot = reference_parameters().at(date(2024, 1, 1))
    assert snapshot.amount_cents(COST) == 4_500_000
    assert snapshot.scale("participatory_activities.etp_schedule").evaluate([3100.0])[0] == 4


def test_a_plain_number_changes_only_the_participatory_line_by_etp_times_delta() -> None:
    base = reference_parameters()
    scenario = Scenario("dearer ETP", {COST: 50000})
    before = allocate(centre(), 2024, base)
    after = allocate(centre(), 2024, scenario.apply(base))
    # 4 ETP × (50 000 − 45 000) € over a whole year
    assert after.line("participatory_activities").amount == Decimal("200000.00")
    assert after.total - before.total == 4 * (50000 - 45000)
    for key in ("practitioner_participation", "interpreting", "psychological_support"):
        assert after.line(key).amount == before.line(key).amount


def test_overridden_values_are_marked_scenario_with_a_source_naming_it() -> None:
    params = Scenario("dearer ETP", {COST: 50000}).apply()
    values = params.parameters[COST].values
    assert len(values) == 1
    (value,) = values
    assert value.status == "scenario"
    assert value.value == Decimal(50000)
    assert "dearer ETP" in value.source.title
    # a plain number applies from the base's first date (2021-08-01): as if always so
    assert value.effective_from == reference_parameters().parameters[COST].first_date
    # untouched parameters keep their provenance
    untouched = params.parameters["psychological_support.annual_cap"].values[0]
    assert untouched.status == "published"
    assert params.name == "dearer ETP"
    assert "reference" in params.origin


def test_dated_values_change_the_parameter_mid_period() -> None:
    scenario = Scenario(
        "ETP rise in July", {COST: [{"effective_from": "2024-07-01", "value": 50000}]}
    )
    params = scenario.apply()
    values = params.parameters[COST].values
    assert [v.status for v in values] == ["assumption", "scenario"]
    allocation = allocate(centre(), 2024, params)
    # 2024 has 366 days: 182 at 45 000 € (Jan-Jun), 184 at 50 000 € (Jul-Dec), 4 ETP
    expected = half_up(Fraction(4 * 45000 * 182, 366) + Fraction(4 * 50000 * 184, 366))
    assert allocation.line("participatory_activities").amount == expected
    assert expected == Decimal("190054.64")


def test_a_whole_scale_can_be_replaced() -> None:
    scale = {
        "mode": "step",
        "brackets": [{"threshold": 0, "value": 0}, {"threshold": 0.2, "value": 100}],
    }
    params = Scenario("flat 100", {"practitioner_participation.amount_per_patient": scale}).apply()
    allocation = allocate(centre(), 2024, params)
    # 3 100 patients × 100 € (poverty 30 % ≥ 20 %)
    assert allocation.line("practitioner_participation").amount == Decimal("310000.00")


def test_unit_given_with_the_value_is_checked() -> None:
    ok = Scenario("unit ok", {COST: {"unit": "EUR/ETP/year", "value": 48000}})
    assert ok.apply().parameters[COST].values[0].value == Decimal(48000)
    with pytest.raises(
        ParameterError, match=r"participatory_activities.cost_per_etp: unit 'EUR/month'"
    ):
        Scenario("monthly", {COST: {"unit": "EUR/month", "value": 4000}})


def test_every_bad_override_is_listed_with_path_and_reason() -> None:
    overrides = {
        "participatory_activities.no_such_thing": 1,
        COST: -5,
        "participatory_activities.etp_schedule": {
            "mode": "step",
            "brackets": [{"threshold": 2000, "value": 3}, {"threshold": 1000, "value": 2}],
        },
        "practitioner_participation.amount_per_patient": {
            "mode": "step",
            "brackets": [{"threshold": 0.1, "value": 3}, {"threshold": 0.1, "value": 2}],
        },
        "eligibility.min_file_active": 999.5,
        "psychological_support.annual_cap": {
            "mode": "step",
            "brackets": [{"threshold": 0, "value": 1}],
        },
        "interpreting.hourly_rate_in_person": True,
        "interpreting.hourly_rate_phone": [
            {"effective_from": "2023-01-01", "value": 40},
            {"effective_from": "2022-01-01", "value": 41},
        ],
        "interpreting.annual_cap": [{"effective_from": "someday", "value": 1}],
    }
    with pytest.raises(ParameterError) as caught:
        Scenario("bad", overrides)
    message = str(caught.value)
    assert "9 invalid overrides" in message
    assert "nothing was applied" in message
    expected = [
        ("participatory_activities.no_such_thing", "unknown parameter path"),
        (COST, "-5 is negative"),
        ("participatory_activities.etp_schedule", "brackets are not sorted"),
        ("practitioner_participation.amount_per_patient", "brackets overlap"),
        ("eligibility.min_file_active", "999.5 is not a whole number"),
        ("psychological_support.annual_cap", "expected a number (an amount), got a scale"),
        ("interpreting.hourly_rate_in_person", "got True"),
        ("interpreting.hourly_rate_phone", "strictly increasing order of date"),
        ("interpreting.annual_cap", "'someday' is not a date"),
    ]
    lines = message.splitlines()
    for path, reason in expected:
        assert any(line.strip().startswith(f"- {path}:") and reason in line for line in lines), (
            path,
            reason,
        )


def test_a_failed_scenario_leaves_the_base_untouched() -> None:
    base = reference_parameters()
    dumped = base.model_dump()
    with pytest.raises(ParameterError):
        Scenario("half bad", {COST: 50000, "interpreting.annual_cap": -1}, base=base)
    good = Scenario("good", {COST: 50000}, base=base).apply()
    assert base.model_dump() == dumped
    assert base.parameters[COST].values[0].value == Decimal(45000)
    assert good.parameters[COST].values[0].value == Decimal(50000)
    with pytest.raises(Exception, match="frozen"):
        base.parameters[COST].values[0].value = Decimal(1)  # type: ignore[misc]


def test_a_scenario_records_itself_and_round_trips() -> None:
    overrides = {
        COST: 50000,
        "interpreting.hourly_rate_phone": [
            {"effective_from": date(2024, 1, 1), "value": Decimal("39.5")}
        ],
    }
    scenario = Scenario("record", overrides, description="why")
    record = scenario.to_dict()
    assert record == {
        "name": "record",
        "description": "why",
        "base": "reference",
        "overrides": {
            COST: 50000,
            "interpreting.hourly_rate_phone": [{"effective_from": "2024-01-01", "value": "39.5"}],
        },
    }
    rebuilt = Scenario.from_dict(record)
    assert rebuilt.apply() == scenario.apply()
    assert scenario.apply().description == scenario.to_json()


def test_from_dict_refuses_a_record_over_another_base() -> None:
    with pytest.raises(ParameterError, match="recorded over parameters 'official'"):
        Scenario.from_dict({"name": "x", "base": "official", "overrides": {}})


def test_empty_name_and_non_mapping_overrides_are_refused() -> None:
    with pytest.raises(ParameterError, match="non-empty name"):
        Scenario(" ", {})
    with pytest.raises(ParameterError, match="overrides must be a mapping"):
        Scenario("x", [(COST, 1)])  # type: ignore[arg-type]


def test_an_override_before_the_base_coverage_extends_it() -> None:
    params = Scenario("earlier", {COST: [{"effective_from": "2021-01-01", "value": 45000}]}).apply()
    assert params.parameters[COST].first_date == date(2021, 1, 1)
    # the other parameters still start on 2021-08-01: coverage does not move
    assert params.coverage_start == date(2021, 8, 1)


def test_scenario_works_on_a_frame_too() -> None:
    from secpa_model import allocate_frame

    frame = pd.DataFrame(
        [centre().model_dump(), centre(structure_id="u", file_active_mg=1500).model_dump()]
    )
    before = allocate_frame(frame, 2024)
    after = allocate_frame(frame, 2024, Scenario("x", {COST: 46000}).apply())
    # (4 + 2) ETP × 1 000 € = 6 000 € = 600 000 cents
    delta = (
        after["participatory_activities_cents"].sum()
        - before["participatory_activities_cents"].sum()
    )
    assert delta == 600_000


def test_overrides_are_a_read_only_copy() -> None:
    given = {COST: 50000}
    scenario = Scenario("copy", given)
    given[COST] = -1
    assert scenario.overrides[COST] == 50000
    with pytest.raises(TypeError):
        scenario.overrides[COST] = 1  # type: ignore[index]


@settings(max_examples=examples(50), deadline=None)
@given(
    thresholds=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6),
    values=st.lists(st.integers(min_value=0, max_value=10), min_size=6, max_size=6),
)
def test_a_schedule_is_accepted_iff_its_thresholds_strictly_increase(
    thresholds: list[int], values: list[int]
) -> None:
    scale = {
        "mode": "step",
        "brackets": [
            {"threshold": t, "value": v} for t, v in zip(thresholds, values, strict=False)
        ],
    }
    increasing = all(a < b for a, b in pairwise(thresholds))
    base = reference_parameters()
    dumped = base.model_dump()
    try:
        params = Scenario("s", {"participatory_activities.etp_schedule": scale}).apply(base)
    except ParameterError as exc:
        assert not increasing
        assert "participatory_activities.etp_schedule" in str(exc)
        assert "not sorted" in str(exc) or "overlap" in str(exc)
    else:
        assert increasing
        (value,) = params.parameters["participatory_activities.etp_schedule"].values
        assert [b.threshold for b in value.value.brackets] == thresholds  # type: ignore[union-attr]
    assert base.model_dump() == dumped
