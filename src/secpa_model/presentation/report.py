"""The HTML report of a portfolio: one self-contained page (``secpa-model report``), its
sections, CSS and script described in docs/cli.md, section Reading a report."""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypedDict, Unpack

import pandas as pd

from secpa_model.analysis.comparison import Comparison, compare
from secpa_model.analysis.scenarios import Scenario, as_parameters
from secpa_model.core.money import cents_to_euros, exact_sum, format_euros
from secpa_model.core.periods import Period, PeriodLike

# html.escape, bidirectional controls made visible: no text shown reversed
from secpa_model.core.safe_text import html_escape as escape
from secpa_model.engine.trace import Citations, count_words
from secpa_model.io.frames import YEAR_COLUMN
from secpa_model.io.output import atomic_path
from secpa_model.io.portfolio import Portfolio, as_portfolio
from secpa_model.model.inputs import Input
from secpa_model.model.model import Model
from secpa_model.model.parameters import DatedValue, Parameter, Parameters, Scale
from secpa_model.presentation.plots import LARGEST
from secpa_model.presentation.report_text import (
    LANGUAGES,
    Language,
    parameter_words,
    quantity_words,
    unit_words,
    words,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

__all__ = [
    "CHART_EXTRA",
    "LANGUAGES",
    "MAX_CHART_STRUCTURES",
    "assumed_values",
    "build_report",
    "write_report",
]

CHART_EXTRA: Final = "plot"
"""The optional extra the charts need (matplotlib)."""
MAX_CHART_STRUCTURES: Final = LARGEST
"""The bar chart draws at most this many structures (the largest totals) and sums the others
in one bar; the table lists all."""
_TRUE_WORDS: Final = ("true", "1", "yes", "oui", "vrai")
_WHOLE_NUMBER: Final = re.compile(r"-?\d{1,15}(\.0*)?")
_SECTION: Final = re.compile(r'<h2 id="([^"]+)">([^<]*)</h2>')


def _asset(name: str) -> str:
    """A text file of this package: the page's CSS (``report.css``) or script (``report.js``)."""
    return resources.files("secpa_model.presentation").joinpath(name).read_text(encoding="utf-8")


def build_report(
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike | None,
    parameters: Parameters | Scenario | None = None,
    scenarios: Sequence[Scenario] = (),
    *,
    title: str | None = None,
    source: str = "",
    charts: bool = True,
    language: Language = "en",
) -> str:
    """The HTML page (a string) of the allocations of ``structures`` over ``period``, each of
    ``scenarios`` compared with ``parameters`` (docs/cli.md, section report)."""
    text = words(language)
    checked = as_portfolio(structures)
    resolved = checked.model
    params = as_parameters(parameters, resolved)
    span = Period.parse(period) if period is not None else None
    names = [name for name in checked.kept if name != YEAR_COLUMN]
    result = checked.allocate(span, params)
    frame = checked.frame
    comparison = compare(checked, span, params, *scenarios) if scenarios else None
    synthetic = all_synthetic(frame)
    heading = title if title is not None else text["title"]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{language}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)}</title>",
        f"<style>\n{_asset('report.css')}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(heading)}</h1>",
        *_meta(text, language, source, span, params, resolved),
    ]
    if synthetic:
        parts.append(f'<p class="warning">{escape(text["synthetic"])}</p>')
    parts += _left_out(text, checked.problems)
    sources = Citations()
    # the sections in the page's order, each an <h2 id=...> listed in the contents; the
    # structures' table last, so that the totals, scenarios and charts open the page
    sections = [
        _totals(text, language, resolved, result),
        _scenarios(text, comparison) if comparison is not None else [],
        _charts(text, resolved, result, params, comparison, synthetic, span) if charts else [],
        _assumptions(text, language, params, span, sources),
        _sources(text, sources),
        _lines_table(text, language, resolved),
        [
            f'<h2 id="reading">{escape(text["reading"])}</h2>',
            f"<p>{escape(text['reading_text'])}</p>",
        ],
        _portfolio(text, language, resolved, frame, result, names),
    ]
    parts += _contents(text, [line for section in sections for line in section])
    parts += [line for section in sections for line in section]
    parts += [
        f"<script>\n{_asset('report.js')}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


class ReportOptions(TypedDict, total=False):
    """The keyword options of :func:`build_report`, which :func:`write_report` passes on."""

    title: str | None
    source: str
    charts: bool
    language: Language


def write_report(
    path: str | Path,
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike | None,
    parameters: Parameters | Scenario | None = None,
    scenarios: Sequence[Scenario] = (),
    **options: Unpack[ReportOptions],
) -> Path:
    """Write :func:`build_report` (same arguments after ``path``) to ``path`` (UTF-8).

    Written whole or not at all (:func:`~secpa_model.io.output.atomic_path`): a failure
    leaves a previous ``path`` as it was and no temporary file. Returns the path written.
    """
    file = Path(path)
    page = build_report(structures, period, parameters, scenarios, **options)
    with atomic_path(file) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return file


def all_synthetic(frame: pd.DataFrame) -> bool:
    """Whether every row says it is synthetic (a ``synthetic`` column, bools or text)."""
    if "synthetic" not in frame.columns or frame.empty:
        return False
    marks = frame["synthetic"].map(lambda value: str(value).strip().lower())
    return bool(marks.isin(_TRUE_WORDS).all())


def _euros(cents: int) -> str:
    return format_euros(cents_to_euros(int(cents)))


def _sums(model: Model, result: pd.DataFrame) -> dict[str, str]:
    """The portfolio's euros of each line (by key), then of ``total``."""
    return {key: _euros(exact_sum(result[f"{key}_cents"])) for key in [*model.line_keys, "total"]}


def _meta(
    text: dict[str, str],
    language: str,
    source: str,
    span: Period | None,
    params: Parameters,
    model: Model,
) -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("secpa-model")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        release = "(not installed)"
    what = text["input"].format(source=source) + " " if source else ""
    when = text["period"].format(period=span) if span else text["each_year"]
    origin = f" ({Path(params.origin).name})" if params.origin else ""
    generated = text["generated"].format(
        model=repr(model.name),
        parameters=repr(params.name),
        origin=origin,
        release=release,
        today=date.today().isoformat(),
        rounding=model.rounding.phrase,
        arrondi=model.rounding.phrase_fr,
    )
    parts = [f'<p class="meta">{escape(what + when)} {escape(generated)}</p>']
    note = model.note_fr if language == "fr" and model.note_fr else model.note
    if note:
        parts.append(f'<p class="warning">{escape(note)}</p>')
    return parts


def _contents(text: dict[str, str], sections: list[str]) -> list[str]:
    """A link to each section of ``sections`` (its ``<h2 id=...>``), in order."""
    found = [_SECTION.match(line) for line in sections]
    links = [
        f'<a href="#{match.group(1)}">{match.group(2)}</a>' for match in found if match is not None
    ]
    return [
        f'<nav class="contents"><strong>{escape(text["contents"])}</strong>: '
        + " · ".join(links)
        + "</nav>"
    ]


def _totals(text: dict[str, str], language: str, model: Model, result: pd.DataFrame) -> list[str]:
    """The portfolio's numbers: rows, eligible rows, each line's total and the total."""
    rows_are = text["structure_years"] if YEAR_COLUMN in result.columns else text["structures"]
    eligible = int(result["eligible"].sum())
    counts = text["counts"].format(
        rows=len(result), rows_are=rows_are, eligible=eligible, not_eligible=len(result) - eligible
    )
    sums = _sums(model, result)
    total = sums["total"]
    rows = [
        f"<tr><td>{escape(_line_name(rule, language))}</td>"
        f'<td class="amount">{escape(sums[rule.key])}</td></tr>'
        for rule in model.rules
    ]
    rows.append(
        f'<tr class="total"><td>{escape(text["total"])}</td>'
        f'<td class="amount">{escape(total)}</td></tr>'
    )
    return [
        f'<h2 id="totals">{escape(text["totals"])}</h2>',
        f"<p>{escape(counts)} <strong>{escape(text['total_is'].format(total=total))}</strong></p>",
        f"<p>{escape(text['totals_intro'])}</p>",
        *_table(text, "totals", ("line", "total_short"), rows),
    ]


def _sources(text: dict[str, str], sources: Citations) -> list[str]:
    """The sources cited by the sections before, each once, by its number."""
    if not sources:
        return []
    items = [f'<li id="source-{n}">{escape(source)}</li>' for source, n in sources.items()]
    return [
        f'<h2 id="sources">{escape(text["sources"])}</h2>',
        '<ol class="sources">',
        *items,
        "</ol>",
    ]


def _line_name(rule: Any, language: str) -> str:
    """A line's name in ``language`` (its declared French term, else its label)."""
    return str(rule.label_fr or rule.label) if language == "fr" else str(rule.label)


def _heading(heading: str, kind: str, key: str = "") -> str:
    """A heading of the portfolio table: how its column sorts (``text`` or ``number``); a
    column of amounts has its ``key`` as title."""
    amount = f' class="amount" title="{escape(key)}"' if key else ""
    return f'<th data-sort-kind="{kind}"{amount}>{escape(heading)}</th>'


def _portfolio(
    text: dict[str, str],
    language: str,
    model: Model,
    frame: pd.DataFrame,
    result: pd.DataFrame,
    names: list[str],
) -> list[str]:
    """The one table of the portfolio: a row per structure (or structure-year), each
    followed by its inputs; the portfolio's totals in the footer."""
    years = YEAR_COLUMN in frame.columns
    columns = [_heading(name, "text") for name in (model.id_input, *names)]
    columns += [_heading(text["year"], "number")] * years
    columns.append(_heading(text["eligible"], "number"))
    columns += [_heading(_line_name(r, language), "number", r.key) for r in model.rules]
    columns.append(_heading(text["total"], "number", "total"))
    head = "".join(columns)
    conditions = {condition.code: condition for condition in model.all_conditions}
    source_rows = frame.loc[result.index]
    bodies = []
    for number, (record, row) in enumerate(
        zip(result.to_dict("records"), source_rows.to_dict("records"), strict=True)
    ):
        cells = [_text_cell(record[model.id_input])]
        cells += [_text_cell(row[name], css="name") for name in names]
        if years:
            year = _cell_text(row[YEAR_COLUMN]).replace(" ", "")  # 2024, not 2 024
            cells.append(f'<td data-sort="{escape(year)}">{escape(year)}</td>')
        cells.append(_eligibility_cell(text, language, record, conditions))
        cells += [_amount_cell(record[f"{rule.key}_cents"]) for rule in model.rules]
        cells.append(_amount_cell(record["total_cents"]))
        inputs = _inputs_html(text, language, model, row)
        bodies.append(
            f'<tbody><tr class="lines">{"".join(cells)}</tr>'
            f'<tr class="inputs" id="inputs-{number}"><td colspan="{len(columns)}">'
            f"{inputs}</td></tr></tbody>"
        )
    eligible, sums = int(result["eligible"].sum()), _sums(model, result)
    lead = 1 + len(names) + (1 if years else 0)
    foot = (
        f'<tfoot><tr><td colspan="{lead}">{escape(text["total"])}</td>'
        f'<td class="amount">{eligible} / {len(result)}</td>'
        + "".join(f'<td class="amount">{escape(euros)}</td>' for euros in sums.values())
        + "</tr></tfoot>"
    )
    return [
        f'<h2 id="portfolio-heading">{escape(text["portfolio"])}</h2>',
        f"<p>{escape(text['portfolio_intro'].format(rows=len(result)))}</p>",
        f'<p class="hint screen-only">{escape(text["how_to_read"])}</p>',
        f'<button type="button" class="all" id="inputs-all" hidden aria-expanded="false" '
        f'data-show="{escape(text["show_all"])}" data-hide="{escape(text["hide_all"])}">'
        f"{escape(text['show_all'])}</button>",
        f'<table class="portfolio" id="portfolio" data-inputs="{escape(text["inputs"])}">',
        f"<thead><tr>{head}</tr></thead>",
        *bodies,
        foot,
        "</table>",
    ]


def _text_cell(value: Any, css: str = "") -> str:
    """An id or a name: as given (escaped), empty when missing."""
    shown = "" if _missing(value) else str(value)
    style = f' class="{css}"' if css else ""
    return f'<td{style} data-sort="{escape(shown)}">{escape(shown)}</td>'


def _amount_cell(cents: Any) -> str:
    zero = " zero" if int(cents) == 0 else ""
    return f'<td class="amount{zero}" data-sort="{int(cents)}">{escape(_euros(int(cents)))}</td>'


def _eligibility_cell(
    text: dict[str, str], language: str, record: dict[Any, Any], conditions: dict[str, Any]
) -> str:
    if record["eligible"]:
        return f'<td data-sort="1">{escape(text["yes"])}</td>'
    codes = [code for code in str(record["reasons"]).split(";") if code]
    reasons = "".join(
        f"<li><code>{escape(code)}</code>: "
        f"{escape(conditions[code].text_fr if language == 'fr' else conditions[code].text_en)}"
        "</li>"
        if code in conditions
        else f"<li><code>{escape(code)}</code></li>"
        for code in codes
    )
    return f'<td class="not-eligible" data-sort="0">{escape(text["no"])}<ul>{reasons}</ul></td>'


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _cell_text(value: Any) -> str:
    """A value from the input as people read it: empty for a missing one, integers
    grouped by thousands (``3 200``), other values as given."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}".replace(",", " ")
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return _cell_text(int(value))
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        return _cell_text(int(Decimal(value.strip())))  # "70000" or "420.0" as read from a file
    return str(value)


def _value_text(value: Any, unit: str, language: str) -> str:
    """A value of the input and its unit in words (a fraction as a percentage)."""
    number = _as_decimal(value)
    if number is not None:
        return quantity_words(number, unit, language)
    return f"{_cell_text(value)} {unit_words(unit, language)}".strip()


def _as_decimal(value: Any) -> Decimal | None:
    """``value`` as a Decimal when it is a number (not a bool), else None."""
    if isinstance(value, bool) or _missing(value):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,15}(\.\d{1,12})?", value.strip()):
        return Decimal(value.strip())
    return None


def _input_text(text: dict[str, str], language: str, item: Input, row: dict[Any, Any]) -> str:
    """One input of a structure: its name, its value and unit (or its default)."""
    given = row.get(item.name)
    if _missing(given):
        default = item.default if not item.required else None
        value = "—" if default is None else _value_text(default, item.unit, language)
        shown = f'<span class="defaulted">{escape(value)} ({escape(text["default"])})</span>'
        if item.required:
            shown = f'<span class="defaulted">{escape(text["empty"])}</span>'
    else:
        shown = escape(_value_text(given, item.unit, language))
    return (
        f'<span class="input" title="{escape(item.description)}"><code>{escape(item.name)}</code>'
        f" {shown}</span>"
    )


def _inputs_html(text: dict[str, str], language: str, model: Model, row: dict[Any, Any]) -> str:
    """A structure's inputs grouped by what reads them: each line, eligibility, the dates
    of participation, the others."""
    declared = {item.name: item for item in model.inputs}
    groups: list[tuple[str, list[str]]] = [
        (_line_name(rule, language), list(rule.inputs)) for rule in model.rules
    ]
    read = {name for _, names in groups for name in names}
    eligibility = [
        name for condition in model.all_conditions for name in condition.inputs if name not in read
    ]
    groups.append((text["eligibility_inputs"], list(dict.fromkeys(eligibility))))
    dates = [name for name in (model.entry_input, model.exit_input) if name is not None]
    groups.append((text["participation_inputs"], dates))
    seen = read | set(eligibility) | set(dates) | {model.id_input}
    groups.append((text["other_inputs"], [n for n in declared if n not in seen]))
    items = []
    for heading, names in groups:
        known = [declared[name] for name in names if name in declared]
        if known:
            values = " ".join(_input_text(text, language, item, row) for item in known)
            items.append(f"<dt>{escape(heading)}</dt><dd>{values}</dd>")
    return f'<dl class="inputs">{"".join(items)}</dl>'


def assumed_values(params: Parameters, span: Period | None) -> list[tuple[Parameter, DatedValue]]:
    """Every value of status ``assumption`` in force on some day of ``span`` (any day when
    ``span`` is None), by parameter path then date (:meth:`Parameters.assumed_values`)."""
    return params.assumed_values(span)


def _assumptions(
    text: dict[str, str],
    language: str,
    params: Parameters,
    span: Period | None,
    sources: Citations,
) -> list[str]:
    rows = []
    for parameter, dated in assumed_values(params, span):
        number = sources.cite(dated.source)
        if isinstance(dated.value, Scale):
            value = _scale_html(text, language, dated.value, parameter)
        else:
            value = escape(quantity_words(dated.value, parameter.unit, language))
        said = parameter_words(parameter.description, parameter.path)
        rows.append(
            f'<tr><td class="assumption">{escape(text["assumption"])}</td>'
            f'<td>{escape(said)}<br><code class="path">{escape(parameter.path)}</code></td>'
            f"<td>{value}</td>"
            f'<td style="white-space: nowrap">{dated.effective_from.isoformat()}</td>'
            f"<td>{escape(dated.rationale or '')}</td>"
            f'<td><sup><a href="#source-{number}">[{number}]</a></sup></td></tr>'
        )
    intro = text["assumptions_intro"].format(count=len(rows)) if rows else text["no_assumption"]
    if rows:
        intro += " " + text["assumptions_words"]
    parts = [f'<h2 id="assumptions">{escape(text["assumptions"])}</h2>', f"<p>{escape(intro)}</p>"]
    if rows:
        headings = ("status", "parameter", "value", "from", "rationale", "source")
        parts += _table(text, "assumptions", headings, rows)
    return parts


def _table(text: dict[str, str], css: str, keys: Sequence[str], rows: Sequence[str]) -> list[str]:
    """A table of class ``css``: the headings ``keys`` in words, then ``rows`` (``<tr>``)."""
    head = "".join(f"<th>{escape(text[key])}</th>" for key in keys)
    return [
        f'<table class="{css}">',
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
    ]


def _scale_html(text: dict[str, str], language: str, scale: Scale, parameter: Parameter) -> str:
    """A scale in words, one bracket per line (escaped): ``from 15 %: 25 € per patient per
    year``."""
    brackets = [
        text["bracket"].format(
            threshold=quantity_words(b.threshold, parameter.threshold_unit or "", language),
            value=quantity_words(b.value, parameter.unit, language),
        )
        for b in scale.brackets
    ]
    mode = text["scale_step"] if scale.mode == "step" else text["scale_linear"]
    return "<br>".join(escape(line) for line in [mode, *brackets])


def _lines_table(text: dict[str, str], language: str, model: Model) -> list[str]:
    """What each line is: its name, key, legal basis and formula, after what a structure
    receives: its one dotation, or fungible ones (in words in English, in digits in French)."""
    rows = [
        f"<tr><td>{escape(_line_name(rule, language))}</td><td><code>{escape(rule.key)}</code>"
        f"</td><td>{escape(rule.legal_basis_fr if language == 'fr' else rule.legal_basis_en)}"
        f"</td><td><code>{escape(rule.formula)}</code></td></tr>"
        for rule in model.rules
    ]
    count = len(model.rules)
    intro = text["lines_intro"].format(count=count_words(count) if language == "en" else count)
    return [
        f'<h2 id="lines">{escape(text["lines"])}</h2>',
        f"<p>{escape(text['lines_intro_one'] if count == 1 else intro)}</p>",
        *_table(text, "lines", ("line", "key", "legal_basis", "formula"), rows),
    ]


def _scenarios(text: dict[str, str], comparison: Comparison) -> list[str]:
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
    given = comparison.parameters.values()
    overridden = sorted(set().union(*(params.paths_with("scenario") for params in given)))
    headings = (
        "scenario",
        "total_short",
        "difference",
        "difference_pct",
        "eligible_structures",
        "structures_changed",
    )
    intro = text["scenarios_intro"].format(paths=", ".join(overridden) or text["none"])
    return [
        '<section class="keep">',
        f'<h2 id="scenarios">{escape(text["scenarios"])}</h2>',
        f"<p>{escape(intro)}</p>",
        *_table(text, "scenarios", headings, rows),
        "</section>",
    ]


def _charts(
    text: dict[str, str],
    model: Model,
    result: pd.DataFrame,
    params: Parameters,
    comparison: Comparison | None,
    synthetic: bool,
    span: Period | None,
) -> list[str]:
    parts = [f'<h2 id="charts">{escape(text["charts"])}</h2>']
    if text["charts_language"]:
        parts.append(f'<p class="hint">{escape(text["charts_language"])}</p>')
    try:
        from secpa_model.presentation.plots import plot_allocations, plot_comparison

        lines = len(model.rules)  # in words in English, in digits in French
        caption = text["chart_lines"].format(count=count_words(lines), number=lines)
        if len(result) > MAX_CHART_STRUCTURES:
            caption += text["chart_largest"].format(
                shown=MAX_CHART_STRUCTURES,
                rows=len(result),
                others=len(result) - MAX_CHART_STRUCTURES,
            )
        figure = plot_allocations(
            result,
            parameters=params,
            synthetic=synthetic,
            model=model,
            period=span,
            largest=MAX_CHART_STRUCTURES,
        )
        rendered = [(_data_uri(figure), caption)]
        if comparison is not None:
            figure = plot_comparison(comparison, synthetic=synthetic, model=model, period=span)
            rendered.append((_data_uri(figure), text["chart_scenarios"]))
    except ImportError:
        parts.append(
            f'<p class="warning">{escape(text["charts_unavailable"].format(extra=CHART_EXTRA))}</p>'
        )
        return parts
    for uri, caption in rendered:
        parts.append(
            f'<figure><img src="{uri}" alt="{escape(caption)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    return parts


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _left_out(text: dict[str, str], problems: pd.DataFrame) -> list[str]:
    """A warning listing the input rows left out as invalid (a portfolio's ``valid()``),
    one line per problem: row, field, value and message; nothing when there are none."""
    if problems.empty:
        return []
    rows = problems["row"].nunique()
    items = "".join(
        f"<li>{escape(text['row'])} {escape(str(record['row']))}: "
        f"<code>{escape(str(record['field']))}</code> = "
        f"{escape(str(record['value']))}: {escape(str(record['message']))}</li>"
        for record in problems.to_dict("records")
    )
    key = "left_out_one" if rows == 1 else "left_out_many"
    count = text["problem_one" if len(problems) == 1 else "problem_many"]
    heading = text[key].format(rows=rows, problems=count.format(count=len(problems)))
    return [f'<div class="warning" id="left-out"><p>{escape(heading)}</p><ul>{items}</ul></div>']
