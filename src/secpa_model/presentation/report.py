"""The HTML report of a portfolio: one self-contained page (``secpa-model report``).

The page holds the portfolio totals, the ASSUMPTIONS the amounts rest on, one table per
structure (the four lines, the fungible total, eligibility and reasons), the comparison with
scenarios when some are given, and the charts of :mod:`secpa_model.presentation.plots` embedded as
base64 PNG (``data:`` URIs). The CSS is inline and nothing is fetched from elsewhere, so the
file can be mailed or archived on its own. Charts need the optional extra ``plot``
(matplotlib); without it the page says so and names the extra. Every text taken from the
input or the parameters is escaped.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import pandas as pd

from secpa_model.analysis.comparison import Comparison, compare
from secpa_model.analysis.scenarios import Scenario, as_parameters
from secpa_model.core.money import cents_to_euros, exact_sum, format_euros
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.trace import count_words
from secpa_model.io.frames import YEAR_COLUMN, allocate_reported
from secpa_model.io.output import atomic_path
from secpa_model.model.model import Model
from secpa_model.model.parameters import DatedValue, Parameter, Parameters, Scale
from secpa_model.models import resolve_model

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

__all__ = [
    "CHART_EXTRA",
    "MAX_CHART_STRUCTURES",
    "assumed_values",
    "build_report",
    "write_report",
]

CHART_EXTRA: Final = "plot"
"""The optional extra the charts need (matplotlib)."""
MAX_CHART_STRUCTURES: Final = 60
"""The bar chart draws at most this many structures (the largest totals); tables list all."""

_TRUE_WORDS: Final = ("true", "1", "yes", "oui", "vrai")
_CSS: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.amount { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; }
.assumption { color: #a33; font-weight: bold; }
.warning { background: #fff4e5; border-left: 4px solid #f28e2b; padding: 0.5em 1em; }
.meta { color: #555; }
section.structure { display: inline-block; vertical-align: top; margin-right: 1.5em; }
section.structure h3 { margin-bottom: 0.2em; font-size: 1em; }
img { max-width: 100%; }
"""


def build_report(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Parameters | Scenario | None = None,
    scenarios: Sequence[Scenario] = (),
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    title: str = "SECPA allocations",
    source: str = "",
    charts: bool = True,
    errors: Literal["raise", "report"] = "raise",
) -> str:
    """The HTML page (a string) of the allocations of ``frame`` over ``period``.

    ``model``: the model computed (default: the experimentation), its lines shown;
    ``parameters``: the set used (default: the model's reference values); each of
    ``scenarios`` is compared with it (a table and a chart). ``source`` names the input
    (e.g. the file) in the page. ``charts=False`` leaves the charts out. Invalid input
    raises :class:`~secpa_model.InputError`, as
    :func:`~secpa_model.allocate_frame` does; with ``errors="report"`` the page is made of
    the valid rows and says which rows were left out, and why.
    """
    resolved = resolve_model(model)
    params = (
        as_parameters(parameters, resolved)
        if parameters is not None
        else resolved.reference_parameters()
    )
    span = Period.parse(period) if period is not None else None
    reported = allocate_reported(
        frame, span, params, model=resolved, allow_duplicates=allow_duplicates, errors=errors
    )
    result = reported.allocations
    comparison = (
        compare(
            frame,
            span,
            params,
            *scenarios,
            model=resolved,
            allow_duplicates=allow_duplicates,
            errors=errors,
        )
        if scenarios
        else None
    )
    synthetic = all_synthetic(frame)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        _meta(source, span, params, resolved),
    ]
    if synthetic:
        parts.append(
            '<p class="warning">The structures are SYNTHETIC: invented figures, no real '
            "structure is described.</p>"
        )
    parts += _left_out(reported.errors)
    rows_are = "structure-years" if YEAR_COLUMN in frame.columns else "structures"
    parts += _totals(resolved, result, rows_are)
    parts += _assumptions(params, span)
    if comparison is not None:
        parts += _scenarios(comparison)
    if charts:
        parts += _charts(resolved, result, params, comparison, synthetic)
    years = frame.loc[result.index, YEAR_COLUMN] if YEAR_COLUMN in frame.columns else None
    parts += _structures(resolved, result, years)
    parts += [_reading_note(resolved), "</body>", "</html>", ""]
    return "\n".join(parts)


def write_report(
    path: str | Path,
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Parameters | Scenario | None = None,
    scenarios: Sequence[Scenario] = (),
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    title: str = "SECPA allocations",
    source: str = "",
    charts: bool = True,
    errors: Literal["raise", "report"] = "raise",
) -> Path:
    """Write :func:`build_report` (same arguments after ``path``) to ``path`` (UTF-8).

    Written whole or not at all (:func:`~secpa_model.io.output.atomic_path`): a failure
    leaves a previous ``path`` as it was and no temporary file. Returns the path written.
    """
    file = Path(path)
    page = build_report(
        frame,
        period,
        parameters,
        scenarios,
        model=model,
        allow_duplicates=allow_duplicates,
        title=title,
        source=source,
        charts=charts,
        errors=errors,
    )
    with atomic_path(file) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return file


