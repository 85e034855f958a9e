"""Relative scenario changes (issue 11 item 4): worked examples by hand, where a change
applies, the rounding rule, what is refused, and the values shown."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpa_model import (
    ParameterError,
    ParameterSpec,
    Scenario,
    allocate,
    reference_parameters,
    sweep,
)
from secpa_model.analysis.relative import RELATIVE_ROUNDING
from secpa_model.analysis.scenario_files import read_scenario_file
from secpa_model.model.parameters import parse_parameters
from secpa_model.models import experimentation
from secpa_model.testing import eligible_structures, periods
from tests.helpers import euros_half_up, make_structure, reference_text
from tests.profiles import examples

# The reference values behind these hand computations (reference.toml): cost of an ETP
# 45 000 € from 2021-08-01; phone interpreting 42 €/h; ETP schedule 2/3/4/5/6 ETP from
# 1 000/2 000/…/5 000 patients; poverty brackets 0/25/40/55 € per patient from 0/15/25/35 %.
COST = "participatory_activities.cost_per_etp"
PHONE = "interpreting.hourly_rate_phone"
ETP = "participatory_activities.etp_schedule"
PER_PATIENT = "practitioner_participation.amount_per_patient"
FIRST = date(2021, 8, 1)


def values_of(scenario: Scenario, path: str) -> list[tuple[date, object, str]]:
    params = scenario.apply()
    return [(v.effective_from, v.value, v.status) for v in params.parameters[path].values]


def test_the_reference_values_behind_the_hand_computations() -> None:
    snapshot = reference_parameters().at(date(2024, 1, 1))
    assert snapshot.amount_cents(COST) == 45_000 * 100
    assert snapshot.amount_cents(PHONE) == 42 * 100
    assert [b.value for b in snapshot.scale(ETP).brackets] == [2, 3, 4, 5, 6]
    assert [b.value for b in snapshot.scale(PER_PATIENT).brackets] == [0, 25, 40, 55]


def test_cost_per_etp_times_1_10_from_1_march_2024_is_49_500_euros_from_that_date() -> None:
    # the request of the issue: "raise the cost per ETP by 10 % from 2024-03-01"
    scenario = Scenario("ETP +10 %", {COST: {"factor": 1.1, "effective_from": "2024-03-01"}})
    assert values_of(scenario, COST) == [
        (FIRST, Decimal(45_000), "assumption"),  # the base value before the date, kept
        (date(2024, 3, 1), Decimal("49500.00"), "scenario"),  # 45 000 € × 1.10
    ]
    # the percentage says the same
    percent = Scenario("ETP +10 %", {COST: {"percent": 10, "effective_from": date(2024, 3, 1)}})
    assert values_of(percent, COST) == values_of(scenario, COST)
    # a centre with 4 ETP over 2024 (366 days): 60 days at 45 000 €, 306 at 49 500 €
    line = allocate(make_structure(file_active_mg=3100), 2024, scenario).line(
        "participatory_activities"
    )
    assert line.amount == euros_half_up(Fraction(4 * (45_000 * 60 + 49_500 * 306), 366))


def test_42_euros_times_1_1_is_46_20_euros_not_a_float() -> None:
    # in binary floating point 45 000 × 1.1 is not 49 500: why the library uses Decimal
    assert 45_000 * 1.1 == 49500.00000000001
    scenario = Scenario("phone", {PHONE: {"factor": 1.1}})
    assert values_of(scenario, PHONE) == [(FIRST, Decimal("46.20"), "scenario")]
    # the same factor given as text or as a Decimal
    for factor in ("1.1", Decimal("1.1"), "1.10"):
        assert values_of(Scenario("phone", {PHONE: {"factor": factor}}), PHONE)[0][1] == Decimal(
            "46.20"
        )
    # 10 hours by phone over 2023: 10 × 46.20 €
    allocation = allocate(make_structure(interpreting_hours_phone=10), 2023, scenario)
    assert allocation.line("interpreting").amount == Decimal("462.00")


def test_a_half_cent_is_rounded_half_up_by_the_stated_rule() -> None:
    # 42 € + 1.25 % = 42.525 €: half up gives 42.53 € (half to even would give 42.52 €)
    exact = Decimal(42) * (1 + Decimal("1.25") / 100)
    assert exact == Decimal("42.525")
    assert exact.quantize(Decimal("0.01"), ROUND_HALF_EVEN) == Decimal("42.52")
    scenario = Scenario("phone", {PHONE: {"percent": "1.25"}})
    assert values_of(scenario, PHONE)[0][1] == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert values_of(scenario, PHONE)[0][1] == Decimal("42.53")
    # just below a half cent: 42 € × 1.0123 = 42.5166 € → 42.52 €
    below = Scenario("phone", {PHONE: {"factor": "1.0123"}})
    assert values_of(below, PHONE)[0][1] == Decimal("42.52")
    # the rule is stated once, in words
    assert "half up" in RELATIVE_ROUNDING and "the cent" in RELATIVE_ROUNDING


def test_a_factor_on_a_scale_changes_every_bracket_value_and_no_threshold() -> None:
    scenario = Scenario("brackets × 1.05", {PER_PATIENT: {"factor": "1.05"}})
    ((day, scale, status),) = values_of(scenario, PER_PATIENT)
    assert (day, status) == (FIRST, "scenario")
    # 0 × 1.05, 25 × 1.05, 40 × 1.05, 55 × 1.05 (€ per patient), to the cent
    assert [b.value for b in scale.brackets] == [
        Decimal("0.00"),
        Decimal("26.25"),
        Decimal("42.00"),
        Decimal("57.75"),
    ]
    assert [b.threshold for b in scale.brackets] == [
        0,
        Decimal("0.15"),
        Decimal("0.25"),
        Decimal("0.35"),
    ]
    # the ETP schedule × 1.05: 4 ETP become 4.2 ETP for 3 100 patients; 4.2 × 45 000 € in 2023
    etp = Scenario("ETP schedule × 1.05", {ETP: {"factor": "1.05"}})
    ((_, schedule, _),) = values_of(etp, ETP)
    assert [b.value for b in schedule.brackets] == [
        Decimal("2.1"),
        Decimal("3.15"),
        Decimal("4.2"),
        Decimal("5.25"),
        Decimal("6.3"),
    ]
    assert [b.threshold for b in schedule.brackets] == [1000, 2000, 3000, 4000, 5000]
    line = allocate(make_structure(file_active_mg=3100), 2023, etp).line("participatory_activities")
    assert line.amount == Decimal("4.2") * 45_000


def test_the_change_applies_to_each_base_value_in_force_from_its_date() -> None:
    # a base with two dated values: 45 000 € from 2021-08-01, 48 000 € from 2023-01-01
    base = Scenario("two dates", {COST: [{"effective_from": "2023-01-01", "value": 48000}]})
    mid = Scenario(
        "× 1.1 from June 2022", {COST: {"factor": "1.1", "effective_from": "2022-06-01"}}, base=base
    )
    assert values_of(mid, COST) == [
        (FIRST, Decimal(45_000), "assumption"),  # before the date: kept
        (date(2022, 6, 1), Decimal("49500.00"), "scenario"),  # 45 000 € in force then, × 1.1
        (date(2023, 1, 1), Decimal("52800.00"), "scenario"),  # the later value 48 000 € × 1.1
    ]
    on_a_change = Scenario(
        "× 1.1 from 2023", {COST: {"factor": "1.1", "effective_from": "2023-01-01"}}, base=base
    )
    assert values_of(on_a_change, COST) == [
        (FIRST, Decimal(45_000), "assumption"),
        (date(2023, 1, 1), Decimal("52800.00"), "scenario"),
    ]
    everywhere = Scenario("× 1.1", {COST: {"factor": "1.1"}}, base=base)
    assert [v for _, v, _ in values_of(everywhere, COST)] == [
        Decimal("49500.00"),
        Decimal("52800.00"),
    ]


def test_an_addition_in_euros_and_in_patients() -> None:
    assert values_of(
        Scenario("cap", {"interpreting.annual_cap": {"add": "-2500.50"}}), "interpreting.annual_cap"
    )[0][1] == Decimal(40_000) - Decimal("2500.50")
    counted = Scenario("ceiling", {"practitioner_participation.max_patients": {"add": 500}})
    assert values_of(counted, "practitioner_participation.max_patients")[0][1] == 6000 + 500


def test_the_resulting_values_are_shown_with_their_computation() -> None:
    scenario = Scenario(
        "ETP +10 %",
        {COST: {"percent": 10, "effective_from": "2024-03-01", "rationale": "Wage agreement."}},
    )
    (value,) = scenario.values()[COST]
    assert (value.effective_from, value.value, value.status) == (
        date(2024, 3, 1),
        Decimal("49500.00"),
        "scenario",
    )
    assert value.rationale is not None
    assert value.rationale.startswith("Wage agreement.")
    assert "45000 EUR/ETP/year +10 % = 49500.00 EUR/ETP/year" in value.rationale
    assert "rounded half up to the cent" in value.rationale
    text = scenario.describe()
    assert f"{COST} from 2024-03-01: Wage agreement." in text
    assert "45000 EUR/ETP/year +10 % = 49500.00 EUR/ETP/year" in text
    # the record keeps what was written and lists the values it gives; it round-trips
    record = scenario.to_dict()
    assert record["overrides"][COST]["percent"] == 10
    assert record["values"] == {COST: [{"effective_from": "2024-03-01", "value": "49500.00"}]}
    assert Scenario.from_dict(record).apply() == scenario.apply()
    assert scenario.apply().description == scenario.to_json()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({COST: {"factor": -1}}, "a negative factor (-1)"),
        ({COST: {"factor": True}}, "factor must be a finite number, got True"),
        ({COST: {"factor": "ten"}}, "factor must be a finite number"),
        ({COST: {"factor": float("nan")}}, "factor must be a finite number"),
        ({COST: {"percent": -101}}, "below −100 %"),
        ({COST: {"add": -45_000.01}}, "below zero"),
        ({COST: {"add": "0.001"}}, "finer than the resolution"),
        ({COST: {"factor": 2, "add": 1}}, "give one of factor, percent, add"),
        ({COST: {"factor": 2, "value": 1}}, "unknown keys value in a relative change"),
        ({COST: {"factor": 2, "effective_from": "2020-01-01"}}, "before the base's first value"),
        ({COST: {"factor": 2, "effective_from": "soon"}}, "is not a date"),
        # a datetime (TOML 2023-01-01T00:00:00) is not a day: refused, not a TypeError
        ({COST: {"factor": 2, "effective_from": datetime(2023, 1, 1)}}, "is not a date"),
        ({COST: [{"effective_from": datetime(2023, 1, 1), "value": 1}]}, "is not a date"),
        ({COST: {"factor": 2**60}}, "beyond 2^53 cents"),
        (
            {"eligibility.min_file_active": {"percent": 10}},
            "a count (patients) takes add, not percent",
        ),
        ({"eligibility.min_file_active": {"add": 0.5}}, "finer than the resolution of patients"),
        ({ETP: {"add": 1}}, "a scale (ETP) takes factor or percent, not add"),
    ],
)
def test_nonsense_is_refused_by_name(override: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match="nothing was applied") as caught:
        Scenario("nonsense", override)
    assert message in str(caught.value)
    assert next(iter(override)) in str(caught.value)


def test_a_fraction_above_one_is_refused() -> None:
    # a parameter set with one more parameter, a share (unit "fraction") worth 0.8
    share = """
