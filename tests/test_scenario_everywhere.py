"""A Scenario is accepted wherever parameters are (issue 11 item 5): one test per public
function that takes parameters; each checks that the scenario's values were used (the
result equals the one under ``scenario.apply()`` and differs from the reference), and that
anything else is refused with a TypeError saying what to pass."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings

from secpa_model import (
    Parameters,
    Scenario,
    allocate,
    allocate_frame,
    compare,
    compare_models,
    explain_text,
    project_budget,
    read_allocations,
    reference_parameters,
    sweep,
    sweep_grid,
)
from secpa_model.analysis.scenario_files import read_scenario_file, scenario_from_mapping
from secpa_model.analysis.scenarios import as_parameters
from secpa_model.core.money import format_euros
from secpa_model.io.batch import run_batch
from secpa_model.models import experimentation
from secpa_model.presentation.docs_tables import provenance_table
from secpa_model.presentation.report import build_report
from secpa_model.testing import eligible_structures, periods
from tests.helpers import make_structure
from tests.profiles import examples

COST = "participatory_activities.cost_per_etp"
PHONE = "interpreting.hourly_rate_phone"
# the cost of an ETP × 1.1 from the base's first date: 45 000 € → 49 500 € (by hand)
SCENARIO = Scenario("ETP × 1.1", {COST: {"factor": "1.1"}})
PERIOD = 2023


@pytest.fixture(scope="module")
def applied() -> Parameters:
    return SCENARIO.apply()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "structure_id": ["a", "b"],
            "kind": ["centre_de_sante", "msp"],
            "location": ["in_qpv", "in_qpv"],
            "file_active_mg": [3100, 1200],  # 4 ETP and 2 ETP
            "poverty_rate": [0.30, 0.20],
        }
    )


def totals(result: pd.DataFrame) -> list[int]:
    return [int(cents) for cents in result["total_cents"]]


def test_allocate_takes_a_scenario() -> None:
    # the crash of the issue: AttributeError 'Scenario' object has no attribute 'change_dates'
    allocation = allocate(make_structure(file_active_mg=3100), PERIOD, SCENARIO)
    assert allocation.line("participatory_activities").amount == 4 * Decimal(49_500)
    assert allocation.parameters_name == "ETP × 1.1"


def test_explain_names_the_scenario_and_its_value() -> None:
    # explain_* take an allocation (no parameters argument): the allocation made under a
    # scenario is explained with the scenario's values and status
    text = explain_text(allocate(make_structure(file_active_mg=3100), PERIOD, SCENARIO))
    assert "ETP × 1.1" in text
    assert "49500.00" in text


def test_allocate_frame_takes_a_scenario(frame: pd.DataFrame, applied: Parameters) -> None:
    result = allocate_frame(frame, PERIOD, SCENARIO)
    assert totals(result) == totals(allocate_frame(frame, PERIOD, applied))
    base = allocate_frame(frame, PERIOD)
    # 4 ETP and 2 ETP, each 4 500 € dearer over a whole year
    assert [a - b for a, b in zip(totals(result), totals(base), strict=True)] == [
        4 * 4_500 * 100,
        2 * 4_500 * 100,
    ]


def test_a_batch_in_pieces_takes_a_scenario(
    frame: pd.DataFrame, applied: Parameters, tmp_path: Path
) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(source, index=False)
    run_batch(source, out, PERIOD, SCENARIO, rows=1)
    assert totals(read_allocations(out)) == totals(allocate_frame(frame, PERIOD, applied))


def test_compare_takes_scenarios_as_baseline_and_as_scenarios(frame: pd.DataFrame) -> None:
    result = compare(frame, PERIOD, reference_parameters(), SCENARIO)
    difference = result.summary.set_index("scenario").loc["ETP × 1.1", "difference_cents"]
    assert difference == (4 + 2) * 4_500 * 100
    # a scenario as the baseline: the reference is then 6 × 4 500 € cheaper
    reverse = compare(frame, PERIOD, SCENARIO, reference_parameters())
    assert reverse.summary.set_index("scenario").loc["reference", "difference_cents"] == -(
        6 * 4_500 * 100
    )


def test_sweep_and_sweep_grid_take_a_scenario_as_base(
    frame: pd.DataFrame, applied: Parameters
) -> None:
    table = sweep(frame, PERIOD, PHONE, [42, 50], SCENARIO)
    assert totals(table) == totals(sweep(frame, PERIOD, PHONE, [42, 50], applied))
    assert totals(table) != totals(sweep(frame, PERIOD, PHONE, [42, 50]))
    grid = sweep_grid(frame, PERIOD, (PHONE, [42]), ("interpreting.annual_cap", [40000]), SCENARIO)
    assert totals(grid) == totals(table)[:1]


def test_project_budget_takes_a_scenario(frame: pd.DataFrame, applied: Parameters) -> None:
    periods_ = {"2023": "2023-01-01..2023-12-31"}
    projected = project_budget(frame, periods_, SCENARIO)
    assert totals(projected.by_period) == totals(project_budget(frame, periods_, applied).by_period)
    reference = project_budget(frame, periods_).by_period
    assert totals(projected.by_period)[0] - totals(reference)[0] == 6 * 4_500 * 100


def test_compare_models_takes_a_scenario_per_model(frame: pd.DataFrame) -> None:
    both = frame.assign(team_size=10, professionals_trained=0)
    scenario = compare_models(
        both, PERIOD, "experimentation", "five_pillars", parameters={"experimentation": SCENARIO}
    )
    plain = compare_models(both, PERIOD, "experimentation", "five_pillars")
    column = "experimentation_cents"
    difference = scenario.by_structure[column] - plain.by_structure[column]
    assert difference.tolist() == [4 * 4_500 * 100, 2 * 4_500 * 100]


def test_build_report_takes_a_scenario(frame: pd.DataFrame, applied: Parameters) -> None:
    page = build_report(frame, PERIOD, SCENARIO, charts=False)
    total = allocate_frame(frame, PERIOD, applied)["total_cents"].sum()
    assert format_euros(Decimal(int(total)) / 100) in page


def test_the_charts_take_a_scenario(frame: pd.DataFrame) -> None:
    pytest.importorskip("matplotlib")
    from secpa_model.presentation.plots import assumption_note, plot_allocations, plot_budget

    note = f"scenario overrides: {COST}"
    assert note in assumption_note(SCENARIO)
    figure = plot_allocations(allocate_frame(frame, PERIOD, SCENARIO), parameters=SCENARIO)
    assert any(note in text.get_text() for text in figure.texts)
    by_period = project_budget(frame, {"2023": PERIOD}, SCENARIO).by_period
    figure = plot_budget(by_period, parameters=SCENARIO)
    assert any(note in text.get_text() for text in figure.texts)


def test_provenance_table_takes_a_scenario() -> None:
    table = provenance_table(SCENARIO)
    row = next(line for line in table.splitlines() if line.startswith(f"| `{COST}` |"))
    assert "49500.00" in row and "| scenario |" in row


@settings(max_examples=examples(10), deadline=None)
@given(structure=eligible_structures(SCENARIO), period=periods(SCENARIO))
def test_the_testing_strategies_take_a_scenario(structure: object, period: object) -> None:
    assert allocate(structure, period, SCENARIO).eligible


def test_a_scenario_over_another_scenario() -> None:
    phone = Scenario("phone 50 over ETP × 1.1", {PHONE: 50}, base=SCENARIO)
    params = phone.apply()
    assert params.parameters[COST].values[0].value == Decimal("49500.00")
    assert params.parameters[PHONE].values[0].value == 50
    assert (
        Scenario("phone", {PHONE: 50}).apply(SCENARIO).parameters[COST]
        == (SCENARIO.apply().parameters[COST])
    )
    assert phone.to_dict()["base"] == "ETP × 1.1"


def test_scenario_files_take_a_scenario_as_base(tmp_path: Path) -> None:
    path = tmp_path / "phone.json"
    path.write_text(f'{{"name": "phone", "overrides": {{"{PHONE}": 50}}}}', encoding="utf-8")
    from_file = read_scenario_file(path, SCENARIO)
    assert from_file.apply().parameters[COST].values[0].value == Decimal("49500.00")
    mapped = scenario_from_mapping({"name": "phone", "overrides": {PHONE: 50}}, SCENARIO)
    assert mapped.apply() == from_file.apply()


def test_as_parameters_gives_the_scenario_applied_for_the_model(applied: Parameters) -> None:
    assert as_parameters(SCENARIO) == applied
    assert as_parameters(None) == reference_parameters()


def test_anything_else_is_a_type_error_saying_what_to_pass(frame: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match=r"got dict: for overrides by path, pass Scenario\("):
        allocate(make_structure(), PERIOD, {COST: 50000})
    with pytest.raises(TypeError, match=r"must be a Parameters .* or a Scenario, got str"):
        allocate_frame(frame, PERIOD, "reference")
    with pytest.raises(TypeError, match=r"a Parameters .* or a Scenario, got int"):
        compare(frame, PERIOD, reference_parameters(), 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="base of a scenario must be a Parameters or a Scenario"):
        Scenario("x", {}, base="reference")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"pass scenario.parameters_for\(model\)"):
        experimentation().check_parameters(SCENARIO)  # type: ignore[arg-type]