def all_synthetic(frame: pd.DataFrame) -> bool:
    """Whether every row says it is synthetic (a ``synthetic`` column, bools or text)."""
    if "synthetic" not in frame.columns or frame.empty:
        return False
    words = frame["synthetic"].map(lambda value: str(value).strip().lower())
    return bool(words.isin(_TRUE_WORDS).all())


def _euros(cents: int) -> str:
    return format_euros(cents_to_euros(int(cents)))


def _meta(source: str, span: Period | None, params: Parameters, model: Model) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("secpa-model")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        release = "(not installed)"
    what = f"Input: {source}. " if source else ""
    when = f"Period: {span} (both days included)" if span else "Period: each row's year"
    origin = f" ({params.origin})" if params.origin else ""
    return (
        f'<p class="meta">{escape(what)}{escape(when)}. Model: {escape(repr(model.name))}. '
        f"Parameters: {escape(repr(params.name))}{escape(origin)}. Generated by secpa-model "
        f"{escape(release)} on {date.today().isoformat()}. Amounts in euros, each line "
        f"rounded once, {escape(model.rounding.phrase)}; totals are sums of those cents.</p>"
        + (f'<p class="warning">{escape(model.note)}</p>' if model.note else "")
    )


def _totals(model: Model, result: pd.DataFrame, rows_are: str) -> list[str]:
    rows = [
        f"<tr><td>{escape(rule.label)}</td><td>{escape(rule.key)}</td>"
        f'<td class="amount">{escape(_euros(exact_sum(result[f"{rule.key}_cents"])))}</td></tr>'
        for rule in model.rules
    ]
    total = exact_sum(result["total_cents"])
    eligible = int(result["eligible"].sum())
    return [
        '<h2 id="totals">Totals</h2>',
        f"<p>{len(result)} {rows_are}, {eligible} eligible, {len(result) - eligible} not "
        "eligible.</p>",
        '<table class="totals">',
        "<thead><tr><th>line</th><th>key</th><th>amount</th></tr></thead>",
        "<tbody>",
        *rows,
        f'<tr class="total"><td>Total (fungible)</td><td>total</td>'
        f'<td class="amount">{escape(_euros(total))}</td></tr>',
        "</tbody>",
        "</table>",
    ]


def assumed_values(params: Parameters, span: Period | None) -> list[tuple[Parameter, DatedValue]]:
    """Every value of status ``assumption`` in force on some day of ``span`` (any day when
    ``span`` is None), by parameter path then date (:meth:`Parameters.assumed_values`)."""
    return params.assumed_values(span)


def _assumptions(params: Parameters, span: Period | None) -> list[str]:
    rows = []
    for parameter, dated in assumed_values(params, span):
        if isinstance(dated.value, Scale):
            value = dated.value.describe(parameter.unit, parameter.threshold_unit or "")
        else:
            value = f"{dated.value} {parameter.unit}"
        rows.append(
            '<tr><td class="assumption">ASSUMPTION</td>'
            f"<td><code>{escape(parameter.path)}</code></td><td>{escape(value)}</td>"
            f"<td>{dated.effective_from.isoformat()}</td>"
            f"<td>{escape(dated.rationale or '')}</td><td>{escape(str(dated.source))}</td></tr>"
        )
    intro = (
        f"<p>{len(rows)} parameter values used over the period are ASSUMPTIONS of secpa-model, "
        "not published values: the amounts that depend on them are assumption-based. "
        "Replace them with official values (<code>--parameters FILE</code>; see "
        "docs/official-values.md).</p>"
        if rows
        else "<p>No value used over the period is an assumption.</p>"
    )
    parts = ['<h2 id="assumptions">Assumptions used</h2>', intro]
    if rows:
        parts += [
            '<table class="assumptions">',
            "<thead><tr><th>status</th><th>parameter</th><th>value</th><th>from</th>"
            "<th>rationale</th><th>source</th></tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
        ]
    return parts


def _scenarios(comparison: Comparison) -> list[str]:
    rows = []
    for record in comparison.summary.to_dict("records"):
        pct = record["difference_pct"]
        rows.append(
            f"<tr><td>{escape(str(record['scenario']))}</td>"
            f'<td class="amount">{escape(_euros(record["total_cents"]))}</td>'
            f'<td class="amount">{escape(_euros(record["difference_cents"]))}</td>'
            f'<td class="amount">{"" if pd.isna(pct) else f"{pct:+.2f} %"}</td>'
            f'<td class="amount">{int(record["eligible_structures"])}</td>'
            f'<td class="amount">{int(record["structures_changed"])}</td></tr>'
        )
    overridden = sorted(
        {
            path
            for params in comparison.parameters.values()
            for path, parameter in params.parameters.items()
            if any(value.status == "scenario" for value in parameter.values)
        }
    )
    return [
        '<h2 id="scenarios">Baseline and scenarios</h2>',
        "<p>The first row is the baseline; each scenario overrides some parameters "
        f"({escape(', '.join(overridden) or 'none')}).</p>",
        '<table class="scenarios">',
        "<thead><tr><th>scenario</th><th>total</th><th>difference to the baseline</th>"
        "<th>difference (%)</th><th>eligible structures</th><th>structures changed</th>"
        "</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
    ]


