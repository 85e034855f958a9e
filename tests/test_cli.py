"""The command line: allocate, params, schema, --help everywhere, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from secpa_model import json_schema
from secpa_model.presentation.cli import SUBCOMMANDS, build_parser, main
from tests.helpers import PARAMETER_SPECS

Capture = pytest.CaptureFixture[str]

CENTRE_FLAGS = [
    "--structure-id",
    "centre-a",
    "--kind",
    "centre_de_sante",
    "--location",
    "in_qpv",
    "--file-active-mg",
    "3200",
    "--poverty-rate",
    "0.31",
    "--interpreting-hours-in-person",
    "300",
    "--interpreting-hours-phone",
    "200",
    "--psychologist-cost-requested",
    "70000",
    "--segur-psychologist-funding",
    "10000",
    "--ars-psychology-agreement",
]
# by hand: 4 ETP × 45 000 = 180 000; 3 200 × 40 = 128 000; 300 × 60 + 200 × 42 = 26 400;
# min(66 000, 70 000 − 10 000) = 60 000; total 394 400 €
BY_HAND = {
    "participatory_activities": "180 000,00 €",
    "practitioner_participation": "128 000,00 €",
    "interpreting": "26 400,00 €",
    "psychological_support": "60 000,00 €",
}


def subcommand_names() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    return list(actions[0].choices)  # type: ignore[arg-type]


def test_every_subcommand_has_help(capsys: Capture) -> None:
    names = subcommand_names()
    assert names == [
        "demo",
        "allocate",
        "batch",
        "compare",
        "sweep",
        "report",
        "budget",
        "simulate",
        "sensitivity",
        "calibrate",
        "reproduce",
        "params",
        "schema",
        "models",
        "serve",
    ]
    assert len(names) == len(SUBCOMMANDS)
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    for name in names:
        assert name in top
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: secpa-model {name}")


def test_allocate_from_flags_prints_the_table(capsys: Capture) -> None:
    assert main(["allocate", *CENTRE_FLAGS, "--year", "2022"]) == 0
    out = capsys.readouterr().out
    assert (
        "centre-a over 2022-01-01..2022-12-31 (model 'experimentation', parameters "
        "'reference'): eligible"
    ) in out
    for key, amount in BY_HAND.items():
        row = next(line for line in out.splitlines() if line.startswith(key))
        assert row.endswith(amount)
    assert "total (fungible)" in out and "394 400,00 €" in out
    assert "ASSUMPTIONS" in out and "participatory_activities.cost_per_etp" in out


def test_allocate_from_a_json_file_with_a_flag_override(tmp_path: Path, capsys: Capture) -> None:
    path = tmp_path / "centre.json"
    path.write_text(
        json.dumps(
            {
                "structure_id": "from-file",
                "kind": "msp",
                "location": "near_qpv",
                "file_active_mg": 3200,
                "poverty_rate": 0.31,
                "entry_date": "2022-03-01",
            }
        ),
        encoding="utf-8",
    )
    code = main(["allocate", "--file", str(path), "--poverty-rate", "0.10", "--year", "2022"])
    assert code == 0
    out = capsys.readouterr().out
    # 4 ETP × 45 000 = 180 000 € a year, from 1 March: × 306 / 365 = 150 904.109… → 150 904,11
    assert "150 904,11 €" in out
    # the flag overrides the file: 10 % is below the first bracket, so 0 € per patient
    row = next(line for line in out.splitlines() if line.startswith("practitioner_participation"))
    assert row.endswith(" 0,00 €")


def test_allocate_json_is_the_trace_and_validates(capsys: Capture) -> None:
    assert main(["allocate", *CENTRE_FLAGS, "--period", "2022-03-01..2023-02-28", "--json"]) == 0
    trace = json.loads(capsys.readouterr().out)
    Draft202012Validator(json_schema("trace")).validate(trace)
    assert (trace["format"], trace["version"]) == ("secpa-model.trace", 1)
    assert trace["period"] == {"start": "2022-03-01", "end": "2023-02-28"}
    # 306 days of 2022 and 59 days of 2023: two pieces per line
    line = trace["lines"][0]
    assert [(p["days"], p["year_days"]) for p in line["pieces"]] == [(306, 365), (59, 365)]
    # 306 + 59 = 365 days of a 365-day year each: a full year's amounts
    assert Decimal(trace["total"]) == Decimal("394400.00")


def test_allocate_explain_and_markdown(capsys: Capture) -> None:
    assert main(["allocate", *CENTRE_FLAGS, "--year", "2022", "--explain"]) == 0
    text = capsys.readouterr().out
    assert "Total: 394 400,00 €" in text and "rule: " in text and "Sources:" in text
    assert main(["allocate", *CENTRE_FLAGS, "--year", "2022", "--markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("## Allocation of `centre-a` over 2022-01-01..2022-12-31")
    assert "| **Total** (fungible) | **394 400,00 €** |" in markdown


def test_invalid_input_names_field_and_value_on_stderr(capsys: Capture) -> None:
    flags = [*CENTRE_FLAGS[:8], "--poverty-rate", "31", "--year", "2022"]
    assert main(["allocate", *flags]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    # the structure is named by its id
    assert captured.err.startswith("secpa-model: error: invalid structure 'centre-a':")
    assert "poverty_rate = '31'" in captured.err and "fraction" in captured.err


def test_invalid_json_files_are_errors_naming_the_file_and_field(
    tmp_path: Path, capsys: Capture
) -> None:
    unknown = tmp_path / "unknown.json"
    unknown.write_text(
        '{"kind": "msp", "location": "in_qpv", "file_active_mg": 1500, "poverty_rate": 0.2,'
        ' "colour": "blue"}',
        encoding="utf-8",
    )
    assert main(["allocate", "--file", str(unknown), "--year", "2022"]) == 2
    assert f"{unknown}: invalid structure 'structure': unknown field 'colour'" in (
        capsys.readouterr().err
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["allocate", "--file", str(broken), "--year", "2022"]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "not valid JSON" in err
    array = tmp_path / "array.json"
    array.write_text("[]", encoding="utf-8")
    assert main(["allocate", "--file", str(array), "--year", "2022"]) == 2
    assert "expected a JSON object" in capsys.readouterr().err
    missing = tmp_path / "missing.json"
    assert main(["allocate", "--file", str(missing), "--year", "2022"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_period_errors_and_usage_errors(capsys: Capture) -> None:
    assert main(["allocate", *CENTRE_FLAGS, "--period", "2022-13-01..2023-01-31"]) == 2
    assert "--period '2022-13-01..2023-01-31'" in capsys.readouterr().err
    assert main(["allocate", *CENTRE_FLAGS, "--period", "2022-05-01..2022-04-01"]) == 2
    assert "before its start" in capsys.readouterr().err
    # before the parameters' coverage (2021-08-01): an error, never a silent zero
    assert main(["allocate", *CENTRE_FLAGS, "--year", "2020"]) == 2
    assert "do not cover 2020-01-01" in capsys.readouterr().err
    # neither --year nor --period: argparse's usage error
    assert main(["allocate", *CENTRE_FLAGS]) == 2
    assert "one of the arguments --year --period is required" in capsys.readouterr().err
    assert main(["allocate", *CENTRE_FLAGS, "--kind", "hospital", "--year", "2022"]) == 2
    assert "invalid choice: 'hospital'" in capsys.readouterr().err
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    capsys.readouterr()


def test_params_lists_every_parameter_with_status_and_source(capsys: Capture) -> None:
    assert main(["params", "--date", "2022-03-01"]) == 0
    out = capsys.readouterr().out
    assert "in force on 2022-03-01" in out
    for path in PARAMETER_SPECS:
        assert path in out
    row = next(line for line in out.splitlines() if line.startswith("psychological_support"))
    assert "published" in row and "66000 EUR/year" in row
    row = next(line for line in out.splitlines() if line.startswith("interpreting.annual_cap"))
    assert "ASSUMPTION" in row and "40000 EUR/year" in row
    assert "[1] Ministère de la santé" in out


def test_params_assumptions_only_and_json(capsys: Capture) -> None:
    assert main(["params", "--date", "2022-03-01", "--assumptions-only", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["date"] == "2022-03-01" and payload["parameters_name"] == "reference"
    listed = {p["path"]: p for p in payload["parameters"]}
    assert all(p["status"] == "assumption" and p["rationale"] for p in listed.values())
    assert "participatory_activities.cost_per_etp" in listed
    assert "eligibility.min_file_active" not in listed  # published
    assert listed["participatory_activities.cost_per_etp"]["raw"] == "45000"
    assert listed["participatory_activities.cost_per_etp"]["unit"] == "EUR/ETP/year"
    assert main(["params", "--date", "2022-03-01", "--assumptions-only"]) == 0
    out = capsys.readouterr().out
    assert "eligibility.min_file_active" not in out and "interpreting.hourly_rate_phone" in out


def test_params_reads_a_users_file(tmp_path: Path, capsys: Capture) -> None:
    reference = resources.files("secpa_model.models.experimentation").joinpath("reference.toml")
    official = tmp_path / "official.toml"
    official.write_text(
        reference.read_text(encoding="utf-8")
        + """
