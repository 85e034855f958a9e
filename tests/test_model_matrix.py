"""Every public function and command that takes a model, on three models: the
experimentation, the five-pillar proposal and a model built from scratch in the tests
(``tests/scratch_model.py``: other inputs and id, one rule, no eligibility condition, a
parameter in ``fraction``). Each asserts what a user relies on: the model's own lines as
columns, totals that are the sums of their lines, its name and note in what it prints."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import (
    Model,
    ModelError,
    Parameters,
    Scenario,
    Target,
    allocate,
    allocate_frame,
    calibrate,
    compare,
    compare_models,
    explain_json,
    explain_markdown,
    get_model,
    json_schema,
    portfolio,
    project_budget,
    project_cohort,
    sensitivity,
    simulate,
    sweep,
)
from secpa_model.analysis.free_parameters import uncertain_paths
from secpa_model.core.money import format_euros
from secpa_model.datasets import illustrative_portfolio
from secpa_model.engine.trace import count_words
from secpa_model.io.schemas import SCHEMA_NAMES
from secpa_model.model.parameters import Scale, Source
from secpa_model.presentation.cli import main
from secpa_model.presentation.report import build_report
from secpa_model.testing import (
    parameter_sets,
    parameter_values,
    parameters_and_periods,
    structure_frames,
    structures,
)
from tests.helpers import euros_half_up
from tests.profiles import examples
from tests.scratch_model import (
    NOTE,
    PARAMETER_FILE,
    SCRATCH_2024_CENTS,
    scratch_frame,
    scratch_model,
)

MODEL_NAMES = ("experimentation", "five_pillars", "scratch")
SOME = settings(
    max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def model_of(name: str) -> Model:
    """The model of a case of the matrix."""
    return scratch_model() if name == "scratch" else get_model(name)


def frame_of(name: str) -> pd.DataFrame:
    """The structures of a case: the illustrative portfolio with the model's inputs only
    (26 SYNTHETIC structures), or the four practices of the scratch model."""
    if name == "scratch":
        return scratch_frame()
    model = model_of(name)
    frame = illustrative_portfolio()
    return frame[[item.name for item in model.inputs if item.name in frame.columns]]


def one_structure(name: str) -> dict[str, Any]:
    """The first structure of the case's frame, as a mapping of its given inputs."""
    row = frame_of(name).iloc[0].to_dict()
    return {key: value for key, value in row.items() if value is not None and not pd.isna(value)}


# ------------------------------------------------------------------- the testing kit


def _within_units(params: Parameters, model: Model) -> None:
    """Every value of ``params`` within its unit's bounds: ≥ 0, whole for a count, at most
    1 in ``fraction`` (a number, a scale's threshold or value)."""
    for path, spec in model.specs.items():
        for dated in params.parameters[path].values:
            value = dated.value
            if isinstance(value, Scale):
                for bracket in value.brackets:
                    assert bracket.threshold >= 0 and bracket.value >= 0, path
                    if spec.threshold_unit == "fraction":
                        assert bracket.threshold <= 1, (path, bracket)
                    if spec.unit == "fraction":
                        assert bracket.value <= 1, (path, bracket)
                continue
            assert value >= 0, path
            if spec.kind == "count":
                assert value == value.to_integral_value(), path
            if spec.unit == "fraction":
                assert value <= 1, (path, value)


@pytest.mark.parametrize("name", MODEL_NAMES)
@SOME
@given(data=st.data())
def test_the_testing_kit_draws_for_every_model(name: str, data: st.DataObject) -> None:
    model = model_of(name)
    params, period = data.draw(parameters_and_periods(model=model), label="pair")
    assert set(params.specs) == set(model.specs)
    assert params.coverage_start <= period.start
    _within_units(params, model)
    _within_units(data.draw(parameter_sets(model=model), label="set"), model)
    path = data.draw(st.sampled_from(sorted(model.specs)), label="path")
    value = data.draw(parameter_values(path, model=model), label="value")
    assert isinstance(value, Scale) == (model.specs[path].kind == "scale")
    if model.specs[path].unit == "fraction":
        assert isinstance(value, Decimal) and 0 <= value <= 1
    structure = data.draw(structures(model=model), label="structure")
    assert isinstance(structure, model.structure)
    allocation = allocate(structure, period, params, model=model)
    assert [line.key for line in allocation.lines] == list(model.line_keys)
    assert allocation.total == sum(line.amount for line in allocation.lines)
    frame = data.draw(structure_frames(max_size=3, model=model), label="frame")
    assert list(frame.columns) == [item.name for item in model.inputs]


