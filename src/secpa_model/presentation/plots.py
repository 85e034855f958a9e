"""Charts for economists (optional extra ``plot``: ``pip install 'secpa-model[plot]'``).

matplotlib is imported lazily, only when a chart is drawn, and always with the
non-interactive Agg canvas (no display needed). Each function returns the
:class:`matplotlib.figure.Figure` and, given ``path``, saves it as a PNG. Every chart carries
a footnote saying which amounts rest on assumptions (values that are not published) or on
scenario overrides, and that the structures are synthetic when they are.

Labels are drawn literally: the texts taken from data or parameters (structure ids on the
ticks, scenario and model names, titles, legends, annotations and the footnote) are drawn
with mathtext off (``Text.set_parse_math(False)``), so that ``$x^2$`` in an id shows as
``$x^2$`` and never fails to parse.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from secpa_model.analysis.comparison import Comparison
from secpa_model.analysis.model_comparison import OUTCOMES, ModelComparison
from secpa_model.analysis.scenarios import Scenario
from secpa_model.engine.parameters import parameters_for
from secpa_model.engine.trace import count_words
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.models import resolve_model

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure
    from matplotlib.text import Text

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
_GAIN: Final = "#59a14f"
_LOSS: Final = "#e15759"
_SAME: Final = "#bab0ac"
_CENTS_PER_EURO: Final = 100  # a unit conversion, not a parameter of the model
_EUROS_PER_THOUSAND: Final = 1000  # axis in k€ (a display unit)
_NOTE_CHARS_PER_INCH: Final = 17  # wrapping of the 7-point footnote
_NOTE_LINE_INCHES: Final = 0.13
_WIDE_INCHES: Final = 9.0  # wide enough for the legend on one row


def _figure(width: float, height: float) -> Figure:
    """A new Figure on the Agg canvas; a clear ImportError without the ``plot`` extra."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(EXTRA_HINT) from exc
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _literal(*texts: Text) -> None:
    """``texts`` drawn literally: mathtext off, so that ``$`` is a dollar sign."""
    for text in texts:
        text.set_parse_math(False)


def assumption_note(*parameter_sets: Parameters | Scenario, synthetic: bool = False) -> str:
    """The footnote of a chart: which parameters are assumptions or scenario overrides (a
    :class:`~secpa_model.Scenario` counts as the parameters it gives)."""
    assumed: set[str] = set()
    overridden: set[str] = set()
    for given in parameter_sets:
        params = given.apply() if isinstance(given, Scenario) else given
        for path, parameter in params.parameters.items():
            statuses = {value.status for value in parameter.values}
            if "assumption" in statuses:
                assumed.add(path)
            if "scenario" in statuses:
                overridden.add(path)
    parts = []
    if assumed:
        parts.append(
            f"ASSUMPTION-BASED amounts: {len(assumed)} of the parameters used are "
            "secpa-model assumptions, not published values (docs/parameters.md)"
        )
    if overridden:
        parts.append("scenario overrides: " + ", ".join(sorted(overridden)))
    if synthetic:
        parts.append("SYNTHETIC structures (invented figures)")
    return ". ".join(parts) + "." if parts else ""


def _lines(model: Model) -> list[tuple[str, str, str]]:
    """(key, label, colour) of each line of ``model``, colours cycling past eight lines."""
    return [
        (rule.key, rule.label, _COLOURS[number % len(_COLOURS)])
        for number, rule in enumerate(model.rules)
    ]


def _with_model_note(note: str, model: Model) -> str:
    """A chart's footnote followed by the model's note (a proposal says so on its charts)."""
    return f"{note} {model.note}".strip() if model.note else note


def _finish(figure: Figure, note: str, path: str | Path | None, entries: int = 5) -> Figure:
    width, height = figure.get_size_inches()
    columns = entries if width >= _WIDE_INCHES else 2
    legend = figure.legend(loc="outside upper center", ncols=columns, fontsize=7, frameon=False)
    _literal(*legend.get_texts())
    if note:
        lines = textwrap.wrap(note, width=int(width * _NOTE_CHARS_PER_INCH))
        _literal(figure.text(0.01, 0.01, "\n".join(lines), fontsize=7, ha="left", va="bottom"))
        bottom = (len(lines) * _NOTE_LINE_INCHES + 0.1) / height
        figure.set_layout_engine("constrained", rect=(0, bottom, 1, 1 - bottom))
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(Path(path), dpi=110, format="png")
    return figure