[extra.share]
unit = "fraction"
[[extra.share.values]]
effective_from = 2021-08-01
value = 0.8
status = "assumption"
rationale = "A test value."
source = { title = "tests", reference = "tests/test_relative_scenarios.py" }
"""
    specs = {
        **experimentation().specs,
        "extra.share": ParameterSpec("extra.share", "quantity", "fraction"),
    }
    base = parse_parameters(reference_text() + share, "share", specs=specs)
    ok = Scenario("share × 1.25", {"extra.share": {"factor": "1.25"}}, base=base)
    assert ok.values()["extra.share"][0].value == Decimal("0.8") * Decimal("1.25")  # 1
    with pytest.raises(ParameterError, match=re.escape("0.8 fraction × 1.3 = 1.04, above 1")):
        Scenario("share × 1.3", {"extra.share": {"factor": "1.3"}}, base=base)


def test_hostile_scenario_files_are_refused_naming_file_and_path(tmp_path: Path) -> None:
    cases = {
        "huge.toml": ("factor = 1e300", "beyond 2^53 cents"),
        "long.toml": (f"factor = {10**4000}", "beyond 2^53 cents"),
        "inf.toml": ("factor = inf", "factor must be a finite number"),
        "bool.toml": ("percent = true", "percent must be a finite number, got True"),
        "tiny.toml": ('factor = "1e-999999999"', "cannot be computed exactly"),
    }
    for name, (change, message) in cases.items():
        path = tmp_path / name
        path.write_text(
            f'name = "hostile"\n[overrides]\n"{COST}" = {{ {change} }}\n', encoding="utf-8"
        )
        with pytest.raises(ParameterError) as caught:
            read_scenario_file(path)
        assert str(path) in str(caught.value), name
        assert f"{COST}: " in str(caught.value), name
        assert message in str(caught.value), name
    json_file = tmp_path / "huge.json"
    json_file.write_text(
        '{"name": "h", "overrides": {"' + COST + '": {"factor": 1e300}}}', encoding="utf-8"
    )
    with pytest.raises(ParameterError, match="beyond 2\\^53 cents"):
        read_scenario_file(json_file)


def test_a_relative_scenario_file_in_toml(tmp_path: Path) -> None:
    path = tmp_path / "rise.toml"
    path.write_text(
        f"""
