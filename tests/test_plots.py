"""Charts: each returns a Figure, saves a PNG, and labels assumption-based amounts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from secpa_model import (
    Scenario,
    allocate_frame,
    compare,
    project_budget,
    reference_parameters,
    sweep,
)
from secpa_model.datasets import illustrative_portfolio

pytest.importorskip("matplotlib")  # the 'plot' extra is part of the 'test' extra

from secpa_model.presentation import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
COST = "participatory_activities.cost_per_etp"


def texts(figure: object) -> str:
    words = " ".join(t.get_text() for t in figure.texts).split()  # type: ignore[attr-defined]
    return " ".join(words)  # the footnote is wrapped


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == PNG_MAGIC


def test_stacked_bars_per_structure(tmp_path: Path) -> None:
    result = allocate_frame(illustrative_portfolio(), 2024)
    figure = plots.plot_allocations(result, synthetic=True, path=tmp_path / "a.png")
    assert is_png(tmp_path / "a.png")
    axes = figure.axes[0]
    assert len(axes.patches) == 4 * 26  # four lines per structure
    note = texts(figure)
    assert "ASSUMPTION-BASED" in note and "SYNTHETIC" in note


def test_sweep_curve(tmp_path: Path) -> None:
    table = sweep(illustrative_portfolio(), 2024, COST, [40000, 50000])
    figure = plots.plot_sweep(table, path=tmp_path / "s.png")
    assert is_png(tmp_path / "s.png")
    assert len(figure.axes[0].lines) == 5  # total and four lines
    assert COST in figure.axes[0].get_xlabel()
    assert "ASSUMPTION-BASED" in texts(figure)


def test_comparison_bars(tmp_path: Path) -> None:
    result = compare(
        illustrative_portfolio(), 2024, reference_parameters(), Scenario("x", {COST: 50000})
    )
    figure = plots.plot_comparison(result, path=tmp_path / "c.png")
    assert is_png(tmp_path / "c.png")
    assert len(figure.axes[0].patches) == 4 * 2
    assert f"scenario overrides: {COST}" in texts(figure)


def test_budget_bars_without_saving() -> None:
    projection = project_budget(
        illustrative_portfolio(), {"e": "2024-01-01..2025-04-30"}, envelope=14_000_000
    )
    figure = plots.plot_budget(projection.by_period)
    assert len(figure.axes[0].patches) == 4
    assert any("envelope 14.0 M€" in t.get_text() for t in figure.axes[0].texts)


def test_published_only_parameters_carry_no_assumption_label() -> None:
    assert plots.assumption_note() == ""
    assert "SYNTHETIC" in plots.assumption_note(synthetic=True)


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = allocate_frame(illustrative_portfolio().head(2), 2024)
    with pytest.raises(ImportError, match=r"extra 'plot'.*secpa-model\[plot\]"):
        plots.plot_allocations(result)


def test_sweep_of_scales_is_drawn_by_position(tmp_path: Path) -> None:
    flat = {"mode": "step", "brackets": [{"threshold": 0, "value": 10}]}
    steep = {"mode": "step", "brackets": [{"threshold": 0, "value": 20}]}
    table = sweep(
        illustrative_portfolio(),
        2024,
        "practitioner_participation.amount_per_patient",
        [flat, steep],
    )
    figure = plots.plot_sweep(table, path=tmp_path / "scales.png")
    assert is_png(tmp_path / "scales.png")
    total = figure.axes[0].lines[0]
    assert list(total.get_xdata()) == [0, 1]
    # the total rises with the amount per patient
    assert total.get_ydata()[1] > total.get_ydata()[0]
