"""docs/scenarios.md: its code runs, and the figures it quotes are those the code computes."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from secpa_model.core.money import cents_to_euros, format_euros

DOC = Path(__file__).resolve().parent.parent / "docs" / "scenarios.md"


def normalise(text: str) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", text)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("matplotlib")
    folder = tmp_path_factory.mktemp("docs")
    (folder / "out").mkdir()
    namespace: dict[str, Any] = {}
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for block in blocks:
            if "ParameterError" in block or 'Scenario(\n    "typo"' in block:
                continue  # the failing example, checked below
            exec(compile(block, str(DOC), "exec"), namespace)
    namespace["folder"] = folder
    return namespace


def test_the_charts_of_the_doc_are_saved(session: dict[str, Any]) -> None:
    for name in ("allocations", "comparison", "sweep", "budget"):
        assert (session["folder"] / "out" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_the_quoted_figures_are_the_computed_ones(session: dict[str, Any]) -> None:
    text = normalise(DOC.read_text(encoding="utf-8"))
    summary = session["result"].summary.set_index("scenario")
    for label in summary.index:
        assert normalise(format_euros(summary.loc[label, "total_eur"])) in text, label
    for cents in session["table"]["total_cents"]:
        assert normalise(format_euros(cents_to_euros(int(cents)))) in text
    for total in session["projection"].by_period["total_eur"]:
        assert normalise(format_euros(total)) in text
    steps = session["quarters"].timeline
    assert list(steps["label"]) == [f"2024-Q{q}" for q in (1, 2, 3, 4)] + ["2025-Q1", "2025-Q2"]
    for record in steps.to_dict("records"):
        for name in ("total_eur", "cumulative_eur", "remaining_eur"):
            assert normalise(format_euros(record[name])) in text, (record["label"], name)
        assert f"{record['consumed_pct']:.1f} %" in text
    planned = session["planned"]
    assert planned.by_period.loc[0, "structures_participating"] == 26
    for amount in (planned.by_period.loc[0, "total_eur"], planned.by_period.loc[0, "gap_eur"]):
        assert normalise(format_euros(amount)) in text
    years = planned.by_year.set_index("label")["total_eur"]
    assert normalise(format_euros(years["2024"])) in text
    assert normalise(format_euros(years["2025"])) in text


def test_the_hand_check_of_the_doc_holds(session: dict[str, Any]) -> None:
    summary = session["result"].summary.set_index("scenario")
    difference = summary.loc["ETP 50 k€ from 2025", "difference_eur"]
    # 104 ETP × 5 000 € × 120/365 days, each of the 26 lines rounded once (± half a cent)
    exact = Fraction(104 * 5000 * 120, 365)
    assert abs(Fraction(difference) - exact) <= Fraction(26, 200)
    assert Decimal("170958.90") < difference < Decimal("170959.00")


def test_the_failing_example_fails_as_shown() -> None:
    from secpa_model import ParameterError, Scenario

    with pytest.raises(ParameterError) as caught:
        Scenario(
            "typo",
            {
                "participatory_activities.cost_per_ETP": 50000,
                "psychological_support.annual_cap": -66000,
            },
        )
    text = DOC.read_text(encoding="utf-8")
    first, second, third = str(caught.value).splitlines()
    assert first in text
    assert third in text
    assert second.split(" (known:")[0] in text


def test_the_relative_scenario_of_the_doc_prints_what_it_says(session: dict[str, Any]) -> None:
    text = DOC.read_text(encoding="utf-8")
    printed = text.split("print(relative.describe())\n```\n```\n", 1)[1].split("```", 1)[0]
    assert printed.rstrip("\n") == session["relative"].describe()
    # by hand: 4.2 ETP × (45 000 € × 60 days + 49 500 € × 306 days) / 366, half up
    exact = Fraction(42 * (45_000 * 60 + 49_500 * 306), 10 * 366)
    assert session["line"].amount == Decimal("204801.64")
    assert abs(Fraction(session["line"].amount) - exact) <= Fraction(1, 200)