def _charts(
    model: Model,
    result: pd.DataFrame,
    params: Parameters,
    comparison: Comparison | None,
    synthetic: bool,
) -> list[str]:
    parts = ['<h2 id="charts">Charts</h2>']
    try:
        from secpa_model.presentation.plots import plot_allocations, plot_comparison

        shown = result
        caption = f"The {count_words(len(model.rules))} lines of each structure, stacked."
        if len(result) > MAX_CHART_STRUCTURES:
            shown = result.sort_values("total_cents", ascending=False).head(MAX_CHART_STRUCTURES)
            caption += (
                f" The {MAX_CHART_STRUCTURES} largest totals of {len(result)} structures; "
                "the tables below list them all."
            )
        images = [
            (
                plot_allocations(shown, parameters=params, synthetic=synthetic, model=model),
                caption,
            ),
        ]
        if comparison is not None:
            figure = plot_comparison(comparison, synthetic=synthetic, model=model)
            images.append((figure, "Portfolio totals: baseline and each scenario."))
        rendered = [(_data_uri(figure), text) for figure, text in images]
    except ImportError:
        parts.append(
            f'<p class="warning">Charts unavailable: they need matplotlib, the optional extra '
            f"'{CHART_EXTRA}' (pip install 'secpa-model[{CHART_EXTRA}]').</p>"
        )
        return parts
    for uri, text in rendered:
        parts.append(
            f'<figure><img src="{uri}" alt="{escape(text)}">'
            f"<figcaption>{escape(text)}</figcaption></figure>"
        )
    return parts


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _structures(model: Model, result: pd.DataFrame, years: pd.Series | None) -> list[str]:
    """One table per row of ``result`` (per structure, or per structure and year)."""
    parts = ['<h2 id="structures">Structures</h2>']
    conditions = {condition.code: condition for condition in model.all_conditions}
    year_of = [None] * len(result) if years is None else [str(year) for year in years]
    for number, (record, year) in enumerate(zip(result.to_dict("records"), year_of, strict=True)):
        structure = str(record[model.id_input])
        heading = structure if year is None else f"{structure}, {year}"
        year_attribute = "" if year is None else f' data-year="{escape(year)}"'
        if record["eligible"]:
            status = "<p>Eligible.</p>"
        else:
            codes = [code for code in str(record["reasons"]).split(";") if code]
            reasons = "".join(
                f"<li><code>{escape(code)}</code>: {escape(conditions[code].text_en)}</li>"
                if code in conditions
                else f"<li><code>{escape(code)}</code></li>"
                for code in codes
            )
            status = f"<p>NOT eligible:</p><ul>{reasons}</ul>"
        rows = [
            f"<tr><td>{escape(rule.label)}</td>"
            f'<td class="amount">{escape(_euros(record[f"{rule.key}_cents"]))}</td></tr>'
            for rule in model.rules
        ]
        parts += [
            f'<section class="structure" id="structure-{number}">',
            f"<h3>{escape(heading)}</h3>",
            status,
            f'<table class="structure" data-structure="{escape(structure)}"{year_attribute}>',
            "<thead><tr><th>line</th><th>amount</th></tr></thead>",
            "<tbody>",
            *rows,
            f'<tr class="total"><td>Total (fungible)</td>'
            f'<td class="amount">{escape(_euros(record["total_cents"]))}</td></tr>',
            "</tbody>",
            "</table>",
            "</section>",
        ]
    return parts


def _reading_note(model: Model) -> str:
    lines = count_words(len(model.rules))
    return (
        '<footer><h2 id="reading">Reading this report</h2><p>Each structure receives '
        f"{escape(lines)} fungible dotations; the structure may spend the total across them. "
        "A line is "
        "computed over each piece of the period (cut at 1 January, at parameter changes and "
        "at entry and exit), prorated by its days over its year's days, and rounded once. "
        "Amounts marked as resting on ASSUMPTIONS change when the official values are loaded. "
        "For the computation of one structure, line by line: "
        "<code>secpa-model allocate --explain</code>.</p></footer>"
    )


def _left_out(problems: pd.DataFrame) -> list[str]:
    """A warning listing the input rows left out as invalid (``errors="report"``), one line
    per problem: row, field, value and message; nothing when there are none."""
    if problems.empty:
        return []
    rows = problems["row"].nunique()
    items = "".join(
        f"<li>row {escape(str(record['row']))}: <code>{escape(str(record['field']))}</code> = "
        f"{escape(str(record['value']))}: {escape(str(record['message']))}</li>"
        for record in problems.to_dict("records")
    )
    return [
        f'<div class="warning" id="left-out"><p>{rows} invalid input '
        f"row{'s' if rows > 1 else ''} left out of every table, total and chart "
        f"({len(problems)} problem{'s' if len(problems) > 1 else ''}):</p><ul>{items}</ul></div>"
    ]
