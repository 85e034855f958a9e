"""Models as values: a user's fifth dotation, the five-pillar proposal, declarations that
cannot lie, dated rule versions, per-rule rounding, finding models by name, and comparing
models structure by structure."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import secpa_model
from secpa_model import (
    Condition,
    Input,
    InputError,
    Model,
    ModelError,
    ParameterError,
    ParameterSpec,
    Period,
    Rounding,
    Scenario,
    allocate,
    allocate_frame,
    compare,
    compare_models,
    experimentation,
    explain_json,
    get_model,
    json_schema,
    project_budget,
    rule,
    sweep,
)
from secpa_model.datasets import illustrative_portfolio
from secpa_model.models import five_pillars
from secpa_model.presentation.cli import main
from secpa_model.presentation.report import build_report
from secpa_model.testing import structure_frames, structures
from tests.helpers import euros_half_up
from tests.profiles import examples

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "custom_dotation.py"
SRC = str(ROOT / "src")


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("custom_dotation", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def custom() -> Model:
    model: Model = load_example().MODEL
    return model


def portfolio_with_coordination() -> pd.DataFrame:
    frame = illustrative_portfolio().head(4).copy()
    frame["coordination_etp"] = [1.0, 0.5, 0.0, 2.0]
    return frame


# ---------------------------------------------------------------- a user's fifth dotation


def test_a_fifth_dotation_appears_in_every_view(custom: Model) -> None:
    frame = portfolio_with_coordination()
    result = allocate_frame(secpa_model.portfolio(frame, model=custom), 2024)
    assert custom.line_keys[-1] == "coordination" and len(custom.line_keys) == 5
    # by hand: ETP × 52 000 € (the user's TOML) over the whole leap year 2024
    assert result["coordination_cents"].tolist() == [5_200_000, 2_600_000, 0, 10_400_000]
    # the four lines of the experimentation are untouched
    base = allocate_frame(frame, 2024)
    for key in experimentation().line_keys:
        assert result[f"{key}_cents"].tolist() == base[f"{key}_cents"].tolist()
    assert (result["total_cents"] == base["total_cents"] + result["coordination_cents"]).all()

    row = {
        name: frame.iloc[1][name] for name in frame.columns if name in custom.structure.model_fields
    }
    allocation = allocate(row, 2024, model=custom)
    assert allocation.line("coordination").amount == Decimal("26000.00")
    assert allocation.line("coordination").inputs == {"coordination_etp": 0.5}
    text = allocation.explain()
    assert "5. Coordination: 26 000,00 €" in text
    assert "fungible between the five lines" in text
    trace = json.loads(explain_json(allocation))
    jsonschema.validate(trace, json_schema("trace", model=custom))
    jsonschema.validate(allocation.model_dump(mode="json"), json_schema("allocation", model=custom))
    # the experimentation's schemas refuse a five-line trace
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(trace, json_schema("trace"))
    assert "coordination_etp" in json_schema("structure", model=custom)["properties"]
    assert "coordination_etp" not in json_schema("structure")["properties"]


def test_a_fifth_dotation_in_comparisons_and_reports(custom: Model) -> None:
    frame = portfolio_with_coordination()
    dearer = Scenario("dearer coordination", {"coordination.cost_per_etp": 60000}, model=custom)
    result = compare(
        secpa_model.portfolio(frame, model=custom), 2024, custom.reference_parameters(), dearer
    )
    line = result.detail[
        (result.detail["level"] == "portfolio")
        & (result.detail["scenario"] == "dearer coordination")
        & (result.detail["line"] == "coordination")
    ]
    # 3.5 ETP in all × 8 000 € more, over the whole year
    assert int(line["difference_cents"].iloc[0]) == int(Decimal("3.5") * 8_000 * 100)
    swept = sweep(
        secpa_model.portfolio(frame, model=custom), 2024, "coordination.cost_per_etp", [52000, 0]
    )
    assert swept["coordination_cents"].tolist() == [18_200_000, 0]
    page = build_report(secpa_model.portfolio(frame, model=custom), 2024, charts=False)
    assert "Coordination" in page and "five fungible dotations" in page
    budget = project_budget(secpa_model.portfolio(frame, model=custom), 2024)
    assert int(budget.by_period["coordination_cents"].iloc[0]) == 18_200_000


@settings(max_examples=examples(25), deadline=None)
@given(frame=structure_frames(1, 4, model=load_example().MODEL))
def test_strategies_draw_the_new_input(frame: pd.DataFrame) -> None:
    model = load_example().MODEL
    assert "coordination_etp" in frame.columns
    assert (frame["coordination_etp"] >= 0).all() and (frame["coordination_etp"] <= 3).all()
    result = allocate_frame(secpa_model.portfolio(frame, model=model), 2024)
    cost = 52_000_00
    expected = [
        round(etp * cost) if eligible else 0
        for etp, eligible in zip(frame["coordination_etp"], result["eligible"], strict=True)
    ]
    # structures present on every day of 2024 get exactly ETP × cost
    whole_year = (frame["entry_date"].isna() | (frame["entry_date"] <= "2024-01-01")) & (
        frame["exit_date"].isna() | (frame["exit_date"] >= "2024-12-31")
    )
    for row in np.flatnonzero(whole_year.to_numpy()):
        assert abs(int(result["coordination_cents"].iloc[row]) - expected[row]) <= 1


def test_the_example_runs_and_prints_five_lines() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env={**os.environ, "PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "5 lines" in done.stdout and "coordination_cents" in done.stdout
    assert "coordination 52 000,00 €" in done.stdout


# ------------------------------------------------------------------ declarations


def test_a_rule_that_reads_an_undeclared_input_is_an_error() -> None:
    @rule(
        key="sneaky",
        label="Sneaky",
        legal_basis_fr="Aucune.",
        legal_basis_en="None.",
        formula="file_active_mg × 1",
        inputs=("poverty_rate",),
        parameters=("participatory_activities.cost_per_etp",),
    )
    def sneaky(inputs: Any, params: Any) -> Any:
        params.amount_cents("participatory_activities.cost_per_etp")
        return inputs["file_active_mg"] * 1.0

    model = experimentation().extend(name="sneaky", rules=[sneaky])
    structure = model.structure(
        structure_id="s", kind="msp", location="in_qpv", file_active_mg=2000, poverty_rate=0.3
    )
    with pytest.raises(ModelError, match="reads input 'file_active_mg', which it does not declare"):
        allocate(structure, 2024, model=model)


def test_a_rule_that_reads_an_undeclared_parameter_is_an_error() -> None:
    @rule(
        key="sneaky",
        label="Sneaky",
        legal_basis_fr="Aucune.",
        legal_basis_en="None.",
        formula="cap",
        inputs=("poverty_rate",),
        parameters=("participatory_activities.cost_per_etp",),
    )
    def sneaky(inputs: Any, params: Any) -> Any:
        return inputs["poverty_rate"] * params.amount_cents("interpreting.annual_cap")

    model = experimentation().extend(name="sneaky", rules=[sneaky])
    with pytest.raises(ModelError, match=r"reads parameter 'interpreting\.annual_cap'"):
        allocate_frame(secpa_model.portfolio(illustrative_portfolio(), model=model), 2024)


def test_a_model_refuses_what_it_does_not_declare() -> None:
    @rule(
        key="orphan",
        label="Orphan",
        legal_basis_fr="Aucune.",
        legal_basis_en="None.",
        formula="x",
        inputs=("no_such_input",),
    )
    def orphan(inputs: Any, params: Any) -> Any:
        return inputs["no_such_input"]

    with pytest.raises(ModelError, match="no_such_input"):
        experimentation().extend(name="bad", rules=[orphan])
    unread = ParameterSpec("coordination.cost_per_etp", "amount", "EUR/ETP/year")
    with pytest.raises(ModelError, match="read by no rule"):
        experimentation().extend(name="bad", parameters=[unread])
    with pytest.raises(ModelError, match="declared twice"):
        experimentation().extend(name="bad", inputs=[experimentation().input("kind")])
    with pytest.raises(ModelError, match="without a test"):
        experimentation().extend(name="bad", conditions=[Condition("untested", "x", "x")])
    scalar = Condition("everyone", "never", "jamais", fails=lambda inputs, params: np.array([1, 0]))
    with pytest.raises(ModelError, match="'everyone' gave"):
        allocate_frame(
            secpa_model.portfolio(
                illustrative_portfolio().head(3),
                model=experimentation().extend(name="bad", conditions=[scalar]),
            ),
            2024,
        )


@pytest.mark.parametrize("model", [experimentation(), five_pillars()], ids=lambda m: m.name)
def test_shipped_rules_read_exactly_what_they_declare(model: Model) -> None:
    """Run every rule and condition on the illustrative portfolio with recording views:
    what each reads is what it declares (the engine already refuses more)."""
    from secpa_model.io.validation import validate_frame
    from secpa_model.model.rules import RuleInputs, RuleParameters

    frame = illustrative_portfolio()
    frame["coordination_etp"] = 1.0
    columns = validate_frame(frame, model).columns
    snapshot = model.reference_parameters().at(date(2024, 1, 1))
    owners = [(r.key, r.inputs, r.parameters, r.evaluate) for r in model.rules]
    owners += [(c.code, c.inputs, c.parameters, c.fails) for c in model.conditions]
    for key, inputs, parameters, run in owners:
        view = RuleInputs(key, columns, inputs, model.code, record=True)
        values = RuleParameters(key, snapshot, parameters, record=True)
        assert run is not None
        run(view, values)
        assert view.read == set(inputs), key
        assert values.read == set(parameters), key


# ---------------------------------------------------------- dated versions, rounding


def _etp_rule(rounding: Rounding | None = None) -> Any:
    @rule(
        key="coordination",
        label="Coordination",
        legal_basis_fr="Dotation de coordination.",
        legal_basis_en="Coordination.",
        formula="coordination_etp × cost_per_etp",
        inputs=("coordination_etp",),
        parameters=("coordination.cost_per_etp",),
        rounding=rounding,
    )
    def coordination(inputs: Any, params: Any) -> Any:
        return inputs["coordination_etp"] * params.amount_cents("coordination.cost_per_etp")

    return coordination


def _with_rule(custom: Model, new_rule: Any) -> Model:
    return custom.replace(name="variant", rules=(*custom.rules[:-1], new_rule))


def test_a_rule_version_applies_from_its_date(custom: Model) -> None:
    """From 1 July 2024 the cost counts double: the period is cut there."""
    base = _etp_rule()
    doubled = base.with_version(
        date(2024, 7, 1),
        lambda inputs, params: (
            2 * inputs["coordination_etp"] * params.amount_cents("coordination.cost_per_etp")
        ),
        "2 × coordination_etp × cost_per_etp",
    )
    model = _with_rule(custom, doubled)
    frame = portfolio_with_coordination().head(1)  # 1 ETP, present all year
    cents = int(
        allocate_frame(secpa_model.portfolio(frame, model=model), 2024)["coordination_cents"].iloc[
            0
        ]
    )
    # by hand: 182 days (1 Jan–30 Jun 2024) at 52 000 € and 184 days at 104 000 €, of 366
    expected = euros_half_up(Fraction(52000 * 182, 366) + Fraction(104000 * 184, 366))
    assert Decimal(cents) / 100 == expected
    allocation = allocate(
        {n: frame.iloc[0][n] for n in frame.columns if n in model.structure.model_fields},
        2024,
        model=model,
    )
    line = allocation.line("coordination")
    assert [(p.start, p.end) for p in line.pieces] == [
        (date(2024, 1, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 12, 31)),
    ]
    assert "from 2024-07-01: 2 × coordination_etp × cost_per_etp" in line.formula


def test_a_rule_may_round_otherwise_than_its_model(custom: Model) -> None:
    model = _with_rule(custom, _etp_rule(Rounding(unit_cents=100, direction="down")))
    frame = portfolio_with_coordination().head(1)
    period = Period(date(2024, 1, 1), date(2024, 1, 10))
    result = allocate_frame(secpa_model.portfolio(frame, model=model), period)
    # by hand: 52 000 € × 10 / 366 = 1 420.765… €, rounded down to the euro: 1 420 €
    assert int(result["coordination_cents"].iloc[0]) == 142_000
    unrounded = allocate_frame(secpa_model.portfolio(frame, model=custom), period)
    assert int(unrounded["coordination_cents"].iloc[0]) == 142_077  # half up to the cent
    row = {n: frame.iloc[0][n] for n in frame.columns if n in model.structure.model_fields}
    allocation = allocate(row, period, model=model)
    assert "rounded once, down, to the euro: 1 420,00 €" in allocation.explain()
    trace = json.loads(explain_json(allocation))
    assert trace["lines"][-1]["rounding"]["mode"] == "down"
    assert trace["lines"][0]["rounding"] is None  # the model's own rounding


# ----------------------------------------------------------------- finding models


def test_models_are_found_by_name() -> None:
    assert get_model("experimentation") is experimentation()
    assert get_model("five_pillars") is five_pillars()
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        get_model("nope")
    with pytest.raises(ModelError, match="cannot import"):
        get_model("no_such_package.module:MODEL")
    with pytest.raises(ModelError, match="is not a Model"):
        get_model("secpa_model:ROUNDING_RULE")


def test_a_package_ships_a_model_through_an_entry_point(tmp_path: Path) -> None:
    """A fake installed package declaring a model in the group secpa_model.models."""
    (tmp_path / "my_models.py").write_text(EXAMPLE.read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "coordination.toml").write_text(
        (ROOT / "examples" / "coordination.toml").read_text(encoding="utf-8"), "utf-8"
    )
    info = tmp_path / "my_models-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-models\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[secpa_model.models]\nwith_coordination = my_models:MODEL\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), SRC])}
    listed = subprocess.run(
        [sys.executable, "-m", "secpa_model", "models"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "with_coordination" in listed.stdout and "my_models:MODEL" in listed.stdout
    assert "five_pillars" in listed.stdout
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "secpa_model",
            "allocate",
            "--model",
            "with_coordination",
            "--kind",
            "msp",
            "--location",
            "in_qpv",
            "--file-active-mg",
            "2500",
            "--poverty-rate",
            "0.3",
            "--coordination-etp",
            "1.5",
            "--year",
            "2024",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "coordination" in done.stdout and "78 000,00 €" in done.stdout  # 1.5 × 52 000 €


# ------------------------------------------------------------ the five-pillar model


def test_the_five_pillar_model_is_a_labelled_proposal() -> None:
    model = five_pillars()
    assert model.line_keys == (
        "coordination",
        "psychosocial_support",
        "participatory_approach",
        "interpreting",
        "training",
    )
    assert "PROPOSAL" in model.note
    params = model.reference_parameters()
    statuses = {v.status for p in params.parameters.values() for v in p.values}
    assert statuses == {"assumption"}
    assert all(v.rationale for p in params.parameters.values() for v in p.values)
    assert "team_size" in model.structure.model_fields
    assert "psychologist_cost_requested" not in model.structure.model_fields
    allocation = allocate(
        {
            "structure_id": "s",
            "kind": "msp",
            "location": "in_qpv",
            "file_active_mg": 3200,
            "poverty_rate": 0.31,
            "team_size": 20,
        },
        2024,
        model=model,
    )
    assert "PROPOSAL" in allocation.explain()
    # by hand, 2024: coordination 1.5 × 50 000; psycho-social 3 200 × 20 €; participatory
    # 4.7 × 45 000; no interpreting; training min(20 × 700, 20 000)
    expected = {
        "coordination": Decimal("75000.00"),
        "psychosocial_support": Decimal("64000.00"),
        "participatory_approach": Decimal("211500.00"),
        "interpreting": Decimal("0.00"),
        "training": Decimal("14000.00"),
    }
    assert {line.key: line.amount for line in allocation.lines} == expected


def test_the_five_pillar_calibration_is_the_nearest_level() -> None:
    """The participatory ETP schedule's level, moved by steps of 0.05 ETP, is the one whose
    2024 cost of the illustrative portfolio is nearest to the experimentation's."""
    frame = illustrative_portfolio()
    target = int(allocate_frame(frame, 2024)["total_cents"].sum())
    model = five_pillars()
    base = model.reference_parameters()
    path = "participatory_approach.etp_schedule"
    brackets = base.parameters[path].values[0].value.brackets  # type: ignore[union-attr]

    def total(shift: Decimal) -> int:
        scale = {
            "mode": "step",
            "brackets": [{"threshold": b.threshold, "value": b.value + shift} for b in brackets],
        }
        params = Scenario("shift", {path: scale}, base=base).apply(base)
        return int(
            allocate_frame(secpa_model.portfolio(frame, model=model), 2024, params)[
                "total_cents"
            ].sum()
        )

    chosen = abs(total(Decimal(0)) - target)
    assert chosen < target // 100  # within 1 %
    for shift in (Decimal("-0.05"), Decimal("0.05")):
        assert abs(total(shift) - target) > chosen