def _annual_euros(structure: Any, values: dict[str, Any]) -> Fraction:
    """The scratch model's formula by hand, in exact euros a year."""
    share = Fraction(structure.deprived_share)
    weight = 1 + Fraction(values["enrolment.deprivation_uplift"]) * share
    uncapped = structure.enrolled * Fraction(values["enrolment.per_patient"]) * weight
    return min(uncapped, Fraction(values["enrolment.annual_cap"]))


@SOME
@given(
    pair=parameters_and_periods(model=scratch_model(), dated_change=False),
    structure=structures(model=scratch_model(), dated=False),
)
def test_a_users_model_meets_its_formula_under_random_parameters(
    pair: tuple[Parameters, Any], structure: Any
) -> None:
    """A property test of a user's model with random parameters (what docs/testing.md
    shows): its one line is the formula computed by hand, prorated by calendar year."""
    params, period = pair
    values = {path: params.parameters[path].values[0].value for path in params.specs}
    expected = Fraction(0)
    day = period.start
    while day <= period.end:
        year_end = min(date(day.year, 12, 31), period.end)
        days = (year_end - day).days + 1
        year_days = 366 if day.year % 4 == 0 else 365  # 2020-2035: no century year
        expected += _annual_euros(structure, values) * days / year_days
        day = year_end + timedelta(days=1)
    allocation = allocate(structure, period, params, model=scratch_model())
    assert allocation.eligible and not allocation.reasons  # the model has no condition
    amount = allocation.line("enrolment").amount
    # float64 cents in the engine against exact fractions here: at most a cent apart, on a
    # sum within a micro-cent of a half cent
    assert abs(amount - euros_half_up(expected)) <= Decimal("0.01"), (amount, expected)
    assert allocation.total == amount


def test_the_scratch_model_pays_what_its_docstring_computes() -> None:
    result = portfolio(scratch_frame(), model=scratch_model()).allocate(2024)
    assert dict(zip(result["practice"], result["enrolment_cents"], strict=True)) == (
        SCRATCH_2024_CENTS
    )


# --------------------------------------------- --model path/to/file.py:NAME, module:NAME

SCRATCH_SOURCE = Path(__file__).with_name("scratch_model.py")