name = "ETP +10 % from March 2024"
[overrides]
"{COST}" = {{ percent = 10, effective_from = 2024-03-01 }}
[overrides.participatory_activities]
etp_schedule = {{ factor = 1.05 }}
""",
        encoding="utf-8",
    )
    scenario = read_scenario_file(path)
    values = scenario.values()
    assert [(v.effective_from, v.value) for v in values[COST]] == [
        (date(2024, 3, 1), Decimal("49500.00"))
    ]
    assert values[ETP][0].value.brackets[0].value == Decimal("2.1")  # type: ignore[union-attr]


AMOUNTS_AND_SCALES = [
    COST,
    PHONE,
    "interpreting.annual_cap",
    ETP,
    PER_PATIENT,
    "psychological_support.annual_cap",
]


@settings(max_examples=examples(40), deadline=None)
@given(
    structure=eligible_structures(),
    period=periods(),
    path=st.sampled_from(AMOUNTS_AND_SCALES),
    neutral=st.sampled_from([{"factor": 1}, {"factor": "1.000"}, {"percent": 0}, {"add": 0}]),
    days=st.integers(0, 6 * 365),
)
def test_a_neutral_change_gives_the_base_result_to_the_cent(
    structure: object, period: object, path: str, neutral: dict[str, object], days: int
) -> None:
    if "add" in neutral and path in (ETP, PER_PATIENT):
        neutral = {"factor": 1}  # a scale takes no addition
    start = FIRST + timedelta(days=days)
    scenario = Scenario("neutral", {path: {**neutral, "effective_from": start}})
    base = allocate(structure, period)
    changed = allocate(structure, period, scenario)
    assert [(line.key, line.amount) for line in changed.lines] == [
        (line.key, line.amount) for line in base.lines
    ]


@settings(max_examples=examples(60), deadline=None)
@given(factor=st.decimals(min_value=0, max_value=10, places=4))
def test_any_factor_gives_the_base_times_the_factor_half_up_to_the_cent(factor: Decimal) -> None:
    (value,) = Scenario("f", {COST: {"factor": factor}}).values()[COST]
    assert value.value == (45_000 * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_a_sweep_over_factors() -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a"],
            "kind": ["centre_de_sante"],
            "location": ["in_qpv"],
            "file_active_mg": [3100],  # 4 ETP
            "poverty_rate": [0.30],
        }
    )
    table = sweep(frame, 2023, COST, [{"factor": "0.9"}, {"factor": "1"}, {"percent": 10}])
    # 4 ETP × 45 000 € × 0.9, × 1, × 1.1 over a whole year: −18 000 €, 0, +18 000 €
    assert table["difference_cents"].tolist() == [-4 * 4_500 * 100, 0, 4 * 4_500 * 100]
