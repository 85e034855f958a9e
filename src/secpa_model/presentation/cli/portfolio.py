"""The subcommands about a portfolio in a file: ``batch``, ``compare``, ``sweep``,
``report`` and ``budget`` (its budget per period and per month, quarter or year, with the
cumulative consumption of each period's envelope)."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from secpa_model.analysis.budget import FREQUENCIES, project_budget
from secpa_model.analysis.comparison import compare, sweep
from secpa_model.analysis.model_comparison import ModelComparison, compare_models
from secpa_model.core.errors import InputError
from secpa_model.core.money import cents_to_euros, format_euros
from secpa_model.core.periods import Period
from secpa_model.io.batch import run_batch as stream_batch
from secpa_model.io.formats import CSV, JSON_LINES, format_names, format_of, suffix_list
from secpa_model.io.manifest import (
    compared_model,
    embeds_manifest,
    html_manifest,
    manifest_for,
    sidecar,
)
from secpa_model.io.readers import PIECE_ROWS, no_problems
from secpa_model.model.model import Model
from secpa_model.presentation.cli.common import (
    EACH_ROWS_YEAR,
    PortfolioRun,
    Subcommands,
    add_base_scenario_argument,
    add_errors_argument,
    add_options,
    add_output_option,
    add_period_arguments,
    assumption_line,
    base_parameters,
    checked_outputs,
    encoding_notes,
    envelope_euros,
    input_format,
    keep_from,
    list_problems,
    model_from,
    number,
    optional_period,
    parse_period,
    print_note,
    scenario_values,
)
from secpa_model.presentation.cli.progress import progress_log, quiet_wanted
from secpa_model.presentation.cli.tables import text_table
from secpa_model.presentation.report import build_report
from secpa_model.presentation.report_text import LANGUAGES

# --------------------------------------------------------------------------- batch


def add_batch(commands: Subcommands, model: Model) -> None:
    """``batch``: a file of structures in, a file of allocations out."""
    sub = commands.add_parser(
        "batch",
        help=f"allocate a file of structures ({format_names()}) into a file",
        description=(
            f"Allocate every row of IN ({format_names()}; one structure, or one "
            "structure-year, per row or line) and write the allocations to OUT (format from "
            "the suffix, or --from and --to; amounts in integer cents), reading, computing "
            "and writing a piece of rows at a time. IN - reads standard input, -o - writes "
            "standard output (then every message goes to stderr). Prints progress on stderr "
            "for large files and a summary at the end."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    add_output_option(
        sub, "the allocations file; - writes standard output (with --to)", required=True
    )
    add_options(sub, "--to")
    add_period_arguments(sub, required=False)
    add_options(sub, "--allow-duplicates", "--model", "--parameters")
    add_errors_argument(sub, output_required=True)
    add_options(sub, "--csv-style")
    sub.add_argument(
        "--trace",
        action="store_true",
        help="with a .jsonl OUT: each line also carries the allocation's JSON trace "
        "(secpa-model schema trace), computed row by row",
    )
    sub.add_argument(
        "--chunk-rows",
        type=int,
        default=PIECE_ROWS,
        metavar="N",
        help=f"rows read, computed and written at a time; longer inputs show progress "
        f"(default {PIECE_ROWS})",
    )
    add_options(sub, "--keep")
    sub.set_defaults(handler=run_batch)


def manifest_place(output: Path, file_format: str | None) -> str:
    """Where the manifest of ``output`` is, in words."""
    beside = sidecar(output, file_format)
    if beside is not None:
        return str(beside)
    return f"in {output}" if embeds_manifest(output, file_format) else "none (a stream)"


def _check_batch_options(args: argparse.Namespace, output: Path, problems: Path | None) -> None:
    """``--trace`` only with a JSON Lines output, ``--csv-style fr`` only when a CSV file
    is written, ``--chunk-rows`` at least 1."""
    if args.chunk_rows < 1:
        raise InputError(f"--chunk-rows {args.chunk_rows}: give a number of rows of at least 1")
    fmt = format_of(output, args.to_format)
    lines = fmt is JSON_LINES
    if args.trace and not lines:
        raise InputError(f"--trace: the traces are written in a .jsonl OUT only, not {output}")
    writes_csv = fmt is CSV or (problems is not None and format_of(problems) is CSV)
    if args.csv_style != "default" and not writes_csv:
        raise InputError(f"--csv-style {args.csv_style}: no CSV file is written (OUT is {output})")


def run_batch(args: argparse.Namespace) -> int:
    """Allocate the input file, write the output (and the errors file), print a summary."""
    output, problems = checked_outputs(args)
    assert output is not None  # -o is required
    _check_batch_options(args, output, problems)
    period = optional_period(args)
    model = model_from(args.model)
    params = base_parameters(args.parameters, model)
    log = progress_log(args, "rows")
    with encoding_notes():
        summary = stream_batch(
            args.input,
            output,
            period,
            params,
            model=model,
            allow_duplicates=args.allow_duplicates,
            errors=args.errors,
            keep=keep_from(args),
            problems=problems,
            rows=args.chunk_rows,
            encoding=args.encoding,
            csv_style=args.csv_style,
            trace=args.trace,
            progress=log,
            reading=log.reading,
            manifest=manifest_for(
                model,
                params,
                period,
                input_path=args.input,
                command=getattr(args, "argv", None),
                parameters_file=args.parameters,
            ),
            input_format=input_format(args),
            output_format=args.to_format,
        )
    log.finish()
    if quiet_wanted(args):  # the data is the file written
        return 0
    when = str(period) if period else EACH_ROWS_YEAR
    print(f"secpa-model batch: {args.input} -> {output}")
    print(f"period: {when}; model: {model.name!r}; parameters: {params.name!r}")
    print_note(model)
    print(
        f"rows: {number(summary.rows)} read, {number(summary.allocated)} allocated, "
        f"{number(summary.eligible)} eligible, {number(summary.invalid)} invalid"
    )
    print(f"total: {format_euros(summary.total)} (the sum of the rows' totals, in cents)")
    if args.errors == "report":
        found = pd.concat(summary.found, ignore_index=True) if summary.found else no_problems()
        where = list_problems(args, found, summary.located, problems).partition(", ")[2]
        print(
            f"errors: {number(summary.problems)} problems in {number(summary.invalid)} rows"
            + (f" {where}" if where else "")
        )
    print(assumption_line(params, period))
    print(f"manifest: {manifest_place(output, args.to_format)}")
    return 0


# ------------------------------------------------------------------------- compare


def add_compare(commands: Subcommands, model: Model) -> None:
    """``compare``: a portfolio under a baseline and scenarios, or under several models."""
    sub = commands.add_parser(
        "compare",
        help="compare a portfolio under scenarios, or under several models",
        description=(
            "Allocate the structures of IN under the baseline and under each scenario, and "
            "print the portfolio totals by scenario; or, with two --model or more, under each "
            "model (the first is the baseline) and print who gains and who loses. A scenario "
            "file holds name, description and an overrides table keyed by parameter path "
            "(docs/cli.md)."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    sub.add_argument(
        "--scenario",
        metavar="FILE",
        action="append",
        help="a scenario file (.toml or .json); repeat for several",
    )
    sub.add_argument(
        "--model",
        metavar="NAME",
        action="append",
        help="the model (default: experimentation); repeat to compare models: "
        "secpa-model compare IN --model experimentation --model five_pillars",
    )
    sub.add_argument(
        "--baseline",
        metavar="FILE",
        help="a parameter file: the baseline, and the base of every scenario "
        "(default: the reference set)",
    )
    add_period_arguments(sub, required=False)
    add_options(sub, "--allow-duplicates")
    add_output_option(
        sub,
        f"write the detail (scenario × structure × line) to OUT ({suffix_list()}; "
        "-: standard output, with --to)",
    )
    add_options(sub, "--to")
    add_errors_argument(sub, output_required=False)
    add_options(sub, "--csv-style")
    sub.set_defaults(handler=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """Print the summary by scenario (or by model); write the detail with ``-o``."""
    output, problems = checked_outputs(args)
    period = optional_period(args)
    names = args.model or [None]
    if len(names) > 1:
        if args.scenario or args.baseline:
            raise InputError(
                "compare models (--model twice or more) without --scenario or --baseline"
            )
        models = [model_from(name) for name in names]
        return _compare_models(
            PortfolioRun.read(args, output, problems, model=models[0]), models, period
        )
    if not args.scenario:
        raise InputError("give --scenario FILE (one or more), or --model twice or more")
    run = PortfolioRun.read(args, output, problems, model=model_from(names[0]))
    try:
        comparison = compare(run.structures, period, run.base, *run.scenarios)
    except ValueError as exc:  # repeated scenario names
        raise InputError(str(exc)) from exc
    headers = ["scenario", "total", "difference", "%", "eligible", "changed"]
    rows = [
        [
            str(record["scenario"]),
            format_euros(record["total_eur"]),
            format_euros(record["difference_eur"]),
            "" if pd.isna(record["difference_pct"]) else f"{record['difference_pct']:+.2f}",
            str(record["eligible_structures"]),
            str(record["structures_changed"]),
        ]
        for record in comparison.summary.to_dict("records")
    ]
    run.heading(
        f"secpa-model compare: {args.input}, period {period or EACH_ROWS_YEAR}",
        f"baseline: parameters {run.base.name!r}; the first row is the baseline",
    )
    print()
    print(text_table(headers, rows))
    print()
    print(scenario_values(run.scenarios, run.base))
    print()
    print(assumption_line(run.base, period))
    detail = comparison.detail
    run.write(detail, lambda: run.manifest(period), f"detail: {number(len(detail))} rows")
    return 0


def _compare_models(run: PortfolioRun, models: list[Model], period: Period | None) -> int:
    try:
        comparison: ModelComparison = compare_models(run.structures, period, *models)
    except ValueError as exc:  # repeated model names
        raise InputError(str(exc)) from exc
    headers = ["model", "lines", "total", "difference", "%", "gains", "loses", "unchanged"]
    rows = [
        [
            str(record["model"]),
            str(len(str(record["lines"]).split(";"))),
            format_euros(record["total_eur"]),
            format_euros(record["difference_eur"]),
            "" if pd.isna(record["difference_pct"]) else f"{record['difference_pct']:+.2f}",
            str(record["gains"]),
            str(record["loses"]),
            str(record["unchanged"]),
        ]
        for record in comparison.summary.to_dict("records")
    ]
    print(f"secpa-model compare: {run.args.input}, period {period or EACH_ROWS_YEAR}")
    print(
        f"models: the first row, {models[0].name!r}, is the baseline; gains and loses count "
        "structures against it"
    )
    print()
    print(text_table(headers, rows))
    for model in models:
        if model.note:
            print()
            print_note(model)
    print()
    for model in models:
        print(f"{model.name}: " + assumption_line(comparison.parameters[model.name], period))
    others = [(m, comparison.parameters[m.name]) for m in models[1:]]  # compared with the first
    run.write(
        comparison.by_structure,
        lambda: run.manifest(period).model_copy(
            update={"compared_with": tuple(compared_model(*other) for other in others)}
        ),
        f"by structure: {number(len(comparison.by_structure))} rows",
    )
    return 0


# --------------------------------------------------------------------------- sweep


def add_sweep(commands: Subcommands, model: Model) -> None:
    """``sweep``: the portfolio total for each value of one parameter."""
    sub = commands.add_parser(
        "sweep",
        help="the portfolio total for each value of one parameter",
        description=(
            "Allocate the structures of IN once per value of one parameter (replacing its "
            "value from the base's first date on) and print the totals."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    sub.add_argument(
        "--path",
        metavar="PARAM",
        required=True,
        help="the parameter path, e.g. participatory_activities.cost_per_etp",
    )
    sub.add_argument(
        "--values",
        metavar="V1,V2,...",
        required=True,
        help="comma-separated numbers with a decimal point, e.g. 45000,50000,55000",
    )
    add_period_arguments(sub, required=False)
    add_options(sub, "--allow-duplicates", "--model", "--parameters")
    add_base_scenario_argument(sub, ": the base of the sweep")
    add_output_option(
        sub, f"write the table to OUT ({suffix_list()}; -: standard output, with --to)"
    )
    add_options(sub, "--to")
    add_errors_argument(sub, output_required=False)
    add_options(sub, "--csv-style")
    sub.set_defaults(handler=run_sweep)


def sweep_values(text: str) -> list[Decimal]:
    """The numbers of ``--values`` (an :class:`InputError` naming a bad one)."""
    values = []
    for item in text.split(","):
        try:
            value = Decimal(item.strip())
        except InvalidOperation as exc:
            raise InputError(
                f"--values: {item.strip()!r} is not a number (give numbers with a decimal "
                "point, separated by commas, e.g. 45000,50000.5)"
            ) from exc
        if not value.is_finite():
            raise InputError(f"--values: {item.strip()!r} is not a finite number")
        values.append(value)
    return values


def run_sweep(args: argparse.Namespace) -> int:
    """Print the sweep table; write it with ``-o``."""
    output, problems = checked_outputs(args)
    values = sweep_values(args.values)
    period = optional_period(args)
    run = PortfolioRun.read(args, output, problems)
    table = sweep(run.structures, period, args.path, values, run.params)
    rows = [
        [
            str(record["value"]),
            format_euros(record["total_eur"]),
            format_euros(cents_to_euros(record["difference_cents"])),
            str(record["eligible_structures"]),
        ]
        for record in table.to_dict("records")
    ]
    run.heading(
        f"secpa-model sweep of {args.path}: {args.input}, period {period or EACH_ROWS_YEAR}",
        f"base: parameters {run.params.name!r}; difference to the total under the base",
    )
    if run.scenarios:
        print(scenario_values(run.scenarios, run.base))
    print()
    print(text_table([args.path, "total", "difference", "eligible"], rows))
    print()
    print(f"{args.path} takes the SCENARIO values above. " + assumption_line(run.params, period))
    run.write(table, lambda: run.manifest(period), "table")
    return 0


# -------------------------------------------------------------------------- report


def add_report(commands: Subcommands, model: Model) -> None:
    """``report``: one self-contained HTML page of a portfolio."""
    sub = commands.add_parser(
        "report",
        help="an HTML report of a portfolio (one self-contained page)",
        description=(
            "Write one self-contained HTML page: the totals, the comparison with scenarios, "
            "the charts (embedded; they need the optional extra 'plot'), the assumptions used "
            "and their sources, each listed once, and last one sortable table of the "
            "structures (the name columns of IN, eligibility, the lines and the total, each "
            "structure's inputs under it)."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    add_output_option(sub, "the HTML file (-: standard output)", required=True)
    add_period_arguments(sub, required=False)
    add_options(sub, "--allow-duplicates", "--model", "--parameters")
    sub.add_argument(
        "--scenario",
        metavar="FILE",
        action="append",
        help="a scenario file to compare with the parameters; repeat for several",
    )
    sub.add_argument(
        "--title",
        help='the page\'s title (default "SECPA allocations", in French "Dotations SECPA")',
    )
    add_options(sub, "--keep")
    sub.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="the language of the page's words: en (default) or fr",
    )
    add_errors_argument(sub, output_required=True)
    sub.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Write the HTML report (whole or not at all, with the errors file:
    :meth:`PortfolioRun.write`)."""
    output, problems = checked_outputs(args, Path(args.output))  # -: standard output
    period = optional_period(args)
    run = PortfolioRun.read(args, output, problems)
    structures = run.structures
    try:
        page = build_report(
            structures,
            period,
            run.params,
            run.scenarios,
            title=args.title,
            source=Path(args.input).name,
            language=args.lang,
        )
        manifest = run.manifest(period)
        page = page.replace("</body>", html_manifest(manifest) + "\n</body>", 1)
    except ValueError as exc:  # repeated scenario names
        raise InputError(str(exc)) from exc
    rows = structures.size + structures.invalid_rows
    run.write(page, lambda: manifest, f"report of {number(rows)} structures")
    return 0