@pytest.fixture
def scratch_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding the scratch model as a user's file (and its parameters), made
    the current directory."""
    (tmp_path / "models").mkdir()
    shutil.copy(SCRATCH_SOURCE, tmp_path / "models" / "my_capitation.py")
    shutil.copy(PARAMETER_FILE, tmp_path / "models" / PARAMETER_FILE.name)
    shutil.copy(SCRATCH_SOURCE, tmp_path / "scratch_in_cwd_7f3.py")
    shutil.copy(PARAMETER_FILE, tmp_path / PARAMETER_FILE.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


SCRATCH_FLAGS = ["--practice", "p-1", "--enrolled", "2000", "--deprived-share", "0.4"]


def test_a_model_is_named_by_its_file(
    scratch_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = "models/my_capitation.py:scratch_model"
    assert main(["allocate", "--model", named, *SCRATCH_FLAGS, "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "model 'enrolment_scratch'" in out and NOTE in out
    assert "144 000,00 €" in out  # 2 000 × 60 € × (1 + 0.5 × 0.4), as the model says
    model = get_model(named)
    assert model.name == "enrolment_scratch" and model.line_keys == ("enrolment",)


def test_a_model_is_named_by_a_module_of_the_current_directory(scratch_dir: Path) -> None:
    """From the installed command's point of view: ``-I`` keeps the current directory and
    PYTHONPATH out of ``sys.path``; the module is found all the same."""
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; from secpa_model.presentation.cli import main; sys.exit(main())",
            "allocate",
            "--model",
            "scratch_in_cwd_7f3:scratch_model",
            *SCRATCH_FLAGS,
            "--year",
            "2024",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "144 000,00 €" in done.stdout and NOTE in done.stdout


BAD_MODELS = {
    "missing.py:MODEL": "no file 'missing.py'",
    "models/my_capitation.py:nope": "has no attribute 'nope'",
    "raising.py:MODEL": "importing raising.py raised RuntimeError: no model today",
    "raising_module_7f3:MODEL": "importing raising_module_7f3 raised RuntimeError",
    "not_a_model.py:VALUE": "is not a Model but int",
    "json:loads": "raised TypeError",
    ":": "give package.module:attribute or path/to/file.py:attribute",
    "no_such_module_7f3:MODEL": "cannot import it: No module named 'no_such_module_7f3'",
}


@pytest.mark.parametrize(("named", "said"), BAD_MODELS.items())
@pytest.mark.parametrize("command", ["allocate", "params", "schema"])
def test_a_bad_model_is_one_line_and_exit_2(
    scratch_dir: Path,
    capsys: pytest.CaptureFixture[str],
    named: str,
    said: str,
    command: str,
) -> None:
    (scratch_dir / "raising.py").write_text("raise RuntimeError('no model\\ntoday')\n")
    (scratch_dir / "raising_module_7f3.py").write_text("raise RuntimeError('at import')\n")
    (scratch_dir / "not_a_model.py").write_text("VALUE = 3\n")
    words = [command, "--model", named] + (["structure"] if command == "schema" else [])
    assert main(words) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"secpa-model: error: model {named!r}"), lines[0]
    assert said in lines[0]
    with pytest.raises(ModelError, match=re.escape(said)):
        get_model(named)


# ------------------------------------------------------------------ the Python API

PRICES = {  # an amount each model reads, with a range: what scenarios, sweeps, fits move
    "experimentation": "participatory_activities.cost_per_etp",
    "five_pillars": "coordination.cost_per_etp",
    "scratch": "enrolment.per_patient",
}


def line_columns(model: Model) -> list[str]:
    return [f"{key}_cents" for key in model.line_keys]


def assert_totals_add_up(frame: pd.DataFrame, model: Model) -> None:
    """Each row's ``total_cents`` is the sum of the model's line columns (exact int64)."""
    lines = frame[line_columns(model)].to_numpy(dtype="int64").sum(axis=1)
    assert (frame["total_cents"].to_numpy(dtype="int64") == lines).all()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_explanations_name_the_model_and_add_up(name: str) -> None:
    model = model_of(name)
    allocation = allocate(one_structure(name), 2024, model=model)
    text = allocation.explain()
    assert f"Model {model.name}: {model.note}" in text or not model.note
    total = f"Total: {format_euros(allocation.total)}"
    if len(model.rules) > 1:
        assert f"{total} (fungible between the {count_words(len(model.rules))} lines)" in text
    else:  # never "fungible between the one lines"
        assert f"{total} (its one line)" in text and "fungible" not in text
    trace = json.loads(explain_json(allocation))
    assert (trace["model"], trace["model_note"]) == (model.name, model.note)
    assert [line["key"] for line in trace["lines"]] == list(model.line_keys)
    assert Decimal(trace["total"]) == sum(Decimal(line["amount"]) for line in trace["lines"])
    markdown = explain_markdown(allocation)
    assert model.note in markdown
    fungible = " (fungible)" if len(model.rules) > 1 else ""
    assert f"| **Total**{fungible} | **{format_euros(allocation.total)}** |" in markdown
    assert ("Total (fungible)" in allocation._repr_html_()) == (len(model.rules) > 1)
    if name == "scratch":  # 2 000 × 60 € × (1 + 0.5 × 0.4), by hand
        assert allocation.total == Decimal("144000.00")


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_json_schemas_are_the_models(name: str) -> None:
    model = model_of(name)
    structure = json_schema("structure", model=model)
    # the inputs, and the year of a structure-year table
    assert set(structure["properties"]) == {item.name for item in model.inputs} | {"year"}
    assert set(structure["required"]) == {item.name for item in model.inputs if item.required}
    allocation = allocate(one_structure(name), 2024, model=model)
    for schema_name, document in (
        ("allocation", allocation.model_dump(mode="json")),
        ("trace", json.loads(explain_json(allocation))),
    ):
        schema = json_schema(schema_name, model=model)
        assert schema["properties"]["lines"]["maxItems"] == len(model.rules)
        assert schema["properties"]["model"]["enum"] == [model.name]
        jsonschema.validate(document, schema)
    line = json_schema("batch_line", model=model)
    assert {model.id_input, *line_columns(model), "total_cents"} <= set(line["properties"])
    for schema_name in SCHEMA_NAMES:  # a problem's schema is every model's
        described = json_schema(schema_name, model=model)["description"]
        assert (model.name in described) == (schema_name != "problem")


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_a_portfolio_allocates_the_models_lines(name: str) -> None:
    model = model_of(name)
    checked = portfolio(frame_of(name), model=model)
    result = checked.allocate(2024)
    assert result.columns[0] == model.id_input
    assert [c for c in result.columns if c.endswith("_cents")] == [
        *line_columns(model),
        "total_cents",
    ]
    assert_totals_add_up(result, model)
    pd.testing.assert_frame_equal(allocate_frame(checked, 2024), result)
    if name == "scratch":
        assert dict(zip(result["practice"], result["total_cents"], strict=True)) == (
            SCRATCH_2024_CENTS
        )


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_compare_and_sweep_run_the_models_lines(name: str) -> None:
    model = model_of(name)
    checked = portfolio(frame_of(name), model=model)
    base = model.reference_parameters()
    path = PRICES[name]
    value = base.parameters[path].values[-1].value
    dearer = Scenario("dearer", {path: value + 10}, model=model)
    comparison = compare(checked, 2024, base, dearer)
    assert comparison.model is model
    assert list(comparison.summary["scenario"]) == [base.name, "dearer"]
    assert_totals_add_up(comparison.summary, model)
    base_total = int(checked.allocate(2024)["total_cents"].sum())
    assert int(comparison.summary["total_cents"].iloc[0]) == base_total
    assert int(comparison.summary["total_cents"].iloc[1]) > base_total
    table = sweep(checked, 2024, path, [value, value + 10])
    assert_totals_add_up(table, model)
    assert list(table["difference_cents"]) == [
        0,
        int(comparison.summary["total_cents"].iloc[1]) - base_total,
    ]
    if name == "scratch":  # 70 € per patient: 168 000 + 70 000 + 300 000 + 26 393.44
        assert int(comparison.summary["total_cents"].iloc[1]) == 56_439_344


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_budget_simulation_and_sensitivity_of_each_model(name: str) -> None:
    model = model_of(name)
    checked = portfolio(frame_of(name), model=model)
    base_total = int(checked.allocate(2024)["total_cents"].sum())
    budget = project_budget(checked, 2024)
    assert_totals_add_up(budget.by_year, model)
    assert int(budget.by_year["total_cents"].iloc[0]) == base_total
    simulation = simulate(checked, 2024, draws=6, seed=3)
    assert simulation.model is model and simulation.line_keys == model.line_keys
    totals = simulation.totals
    assert_totals_add_up(totals, model)
    assert set(simulation.parameter_draws.columns) <= set(model.specs)
    result = sensitivity(checked, 2024, method="oat")
    assert result.base_cents == base_total
    assert result.tornado is not None
    assert set(result.tornado["path"]) == set(uncertain_paths(model.reference_parameters()))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_calibrate_finds_a_models_reference_value_from_the_low_end_of_its_range(
    name: str,
) -> None:
    """The target is the portfolio's 2024 total under the reference values; the free
    amount starts on the low end of its range and is found again, to the cent."""
    model = model_of(name)
    checked = portfolio(frame_of(name), model=model)
    reference = model.reference_parameters()
    path = PRICES[name]
    spread = reference.parameters[path].values[-1].range
    assert spread is not None
    total = Decimal(int(checked.allocate(2024)["total_cents"].sum())) / 100
    goal = Target(
        name="total_2024",
        description="the portfolio's 2024 total under the reference values",
        measure="portfolio_total",
        kind="equality",
        value=total,
        unit="EUR",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        tolerance=Decimal("0.0001"),
        tolerance_rationale="a total computed by the model itself",
        source=Source(title="the test matrix", reference="tests/test_model_matrix.py"),
    )
    start = Scenario("low", {path: spread.low}, model=model).apply(reference)
    bounds = {path: (spread.low, spread.high)}  # a scenario's value carries no range
    fit = calibrate(checked, [goal], [path], parameters=start, bounds=bounds)
    row = fit.fitted.iloc[0]
    assert row["base"] == spread.low
    assert row["fitted"] == reference.parameters[path].values[-1].value
    assert row["identified"] and fit.success


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_a_cohort_of_each_model_opens_along_its_schedule(name: str) -> None:
    model = model_of(name)
    checked = portfolio(frame_of(name), model=model)
    projection = project_cohort(checked, {2024: 2, 2025: 3})
    assert_totals_add_up(projection.by_year, model)
    assert projection.total_cents == int(projection.by_year["total_cents"].sum())
    opened = projection.structures[model.entry_input].tolist()
    assert [pd.Timestamp(day).year for day in opened] == [2024, 2024, 2025]
    if name == "scratch":  # p-1 and p-2 from 2024, p-3 (capped) from 2025; whole years
        assert list(projection.by_year["total_cents"]) == [20_400_000, 50_400_000]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_compare_models_runs_each_model_against_a_dearer_copy(name: str) -> None:
    model = model_of(name)
    copy = model.replace(name=f"{model.name}_dearer")
    reference = model.reference_parameters()
    path = PRICES[name]
    dearer = Scenario(
        "dearer", {path: reference.parameters[path].values[-1].value + 10}, model=model
    )
    checked = portfolio(frame_of(name), model=model)
    result = compare_models(
        checked, 2024, model, copy, parameters={copy.name: dearer.apply(reference)}
    )
    summary = result.summary.set_index("model")
    assert list(summary.index) == [model.name, copy.name]
    assert summary.loc[model.name, "lines"] == ";".join(model.line_keys)
    expected = compare(checked, 2024, reference, dearer.apply(reference)).summary
    difference = int(expected["total_cents"].iloc[1]) - int(expected["total_cents"].iloc[0])
    assert int(summary.loc[copy.name, "difference_cents"]) == difference
    assert int(result.by_structure[f"{copy.name}_difference_cents"].sum()) == difference


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_report_names_the_model_and_its_lines(name: str, language: str) -> None:
    model = model_of(name)
    checked = portfolio(frame_of(name), model=model)
    page = build_report(checked, 2024, charts=False, language=language)
    total = Decimal(int(checked.allocate(2024)["total_cents"].sum())) / 100
    assert model.name in page
    # the model's note in the page's language (a French one when the model gives it)
    note = model.note_fr if language == "fr" and model.note_fr else model.note
    assert html.escape(note) in page
    for item in model.rules:
        label = item.label_fr or item.label if language == "fr" else item.label
        assert html.escape(label) in page
    assert format_euros(total) in page
    count = len(model.rules)
    if count == 1:
        assert "fungible dotations" not in page and "dotations fongibles" not in page
        one = "Chaque structure reçoit une dotation." if language == "fr" else "one dotation."
        assert one in page
    elif language == "fr":  # the count in digits: no English word on the French page
        assert f"Chaque structure reçoit {count} dotations fongibles" in page
    else:
        assert f"Each structure receives {count_words(count)} fungible dotations" in page


# ------------------------------------------------------------------ the command line


def cli_model(name: str) -> str:
    """How a case's model is named on the command line (the scratch model by its file)."""
    return f"{SCRATCH_SOURCE}:scratch_model" if name == "scratch" else name


