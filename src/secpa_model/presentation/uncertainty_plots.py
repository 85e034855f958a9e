"""Charts of uncertainty (extra ``plot``): a tornado of one-at-a-time swings, the Sobol
indices as bars with their confidence intervals, and a fan chart of a cohort's yearly
budget. Same conventions as :mod:`secpa_model.presentation.plots`: the Agg canvas, labels
drawn literally, a footnote naming the assumptions, a PNG when given ``path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from secpa_model.analysis.cohort import CohortProjection
from secpa_model.analysis.sensitivity import Sensitivity
from secpa_model.model.model import Model
from secpa_model.presentation.plots import _figure, _finish, _footnote, _literal, _model_of

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

_LOW: Final = "#1b6ca8"
_HIGH: Final = "#f28e2b"
_FIRST: Final = "#1b6ca8"
_TOTAL: Final = "#bab0ac"
_CENTS_PER_MILLION: Final = 100 * 1_000_000  # axis in M€ (a display unit)


def _unit_note(sensitivity: Sensitivity) -> str:
    return f"Output: {sensitivity.output.label}, in M€."


def plot_tornado(
    result: Sensitivity,
    *,
    title: str = "What moves the budget: each assumption at the ends of its range",
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Horizontal bars of :attr:`Sensitivity.tornado`: for each free value (largest swing on
    top), the output at the low and at the high end of its range, around the base output."""
    if result.tornado is None:
        raise ValueError("this sensitivity has no one-at-a-time results (method 'oat' or 'both')")
    table = result.tornado.iloc[::-1]
    base = result.base_cents / _CENTS_PER_MILLION
    figure = _figure(9.0, 1.2 + 0.55 * len(table))
    axes = figure.add_subplot()
    positions = np.arange(len(table))
    low = table["output_low_cents"].to_numpy(dtype=np.float64) / _CENTS_PER_MILLION
    high = table["output_high_cents"].to_numpy(dtype=np.float64) / _CENTS_PER_MILLION
    axes.barh(positions, low - base, left=base, color=_LOW, label="value at the low end")
    axes.barh(positions, high - base, left=base, color=_HIGH, label="value at the high end")
    axes.axvline(base, color="black", linewidth=1)
    labels = [
        f"{row['path']}\n{_number(float(row['low']))} .. {_number(float(row['high']))} "
        f"{row['unit']}"
        for row in table.to_dict("records")
    ]
    axes.set_yticks(positions, labels, fontsize=7)
    _literal(*axes.get_yticklabels())
    axes.set_xlabel(f"{result.output.label} (M€; base {base:,.2f} M€)")
    _literal(axes.xaxis.label, axes.set_title(title, fontsize=10))
    axes.grid(axis="x", alpha=0.3)
    note = _footnote(_model_of(result.model, model), result.parameters, synthetic=synthetic)
    return _finish(figure, f"{_unit_note(result)} {note}", path, 2)


def plot_sobol(
    result: Sensitivity,
    *,
    title: str = "Share of the budget's variance due to each assumption (Sobol indices)",
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Bars of :attr:`Sensitivity.sobol`: first-order and total index of each free value
    (largest total first), with their confidence intervals as error bars."""
    if result.sobol is None:
        raise ValueError("this sensitivity has no Sobol indices (method 'sobol' or 'both')")
    table = result.sobol
    figure = _figure(9.0, 4.8)
    axes = figure.add_subplot()
    positions = np.arange(len(table))
    width = 0.38
    for offset, index, colour, label in (
        (-width / 2, "S1", _FIRST, "first order S1 (alone)"),
        (width / 2, "ST", _TOTAL, "total ST (with interactions)"),
    ):
        x, errors = positions + offset, table[f"{index}_conf"]
        axes.bar(x, table[index], width, yerr=errors, color=colour, capsize=3, label=label)
    labels = [f"{row.path}\n({row.unit})" for row in table.itertuples()]
    axes.set_xticks(positions, labels, fontsize=7, rotation=30, ha="right")
    _literal(*axes.get_xticklabels())
    axes.set_ylabel("share of variance")
    axes.set_ylim(0, max(1.0, float((table["ST"] + table["ST_conf"]).max()) * 1.05))
    _literal(axes.set_title(title, fontsize=10))
    axes.grid(axis="y", alpha=0.3)
    level = f"{result.samples} Saltelli samples, {result.sobol_evaluations} model runs"
    note = _footnote(_model_of(result.model, model), result.parameters, synthetic=synthetic)
    return _finish(figure, f"{_unit_note(result)} {level}. {note}", path, 2)


def plot_fan(
    projection: CohortProjection,
    *,
    title: str = "Yearly budget of the cohort, with its intervals",
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """A fan chart of :func:`~secpa_model.project_cohort` with draws: the median of each
    year's budget, the 25-75 % and 5-95 % bands, the point projection, and the number of
    structures open under each year."""
    table = projection.by_year
    if "p50_eur" not in table.columns:
        raise ValueError("this projection has no intervals: call project_cohort with draws")
    years = table["year"].to_numpy()

    def millions(column: str) -> np.ndarray:
        return np.array([float(v) / 1_000_000 for v in table[column]], dtype=np.float64)

    figure = _figure(9.0, 4.8)
    axes = figure.add_subplot()
    for low, high, alpha in ((5, 95, 0.18), (25, 75, 0.35)):
        band = millions(f"p{low}_eur"), millions(f"p{high}_eur")
        axes.fill_between(years, *band, color=_LOW, alpha=alpha, label=f"{low}-{high} %")
    axes.plot(years, millions("p50_eur"), color=_LOW, linewidth=2, marker="o", label="median")
    axes.plot(
        years,
        millions("total_eur"),
        color="black",
        linestyle="--",
        linewidth=1,
        label="point (reference values)",
    )
    for year, count, top in zip(years, table["structures_open"], millions("p95_eur"), strict=True):
        _literal(axes.annotate(f"{count} open", (year, top), ha="center", va="bottom", fontsize=7))
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_ylabel("M€ a year")
    axes.set_ylim(0, float(millions("p95_eur").max()) * 1.12)
    _literal(axes.set_title(title, fontsize=10))
    axes.grid(axis="y", alpha=0.3)
    draws = projection.draws
    count = 0 if draws is None else int(draws["draw"].nunique())
    uncertain = [] if draws is None else [c for c in draws.columns if "." in str(c)]
    spread = f"Intervals over {count} draws of: {', '.join(uncertain)}."
    resolved = _model_of(projection.model, model)
    note = _footnote(resolved, projection.parameters, synthetic=synthetic)
    return _finish(figure, f"{spread} {note}", path, 4)


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if value >= 100 else f"{value:g}"