# ------------------------------------------------------------------------------- budget


def add_budget(commands: Subcommands, model: Model) -> None:
    """``budget``: the budget of a portfolio per period and per step, against envelopes."""
    sub = commands.add_parser(
        "budget",
        help="the budget of a portfolio per period and per month or quarter, against envelopes",
        description=(
            "Project the budget of the structures of IN (one row per structure with entry "
            "and exit dates, or a structure-year table with a 'year' column) over each "
            "period, per month, quarter or year, with the cumulative consumption of the "
            "period's envelope. Prints the periods and the steps; -o writes the steps."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    sub.add_argument(
        "--period",
        metavar="START..END",
        dest="periods",
        action="append",
        help="a period to project, YYYY-MM-DD..YYYY-MM-DD or a year YYYY; repeat for "
        "several (default, with a 'year' column: 1 January of its first year to 31 "
        "December of its last)",
    )
    sub.add_argument(
        "--year",
        metavar="YYYY",
        dest="periods",
        action="append",
        help="a calendar year to project (the same as --period YYYY); repeatable",
    )
    sub.add_argument(
        "--envelope",
        metavar="EUROS",
        action="append",
        help="the envelope of a period in euros, e.g. 14000000; one per period, in the "
        "order of the periods (or none)",
    )
    sub.add_argument(
        "--freq",
        choices=FREQUENCIES,
        default="month",
        help="the steps of each period: calendar months (default), quarters or years",
    )
    add_options(sub, "--allow-duplicates", "--model", "--parameters")
    add_base_scenario_argument(sub, "")
    add_output_option(
        sub,
        "write the steps (one row per period and step: amounts in cents and euros, "
        f"cumulative, envelope consumed) to OUT ({suffix_list()}; -: standard output, with --to)",
    )
    add_options(sub, "--to")
    add_errors_argument(sub, output_required=False)
    sub.set_defaults(handler=run_budget)


def _periods(args: argparse.Namespace) -> dict[str, Period] | None:
    """The periods of ``--period`` and ``--year``, in order, each labelled by its dates."""
    if not args.periods:
        return None
    periods: dict[str, Period] = {}
    for text in args.periods:
        period = parse_period("--period/--year", text)
        if str(period) in periods:
            raise InputError(f"--period {period} is given twice")
        periods[str(period)] = period
    return periods


def run_budget(args: argparse.Namespace) -> int:
    """Print the budget per period and per step; write the steps with ``-o``."""
    output, problems = checked_outputs(args)
    periods = _periods(args)
    amounts = [envelope_euros(text) for text in args.envelope or ()]
    if amounts and len(amounts) != (len(periods) if periods else 1):
        given = len(periods) if periods else "1 (the years of the table)"
        raise InputError(
            f"{len(amounts)} --envelope for {given} periods: give one per period, in order"
        )
    envelopes: Decimal | dict[str, Decimal] | None = None
    if amounts:
        envelopes = dict(zip(periods, amounts, strict=True)) if periods else amounts[0]
    run = PortfolioRun.read(args, output, problems)
    params = run.params
    projection = project_budget(run.structures, periods, params, envelopes, freq=args.freq)
    span = Period(min(projection.by_period["start"]), max(projection.by_period["end"]))
    run.heading(
        f"secpa-model budget: {args.input}, period {_when(periods)}",
        f"parameters: {params.name!r}; steps: {args.freq}s",
    )
    print()
    print(text_table(*_period_table(projection.by_period)))
    print()
    print(text_table(*_step_table(projection.timeline, args.freq)))
    print()
    print(assumption_line(params, span))
    steps = projection.timeline
    run.write(steps, lambda: run.manifest(span), f"steps: {number(len(steps))} rows", index=False)
    return 0


def _when(periods: dict[str, Period] | None) -> str:
    return ", ".join(periods) if periods else f"{EACH_ROWS_YEAR} (the years of the table)"


def _euros(value: Any) -> str:
    return "" if value is None or pd.isna(value) else format_euros(value)


def _percent(value: Any) -> str:
    return "" if pd.isna(value) else f"{value:.1f}"


def _period_table(by_period: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    headers = ["period", "structures", "total", "envelope", "gap", "within"]
    rows = [
        [
            str(record["label"]),
            str(record["structures_participating"]),
            _euros(record["total_eur"]),
            _euros(record["envelope_eur"]),
            _euros(record["gap_eur"]),
            "" if record["within_envelope"] is None else str(record["within_envelope"]).lower(),
        ]
        for record in by_period.to_dict("records")
    ]
    return headers, rows


def _step_table(timeline: pd.DataFrame, freq: str) -> tuple[list[str], list[list[str]]]:
    headers = [freq, "structures", "total", "cumulative", "consumed %", "remaining"]
    several = timeline["period"].nunique() > 1
    rows = [
        [
            (f"{record['period']} " if several else "") + str(record["label"]),
            str(record["structures_participating"]),
            _euros(record["total_eur"]),
            _euros(record["cumulative_eur"]),
            _percent(record["consumed_pct"]),
            _euros(record["remaining_eur"]),
        ]
        for record in timeline.to_dict("records")
    ]
    return headers, rows
