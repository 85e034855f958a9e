"""Charts of uncertainty (extra ``plot``): tornado, Sobol indices and a cohort's fan chart, with
the conventions of :mod:`secpa_model.presentation.plots`; see docs/uncertainty.md."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from secpa_model.analysis.cohort import CohortProjection
from secpa_model.analysis.sensitivity import Sensitivity
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.presentation.plots import _figure, _finish, _footnote, _literal, _model_of
from secpa_model.presentation.report_text import grouped, parameter_words, unit_words

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_LOW: Final = "#1b6ca8"
_HIGH: Final = "#f28e2b"
_FIRST: Final = "#1b6ca8"
_TOTAL: Final = "#bab0ac"
_CENTS_PER_MILLION: Final = 100 * 1_000_000  # axis in M€ (a display unit)
_LABEL_CHARS: Final = 50  # a parameter's words wrapped on lines of this many characters
_PATH: Final = "#666666"
_ROW_INCHES: Final = 0.62  # a parameter's bars and its three lines of label, at least
_LINE_INCHES: Final = 0.135  # a line of a 7-point label, and the space between labels


def _words(path: str, parameters: Parameters) -> list[str]:
    """A parameter in words (:func:`parameter_words`), wrapped."""
    declared = parameters.parameters.get(path)
    return textwrap.wrap(
        parameter_words(declared.description if declared else "", path), _LABEL_CHARS
    )


def _height(paths: Sequence[str], parameters: Parameters) -> float:
    """The figure's height: a row per parameter, tall enough for its longest label (its
    words, its range and its path), and room for the title, the axis and the footnote."""
    lines = max((len(_words(path, parameters)) + 2 for path in paths), default=1)
    return 1.6 + max(_ROW_INCHES, _LINE_INCHES * lines) * len(paths)


def _parameter_ticks(
    axes: Axes,
    paths: Sequence[str],
    details: Sequence[str],
    parameters: Parameters,
) -> None:
    """Label each bar with its parameter in words, then ``details``, its path in small under."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    axes.set_yticks(range(len(paths)), [""] * len(paths))
    for position, (path, detail) in enumerate(zip(paths, details, strict=True)):
        lines = [*_words(path, parameters), detail]

        def moved(points: float) -> Any:  # beside the axis, ``points`` up
            return blended_transform_factory(axes.transAxes, axes.transData) + ScaledTranslation(
                -6 / 72, points / 72, axes.figure.dpi_scale_trans
            )

        said_text = "\n".join(line for line in lines if line)
        texts = [
            axes.text(0, position, said_text, transform=moved(1), ha="right", va="bottom"),
            axes.text(0, position, path, transform=moved(-1), ha="right", va="top"),
        ]
        texts[0].set_fontsize(7)
        texts[1].set(fontsize=5.5, color=_PATH, family="monospace")
        _literal(*texts)


def _titled(title: str | None, default: str, model: str) -> str:
    """``title``, or ``default`` with the ``model``'s name in its ``{model}`` field."""
    return title if title is not None else default.format(model=model)


def _unit_note(sensitivity: Sensitivity) -> str:
    return f"Output: {sensitivity.output.label}, in M€."


def plot_tornado(
    result: Sensitivity,
    *,
    title: str | None = None,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Horizontal bars of :attr:`Sensitivity.tornado`: the output at each end of each free
    value's range, around the base output, largest swing on top."""
    if result.tornado is None:
        raise ValueError("this sensitivity has no one-at-a-time results (method 'oat' or 'both')")
    table = result.tornado.iloc[::-1]
    base = result.base_cents / _CENTS_PER_MILLION
    resolved = _model_of(result.model, model)
    figure = _figure(9.0, _height(list(table["path"]), result.parameters))
    axes = figure.add_subplot()
    positions = np.arange(len(table))
    low = table["output_low_cents"].to_numpy(dtype=np.float64) / _CENTS_PER_MILLION
    high = table["output_high_cents"].to_numpy(dtype=np.float64) / _CENTS_PER_MILLION
    axes.barh(positions, low - base, left=base, color=_LOW, label="value at the low end")
    axes.barh(positions, high - base, left=base, color=_HIGH, label="value at the high end")
    axes.axvline(base, color="black", linewidth=1)
    ranges = [_range(row["low"], row["high"], str(row["unit"])) for row in table.to_dict("records")]
    _parameter_ticks(axes, list(table["path"]), ranges, result.parameters)
    axes.set_ylim(-0.6, len(table) - 0.4)
    axes.set_xlabel(f"{result.output.label} (M€; base {grouped(base, 2)} M€)")
    default = "What moves the budget under {model}:\neach assumption at the ends of its range"
    _literal(axes.xaxis.label, axes.set_title(_titled(title, default, resolved.name), fontsize=10))
    axes.grid(axis="x", alpha=0.3)
    note = _footnote(resolved, result.parameters, synthetic=synthetic)
    return _finish(figure, f"{_unit_note(result)} {note}", path, 2)


def plot_sobol(
    result: Sensitivity,
    *,
    title: str | None = None,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Horizontal bars of :attr:`Sensitivity.sobol`: first-order and total index of each free
    value, with their confidence intervals, largest total on top."""
    if result.sobol is None:
        raise ValueError("this sensitivity has no Sobol indices (method 'sobol' or 'both')")
    table = result.sobol.iloc[::-1]
    resolved = _model_of(result.model, model)
    figure = _figure(9.0, _height(list(table["path"]), result.parameters))
    axes = figure.add_subplot()
    positions = np.arange(len(table))
    width = 0.38
    for offset, index, colour, label in (
        (width / 2, "S1", _FIRST, "first order S1 (alone)"),
        (-width / 2, "ST", _TOTAL, "total ST (with interactions)"),
    ):
        y, errors = positions + offset, table[f"{index}_conf"]
        axes.barh(y, table[index], width, xerr=errors, color=colour, capsize=3, label=label)
    units = [f"({unit_words(str(unit))})" for unit in table["unit"]]
    _parameter_ticks(axes, list(table["path"]), units, result.parameters)
    axes.set_ylim(-0.6, len(table) - 0.4)
    axes.set_xlabel("share of variance")
    axes.set_xlim(0, max(1.0, float((table["ST"] + table["ST_conf"]).max()) * 1.05))
    default = "Share of the budget's variance under {model}\ndue to each assumption (Sobol indices)"
    _literal(axes.set_title(_titled(title, default, resolved.name), fontsize=10))
    axes.grid(axis="x", alpha=0.3)
    level = f"{result.samples} Saltelli samples, {result.sobol_evaluations} model runs"
    note = _footnote(resolved, result.parameters, synthetic=synthetic)
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
    return grouped(value, 0) if value >= 100 else f"{value:g}"


def _range(low: float, high: float, unit: str) -> str:
    """``40 to 80 € per hour``; a fraction as percentages (``25 % to 75 %``)."""
    if unit == "fraction":
        return f"{_number(float(low) * 100)} % to {_number(float(high) * 100)} %"
    return f"{_number(float(low))} to {_number(float(high))} {unit_words(unit)}"