[[interpreting.hourly_rate_phone.values]]
effective_from = 2024-01-01
value = 45
status = "published"
source = { title = "Official test figure", reference = "tests/test_cli.py" }
""",
        encoding="utf-8",
    )
    assert main(["params", "--file", str(official), "--date", "2024-01-01", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    phone = next(p for p in payload["parameters"] if p["path"] == "interpreting.hourly_rate_phone")
    assert (phone["raw"], phone["status"], phone["effective_from"]) == (
        "45",
        "published",
        "2024-01-01",
    )
    assert phone["source"]["title"] == "Official test figure"
    assert payload["origin"] == str(official)
    # the day before, the reference assumption is still in force
    assert main(["params", "--file", str(official), "--date", "2023-12-31"]) == 0
    row = next(
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("interpreting.hourly_rate_phone")
    )
    assert "ASSUMPTION" in row and "42 EUR/hour" in row


def test_params_errors(tmp_path: Path, capsys: Capture) -> None:
    assert main(["params", "--date", "2021-07-31"]) == 2
    assert "do not cover 2021-07-31" in capsys.readouterr().err
    assert main(["params", "--date", "2022-02-30"]) == 2
    assert "'2022-02-30' is not a date" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[interpreting.annual_cap]\nunit = 'EUR/year'\n", encoding="utf-8")
    assert main(["params", "--file", str(bad)]) == 2
    assert str(bad) in capsys.readouterr().err


def test_params_default_date_is_today(capsys: Capture) -> None:
    from datetime import date

    assert main(["params"]) == 0
    assert f"in force on {date.today()}" in capsys.readouterr().out


def test_schema_prints_each_schema(capsys: Capture) -> None:
    for name in ("structure", "allocation", "trace"):
        assert main(["schema", name]) == 0
        assert json.loads(capsys.readouterr().out) == json_schema(name)  # type: ignore[arg-type]
    assert main(["schema", "everything"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_python_dash_m_runs_allocate_and_reports_errors() -> None:
    run = [sys.executable, "-m", "secpa_model", "allocate", *CENTRE_FLAGS[:12], "--year", "2022"]
    done = subprocess.run([*run, "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    trace = json.loads(done.stdout)
    # 4 ETP × 45 000 + 3 200 × 40 + 300 h × 60 = 180 000 + 128 000 + 18 000
    assert Decimal(trace["total"]) == Decimal("326000.00")
    failed = subprocess.run(
        [*run, "--file-active-mg", "-5"], capture_output=True, text=True, check=False
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert "file_active_mg = '-5'" in failed.stderr
    piped = subprocess.run(
        [sys.executable, "-m", "secpa_model", "allocate", "--file", "-", "--year", "2024"],
        input='{"kind": "msp", "location": "in_qpv", "file_active_mg": 2500, "poverty_rate": 0.2}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    # 3 ETP × 45 000 = 135 000; 2 500 × 25 = 62 500; total 197 500 € (2024 is a whole year)
    assert "197 500,00 €" in piped.stdout
