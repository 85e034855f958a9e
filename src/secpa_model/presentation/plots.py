"""Charts for economists (optional extra ``plot``), drawn on the Agg canvas with every text
literal and a footnote of assumptions: allocations, sweeps, comparisons and budgets
(docs/scenarios.md, section Charts), and the charts of uncertainty, the tornado, the Sobol
indices and a cohort's fan chart (docs/uncertainty.md)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from secpa_model.analysis.budget import BudgetProjection
from secpa_model.analysis.cohort import CohortProjection
from secpa_model.analysis.comparison import Comparison
from secpa_model.analysis.model_comparison import OUTCOMES, ModelComparison
from secpa_model.analysis.relative import OPERATIONS, is_relative
from secpa_model.analysis.scenarios import Scenario
from secpa_model.analysis.sensitivity import Sensitivity
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.parameters import parameters_for
from secpa_model.engine.trace import count_words
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters, Scale
from secpa_model.models import resolve_model
from secpa_model.presentation.report_text import (
    grouped,
    parameter_words,
    quantity_words,
    unit_words,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

EXTRA_HINT: Final = (
    "secpa_model.presentation.plots needs matplotlib, the optional extra 'plot': "
    "pip install 'secpa-model[plot]'"
)
_COLOURS: Final = (
    "#1b6ca8",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#9c755f",
)
_GAIN: Final = _COLOURS[2]
_LOSS: Final = _COLOURS[4]
_SAME: Final = "#bab0ac"
_REFERENCE: Final = "#555555"
_ENVELOPE: Final = "#c0392b"
_PATH: Final = "#666666"
_CENTS_PER_EURO: Final = 100  # a unit conversion, not a parameter of the model
_EUROS_PER_THOUSAND: Final = 1000  # axis in k€ (a display unit)
_CENTS_PER_MILLION: Final = _CENTS_PER_EURO * _EUROS_PER_THOUSAND**2  # axis in M€
_NOTE_CHARS_PER_INCH: Final = 17  # wrapping of the 7-point footnote
_NOTE_LINE_INCHES: Final = 0.13
_NOTE_MARGIN_INCHES: Final = 0.08
_WIDE_INCHES: Final = 9.0  # wide enough for the legend on one row
_MAX_TICK_LINES: Final = 4  # brackets written on a tick; more are summarised
_BAR_INCHES: Final = 0.3  # width of a structure's bar; its id is written under it
_ROW_INCHES: Final = 0.22  # height of a structure's horizontal bar
_PARAMETER_INCHES: Final = 0.62  # a parameter's bars and its three lines of label, at least
_LABEL_LINE_INCHES: Final = 0.135  # a line of a 7-point label, and the space between labels
_LABEL_CHARS: Final = 50  # a parameter's words wrapped on lines of this many characters
LARGEST: Final = 25
"""A chart of structures draws at most this many (the largest) and sums the others (two or more)
in one bar of its own scale, so that its text keeps its size at any number of structures."""


def _figure(width: float, height: float, **grid: Any) -> tuple[Figure, list[Axes]]:
    """A new Figure on the Agg canvas and its axes (``Figure.subplots(**grid)``, in a list);
    a clear ImportError without the ``plot`` extra."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(EXTRA_HINT) from exc
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, list(figure.subplots(squeeze=False, **grid).flat)


def _decorate(
    axes: Axes,
    title: str,
    *,
    grid: Literal["both", "x", "y"] = "y",
    grouped: str = "",
    size: Any = 10,
    **settings: Any,
) -> None:
    """The title (of font ``size``), a light grid on the ``grid`` axis, the numbers of the
    ``grouped`` axes (``"x"``, ``"y"`` or both) grouped by thousands, then ``Axes.set``."""
    axes.set_title(title, fontsize=size)
    axes.grid(axis=grid, alpha=0.3)
    for name in grouped:
        getattr(axes, f"{name}axis").set_major_formatter(_grouped_formatter())
    axes.set(**settings)


