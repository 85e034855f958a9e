"""Charts: each returns a Figure, saves a PNG, and labels assumption-based amounts."""

from __future__ import annotations

import sys
from decimal import Decimal
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
    top, below = figure.axes
    # the total (and the base's total at 45 000 €) on top, the four lines below
    assert [line.get_label() for line in below.lines[:4]] == [
        "Participatory activities (non-health professionals)",
        "Health professionals' participatory approach",
        "Professional interpreting",
        "Psychological support",
    ]
    assert top.lines[0].get_label() == "Total"
    # the x axis carries the parameter's unit, the title the period
    assert below.get_xlabel() == f"{COST} (€ per ETP per year)"
    assert top.get_title() == f"Portfolio total against {COST}, 2024"
    assert "ASSUMPTION-BASED" in texts(figure)


def test_sweep_marks_the_base_value_and_its_total() -> None:
    table = sweep(illustrative_portfolio(), 2024, COST, [40000, 50000])
    figure = plots.plot_sweep(table)
    top, below = figure.axes
    # a dashed line at the base's 45 000 €/ETP/year on both panels
    for axes in (top, below):
        assert any(
            line.get_linestyle() == "--" and list(line.get_xdata()) == [45000, 45000]
            for line in axes.lines
        )
    (marker,) = [line for line in top.lines if str(line.get_label()).startswith("base value")]
    assert marker.get_label() == "base value: 45 000 € per ETP per year (dashed line)"
    # the base total is the total minus its difference to the base, in k€
    base_cents = int(table["total_cents"][0] - table["difference_cents"][0])
    assert marker.get_ydata()[0] == pytest.approx(base_cents / 100 / 1000)


def test_sweep_axis_starts_at_zero_only_when_asked() -> None:
    table = sweep(illustrative_portfolio(), 2024, COST, [40000, 45000, 50000])
    loose = plots.plot_sweep(table)
    bottom, _ = loose.axes[0].get_ylim()
    # about 9 768 k€ at 40 000 €: the axis hugs the total, not 0
    assert bottom > 9000
    assert "The axes do not start at zero." in texts(loose)
    from_zero = plots.plot_sweep(table, y_from_zero=True)
    assert from_zero.axes[0].get_ylim()[0] == 0
    assert "do not start at zero" not in texts(from_zero)


def test_sweep_labels_are_given_or_readable() -> None:
    table = sweep(illustrative_portfolio(), 2024, COST, [40000, 50000])
    figure = plots.plot_sweep(table, labels=["low", "high"])
    assert [t.get_text() for t in figure.axes[1].get_xticklabels()] == ["low", "high"]
    with pytest.raises(ValueError, match="one per row of the sweep"):
        plots.plot_sweep(table, labels=["only one"])


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
    axes = figure.axes[0]
    assert len(axes.patches) == 4
    (label,) = [t for t in axes.texts if "envelope" in t.get_text()]
    assert label.get_text() == "envelope 14.0 M€"
    # the envelope is drawn: a red line at 14 M€ across the bar, in the legend
    (line,) = [c for c in axes.collections if c.get_label() == "envelope"]
    ((start, level), (end, same)) = line.get_segments()[0]
    assert level == same == pytest.approx(14.0) and (start, end) == (-0.45, 0.45)
    # the label stands above the line (offset up in points), not on it
    assert label.xyann[1] > 0 and label.get_va() == "bottom"
    assert axes.get_title() == ("Projected budget against the envelope\n2024-01-01 to 2025-04-30")


def test_a_budget_without_envelope_does_not_claim_one() -> None:
    projection = project_budget(
        illustrative_portfolio(), {"e": "2024-01-01..2025-04-30"}, envelope=14_000_000
    )
    figure = plots.plot_budget(projection.by_year)  # calendar years carry no envelope
    axes = figure.axes[0]
    assert axes.get_title() == "Projected budget\n2024-01-01 to 2025-04-30"
    assert not axes.collections
    assert "No envelope is given for these periods." in texts(figure)


def test_period_in_the_titles() -> None:
    portfolio = illustrative_portfolio().head(3)
    result = allocate_frame(portfolio, "2024-03-01..2024-12-31")
    figure = plots.plot_allocations(result, period="2024-03-01..2024-12-31")
    assert figure.axes[0].get_title().endswith(", 2024-03-01 to 2024-12-31")
    comparison = compare(portfolio, 2024, reference_parameters(), Scenario("x", {COST: 50000}))
    figure = plots.plot_comparison(comparison, period=2024)
    assert figure.axes[0].get_title() == "Portfolio total: baseline and scenarios, 2024"
    # the difference written above the scenario's bar, grouped as in the tables
    (annotation,) = figure.axes[0].texts
    assert annotation.get_text().startswith("+") and "," not in annotation.get_text()


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
    # each tick says the amount with its unit, not the start of a dict
    ticks = [t.get_text() for t in figure.axes[1].get_xticklabels()]
    assert ticks == ["10 € per patient per year", "20 € per patient per year"]
    assert "The base's value is not among the swept values." in texts(figure)


def test_a_scale_times_a_factor_is_labelled_by_the_factor() -> None:
    path = "practitioner_participation.amount_per_patient"
    base = reference_parameters().parameters[path].values[-1].value

    def times(factor: str) -> dict[str, object]:
        brackets = [
            {"threshold": b.threshold, "value": b.value * Decimal(factor)} for b in base.brackets
        ]
        return {"mode": base.mode, "brackets": brackets}

    top_raised = times("1")
    kept = [b.model_dump() for b in base.brackets[:3]]
    top_raised["brackets"] = [*kept, {"threshold": Decimal("0.35"), "value": 60}]
    table = sweep(illustrative_portfolio(), 2024, path, [times("1"), times("1.1"), top_raised])
    figure = plots.plot_sweep(table)
    ticks = [t.get_text() for t in figure.axes[1].get_xticklabels()]
    # the reference's top bracket is 55 €/patient/year from a 0.35 fraction, written 35 %
    assert ticks == ["base scale", "×1.10", "≥ 35 %: 60 € per patient per year"]
    # the base scale is the first value: the dashed line stands at position 0
    assert any(list(line.get_xdata()) == [0, 0] for line in figure.axes[0].lines)


def test_sweep_of_relative_changes_reads_as_changes_and_marks_the_neutral_one() -> None:
    schedule = "participatory_activities.etp_schedule"
    values = [{"factor": 0.9}, {"factor": 1}, {"factor": 1.1}]
    figure = plots.plot_sweep(sweep(illustrative_portfolio(), 2024, schedule, values))
    ticks = [t.get_text() for t in figure.axes[1].get_xticklabels()]
    assert ticks == ["×0.90", "×1.00", "×1.10"]
    # ×1 is the base: the dashed line stands at its position, 1
    assert any(list(line.get_xdata()) == [1, 1] for line in figure.axes[0].lines)
    assert "not among the swept values" not in texts(figure)

    dated = [{"percent": -5}, {"add": 2500, "effective_from": "2024-03-01"}]
    figure = plots.plot_sweep(sweep(illustrative_portfolio(), 2024, COST, dated))
    ticks = [t.get_text() for t in figure.axes[1].get_xticklabels()]
    assert ticks == ["−5 %", "+2 500 € per ETP per year\nfrom 2024-03-01"]
    assert "The base's value is not among the swept values." in texts(figure)