def test_compare_models_on_the_illustrative_portfolio() -> None:
    frame = illustrative_portfolio()
    result = compare_models(frame, 2024, "experimentation", "five_pillars")
    by = result.by_structure
    before = allocate_frame(frame, 2024)["total_cents"]
    after = allocate_frame(secpa_model.portfolio(frame, model="five_pillars"), 2024)["total_cents"]
    assert (by["five_pillars_difference_cents"] == after - before).all()
    summary = result.summary.set_index("model")
    gains = int((after > before).sum())
    assert summary.loc["five_pillars", "gains"] == gains
    assert summary.loc["five_pillars", "loses"] == int((after < before).sum())
    assert summary.loc["five_pillars", "difference_cents"] == int(after.sum() - before.sum())
    lines = result.lines
    assert set(lines[lines["model"] == "five_pillars"]["line"]) == {
        *five_pillars().line_keys,
        "total",
    }
    with pytest.raises(ValueError, match="at least two"):
        compare_models(frame, 2024, "experimentation")


def test_compare_models_reports_a_row_invalid_under_one_model_only() -> None:
    frame = illustrative_portfolio().head(3).copy()
    frame["team_size"] = frame["team_size"].astype(object)
    frame.loc[1, "team_size"] = -1  # only the five-pillar model reads it
    with pytest.raises(InputError, match="team_size must be ≥ 0"):
        compare_models(frame, 2024, "experimentation", "five_pillars")
    valid = secpa_model.portfolio(frame).valid()
    result = compare_models(valid, 2024, "experimentation", "five_pillars")
    assert list(result.by_structure.index) == [0, 2]
    assert result.errors["field"].tolist() == ["team_size"]


