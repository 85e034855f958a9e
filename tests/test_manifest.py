"""The manifest of an output (what made it) in every format, ``[meta] version``, and
``secpa-model reproduce``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from secpa_model import json_schema
from secpa_model.analysis.scenario_files import read_scenario_file
from secpa_model.io.manifest import (
    MANIFEST_KEY,
    Manifest,
    manifest_for,
    manifest_path,
    model_sha256,
    parameters_sha256,
    read_manifest,
)
from secpa_model.model.parameters.writer import parameters_to_toml
from secpa_model.model.rules import RuleInputs, RuleParameters, Version
from secpa_model.models import experimentation
from secpa_model.presentation.cli import main
from tests.helpers import CHANGE_ON_1_MARCH, parse_parameters, reference_text
from tests.portfolio_files import portfolio_frame, write_portfolio

Capture = pytest.CaptureFixture[str]
YEAR_2022 = "2022-01-01..2022-12-31"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def batch(source: Path, out: Path, *more: str) -> list[str]:
    words = ["batch", str(source), "-o", str(out), "--year", "2022", *more]
    assert main(words) == 0
    return words


def check_manifest(data: dict[str, object], source: Path, words: list[str]) -> None:
    """What any batch manifest of the 3-row portfolio holds, checked on its JSON."""
    assert data["format"] == "secpa-model.manifest"
    assert data["model"] == {"name": "experimentation", "sha256": model_sha256(experimentation())}
    assert data["parameters"] == {
        "name": "reference",
        "version": "",
        "sha256": parameters_sha256(experimentation().reference_parameters()),
        "file": None,
    }
    assert data["period"] == YEAR_2022
    assert data["input"] == {"path": str(source), "sha256": sha256_of(source), "rows": 3}
    assert data["command"] == words
    assert str(data["created"]).endswith("Z")


def test_a_csv_and_a_json_lines_output_have_their_manifest_beside_them(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_portfolio(tmp_path)
    for suffix in (".csv", ".jsonl"):
        out = tmp_path / f"allocations{suffix}"
        words = batch(source, out)
        beside = tmp_path / f"allocations{suffix}.manifest.json"
        assert manifest_path(out) == beside
        assert f"manifest: {beside}" in capsys.readouterr().out
        check_manifest(json.loads(beside.read_text("utf-8")), source, words)


def test_a_parquet_output_holds_its_manifest_in_its_metadata(tmp_path: Path) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "allocations.parquet"
    words = batch(source, out)
    metadata = pq.read_metadata(out).metadata
    check_manifest(json.loads(metadata[MANIFEST_KEY.encode()]), source, words)
    assert not manifest_path(out).exists()
    assert pq.read_table(out).num_rows == 3  # the data as before


def test_an_excel_output_holds_its_manifest_in_a_second_sheet(tmp_path: Path) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "allocations.xlsx"
    words = batch(source, out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[1] == "manifest"
    rows = {row[0]: row[1] for row in book["manifest"].iter_rows(values_only=True)}
    book.close()
    assert rows["library"] == read_manifest(out).library
    assert rows["period"] == YEAR_2022  # a text as it is
    assert json.loads(rows["input"])["sha256"] == sha256_of(source)  # the rest as JSON
    check_manifest(read_manifest(out).model_dump(mode="json"), source, words)


def test_a_json_lines_input_is_hashed_too(tmp_path: Path) -> None:
    lines = tmp_path / "portfolio.jsonl"
    portfolio_frame().to_json(lines, orient="records", lines=True)
    out = tmp_path / "again.csv"
    batch(lines, out)
    recorded = read_manifest(out)
    assert recorded.input is not None
    assert (recorded.input.sha256, recorded.input.rows) == (sha256_of(lines), 3)


def test_the_html_report_and_compare_write_a_manifest(tmp_path: Path) -> None:
    source = write_portfolio(tmp_path)
    scenario = tmp_path / "dearer.toml"
    scenario.write_text(
        'name = "dearer"\n[meta]\nversion = "s-7"\n'
        '[overrides]\n"participatory_activities.cost_per_etp" = 50000\n',
        encoding="utf-8",
    )
    page = tmp_path / "report.html"
    assert main(["report", str(source), "-o", str(page), "--year", "2022"]) == 0
    assert read_manifest(page).input is not None
    detail = tmp_path / "detail.csv"
    words = ["compare", str(source), "--scenario", str(scenario), "--year", "2022"]
    assert main([*words, "-o", str(detail)]) == 0
    recorded = read_manifest(detail)
    assert [(s.name, s.version) for s in recorded.scenarios] == [("dearer", "s-7")]


def test_allocate_json_carries_a_manifest_the_schemas_describe(capsys: Capture) -> None:
    flags = ["--kind", "centre_de_sante", "--location", "in_qpv", "--poverty-rate", "0.3"]
    assert main(["allocate", *flags, "--file-active-mg", "900", "--year", "2022", "--json"]) == 0
    trace = json.loads(capsys.readouterr().out)
    Draft202012Validator(json_schema("trace")).validate(trace)
    Draft202012Validator(json_schema("manifest")).validate(trace["manifest"])
    assert trace["manifest"]["period"] == YEAR_2022
    assert trace["manifest"]["input"] is None  # flags, no file


def test_reproduce_says_identical_for_an_untouched_output(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    for name in ("out.csv", "out.parquet", "out.xlsx"):
        batch(source, tmp_path / name)
        capsys.readouterr()
        assert main(["reproduce", str(tmp_path / name)]) == 0
        assert "identical" in capsys.readouterr().out
    assert main(["reproduce", str(tmp_path / "out.csv.manifest.json")]) == 0


def test_reproduce_finds_a_changed_input_byte(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "out.csv"
    batch(source, out)
    before = sha256_of(source)
    text = source.read_text("utf-8")
    source.write_text(text.replace(",300,", ",301,", 1), encoding="utf-8")  # one byte
    capsys.readouterr()
    assert main(["reproduce", str(out)]) == 1
    said = capsys.readouterr().out
    assert f"input changed: {source}: sha256 {before[:12]}… recorded" in said
    assert "result differs" in said
    source.unlink()
    assert main(["reproduce", str(out)]) == 1
    assert f"input changed: {source} is missing" in capsys.readouterr().out


def test_reproduce_finds_edited_parameters(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    params = tmp_path / "mine.toml"
    params.write_text(reference_text(), encoding="utf-8")
    out = tmp_path / "out.parquet"
    batch(source, out, "--parameters", str(params))
    assert read_manifest(out).parameters.file == str(params)
    params.write_text(reference_text() + CHANGE_ON_1_MARCH, encoding="utf-8")
    capsys.readouterr()
    assert main(["reproduce", str(out)]) == 1
    said = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in said[1:]] == ["parameters changed", "result differs"]


@pytest.mark.parametrize(
    "text",
    ["{not json", '{"format": "secpa-model.manifest"}', json.dumps({"format": "other"})],
)
def test_a_bad_manifest_is_one_line_and_exit_2(tmp_path: Path, capsys: Capture, text: str) -> None:
    bad = tmp_path / "out.csv.manifest.json"
    bad.write_text(text, encoding="utf-8")
    assert main(["reproduce", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"secpa-model: error: {bad}: not a secpa-model manifest")


def test_an_output_without_a_manifest_is_exit_2(tmp_path: Path, capsys: Capture) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("a\n1\n", encoding="utf-8")
    assert main(["reproduce", str(plain)]) == 2
    assert "no manifest beside it" in capsys.readouterr().err


def test_meta_version_of_a_parameter_file_round_trips() -> None:
    text = reference_text().replace('name = "reference"', 'name = "mine"\nversion = "2024.1"')
    params = parse_parameters(text, "mine.toml")
    assert params.version == "2024.1"
    experimentation().reference_parameters()  # loaded: the repr compares with it
    assert repr(params).startswith("Parameters('mine' version '2024.1': the reference values")
    again = parse_parameters(parameters_to_toml(params), "again.toml")
    assert again.version == "2024.1"
    recorded = manifest_for(experimentation(), params, "2022")
    assert (recorded.parameters.name, recorded.parameters.version) == ("mine", "2024.1")
    # the content hash is of the values: a name or version does not change it
    assert recorded.parameters.sha256 == parameters_sha256(experimentation().reference_parameters())
    assert Manifest.model_validate_json(recorded.to_json()) == recorded


@pytest.mark.parametrize("command", ["budget", "simulate", "sweep"])
def test_a_scenario_applied_is_recorded_and_reproduce_sees_it_change(
    tmp_path: Path, capsys: Capture, command: str
) -> None:
    """A command that applies one ``--scenario`` records it in its manifest, with its
    version, as ``compare`` does: an edited scenario file is named by ``reproduce``."""
    source = write_portfolio(tmp_path)
    scenario = tmp_path / "dearer.toml"
    text = (
        'name = "dearer"\n[meta]\nversion = "s-7"\n'
        '[overrides]\n"participatory_activities.cost_per_etp" = 50000\n'
    )
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    more = {
        "budget": ["--period", YEAR_2022],
        "simulate": ["--year", "2022", "--draws", "4", "--seed", "1"],
        "sweep": ["--year", "2022", "--path", "interpreting.annual_cap", "--values", "1,2"],
    }[command]
    words = [command, str(source), "--scenario", str(scenario), *more, "-o", str(out)]
    assert main(words) == 0
    assert [(s.name, s.version) for s in read_manifest(out).scenarios] == [("dearer", "s-7")]
    capsys.readouterr()
    scenario.write_text(text.replace("50000", "51000"), encoding="utf-8")
    assert main(["reproduce", str(out)]) == 1
    assert "scenarios changed: 'dearer'" in capsys.readouterr().out


def test_meta_version_of_a_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "s"\n[meta]\nversion = "v2"\n[overrides]\n'
        '"participatory_activities.cost_per_etp" = 50000\n',
        encoding="utf-8",
    )
    scenario = read_scenario_file(path)
    assert scenario.version == "v2" and scenario.to_dict()["version"] == "v2"
    assert scenario.apply().version == "v2"
    path.write_text('name = "s"\n[meta]\nauthor = "x"\n[overrides]\n', encoding="utf-8")
    with pytest.raises(Exception, match="meta must be a table with only a version"):
        read_scenario_file(path)


def test_the_model_hash_covers_a_rules_code() -> None:
    model = experimentation()
    rule = model.rules[0]
    assert model_sha256(model.extend(name=model.name, rules=[rule])) == model_sha256(model)
    compute = rule.versions[0].compute

    def doubled(inputs: RuleInputs, params: RuleParameters) -> Any:  # another formula's code
        return compute(inputs, params)

    version = Version(None, doubled, rule.formula)  # the same declaration, other code
    changed = model.extend(name=model.name, rules=[rule.replace(versions=(version,))])
    assert model_sha256(changed) != model_sha256(model)
    relabelled = model.extend(name=model.name, rules=[rule.replace(label="Other")])
    assert model_sha256(relabelled) != model_sha256(model)


def test_compare_of_two_models_records_both_and_reproduces(tmp_path: Path, capsys: Capture) -> None:
    from secpa_model.models import five_pillars

    source = write_portfolio(tmp_path)
    out = tmp_path / "winners.csv"
    words = ["compare", str(source), "--model", "experimentation", "--model", "five_pillars"]
    words += ["--year", "2022", "-o", str(out)]
    assert main(words) == 0
    data = json.loads(manifest_path(out).read_text("utf-8"))
    check_manifest(data, source, words)  # the baseline: the first model
    other = five_pillars()
    assert data["compared_with"] == [
        {
            "model": {"name": "five_pillars", "sha256": model_sha256(other)},
            "parameters": {
                "name": other.reference_parameters().name,
                "version": "",
                "sha256": parameters_sha256(other.reference_parameters()),
                "file": None,
            },
        }
    ]
    schema = Draft202012Validator(json_schema("manifest"))
    schema.validate(data)
    assert not schema.is_valid(data | {"compared_with": [{"model": data["model"]}]})
    assert [c.model.name for c in read_manifest(out).compared_with] == ["five_pillars"]
    capsys.readouterr()
    assert main(["reproduce", str(out)]) == 0
    assert "identical" in capsys.readouterr().out
    # a manifest of one model has no compared_with (an older reader reads it)
    assert "compared_with" not in batch_manifest(tmp_path, source)
    # a compared model that changed is named
    changed = data | {
        "compared_with": [
            data["compared_with"][0] | {"model": {"name": "five_pillars", "sha256": "0" * 64}}
        ]
    }
    manifest_path(out).write_text(json.dumps(changed), encoding="utf-8")
    assert main(["reproduce", str(out)]) == 1
    said = capsys.readouterr().out
    assert "compared models changed: 'five_pillars' sha256 000000000000… with" in said


def batch_manifest(tmp_path: Path, source: Path) -> dict[str, Any]:
    out = tmp_path / "one.csv"
    batch(source, out)
    data: dict[str, Any] = json.loads(manifest_path(out).read_text("utf-8"))
    return data


def test_sensitivity_output_records_seed_and_samples(tmp_path: Path, capsys: Capture) -> None:
    from tests.test_cli_uncertainty import sensitivity_args
    from tests.test_sensitivity import one_structure

    source = tmp_path / "in.csv"
    one_structure().to_csv(source, index=False)
    for name, method, seed, draws in (
        ("both.parquet", "both", 7, 64),
        ("oat.csv", "oat", None, None),  # one at a time: nothing random
    ):
        out = tmp_path / name
        words = sensitivity_args(source, "-o", str(out), "--seed", "7", "--method", method)
        assert main(words) == 0
        recorded = read_manifest(out)
        assert (recorded.seed, recorded.draws) == (seed, draws)
        assert recorded.model.name == "experimentation"
        assert recorded.parameters.sha256 == parameters_sha256(
            experimentation().reference_parameters()
        )
        assert recorded.period == "2024-01-01..2024-12-31"
        assert recorded.input is not None
        assert (recorded.input.sha256, recorded.input.rows) == (sha256_of(source), 1)
        assert recorded.command == tuple(words)
    capsys.readouterr()
    assert main(["reproduce", str(tmp_path / "both.parquet")]) == 0
    assert "identical" in capsys.readouterr().out


def test_calibrate_writes_its_manifest_beside_the_parameter_file(
    tmp_path: Path, capsys: Capture
) -> None:
    from tests.test_calibration import two_structures

    source = tmp_path / "in.csv"
    two_structures().to_csv(source, index=False)
    params = tmp_path / "base.toml"
    params.write_text(reference_text(), encoding="utf-8")
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[sources.mine]\ntitle = "a test"\nreference = "tests/test_manifest.py"\n\n'
        '[[targets]]\nname = "total_2024"\ndescription = "the test total"\n'
        'measure = "portfolio_total"\nkind = "equality"\nvalue = 500500\nunit = "EUR"\n'
        "start = 2024-01-01\nend = 2024-12-31\ntolerance = 0.001\n"
        'tolerance_rationale = "a test"\nsource = "mine"\n',
        encoding="utf-8",
    )
    out = tmp_path / "calibrated.toml"
    cost = "participatory_activities.cost_per_etp"
    words = ["calibrate", str(source), "-o", str(out), "--targets", str(targets), "--free", cost]
    words += ["--bounds", f"{cost}=30000..70000", "--parameters", str(params)]
    assert main(words) == 0
    recorded = read_manifest(out)  # from calibrated.toml.manifest.json
    assert manifest_path(out).is_file()
    assert recorded.parameters.file == str(params)
    assert recorded.parameters.sha256 == parameters_sha256(parse_parameters(reference_text()))
    assert (recorded.period, recorded.seed, recorded.draws) == (None, None, None)
    assert recorded.input is not None and recorded.input.rows == 2
    capsys.readouterr()
    assert main(["reproduce", str(out)]) == 0
    assert "identical" in capsys.readouterr().out


def test_params_json_carries_its_manifest(tmp_path: Path, capsys: Capture) -> None:
    scenario = tmp_path / "dearer.toml"
    scenario.write_text(
        'name = "dearer"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n',
        encoding="utf-8",
    )
    words = ["params", "--date", "2022-03-01", "--scenario", str(scenario), "--json"]
    assert main(words) == 0
    payload = json.loads(capsys.readouterr().out)
    Draft202012Validator(json_schema("manifest")).validate(payload["manifest"])
    recorded = Manifest.model_validate(payload["manifest"])
    base = experimentation().reference_parameters()
    given = read_scenario_file(scenario, base, model=experimentation())
    assert recorded.parameters.sha256 == parameters_sha256(given.apply(base))  # listed set
    assert [s.name for s in recorded.scenarios] == ["dearer"]
    assert recorded.period == "2022-03-01..2022-03-01"
    assert recorded.command == tuple(words)
