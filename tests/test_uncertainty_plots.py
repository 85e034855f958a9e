"""Charts of uncertainty: the tornado, the Sobol bars and the fan chart draw what they are
given, labelled with parameter names and units, and say what rests on assumptions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from secpa_model import project_cohort, sensitivity
from tests.test_cohort import population
from tests.test_sensitivity import BOUNDS, IN_PERSON, PHONE, YEAR, one_structure

pytest.importorskip("matplotlib")

from secpa_model.presentation.uncertainty_plots import plot_fan, plot_sobol, plot_tornado

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
COST = "participatory_activities.cost_per_etp"


def labels(axes: object) -> list[tuple[str, str]]:
    """The label of each bar, bottom first: (its words and range, its path in small)."""
    drawn = [text for text in axes.texts if text.get_text()]  # type: ignore[attr-defined]
    words, paths = drawn[0::2], drawn[1::2]
    assert all(
        path.get_fontsize() < word.get_fontsize() for word, path in zip(words, paths, strict=True)
    )
    return [(word.get_text(), path.get_text()) for word, path in zip(words, paths, strict=True)]


def footnote(figure: object) -> str:
    return " ".join(" ".join(t.get_text() for t in figure.texts).split())  # type: ignore[attr-defined]


def test_tornado_and_sobol_charts(tmp_path: Path) -> None:
    result = sensitivity(one_structure(), YEAR, [IN_PERSON, PHONE], bounds=BOUNDS, samples=64)
    tornado = plot_tornado(result, path=tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:8] == PNG_MAGIC
    axes = tornado.axes[0]
    # largest swing on top (the last bar of a horizontal bar chart); each value in words
    # (the first clause of its description), its range in words, its path in small
    assert labels(axes) == [
        ("Hourly rate of telephone interpreting\n20 to 60 € per hour", PHONE),
        ("Hourly rate of in-person professional interpreting\n40 to 80 € per hour", IN_PERSON),
    ]
    assert "experimentation" in axes.get_title()
    widths = sorted(abs(p.get_width()) for p in axes.patches)
    # 50 h × 22 € below and 50 h × 18 € above the base for the phone rate, in M€
    assert widths[0] == pytest.approx(50 * 18 / 1e6) and widths[1] == pytest.approx(50 * 22 / 1e6)
    assert "ASSUMPTION-BASED" in footnote(tornado)
    sobol = plot_sobol(result, path=tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes()[:8] == PNG_MAGIC
    # horizontal bars, the largest total index on top: no label can overlap another
    assert [path for _, path in labels(sobol.axes[0])] == list(result.sobol["path"])[::-1]  # type: ignore[index]
    assert labels(sobol.axes[0])[0][0].endswith("\n(€ per hour)")
    assert "experimentation" in sobol.axes[0].get_title()
    widths = [p.get_width() for p in sobol.axes[0].patches]
    assert widths[:2] == pytest.approx(list(result.sobol["S1"])[::-1])  # type: ignore[index]
    assert "64 Saltelli samples" in footnote(sobol)


def test_fan_chart_of_a_cohort(tmp_path: Path) -> None:
    result = project_cohort(
        population(), {2026: 1, 2027: 2}, uncertain=[COST], bounds={COST: (40000, 50000)}, draws=50
    )
    figure = plot_fan(result, synthetic=True, path=tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes()[:8] == PNG_MAGIC
    median = figure.axes[0].lines[0].get_ydata()
    assert list(median) == pytest.approx([float(v) / 1e6 for v in result.by_year["p50_eur"]])
    note = footnote(figure)
    assert f"Intervals over 50 draws of: {COST}" in note and "SYNTHETIC" in note
    with pytest.raises(ValueError, match="no intervals"):
        plot_fan(project_cohort(population(), {2026: 1}))
    assert isinstance(result.by_year, pd.DataFrame)
