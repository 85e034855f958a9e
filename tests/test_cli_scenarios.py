"""``secpa-model compare`` and ``sweep``, and the scenario files they read."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from secpa_model.analysis.scenario_files import read_scenario_file
from secpa_model.core.errors import InputError, ParameterError
from secpa_model.presentation.cli import main
from secpa_model.presentation.cli.portfolio import sweep_values
from tests.helpers import reference_text
from tests.portfolio_files import ETP_IN_PORTFOLIO, PORTFOLIO_TOTAL, write_portfolio

Capture = pytest.CaptureFixture[str]

DEARER_ETP = """
name = "ETP 50 k€"
description = "Wage rise of the mediators."

[overrides]
"participatory_activities.cost_per_etp" = 50000
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def row_of(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(label))


def test_a_toml_scenario_file_with_paths_nested_tables_and_dated_values(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.toml",
        'name = "two changes"\n'
        "[overrides]\n"
        '"participatory_activities.cost_per_etp" = '
        "[{ effective_from = 2025-01-01, value = 50000 }]\n"
        "[overrides.interpreting]\n"
        "hourly_rate_phone = 45\n",
    )
    scenario = read_scenario_file(path)
    assert scenario.name == "two changes" and scenario.description == ""
    assert set(scenario.overrides) == {
        "participatory_activities.cost_per_etp",
        "interpreting.hourly_rate_phone",
    }
    params = scenario.apply()
    cost = params.parameters["participatory_activities.cost_per_etp"].values
    assert [(str(v.effective_from), v.value, v.status) for v in cost] == [
        ("2021-08-01", Decimal("45000"), "assumption"),
        ("2025-01-01", Decimal("50000"), "scenario"),
    ]
    phone = params.parameters["interpreting.hourly_rate_phone"].values
    assert [(v.value, v.status) for v in phone] == [(Decimal("45"), "scenario")]


def test_a_json_scenario_file_is_the_same_object(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.json",
        json.dumps(
            {
                "name": "ETP 50 k€",
                "description": "Wage rise.",
                "overrides": {"participatory_activities.cost_per_etp": 50000},
            }
        ),
    )
    scenario = read_scenario_file(path)
    toml = read_scenario_file(write(tmp_path / "s.toml", DEARER_ETP))
    assert scenario.name == toml.name and dict(scenario.overrides) == dict(toml.overrides)
    assert scenario.description == "Wage rise."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n', "missing overrides"),
        ('name = "x"\ncolour = "blue"\n[overrides]\n', "unknown keys colour"),
        ('name = "x"\n[overrides]\n"no.such_parameter" = 1\n', "no.such_parameter: unknown"),
        ('name = "x"\n[overrides]\n"interpreting.hourly_rate_phone" = "abc"\n', "hourly_rate"),
        ('name = ""\n[overrides]\n', "non-empty name"),
        ("name = [\n", "not valid TOML"),
        ("name = 3\n[overrides]\n", "name must be text"),
    ],
)
def test_bad_scenario_files_name_the_file_and_the_problem(
    text: str, message: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ParameterError, match=message) as raised:
        read_scenario_file(path)
    assert str(raised.value).startswith(str(path))


def test_scenario_file_types_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"must be \.toml or \.json"):
        read_scenario_file(write(tmp_path / "s.yaml", "name: x"))
    with pytest.raises(InputError, match="cannot read"):
        read_scenario_file(tmp_path / "missing.toml")
    with pytest.raises(ParameterError, match="got list"):
        read_scenario_file(write(tmp_path / "list.json", "[]"))