def assumption_note(
    *parameter_sets: Parameters | Scenario, synthetic: bool = False, model: Model | None = None
) -> str:
    """The footnote of a chart: which parameters are assumptions or scenario overrides (a
    :class:`~secpa_model.Scenario` counts as the parameters it gives). The assumptions'
    sources are docs/parameters.md for the experimentation, else ``model``'s parameter
    files."""
    assumed: set[str] = set()
    overridden: set[str] = set()
    for given in parameter_sets:
        params = given.apply() if isinstance(given, Scenario) else given
        assumed |= params.paths_with("assumption")
        overridden |= params.paths_with("scenario")
    parts = []
    if assumed:
        where = "docs/parameters.md"
        if model is not None and model.name != resolve_model(None).name:
            files = ", ".join(Path(str(item)).name for item in model.parameter_files)
            where = f"the parameter files of {model.name}: {files}"
        parts.append(
            f"ASSUMPTION-BASED amounts: {len(assumed)} of the parameters used are "
            f"secpa-model assumptions, not published values ({where})"
        )
    if overridden:
        parts.append("scenario overrides: " + ", ".join(sorted(overridden)))
    if synthetic:
        parts.append("SYNTHETIC structures (invented figures)")
    return ". ".join(parts) + "." if parts else ""


def _model_of(recorded: Model | pd.DataFrame, model: Model | str | None) -> Model:
    """The model a chart draws: ``model`` when given, else the one its result records (a
    Model, or a table's ``attrs["model"]``), else the default."""
    if model is None:
        model = recorded.attrs.get("model") if isinstance(recorded, pd.DataFrame) else recorded
    return resolve_model(model)


