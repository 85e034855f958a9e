"""Relative scenario files through the command line (issue 11 item 4): the values they set
are printed by ``params --scenario``, ``compare`` and ``sweep --scenario``, and a hostile
file is refused with exit code 2."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from secpa_model.core.money import format_euros
from secpa_model.presentation.cli import main
from tests.helpers import euros_half_up
from tests.portfolio_files import write_portfolio

Capture = pytest.CaptureFixture[str]
COST = "participatory_activities.cost_per_etp"
RISE = f"""
name = "ETP +10 % from March 2022"
description = "Raise the cost per ETP by 10 % from 2022-03-01."

[overrides]
"{COST}" = {{ percent = 10, effective_from = 2022-03-01 }}
"""
# the line a person checks: 45 000 € + 10 % = 49 500,00 € from 2022-03-01
COMPUTED = (
    f"{COST} from 2022-03-01: 45000 EUR/ETP/year +10 % = 49500.00 EUR/ETP/year "
    "(the base value in force from 2021-08-01; rounded half up to the cent)"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_params_lists_the_scenario_values_and_their_computation(
    tmp_path: Path, capsys: Capture
) -> None:
    rise = write(tmp_path / "rise.toml", RISE)
    assert main(["params", "--date", "2022-06-01", "--scenario", str(rise)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith(COST))
    assert row.split()[1:3] == ["scenario", "2022-03-01"] and row.endswith("49500.00 EUR/ETP/year")
    assert COMPUTED in out
    # before the date the base value is in force, with its own status
    assert main(["params", "--date", "2022-02-28", "--scenario", str(rise)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(COST))
    assert row.split()[1] == "ASSUMPTION" and row.endswith("45000 EUR/ETP/year")


def test_params_json_carries_the_scenario_record_with_its_values(
    tmp_path: Path, capsys: Capture
) -> None:
    rise = write(tmp_path / "rise.toml", RISE)
    assert main(["params", "--date", "2022-06-01", "--scenario", str(rise), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    (cost,) = [value for value in payload["parameters"] if value["path"] == COST]
    assert (cost["status"], cost["effective_from"]) == ("scenario", "2022-03-01")
    assert payload["scenario"]["values"] == {
        COST: [{"effective_from": "2022-03-01", "value": "49500.00"}]
    }
    assert payload["scenario"]["overrides"][COST]["percent"] == 10


def test_compare_prints_the_total_and_the_values_of_a_relative_scenario(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_portfolio(tmp_path)
    rise = write(tmp_path / "rise.toml", RISE)
    assert main(["compare", str(source), "--scenario", str(rise), "--year", "2022"]) == 0
    out = capsys.readouterr().out

    # 2022 has 365 days: 59 at 45 000 €, 306 at 49 500 €; centre-a 4 ETP, msp-b 3 ETP, each
    # line rounded once; the rest of the 591 900 € portfolio is unchanged
    def line(etp: int) -> Fraction:
        return Fraction(etp * (45_000 * 59 + 49_500 * 306), 365)

    total = 591_900 - 7 * 45_000 + euros_half_up(line(4)) + euros_half_up(line(3))
    row = next(text for text in out.splitlines() if text.startswith("ETP +10 %"))
    assert format_euros(total) in row
    assert COMPUTED in out


def test_sweep_prints_the_values_of_its_base_scenario(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    rise = write(tmp_path / "rise.toml", RISE)
    args = ["sweep", str(source), "--path", "interpreting.hourly_rate_phone", "--values", "42"]
    assert main([*args, "--scenario", str(rise), "--year", "2022"]) == 0
    assert COMPUTED in capsys.readouterr().out


def test_a_hostile_relative_scenario_file_exits_2_naming_file_and_path(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_portfolio(tmp_path)
    huge = write(
        tmp_path / "huge.toml", f'name = "huge"\n[overrides]\n"{COST}" = {{ factor = 1e300 }}\n'
    )
    assert main(["compare", str(source), "--scenario", str(huge), "--year", "2022"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(huge) in captured.err and f"{COST}: " in captured.err
    assert "beyond 2^53 cents" in captured.err
    assert "Traceback" not in captured.err