def test_compare_prints_the_summary_by_scenario_and_writes_the_detail(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_portfolio(tmp_path)
    dearer = write(tmp_path / "dearer.toml", DEARER_ETP)
    phone = write(
        tmp_path / "phone.json",
        json.dumps({"name": "phone 45", "overrides": {"interpreting.hourly_rate_phone": 45}}),
    )
    out = tmp_path / "detail.csv"
    args = ["compare", str(source), "--scenario", str(dearer), "--scenario", str(phone)]
    assert main([*args, "--year", "2022", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert PORTFOLIO_TOTAL in row_of(text, "reference")
    # 7 ETP × (50 000 − 45 000) = 35 000 €: 626 900 €, +35 000 / 591 900 = +5.91 %
    dearer_row = row_of(text, "ETP 50 k€")
    assert "626 900,00 €" in dearer_row and "35 000,00 €" in dearer_row
    assert "+5.91" in dearer_row and dearer_row.split()[-2:] == ["2", "2"]
    # centre-a's 200 phone hours × (45 − 42) = 600 €: one structure changed
    phone_row = row_of(text, "phone 45")
    assert "592 500,00 €" in phone_row and phone_row.split()[-2:] == ["2", "1"]
    assert "ASSUMPTIONS" in text and f"written to {out}" in text
    detail = pd.read_csv(out)
    # 3 scenarios × (3 structures × 5 lines + 5 portfolio lines)
    assert len(detail) == 3 * (3 * 5 + 5)
    portfolio = detail[(detail["level"] == "portfolio") & (detail["line"] == "total")]
    differences = dict(zip(portfolio["scenario"], portfolio["difference_cents"], strict=True))
    assert differences == {
        "reference": 0,
        "ETP 50 k€": ETP_IN_PORTFOLIO * 5000 * 100,
        "phone 45": 200 * 3 * 100,
    }


def test_compare_against_a_baseline_parameter_file(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    # an "official" baseline where the ETP costs 40 000 €; the scenario sets 50 000 over it
    official = write(
        tmp_path / "official.toml",
        reference_text().replace('name = "reference"', 'name = "official"')
        + "\n[[participatory_activities.cost_per_etp.values]]\neffective_from = 2022-01-01\n"
        'value = 40000\nstatus = "published"\n'
        'source = { title = "test figure", reference = "tests" }\n',
    )
    dearer = write(tmp_path / "dearer.toml", DEARER_ETP)
    args = ["compare", str(source), "--scenario", str(dearer), "--baseline", str(official)]
    assert main([*args, "--period", "2022-01-01..2022-12-31"]) == 0
    text = capsys.readouterr().out
    # baseline: 591 900 − 7 × 5 000 = 556 900 €; the scenario: + 7 × 10 000 = 626 900 €
    assert "556 900,00 €" in row_of(text, "official")
    assert "70 000,00 €" in row_of(text, "ETP 50 k€")


def test_compare_errors(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    dearer = write(tmp_path / "dearer.toml", DEARER_ETP)
    assert main(["compare", str(source), "--year", "2022"]) == 2
    assert "--scenario" in capsys.readouterr().err
    args = ["compare", str(source), "--scenario", str(dearer), "--scenario", str(dearer)]
    assert main([*args, "--year", "2022"]) == 2
    assert "repeated: ETP 50 k€" in capsys.readouterr().err
    bad = write(tmp_path / "bad.toml", 'name = "x"\n[overrides]\n"nope" = 1\n')
    assert main(["compare", str(source), "--scenario", str(bad), "--year", "2022"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "nope: unknown parameter path" in err
    out = ["-o", str(tmp_path / "d.json")]
    assert main(["compare", str(source), "--scenario", str(dearer), "--year", "2022", *out]) == 2
    assert "unknown output file type" in capsys.readouterr().err


def test_sweep_prints_one_row_per_value(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "sweep.csv"
    args = ["sweep", str(source), "--path", "participatory_activities.cost_per_etp"]
    assert main([*args, "--values", "45000, 50000,55000", "--year", "2022", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    # each 5 000 € step adds 7 ETP × 5 000 = 35 000 €
    assert PORTFOLIO_TOTAL in row_of(text, "45000")
    assert "626 900,00 €" in row_of(text, "50000") and "35 000,00 €" in row_of(text, "50000")
    assert "661 900,00 €" in row_of(text, "55000") and "70 000,00 €" in row_of(text, "55000")
    assert "SCENARIO values" in text
    table = pd.read_csv(out)
    assert list(table["total_cents"]) == [59_190_000, 62_690_000, 66_190_000]
    assert list(table["difference_cents"]) == [0, 3_500_000, 7_000_000]


def test_sweep_over_a_scenario_base(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    phone = write(
        tmp_path / "phone.toml",
        'name = "phone 45"\n[overrides]\n"interpreting.hourly_rate_phone" = 45\n',
    )
    args = ["sweep", str(source), "--path", "participatory_activities.cost_per_etp"]
    assert main([*args, "--values", "45000", "--year", "2022", "--scenario", str(phone)]) == 0
    text = capsys.readouterr().out
    # the base already has the phone rise: + 200 h × 3 € = 600 €, and no difference to it
    assert "592 500,00 €" in row_of(text, "45000")
    assert "base: parameters 'phone 45'" in text


def test_sweep_errors(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    args = ["sweep", str(source), "--year", "2022"]
    assert main([*args, "--path", "participatory_activities.cost_per_etp", "--values", "1,x"]) == 2
    assert "--values: 'x' is not a number" in capsys.readouterr().err
    assert main([*args, "--path", "no.such", "--values", "1"]) == 2
    assert "no.such: unknown parameter path" in capsys.readouterr().err
    assert main([*args, "--path", "interpreting.hourly_rate_phone"]) == 2
    assert "--values" in capsys.readouterr().err
    with pytest.raises(InputError, match="finite"):
        sweep_values("1,inf")
    assert sweep_values("1.5, 2") == [Decimal("1.5"), Decimal("2")]