def _lines(model: Model, table: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(key, label, colour) of each line of ``model``, colours cycling past eight lines;
    a clear error when ``table`` has not the model's lines."""
    missing = [f"{key}_cents" for key in model.line_keys if f"{key}_cents" not in table]
    if missing:
        raise ValueError(
            f"the table has no column {', '.join(missing)} of the model {model.name!r}: "
            "give model= the model that computed it"
        )
    return [
        (rule.key, rule.label, _COLOURS[number % len(_COLOURS)])
        for number, rule in enumerate(model.rules)
    ]


def _footnote(model: Model, *parameter_sets: Parameters | Scenario, synthetic: bool = False) -> str:
    """A chart's footnote (:func:`assumption_note`), then the model's name and its note
    (a proposal says so on its charts)."""
    note = assumption_note(*parameter_sets, synthetic=synthetic, model=model)
    return " ".join(part for part in (note, f"Model: {model.name}.", model.note) if part)


def _finish(figure: Figure, note: str, path: str | Path | None, entries: int = 5) -> Figure:
    """The legend on top (``entries`` a row when wide), the footnote wrapped below, every
    text literal (mathtext off, so that ``$`` is a dollar sign); saved as PNG to ``path``."""
    from matplotlib.text import Text

    width, height = figure.get_size_inches()
    columns = entries if width >= _WIDE_INCHES else 2
    figure.legend(loc="outside upper center", ncols=columns, fontsize=7, frameon=False)
    if note:
        lines = textwrap.wrap(note, int(width * _NOTE_CHARS_PER_INCH), break_on_hyphens=False)
        wrapped, corner = "\n".join(lines), figure.dpi_scale_trans
        margin = _NOTE_MARGIN_INCHES
        figure.text(margin, margin, wrapped, fontsize=7, va="bottom", transform=corner)
        bottom = (len(lines) * _NOTE_LINE_INCHES + 0.1) / height
        figure.set_layout_engine("constrained", rect=(0, bottom, 1, 1 - bottom))
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(Path(path), dpi=110, format="png")
    return figure


def _k_euros(cents: Iterable[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Cents to k€ as floats, for drawing only (never summed)."""
    return np.asarray(
        [int(c) / _CENTS_PER_EURO / _EUROS_PER_THOUSAND for c in cents], dtype=np.float64
    )


def _stacked(
    axes: Axes, table: pd.DataFrame, model: Model, unit: float = 1.0, summed: bool = False
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """A bar per row of ``table``, the model's lines stacked (k€ divided by ``unit``; hatched
    and out of the legend when ``summed``): the bars' positions and tops."""
    positions = np.arange(len(table))
    bottom = np.zeros(len(table))
    style: dict[str, Any] = {"hatch": "//", "edgecolor": "white", "label": "_nolegend_"}
    for key, label, colour in _lines(model, table):
        heights = _k_euros(table[f"{key}_cents"]) / unit
        drawn = {"label": label, "color": colour} | (style if summed else {})
        axes.bar(positions, heights, bottom=bottom, **drawn)
        bottom += heights
    return positions, bottom


def _structures_figure(
    table: pd.DataFrame, column: str, count: int | None, model: Model, vertical: bool
) -> tuple[Figure, Axes, pd.DataFrame, pd.DataFrame]:
    """A figure of a bar per structure (``vertical`` or horizontal), its axes, the rows to draw
    (the ``count`` largest ``column``, by absolute value when horizontal; all when ``count`` is
    None or the others would be one) and the others, drawn summed on an axes of their own."""
    if count is not None and count < 1:
        raise ValueError(f"largest: give a whole number of structures ≥ 1, not {count!r}")
    values = np.asarray([int(cents) for cents in table[column]], dtype=np.float64)
    order = np.argsort(-(values if vertical else np.abs(values)), kind="stable")
    shown, others = table, table.iloc[:0]
    if count is not None and len(table) > count + 1:  # a bar of one "other" is that structure
        shown, others = table.iloc[order[:count]], table.iloc[order[count:]]
    drawn, summed = len(shown), len(others) > 0
    if vertical:
        width = max(6.0, _BAR_INCHES * drawn + 2.5 + (1.5 if summed else 0.0))
        grid = {"ncols": 2, "width_ratios": (drawn, 3)} if summed else {}
        figure, (axes, *rest) = _figure(width, 4.8, **grid)
    else:
        height = max(3.5, _ROW_INCHES * drawn + 1.8) + (0.9 if summed else 0.0)
        grid = {"nrows": 2, "height_ratios": (drawn, 2)} if summed else {}
        figure, (axes, *rest) = _figure(7.5, height, **grid)
    for beside in rest:
        if vertical:
            sums = {
                c: [sum(int(v) for v in others[c])] for c in others if str(c).endswith("_cents")
            }
            _stacked(beside, pd.DataFrame(sums), model, summed=True)
            beside.set_xticks([0], [f"the other\n{len(others)} structures,\nsummed"], fontsize=7)
            beside.set_xlim(-0.6, 0.6)
            beside.yaxis.tick_right()
            _decorate(beside, "", grouped="y")
            continue
        (total,) = _k_euros([sum(int(c) for c in others[column])])
        colour = _GAIN if total > 0 else _LOSS if total < 0 else _SAME
        beside.barh(0, total, color=colour, hatch="//", edgecolor="white")
        beside.axvline(0, color="black", linewidth=0.8)
        text = f"the other {len(others)}\nstructures, summed:\n{grouped(total, 1, sign=True)} k€"
        beside.set_yticks([0], [text], fontsize=7)
        _decorate(beside, "", grid="x", grouped="x", ylim=(-0.6, 0.6))
    return figure, axes, shown, others


def _when(period: PeriodLike | None, before: str = ", ") -> str:
    """``, 2024`` for a title (``before``, then a calendar year, else ``2024-03-01 to
    2024-12-31``), or nothing without a period."""
    span = _period(period)
    if span is None:
        return ""
    whole_year = (span.start.month, span.start.day, span.end.month, span.end.day) == (1, 1, 12, 31)
    if whole_year and span.start.year == span.end.year:
        return f"{before}{span.start.year}"
    return f"{before}{span.start.isoformat()} to {span.end.isoformat()}"


def plot_allocations(
    allocations: pd.DataFrame,
    *,
    parameters: Parameters | Scenario | None = None,
    title: str | None = None,
    period: PeriodLike | None = None,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
    largest: int | None = LARGEST,
) -> Figure:
    """Stacked bars of the model's lines per structure of an ``allocate_frame`` result, the
    ``largest`` totals drawn and the others summed (docs/scenarios.md, Charts)."""
    resolved = _model_of(allocations, model)
    params = parameters_for(resolved, parameters)
    figure, axes, shown, others = _structures_figure(
        allocations, "total_cents", largest, resolved, vertical=True
    )
    positions, _ = _stacked(axes, shown, resolved)
    axes.set_xticks(positions, shown[resolved.id_input].astype(str), rotation=70, fontsize=7)
    count = len(resolved.rules)
    lines = f"{count_words(count)} fungible dotations" if count > 1 else "one dotation"
    default = f"Allocation per structure, {lines}{_when(period)}"
    if len(others):
        default += f"\nthe {len(shown)} largest of {len(allocations)} structures, the others summed"
    _decorate(
        axes,
        title or default,
        grouped="y",
        xlim=(-0.6, len(shown) - 0.4),
        ylabel="k€ over the period",
    )
    note = _footnote(resolved, params, synthetic=synthetic)
    return _finish(figure, note, path, len(resolved.rules) + 1)


def plot_sweep(
    table: pd.DataFrame,
    *,
    parameter: str | None = None,
    parameters: Parameters | Scenario | None = None,
    title: str | None = None,
    labels: Sequence[str] | None = None,
    period: PeriodLike | None = None,
    y_from_zero: bool = False,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """The portfolio total (top) and each line (below) against the swept value of a
    :func:`~secpa_model.sweep`, the base value marked (docs/scenarios.md, Charts)."""
    resolved = _model_of(table, model)
    params = parameters_for(resolved, parameters)
    name = parameter or str(table.attrs.get("path", "value"))
    declared = params.parameters.get(name)
    unit = unit_words(declared.unit) if declared is not None else ""
    span = _period(period if period is not None else table.attrs.get("period"))
    base: list[Decimal | Scale] = []  # the values in force over the period, else the last
    if declared is not None:
        dated = (
            declared.values_over(span.start, span.end) if span is not None else declared.values[-1:]
        )
        base = [value.value for value in dated]
    values = list(table["value"])
    numbers = [_as_number(value) for value in values]
    numeric = all(number is not None for number in numbers)
    x = np.asarray(numbers if numeric else range(len(values)), dtype=np.float64)
    if labels is not None and len(labels) != len(values):
        raise ValueError(
            f"labels: give one per row of the sweep ({len(values)}), not {len(labels)}"
        )
    figure, (top, below) = _figure(7.5, 6.0, nrows=2, sharex=True, height_ratios=(3, 2))
    top.plot(x, _k_euros(table["total_cents"]), marker="o", color="black", label="Total")
    for key, label, colour in _lines(resolved, table):
        below.plot(x, _k_euros(table[f"{key}_cents"]), marker=".", color=colour, label=label)
    if labels is None and not numeric:
        scale = base[0] if len(base) == 1 and isinstance(base[0], Scale) else None
        steps = (declared.threshold_unit or "") if declared is not None else ""
        labels = [_value_label(value, scale, unit, steps) for value in values]
    if labels is not None:
        below.set_xticks(x, list(labels), fontsize=7)
    # a dashed line at the base's value, and the base's total on it; else the footnote says why
    where: float | None = None
    changes = "The parameter changes over the period: no single base value is marked."
    reference = changes if len(base) > 1 else ""
    if len(base) == 1 and numeric and isinstance(base[0], Decimal):
        where = float(base[0])
    elif len(base) == 1:  # the first value that is the base (a scale) or leaves it as it is (×1)
        found = (i for i, v in enumerate(values) if _is_neutral(v) or _as_scale(v) == base[0])
        where = next((float(i) for i in found), None)
        reference = "The base's value is not among the swept values."
    if where is not None:
        reference = ""
        base_total = (table["total_cents"] - table["difference_cents"]).iloc[0]
        for axes in (top, below):
            axes.axvline(where, color=_REFERENCE, linestyle="--", linewidth=1)
        (level,) = _k_euros([base_total])
        top.annotate(
            f"base: {grouped(Decimal(round(level)))} k€",
            (where, level),
            xytext=(6, -12),
            textcoords="offset points",
            fontsize=8,
            color=_REFERENCE,
        )
        said = quantity_words(base[0], unit) if isinstance(base[0], Decimal) else "the base scale"
        top.plot(
            [where],
            [level],
            marker="D",
            markersize=9,
            color=_REFERENCE,
            linestyle="none",
            zorder=3,
            label=f"base value: {said} (dashed line)",
        )
    title = title or f"Portfolio total against {name}{_when(span)}"
    _decorate(top, title, grid="both", grouped="y", ylabel="portfolio total, k€")
    numbers_on_x = "" if labels is not None else "x"
    _decorate(below, "", grid="both", grouped="y" + numbers_on_x, ylabel="each line, k€")
    below.set_xlabel(f"{name} ({unit})" if unit else name)
    for axes in (top, below) if y_from_zero else ():
        axes.set_ylim(bottom=0)
    notes = [
        _footnote(resolved, params, synthetic=synthetic),
        f"The swept parameter {name} takes scenario values.",
        reference,
        "" if y_from_zero else "The axes do not start at zero.",
    ]
    return _finish(figure, " ".join(n for n in notes if n), path, len(resolved.rules) + 2)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _period(period: Any) -> Period | None:
    """``period`` parsed, or None when it is not given (each row's year)."""
    return None if period is None or period == "" else Period.parse(period)


def _grouped_formatter() -> Any:
    """Tick numbers with a space between thousands (``10 000``), as in the tables, with the
    decimals the ticks' spacing needs: no two ticks read alike."""
    from matplotlib.ticker import Formatter

    class Grouped(Formatter):
        ticks: Sequence[float] = ()

        def set_locs(self, locs: Sequence[float]) -> None:
            self.ticks = list(locs)

        def __call__(self, value: float, position: int | None = None) -> str:
            exact = (  # the fewest decimals that write each tick exactly, at most 6
                places
                for places in range(6)
                if all(abs(round(t, places) - t) < 1e-9 * max(1.0, abs(t)) for t in self.ticks)
            )
            return grouped(value, next(exact, 6))

    return Grouped()


def _as_scale(value: Any) -> Scale | None:
    try:
        return Scale.model_validate(value, strict=False)
    except ValueError:
        return None


def _value_label(value: Any, reference: Scale | None, unit: str, threshold_unit: str) -> str:
    """A short text for a swept value that is not a number (see :func:`plot_sweep`): for a
    relative change ``×1.10``, ``+10 %`` or ``+5 000 €/ETP/year``, then ``from 2024-03-01``
    when dated; for a scale ``base scale``, ``×1.10`` (``reference`` times one factor), or the
    brackets that differ from ``reference``, one per line."""
    relative = is_relative(value)
    if relative and (found := _relative_operand(value)) is not None:
        operation, operand = found
        if operation == "factor":
            exact = operand == operand.quantize(Decimal("0.01"))
            text = f"×{operand:.2f}" if exact else f"×{operand}"
        else:
            sign = "−" if operand < 0 else "+"
            suffix = " %" if operation == "percent" else f" {unit}".rstrip()
            text = f"{sign}{grouped(abs(operand))}{suffix}"
        start = value.get("effective_from")
        return text if start is None else f"{text}\nfrom {_short(str(start))}"
    scale = None if relative else _as_scale(value)
    if scale is None:
        return _short(str(value))
    if reference is not None and scale == reference:
        return "base scale"
    if reference is not None and (factor := _factor(scale, reference)) is not None:
        return f"×{factor}"
    if len(scale.brackets) == 1 and scale.brackets[0].threshold == 0:
        return quantity_words(scale.brackets[0].value, unit)  # a flat amount
    known = (
        {(b.threshold, b.value) for b in reference.brackets}
        if reference is not None and reference.mode == scale.mode
        else set()
    )
    changed = [b for b in scale.brackets if (b.threshold, b.value) not in known]
    lines = [
        f"≥ {quantity_words(b.threshold, threshold_unit)}: {quantity_words(b.value, unit)}"
        for b in changed[:_MAX_TICK_LINES]
    ]
    if len(changed) > _MAX_TICK_LINES:
        lines.append(f"and {len(changed) - _MAX_TICK_LINES} more brackets")
    prefix = "" if scale.mode == "step" else "linear: "
    return prefix + "\n".join(lines)


def _relative_operand(change: Any) -> tuple[str, Decimal] | None:
    """The operation and operand of a relative change (see :mod:`secpa_model.analysis.relative`)."""
    for operation in OPERATIONS:
        if operation in change:
            try:
                return operation, Decimal(str(change[operation]))
            except ArithmeticError:
                return None
    return None


def _is_neutral(value: Any) -> bool:
    """Whether ``value`` is a relative change that leaves the base as it is (×1, +0 %, +0)."""
    found = _relative_operand(value) if is_relative(value) else None
    return found is not None and found[1] == (1 if found[0] == "factor" else 0)


def _factor(scale: Scale, reference: Scale) -> str | None:
    """``1.10`` when ``scale`` is ``reference`` with every value times one factor."""
    if scale.mode != reference.mode or len(scale.brackets) != len(reference.brackets):
        return None
    ratios = set()
    for mine, theirs in zip(scale.brackets, reference.brackets, strict=True):
        if mine.threshold != theirs.threshold:
            return None
        if theirs.value == 0:
            if mine.value != 0:
                return None
            continue
        ratios.add(mine.value / theirs.value)
    if len(ratios) != 1:
        return None
    ratio = ratios.pop()
    return f"{ratio:.2f}" if ratio == ratio.quantize(Decimal("0.01")) else f"{ratio:.4g}"


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plot_comparison(
    comparison: Comparison,
    *,
    title: str | None = None,
    period: PeriodLike | None = None,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Stacked bars of the portfolio's lines, baseline then each scenario, from zero, the
    difference written above each scenario's bar (docs/scenarios.md, Charts)."""
    resolved = _model_of(comparison.model, model)
    summary = comparison.summary
    figure, (axes,) = _figure(max(5.0, 1.6 * len(summary) + 2.0), 4.8)
    positions, bottom = _stacked(axes, summary, resolved)
    changes = summary[["difference_eur", "difference_pct"]].iloc[1:].itertuples(index=False)
    for position, top, (euros, pct) in zip(positions[1:], bottom[1:], changes, strict=True):
        said = f"{grouped(euros, 0, sign=True)} €\n({grouped(pct, 1, sign=True)} %)"
        axes.annotate(said, (position, top), ha="center", va="bottom", fontsize=8)
    axes.set_xticks(positions, summary["scenario"].astype(str), fontsize=8)
    _decorate(
        axes,
        title or f"Portfolio total: baseline and scenarios{_when(period)}",
        size="large",
        grouped="y",
        ylabel="k€ over the period (portfolio)",
        ylim=(0, bottom.max() * 1.15 if len(bottom) else 1),
    )
    note = _footnote(resolved, *comparison.parameters.values(), synthetic=synthetic)
    return _finish(figure, note, path, len(resolved.rules) + 1)


def plot_budget(
    by_period: pd.DataFrame | BudgetProjection,
    *,
    parameters: Parameters | Scenario | None = None,
    title: str | None = None,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Stacked bars of a :func:`project_budget` table (or a projection's ``by_period``), each
    period's envelope a red line across its bar (docs/scenarios.md, Charts)."""
    if isinstance(by_period, BudgetProjection):
        parameters, model = parameters or by_period.parameters, model or by_period.model
        by_period = by_period.by_period
    resolved = _model_of(by_period, model)
    params = parameters_for(resolved, parameters)
    figure, (axes,) = _figure(max(5.5, 1.5 * len(by_period) + 2.0), 4.8)
    positions, bottom = _stacked(axes, by_period, resolved, _EUROS_PER_THOUSAND)
    given: Iterable[Any] = by_period["envelope_eur"] if "envelope_eur" in by_period.columns else []
    levels = {
        int(position): float(envelope) / _EUROS_PER_THOUSAND / _EUROS_PER_THOUSAND
        for position, envelope in zip(positions, given, strict=False)
        if envelope is not None and not pd.isna(envelope)
    }
    if levels:  # one line across each bar, one legend entry
        starts = np.asarray(list(levels), dtype=np.float64)
        axes.hlines(
            list(levels.values()),
            starts - 0.45,
            starts + 0.45,
            colors=_ENVELOPE,
            linewidth=2,
            label="envelope",
        )
    for position, level in levels.items():
        axes.annotate(
            f"envelope {grouped(level, 1)} M€",
            (position, level),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=_ENVELOPE,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )
    highest = max([*bottom, *levels.values()], default=0.0)
    axes.set_xticks(positions, by_period["label"].astype(str), fontsize=8)
    if title is None:
        what = "Projected budget against the envelope" if levels else "Projected budget"
        dated = len(by_period) > 0 and {"start", "end"} <= set(by_period.columns)
        span = Period(min(by_period["start"]), max(by_period["end"])) if dated else None
        title = f"{what}\n{_when(span, '')}" if len(by_period) else what  # the dates it covers
    _decorate(
        axes,
        title,
        size="large",
        ylabel="M€ over each period",
        ylim=(0, highest * 1.12 if highest > 0 else 1.0),  # room for the labels
    )
    note = _footnote(resolved, params, synthetic=synthetic)
    if not levels:
        note = f"{note} No envelope is given for these periods.".strip()
    return _finish(figure, note, path, len(resolved.rules) + 2)


def plot_model_comparison(
    comparison: ModelComparison,
    *,
    model: str | None = None,
    title: str | None = None,
    period: str = "",
    synthetic: bool = False,
    path: str | Path | None = None,
    largest: int | None = LARGEST,
) -> Figure:
    """Who gains and who loses under ``model`` (default: the second) against the baseline of
    a :func:`~secpa_model.compare_models`, a bar per structure (docs/models.md)."""
    names = list(comparison.models)
    baseline = names[0]
    other = model or names[1]
    if other not in names[1:]:
        raise ValueError(f"model {other!r} is not one of the compared {names[1:]}")
    column = f"{other}_difference_cents"
    figure, axes, shown, others = _structures_figure(
        comparison.by_structure, column, largest, comparison.models[other], vertical=False
    )
    table = shown.sort_values(column, kind="stable")
    differences = _k_euros(table[column])
    positions = np.arange(len(table))
    colours = np.where(differences > 0, _GAIN, np.where(differences < 0, _LOSS, _SAME))
    axes.barh(positions, differences, color=colours)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(positions, table["structure_id"].astype(str), fontsize=7)
    axes.set_xlabel(f"difference {other} − {baseline}, k€ over the period", fontsize=8)
    record = comparison.summary.set_index("model").loc[other].to_dict()
    gains, loses, same = (int(record[column]) for column in OUTCOMES)
    counts = f"{gains} gain, {loses} lose, {same} unchanged"
    (difference,) = _k_euros([record["difference_cents"]])
    total = f"portfolio {grouped(difference, 1, sign=True)} k€"
    when = f", {period}" if period else ""
    if len(others):
        total += f"\nthe {len(table)} largest differences of {len(comparison.by_structure)}"
    title = title or f"{other} against {baseline}{when}\n{counts}; {total}"
    _decorate(axes, title, size=9, grid="x", grouped="x", ylim=(-0.6, len(table) - 0.4))
    for label, colour in (("gains", _GAIN), ("loses", _LOSS)):
        axes.bar(0, 0, color=colour, label=f"structure {label}")
    notes = [comparison.models[name].note for name in names if comparison.models[name].note]
    note = " ".join([assumption_note(*comparison.parameters.values(), synthetic=synthetic), *notes])
    return _finish(figure, note.strip(), path, 2)


def _parameter_figure(
    result: Sensitivity,
    table: pd.DataFrame | None,
    method: str,
    model: Model | str | None,
    ranges: bool,
) -> tuple[Figure, Axes, pd.DataFrame, Model]:
    """The figure of a bar per parameter of ``table``, the largest on top (a clear error
    without the table, asked by ``method``): a row per parameter, tall enough for its label
    (its parameter in words, then its range when ``ranges`` else its unit, its path in small
    under), with room for the title, the axis and the footnote."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    if table is None:
        raise ValueError(f"this sensitivity has no {method}")
    table = table.iloc[::-1]
    paths = list(table["path"])
    words = []
    for path in paths:
        declared = result.parameters.parameters.get(path)
        said = parameter_words(declared.description if declared else "", path)
        words.append(textwrap.wrap(said, _LABEL_CHARS))
    lines = max((len(wrapped) + 2 for wrapped in words), default=1)
    height = 1.6 + max(_PARAMETER_INCHES, _LABEL_LINE_INCHES * lines) * len(paths)
    figure, (axes,) = _figure(9.0, height)
    axes.set_yticks(range(len(paths)), [""] * len(paths))
    axes.set_ylim(-0.6, len(paths) - 0.4)
    beside = blended_transform_factory(axes.transAxes, axes.transData)
    above, under = (
        beside + ScaledTranslation(-6 / 72, points / 72, figure.dpi_scale_trans)
        for points in (1, -1)
    )
    rows = table.to_dict("records")
    small: dict[str, Any] = {"fontsize": 5.5, "color": _PATH, "family": "monospace"}
    for position, (path, wrapped, row) in enumerate(zip(paths, words, rows, strict=True)):
        unit = str(row["unit"])
        detail = _range(row["low"], row["high"], unit) if ranges else f"({unit_words(unit)})"
        text = "\n".join(line for line in [*wrapped, detail] if line)
        axes.text(0, position, text, transform=above, ha="right", va="bottom", fontsize=7)
        axes.text(0, position, path, transform=under, ha="right", va="top", **small)
    return figure, axes, table, _model_of(result.model, model)


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
    figure, axes, table, resolved = _parameter_figure(
        result, result.tornado, "one-at-a-time results (method 'oat' or 'both')", model, ranges=True
    )
    base = result.base_cents / _CENTS_PER_MILLION
    positions = np.arange(len(table))
    for end, colour in (("low", _COLOURS[0]), ("high", _COLOURS[1])):
        output = table[f"output_{end}_cents"].to_numpy(dtype=np.float64) / _CENTS_PER_MILLION
        axes.barh(
            positions, output - base, left=base, color=colour, label=f"value at the {end} end"
        )
    axes.axvline(base, color="black", linewidth=1)
    if title is None:
        title = f"What moves the budget under {resolved.name}:\n"
        title += "each assumption at the ends of its range"
    xlabel = f"{result.output.label} (M€; base {grouped(base, 2)} M€)"
    _decorate(axes, title, grid="x", xlabel=xlabel)
    note = _footnote(resolved, result.parameters, synthetic=synthetic)
    return _finish(figure, f"Output: {result.output.label}, in M€. {note}", path, 2)


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
    figure, axes, table, resolved = _parameter_figure(
        result, result.sobol, "Sobol indices (method 'sobol' or 'both')", model, ranges=False
    )
    positions = np.arange(len(table))
    width = 0.38
    for offset, index, colour, label in (
        (width / 2, "S1", _COLOURS[0], "first order S1 (alone)"),
        (-width / 2, "ST", _SAME, "total ST (with interactions)"),
    ):
        y, errors = positions + offset, table[f"{index}_conf"]
        axes.barh(y, table[index], width, xerr=errors, color=colour, capsize=3, label=label)
    if title is None:
        title = f"Share of the budget's variance under {resolved.name}\n"
        title += "due to each assumption (Sobol indices)"
    highest = max(1.0, float((table["ST"] + table["ST_conf"]).max()) * 1.05)
    _decorate(axes, title, grid="x", xlabel="share of variance", xlim=(0, highest))
    level = f"{result.samples} Saltelli samples, {result.sobol_evaluations} model runs"
    note = _footnote(resolved, result.parameters, synthetic=synthetic)
    return _finish(figure, f"Output: {result.output.label}, in M€. {level}. {note}", path, 2)


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

    figure, (axes,) = _figure(9.0, 4.8)
    for low, high, alpha in ((5, 95, 0.18), (25, 75, 0.35)):
        band = millions(f"p{low}_eur"), millions(f"p{high}_eur")
        axes.fill_between(years, *band, color=_COLOURS[0], alpha=alpha, label=f"{low}-{high} %")
    axes.plot(
        years, millions("p50_eur"), color=_COLOURS[0], linewidth=2, marker="o", label="median"
    )
    axes.plot(
        years,
        millions("total_eur"),
        color="black",
        linestyle="--",
        linewidth=1,
        label="point (reference values)",
    )
    for year, count, top in zip(years, table["structures_open"], millions("p95_eur"), strict=True):
        axes.annotate(f"{count} open", (year, top), ha="center", va="bottom", fontsize=7)
    axes.set_xticks(years, [str(y) for y in years])
    top = float(millions("p95_eur").max()) * 1.12
    _decorate(axes, title, ylabel="M€ a year", ylim=(0, top))
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