def allocate_flags(name: str) -> list[str]:
    flags = []
    for key, value in one_structure(name).items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            flags.append(flag if value else f"--no-{flag[2:]}")
        else:
            flags += [flag, str(value)]
    return flags


def euros_in(text: str) -> Decimal:
    """The amount of ``12 345,67 €`` (grouped by spaces, a decimal comma)."""
    return Decimal(re.sub(r"[^\d,]", "", text).replace(",", "."))


def assert_named(out: str, model: Model) -> None:
    """The output names the model and carries its note (when it has one)."""
    assert f"'{model.name}'" in out
    if model.note:
        assert f"{model.name}: {model.note}" in out


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_cli_allocate_prints_the_models_lines_name_and_note(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    model = model_of(name)
    assert (
        main(["allocate", "--model", cli_model(name), *allocate_flags(name), "--year", "2024"]) == 0
    )
    out = capsys.readouterr().out
    assert_named(out, model)
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()}
    amounts = [euros_in(rows[key].split(maxsplit=1)[1]) for key in model.line_keys]
    total = next(line for line in out.splitlines() if line.startswith("total"))
    assert ("(fungible)" in total) == (len(model.rules) > 1)
    assert euros_in(total.split(")")[-1] if "(" in total else total) == sum(amounts)
    expected = allocate(one_structure(name), 2024, model=model)
    assert amounts == [line.amount for line in expected.lines]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_cli_batch_writes_the_models_columns(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = model_of(name)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    frame_of(name).to_csv(source, index=False)
    words = ["batch", str(source), "-o", str(target), "--model", cli_model(name), "--year", "2024"]
    assert main(words) == 0
    out = capsys.readouterr().out
    assert_named(out, model)
    written = pd.read_csv(target)
    assert written.columns[0] == model.id_input
    assert_totals_add_up(written, model)
    total = Decimal(int(written["total_cents"].sum())) / 100
    assert f"total: {format_euros(total)}" in out
    assert total == Decimal(int(frame_total(name))) / 100


def frame_total(name: str) -> int:
    return int(portfolio(frame_of(name), model=model_of(name)).allocate(2024)["total_cents"].sum())


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_cli_params_and_schema_are_the_models(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    model = model_of(name)
    assert main(["params", "--model", cli_model(name), "--date", "2024-06-01"]) == 0
    out = capsys.readouterr().out
    assert_named(out, model)
    assert all(path in out for path in model.specs)
    assert main(["params", "--model", cli_model(name), "--date", "2024-06-01", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["model"], payload["model_note"]) == (model.name, model.note)
    assert {item["path"] for item in payload["parameters"]} == set(model.specs)
    assert main(["schema", "structure", "--model", cli_model(name)]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["properties"]) == {item.name for item in model.inputs} | {"year"}


def command_words(command: str, name: str, tmp_path: Path) -> list[str]:
    """A run of ``command`` on the case's structures over 2024 (quick settings)."""
    source = tmp_path / "in.csv"
    frame_of(name).to_csv(source, index=False)
    path = PRICES[name]
    if command == "compare":
        scenario = tmp_path / "dearer.json"
        scenario.write_text(json.dumps({"name": "dearer", "overrides": {path: 70}}))
        extra = ["--scenario", str(scenario)]
    else:
        extra = {
            "budget": [],
            "simulate": ["--draws", "5"],
            "sweep": ["--path", path, "--values", "65,70"],
            "sensitivity": ["--method", "oat", "--free", path],
        }[command]
    return [command, str(source), "--model", cli_model(name), "--year", "2024", *extra]


@pytest.mark.parametrize("name", ["five_pillars", "scratch"])
@pytest.mark.parametrize("command", ["budget", "simulate", "sweep", "sensitivity", "compare"])
def test_cli_analyses_name_the_model_and_show_its_note(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command_words(command, name, tmp_path)) == 0
    out = capsys.readouterr().out
    model = model_of(name)
    assert f"model: '{model.name}'" in out
    assert f"{model.name}: {model.note}" in out


def test_the_cli_page_shows_the_errors_of_bad_models_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/cli.md's session of two bad models, replayed: each command's standard error is
    the line the page shows."""
    examples_dir = Path(__file__).resolve().parents[1] / "examples"
    shutil.copy(examples_dir / "capitation.py", tmp_path / "capitation.py")
    shutil.copy(examples_dir / "capitation.toml", tmp_path / "capitation.toml")
    (tmp_path / "broken.py").write_text("from secpa_model import Input\n\nMODEL = Inptu\n")
    monkeypatch.chdir(tmp_path)
    page = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text("utf-8")
    session = re.search(r"```text\n(\$ secpa-model .*?)```", page, re.DOTALL)
    assert session is not None
    lines = session.group(1).splitlines()
    assert len(lines) == 4
    for command, error in zip(lines[::2], lines[1::2], strict=True):
        assert main(command.split()[2:]) == 2
        assert capsys.readouterr().err == error + "\n"


# ------------------------------------------------------------------------ the charts


def chart_text(figure: Any) -> str:
    """Every text of a figure (titles, footnote, legend), its wrapping undone."""
    found = [*figure.texts, *(axes.title for axes in figure.axes)]
    found += [text for legend in figure.legends for text in legend.get_texts()]
    return " ".join(" ".join(text.get_text() for text in found).split())


def assert_charted(figure: Any, model: Model, lines: bool = True) -> None:
    """The figure names the model and carries its note; with ``lines``, its legend is the
    model's lines (in order) and nothing is said of docs/parameters.md for another model."""
    text = chart_text(figure)
    assert f"Model: {model.name}." in text
    assert " ".join(model.note.split()) in text
    if model.name != "experimentation":
        assert "docs/parameters.md" not in text
    if lines:
        legend = [text.get_text() for text in figure.legends[0].get_texts()]
        labels = [item.label for item in model.rules]
        assert [label for label in legend if label in labels] == labels


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_chart_draws_the_models_lines_name_and_note(name: str, tmp_path: Path) -> None:
    """Each chart on the results of each model, the model taken from the result (a user's
    model not found by name is given to the charts of bare tables: an allocate_frame
    result, a sweep)."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("SALib")
    from secpa_model.presentation import plots, uncertainty_plots

    model = model_of(name)
    checked = portfolio(frame_of(name), model=model)
    count = len(model.rules)
    given = model if name == "scratch" else None
    allocations = checked.allocate(2024)
    figure = plots.plot_allocations(allocations, model=model, path=tmp_path / "a.png")
    assert len(figure.axes[0].patches) == count * len(allocations)
    dotations = "one dotation" if count == 1 else f"{count_words(count)} fungible dotations"
    assert figure.axes[0].get_title() == f"Allocation per structure, {dotations}"
    assert_charted(figure, model)
    base = model.reference_parameters()
    path = PRICES[name]
    value = base.parameters[path].values[-1].value
    dearer = Scenario("dearer", {path: value + 10}, model=model)
    figure = plots.plot_comparison(compare(checked, 2024, base, dearer))
    assert len(figure.axes[0].patches) == count * 2
    assert_charted(figure, model)
    table = sweep(checked, 2024, path, [value, value + 10])
    assert table.attrs["model"] == model.name
    figure = plots.plot_sweep(table, model=given)
    below = [line.get_label() for line in figure.axes[1].lines][:count]
    assert below == [item.label for item in model.rules]
    assert_charted(figure, model)
    budget = project_budget(checked, 2024)
    for drawn in (budget, budget.by_period) if given is None else (budget,):
        figure = plots.plot_budget(drawn)
        assert len(figure.axes[0].patches) == count * len(budget.by_period)
        assert_charted(figure, model)
    result = sensitivity(checked, 2024, method="both", samples=16, free=[path])
    assert result.model is model
    assert_charted(uncertainty_plots.plot_tornado(result), model, lines=False)
    assert_charted(uncertainty_plots.plot_sobol(result), model, lines=False)
    projection = project_cohort(checked, {2024: 2, 2025: 3}, draws=4, seed=1)
    assert projection.model is model
    assert_charted(uncertainty_plots.plot_fan(projection), model, lines=False)


def test_a_table_without_the_models_lines_is_a_clear_error() -> None:
    """An allocation records its model (its ``attrs``), which the chart reads; one whose
    record was dropped is drawn as the experimentation's: the missing line columns are
    named, not a KeyError."""
    pytest.importorskip("matplotlib")
    from secpa_model.presentation import plots

    model = model_of("five_pillars")
    allocations = portfolio(frame_of("five_pillars"), model=model).allocate(2024)
    assert allocations.attrs["model"] == "five_pillars"
    labels = [text.get_text() for text in plots.plot_allocations(allocations).legends[0].texts]
    assert labels == [rule.label for rule in model.rules]
    allocations.attrs.clear()
    with pytest.raises(ValueError, match=r"participatory_activities_cents.*give model="):
        plots.plot_allocations(allocations)