def test_compare_models_from_the_command_line(tmp_path: Path, capsys: Any) -> None:
    source = tmp_path / "portfolio.csv"
    illustrative_portfolio().to_csv(source, index=False)
    out = tmp_path / "by_structure.csv"
    code = main(
        [
            "compare",
            str(source),
            "--model",
            "experimentation",
            "--model",
            "five_pillars",
            "--year",
            "2024",
            "-o",
            str(out),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "five_pillars" in printed.out and "gains" in printed.out and "PROPOSAL" in printed.out
    written = pd.read_csv(out)
    assert len(written) == 26 and "five_pillars_outcome" in written.columns
    assert main(["models"]) == 0
    assert "five_pillars" in capsys.readouterr().out
    assert main(["compare", str(source), "--year", "2024"]) == 2
    assert "--scenario" in capsys.readouterr().err


def test_the_model_comparison_plot(tmp_path: Path) -> None:
    from secpa_model.presentation.plots import plot_model_comparison

    result = compare_models(illustrative_portfolio(), 2024, "experimentation", "five_pillars")
    path = tmp_path / "winners.png"
    figure = plot_model_comparison(result, period="2024", synthetic=True, path=path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    title = figure.axes[0].get_title()
    summary = result.summary.set_index("model").loc["five_pillars"]
    assert f"{summary['gains']} gain, {summary['loses']} lose" in title
    assert len(figure.axes[0].patches) >= 26


@settings(max_examples=examples(20), deadline=None)
@given(structure=structures(model=five_pillars()))
def test_five_pillar_structures_allocate_with_no_negative_line(structure: Any) -> None:
    allocation = allocate(structure, 2024, model=five_pillars())
    assert all(line.amount >= 0 for line in allocation.lines)
    assert allocation.total == sum(line.amount for line in allocation.lines)


def test_parameters_of_another_model_are_refused(custom: Model) -> None:
    with pytest.raises(ParameterError, match="not those of the model"):
        allocate_frame(illustrative_portfolio(), 2024, five_pillars().reference_parameters())
    with pytest.raises(
        TypeError, match=r"a Parameters .* or a Scenario, got dict: .*pass Scenario"
    ):
        allocate_frame(illustrative_portfolio(), 2024, {"not": "parameters"})
    scenario = Scenario("cheaper", {"participatory_activities.cost_per_etp": 40000})
    allocation = allocate(
        {
            "structure_id": "s",
            "kind": "msp",
            "location": "in_qpv",
            "file_active_mg": 2500,
            "poverty_rate": 0.3,
        },
        2022,
        scenario,
    )
    assert allocation.line("participatory_activities").amount == Decimal("120000.00")


def test_a_structure_of_the_wrong_model_is_validated_into_the_right_one(custom: Model) -> None:
    structure = experimentation().structure(
        structure_id="s", kind="msp", location="in_qpv", file_active_mg=2500, poverty_rate=0.3
    )
    allocation = allocate(structure, 2024, model=custom)
    assert allocation.line("coordination").amount == 0  # coordination_etp defaults to 0
    with pytest.raises(InputError, match="team_size"):
        allocate({**structure.inputs(), "team_size": -2}, 2024, model=five_pillars())
    with pytest.raises(TypeError, match="Structure of the model"):
        allocate(42, 2024)
    assert Input("x", "quantity", "x").default is not None