def _k_euros(cents: Iterable[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Cents to k€ as floats, for drawing only (never summed)."""
    return np.asarray(
        [int(c) / _CENTS_PER_EURO / _EUROS_PER_THOUSAND for c in cents], dtype=np.float64
    )


def plot_allocations(
    allocations: pd.DataFrame,
    *,
    parameters: Parameters | Scenario | None = None,
    title: str | None = None,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Stacked bars of the model's lines for each structure of an ``allocate_frame`` result.

    ``parameters``: the set used (for the assumptions footnote; default: the model's
    reference values). ``synthetic``: say in the footnote that the structures are invented.
    """
    resolved = resolve_model(model)
    params = parameters_for(resolved, parameters)
    lines = _lines(resolved)
    figure = _figure(max(6.0, 0.35 * len(allocations) + 2.5), 4.8)
    axes = figure.add_subplot()
    positions = np.arange(len(allocations))
    bottom = np.zeros(len(allocations))
    for key, label, colour in lines:
        heights = _k_euros(allocations[f"{key}_cents"])
        axes.bar(positions, heights, bottom=bottom, label=label, color=colour)
        bottom += heights
    ids = allocations[resolved.id_input].astype(str)
    axes.set_xticks(positions, ids, rotation=70, fontsize=7)
    _literal(*axes.get_xticklabels())
    axes.set_ylabel("k€ over the period")
    words = count_words(len(lines))
    _literal(axes.set_title(title or f"Allocation per structure, {words} fungible dotations"))
    axes.grid(axis="y", alpha=0.3)
    note = _with_model_note(assumption_note(params, synthetic=synthetic), resolved)
    return _finish(figure, note, path, len(lines) + 1)


def plot_sweep(
    table: pd.DataFrame,
    *,
    parameter: str | None = None,
    parameters: Parameters | Scenario | None = None,
    title: str | None = None,
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """The portfolio total (and each line) against the swept value, from :func:`sweep`.

    Numeric values are drawn on a numeric axis; other values (scales) by position.
    """
    resolved = resolve_model(model)
    params = parameters_for(resolved, parameters)
    name = parameter or str(table.attrs.get("path", "value"))
    numeric = pd.to_numeric(table["value"].map(_as_number), errors="coerce")
    x = numeric.to_numpy(dtype=np.float64) if numeric.notna().all() else np.arange(len(table))
    figure = _figure(7.0, 4.5)
    axes = figure.add_subplot()
    axes.plot(x, _k_euros(table["total_cents"]), marker="o", color="black", label="Total")
    for key, label, colour in _lines(resolved):
        axes.plot(x, _k_euros(table[f"{key}_cents"]), marker=".", color=colour, label=label)
    if not numeric.notna().all():
        labels = [str(v)[:20] for v in table["value"]]
        axes.set_xticks(x, labels, rotation=30, fontsize=7)
        _literal(*axes.get_xticklabels())
    _literal(axes.set_xlabel(name))
    axes.set_ylabel("k€ over the period (portfolio)")
    _literal(axes.set_title(title or f"Sweep of {name}"))
    axes.grid(alpha=0.3)
    note = _with_model_note(assumption_note(params, synthetic=synthetic), resolved)
    note += f" The swept parameter {name} takes scenario values."
    return _finish(figure, note.strip(), path, len(resolved.rules) + 1)


def _as_number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def plot_comparison(
    comparison: Comparison,
    *,
    title: str = "Portfolio total: baseline and scenarios",
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Stacked bars of the portfolio's lines, baseline first then each scenario, with the
    difference to the baseline written above each scenario's bar."""
    resolved = resolve_model(model)
    summary = comparison.summary
    figure = _figure(max(5.0, 1.6 * len(summary) + 2.0), 4.8)
    axes = figure.add_subplot()
    positions = np.arange(len(summary))
    bottom = np.zeros(len(summary))
    for key, label, colour in _lines(resolved):
        heights = _k_euros(summary[f"{key}_cents"])
        axes.bar(positions, heights, bottom=bottom, label=label, color=colour)
        bottom += heights
    for position, top, difference, pct in zip(
        positions[1:],
        bottom[1:],
        summary["difference_eur"].iloc[1:],
        summary["difference_pct"].iloc[1:],
        strict=True,
    ):
        annotation = axes.annotate(
            f"{difference:+,.0f} €\n({pct:+.1f} %)",
            (position, top),
            ha="center",
            va="bottom",
            fontsize=8,
        )
        _literal(annotation)
    axes.set_xticks(positions, summary["scenario"].astype(str), fontsize=8)
    _literal(*axes.get_xticklabels())
    axes.set_ylabel("k€ over the period (portfolio)")
    axes.set_ylim(0, bottom.max() * 1.15 if len(bottom) else 1)
    _literal(axes.set_title(title))
    axes.grid(axis="y", alpha=0.3)
    note = assumption_note(*comparison.parameters.values(), synthetic=synthetic)
    return _finish(figure, _with_model_note(note, resolved), path, len(resolved.rules) + 1)


def plot_budget(
    by_period: pd.DataFrame,
    *,
    parameters: Parameters | Scenario | None = None,
    title: str = "Projected budget against the envelope",
    synthetic: bool = False,
    path: str | Path | None = None,
    model: Model | str | None = None,
) -> Figure:
    """Bars of a projection's totals (``by_period`` or ``by_year`` of
    :func:`project_budget`), stacked by line, with each period's envelope as a tick mark."""
    resolved = resolve_model(model)
    params = parameters_for(resolved, parameters)
    figure = _figure(max(5.5, 1.5 * len(by_period) + 2.0), 4.8)
    axes = figure.add_subplot()
    positions = np.arange(len(by_period))
    bottom = np.zeros(len(by_period))
    for key, label, colour in _lines(resolved):
        heights = _k_euros(by_period[f"{key}_cents"]) / _EUROS_PER_THOUSAND
        axes.bar(positions, heights, bottom=bottom, label=label, color=colour)
        bottom += heights
    if "envelope_eur" in by_period.columns:
        for position, envelope in zip(positions, by_period["envelope_eur"], strict=True):
            if envelope is None or pd.isna(envelope):
                continue
            level = float(envelope) / _EUROS_PER_THOUSAND / _EUROS_PER_THOUSAND
            axes.hlines(level, position - 0.45, position + 0.45, colors="red", linewidth=2)
            annotation = axes.annotate(
                f"envelope {level:,.1f} M€",
                (position, level),
                ha="center",
                va="bottom",
                fontsize=8,
                color="red",
            )
            _literal(annotation)
    axes.set_xticks(positions, by_period["label"].astype(str), fontsize=8)
    _literal(*axes.get_xticklabels())
    axes.set_ylabel("M€")
    _literal(axes.set_title(title))
    axes.grid(axis="y", alpha=0.3)
    return _finish(
        figure,
        _with_model_note(assumption_note(params, synthetic=synthetic), resolved),
        path,
        len(resolved.rules) + 1,
    )


def plot_model_comparison(
    comparison: ModelComparison,
    *,
    model: str | None = None,
    title: str | None = None,
    period: str = "",
    synthetic: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """Who gains and who loses under ``model`` (default: the second model compared) against
    the baseline of a :func:`~secpa_model.compare_models`: one horizontal bar per
    structure, its difference in k€ over the period (gains to the right, losses to the
    left), sorted, with the counts and the portfolio difference in the title."""
    names = list(comparison.models)
    baseline = names[0]
    other = model or names[1]
    if other not in names[1:]:
        raise ValueError(f"model {other!r} is not one of the compared {names[1:]}")
    table = comparison.by_structure.sort_values(f"{other}_difference_cents")
    differences = _k_euros(table[f"{other}_difference_cents"])
    figure = _figure(7.5, max(3.5, 0.22 * len(table) + 1.8))
    axes = figure.add_subplot()
    positions = np.arange(len(table))
    colours = np.where(differences > 0, _GAIN, np.where(differences < 0, _LOSS, _SAME))
    axes.barh(positions, differences, color=colours)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(positions, table["structure_id"].astype(str), fontsize=7)
    _literal(*axes.get_yticklabels())
    _literal(axes.set_xlabel(f"difference {other} − {baseline}, k€ over the period"))
    record = comparison.summary.set_index("model").loc[other].to_dict()
    gains, loses, same = (int(record[column]) for column in OUTCOMES)
    counts = f"{gains} gain, {loses} lose, {same} unchanged"
    cents = int(record["difference_cents"])
    difference = cents / _CENTS_PER_EURO / _EUROS_PER_THOUSAND
    total = f"portfolio {difference:+,.1f} k€"
    when = f", {period}" if period else ""
    _literal(
        axes.set_title(title or f"{other} against {baseline}{when}: {counts}; {total}", fontsize=9)
    )
    axes.grid(axis="x", alpha=0.3)
    for label, colour in (("gains", _GAIN), ("loses", _LOSS)):
        axes.bar(0, 0, color=colour, label=f"structure {label}")
    notes = [comparison.models[name].note for name in names if comparison.models[name].note]
    note = " ".join([assumption_note(*comparison.parameters.values(), synthetic=synthetic), *notes])
    return _finish(figure, note.strip(), path, 2)
