"""The ``secpa-model`` command line (also ``python -m secpa_model``).

One function per subcommand: ``add_<name>(commands)`` declares its arguments and
``run_<name>(args)`` does the work and returns the exit code. To add a subcommand, write
both and list the ``add_`` function in :data:`SUBCOMMANDS`.

Exit codes: 0 on success; 2 on invalid input, parameters or usage (the message, on
stderr, names the field and the value).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, Literal, TextIO, TypeAlias, get_args, get_origin

import pandas as pd
from pydantic import ValidationError

from secpa_model.allocation import Allocation, UsedParameter
from secpa_model.batch import CHUNK_ROWS, allocate_in_chunks, summarise
from secpa_model.comparison import compare, sweep
from secpa_model.datasets import example_structures
from secpa_model.engine import allocate, reference_parameters
from secpa_model.errors import InputError, SecpaError
from secpa_model.explain import explain_json, explain_markdown, explain_text, status_label
from secpa_model.files import FORMATS, read_structures, write_allocations
from secpa_model.money import cents_to_euros, format_euros
from secpa_model.parameters import Parameters, load_parameters
from secpa_model.periods import Period
from secpa_model.report import assumed_values, build_report
from secpa_model.rules import RULES
from secpa_model.scenario_files import read_scenario_file
from secpa_model.scenarios import Scenario
from secpa_model.schemas import SCHEMA_NAMES, SchemaName, json_schema
from secpa_model.structures import Structure
from secpa_model.trace import used_parameter

DEMO_YEAR = 2022
DEFAULT_STRUCTURE_ID: Final = "structure"
USAGE_ERROR: Final = 2
PROGRESS_WIDTH: Final = 30
EACH_ROWS_YEAR: Final = "each row's year"

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_<name>`` functions receive: the parser's subcommands."""


def allocation_table(allocations: Sequence[Allocation]) -> str:
    """A plain-text table: one row per structure, the four lines, the total, eligibility."""
    headers = ["structure", *(rule.KEY for rule in RULES), "total", "eligible"]
    rows = [
        [
            a.structure_id,
            *(format_euros(a.line(rule.KEY).amount) for rule in RULES),
            format_euros(a.total),
            "yes" if a.eligible else "no: " + ", ".join(r.code for r in a.reasons),
        ]
        for a in allocations
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells.append(row[-1])
        return "  ".join(cells)

    return "\n".join([fmt(headers), "-" * sum(w + 2 for w in widths), *(fmt(r) for r in rows)])


def line_table(allocation: Allocation) -> str:
    """One structure's allocation as a plain-text table: a row per line, then the total."""
    rows = [(line.key, format_euros(line.amount)) for line in allocation.lines]
    rows.append(("total (fungible)", format_euros(allocation.total)))
    key_width = max(len(key) for key, _ in rows)
    amount_width = max(len(amount) for _, amount in rows)
    out = [f"{'line'.ljust(key_width)}  {'amount'.rjust(amount_width)}"]
    out.append("-" * (key_width + amount_width + 2))
    out.extend(f"{key.ljust(key_width)}  {amount.rjust(amount_width)}" for key, amount in rows[:-1])
    out.append("-" * (key_width + amount_width + 2))
    key, amount = rows[-1]
    out.append(f"{key.ljust(key_width)}  {amount.rjust(amount_width)}")
    return "\n".join(out)


def parameter_table(values: Sequence[UsedParameter]) -> str:
    """The parameters as a plain-text table (path, status, date, source, value with unit),
    the sources listed below it by number."""
    sources: list[str] = []
    rows = []
    for value in values:
        source = str(value.source)
        if source not in sources:
            sources.append(source)
        number = f"[{sources.index(source) + 1}]"
        row = (value.path, status_label(value.status), str(value.effective_from), number)
        rows.append((*row, value.value))
    headers = ("parameter", "status", "from", "source", "value")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(4)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)), row[4]])
        for row in [headers, *rows]
    ]
    lines.insert(1, "-" * (sum(widths) + 8 + len(headers[4])))
    lines.append("")
    lines.extend(f"[{number}] {source}" for number, source in enumerate(sources, start=1))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- demo


def add_demo(commands: Subcommands) -> None:
    """``demo``: the built-in synthetic example structures for a calendar year."""
    demo = commands.add_parser(
        "demo",
        help="allocate the built-in example structures",
        description="Allocate the built-in SYNTHETIC example structures for a calendar year.",
    )
    demo.add_argument("--year", type=int, default=DEMO_YEAR, help="calendar year (default 2022)")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    """Print the example structures' allocations and the assumptions behind them."""
    params = reference_parameters()
    allocations = [allocate(s, args.year, params) for s in example_structures()]
    print(
        f"secpa-model demo: synthetic example structures, calendar year {args.year}, "
        f"parameters {params.name!r}"
    )
    print()
    print(allocation_table(allocations))
    print()
    used = sorted({p for a in allocations for p in a.assumptions_used})
    print("ASSUMPTIONS (not published values) behind these amounts: " + ", ".join(used))
    print(
        "Amounts in euros; each line rounded once, half up, to the cent. "
        "Parameters and their sources: docs/parameters.md"
    )
    return 0


# ------------------------------------------------------------------------ allocate


def add_allocate(commands: Subcommands) -> None:
    """``allocate``: one structure, from flags and/or a JSON file, over a year or a period."""
    sub = commands.add_parser(
        "allocate",
        help="allocate one structure (flags or a JSON file)",
        description=(
            "Allocate one structure over a calendar year or a period. Give its fields as "
            "flags, or as a JSON object in --file (flags override the file's fields). "
            "Output: a table (default), --json (the versioned trace), --explain (text) or "
            "--markdown."
        ),
    )
    sub.add_argument(
        "--file",
        metavar="FILE",
        help="a JSON object with the structure's fields ('-' reads standard input)",
    )
    fields = sub.add_argument_group("structure fields (override --file)")
    for name, info in Structure.model_fields.items():
        flag = "--" + name.replace("_", "-")
        description = info.description or name
        if info.annotation is bool:
            fields.add_argument(
                flag, dest=name, action=argparse.BooleanOptionalAction, help=description
            )
            continue
        choices = _literal_choices(info.annotation)
        if name == "structure_id":
            description += f" (default {DEFAULT_STRUCTURE_ID!r})"
        fields.add_argument(
            flag, dest=name, choices=choices, metavar=None if choices else "VALUE", help=description
        )
    _add_period_arguments(sub)
    sub.add_argument(
        "--parameters", metavar="FILE", help="a parameter file (default: the reference set)"
    )
    output = sub.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the JSON trace")
    output.add_argument("--explain", action="store_true", help="print the text explanation")
    output.add_argument("--markdown", action="store_true", help="print a Markdown explanation")
    sub.set_defaults(handler=run_allocate)


def run_allocate(args: argparse.Namespace) -> int:
    """Allocate the structure given by ``--file`` and the field flags; print it."""
    data: dict[str, Any] = read_json_object(args.file) if args.file else {}
    for name in Structure.model_fields:
        value = getattr(args, name)
        if value is not None:
            data[name] = value
    data.setdefault("structure_id", DEFAULT_STRUCTURE_ID)
    structure = structure_from(data)
    period = period_from(args)
    parameters = load_parameters(args.parameters) if args.parameters else None
    allocation = allocate(structure, period, parameters)
    if args.json:
        print(explain_json(allocation))
    elif args.explain:
        print(explain_text(allocation))
    elif args.markdown:
        print(explain_markdown(allocation), end="")
    else:
        eligibility = "eligible" if allocation.eligible else "NOT eligible"
        print(
            f"{allocation.structure_id} over {allocation.period} "
            f"(parameters {allocation.parameters_name!r}): {eligibility}"
        )
        for reason in allocation.reasons:
            print(f"  - [{reason.code}] {reason.message}")
        print()
        print(line_table(allocation))
        if allocation.assumptions_used:
            print()
            print(
                "ASSUMPTIONS (not published values) behind these amounts: "
                + ", ".join(allocation.assumptions_used)
            )
        print("Each line rounded once, half up, to the cent; --explain shows the computation.")
    return 0


def read_json_object(name: str) -> dict[str, Any]:
    """A JSON object read from the file ``name`` (``-``: standard input)."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(
            f"{name}: expected a JSON object with the structure's fields, got {type(data).__name__}"
        )
    return data


def structure_from(data: dict[str, Any]) -> Structure:
    """A validated :class:`Structure`; an :class:`InputError` naming each field and value."""
    try:
        return Structure.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "(structure)"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{field} = {error['input']!r}: {message}")
        raise InputError("invalid structure: " + "; ".join(problems)) from exc


def period_from(args: argparse.Namespace) -> Period:
    """The period of ``--year`` or ``--period`` (an :class:`InputError` naming the value)."""
    flag, value = ("--year", args.year) if args.year is not None else ("--period", args.period)
    try:
        return Period.parse(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{flag} {value!r}: {exc} (expected YYYY or YYYY-MM-DD..YYYY-MM-DD)"
        ) from exc


def _add_period_arguments(parser: argparse.ArgumentParser) -> None:
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--year", type=int, help="a calendar year, e.g. 2022")
    when.add_argument(
        "--period", metavar="START..END", help="an inclusive period, e.g. 2022-03-01..2022-12-31"
    )


def _literal_choices(annotation: Any) -> list[str] | None:
    if get_origin(annotation) is Literal:
        return [str(choice) for choice in get_args(annotation)]
    return None


# -------------------------------------------------------------------------- params


def add_params(commands: Subcommands) -> None:
    """``params``: the parameters in force on a date, with unit, status and source."""
    sub = commands.add_parser(
        "params",
        help="the parameters in force on a date, with unit, status and source",
        description=(
            "List the parameters in force on a date with their value, unit, status "
            "(published or ASSUMPTION) and source."
        ),
    )
    sub.add_argument("--date", type=_day, default=None, help="the day (YYYY-MM-DD; default: today)")
    sub.add_argument("--file", metavar="FILE", help="a parameter file (default: the reference set)")
    sub.add_argument(
        "--assumptions-only",
        action="store_true",
        help="only the values that are assumptions (what still needs an official value)",
    )
    sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sub.set_defaults(handler=run_params)


def run_params(args: argparse.Namespace) -> int:
    """Print the parameters in force on ``--date``."""
    parameters: Parameters = load_parameters(args.file) if args.file else reference_parameters()
    day: date = args.date or date.today()
    snapshot = parameters.at(day)
    values = [used_parameter(value) for value in snapshot.values.values()]
    if args.assumptions_only:
        values = [value for value in values if value.status == "assumption"]
    if args.json:
        payload = {
            "parameters_name": parameters.name,
            "origin": parameters.origin,
            "date": day.isoformat(),
            "parameters": [value.model_dump(mode="json") for value in values],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    which = "assumptions" if args.assumptions_only else "parameters"
    print(f"The {which} of {parameters.name!r} ({parameters.origin}) in force on {day}:")
    print()
    print(parameter_table(values) if values else "(none)")
    assumptions = sum(value.status == "assumption" for value in values)
    print()
    print(
        f"{len(values)} values, {assumptions} of them ASSUMPTIONS (not published values); "
        "replace them with official values: docs/official-values.md"
    )
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD ({exc})") from exc


# -------------------------------------------------------------------------- schema


def add_schema(commands: Subcommands) -> None:
    """``schema``: print a JSON Schema."""
    sub = commands.add_parser(
        "schema",
        help="print the JSON Schema of a structure, an allocation or a trace",
        description="Print a JSON Schema (draft 2020-12) generated from the library's models.",
    )
    sub.add_argument("name", choices=SCHEMA_NAMES, help="which schema")
    sub.set_defaults(handler=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    """Print the schema named ``args.name``."""
    name: SchemaName = args.name
    print(json.dumps(json_schema(name), indent=2, ensure_ascii=False))
    return 0


# --------------------------------------------------------- portfolio files (shared)


def _add_optional_period(parser: argparse.ArgumentParser) -> None:
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--year", type=int, help="a calendar year, e.g. 2022")
    when.add_argument(
        "--period",
        metavar="START..END",
        help="an inclusive period, e.g. 2022-03-01..2022-12-31 (without --year or --period, "
        "the input needs a 'year' column: each row over its year)",
    )


def _optional_period(args: argparse.Namespace) -> Period | None:
    if args.year is None and args.period is None:
        return None
    return period_from(args)


def _read_input(name: str) -> pd.DataFrame:
    """The rows of a structures file, as read (validated by the allocation)."""
    return read_structures(name, validate=False)


def _check_output(name: str) -> Path:
    path = Path(name)
    if path.suffix.lower() not in FORMATS:
        raise InputError(
            f"{path}: unknown output file type {path.suffix!r} (known: {', '.join(FORMATS)})"
        )
    return path


def _write(frame: pd.DataFrame, path: Path, *, index: bool | None = None) -> None:
    """Write a result file (format from the suffix); an InputError if it cannot be written."""
    try:
        write_allocations(frame, path, index=index)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the file: {exc}") from exc


def _in_file(name: str, exc: InputError) -> InputError:
    return InputError(f"{name} (rows numbered from 0 after the header): {exc}")


def _base_parameters(name: str | None) -> Parameters:
    return load_parameters(name) if name else reference_parameters()


def _scenarios(names: Sequence[str] | None, base: Parameters) -> list[Scenario]:
    return [read_scenario_file(name, base) for name in names or ()]


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _assumption_line(params: Parameters, period: Period | None) -> str:
    paths = sorted({parameter.path for parameter, _ in assumed_values(params, period)})
    if not paths:
        return "No ASSUMPTION among the parameter values used."
    return "ASSUMPTIONS (not published values) behind these amounts: " + ", ".join(paths)


# --------------------------------------------------------------------------- batch


def add_batch(commands: Subcommands) -> None:
    """``batch``: a file of structures in, a file of allocations out."""
    sub = commands.add_parser(
        "batch",
        help="allocate a file of structures (CSV, Parquet, Excel) into a file",
        description=(
            "Allocate every row of IN (CSV, Parquet or .xlsx; one structure, or one "
            "structure-year, per row) and write the allocations to OUT (format from the "
            "suffix; amounts in integer cents). Prints progress on stderr for large files "
            "and a summary at the end."
        ),
    )
    sub.add_argument("input", metavar="IN", help="the structures file (.csv, .parquet, .xlsx)")
    sub.add_argument("-o", "--output", metavar="OUT", required=True, help="the allocations file")
    _add_optional_period(sub)
    sub.add_argument(
        "--parameters", metavar="FILE", help="a parameter file (default: the reference set)"
    )
    sub.add_argument(
        "--errors",
        choices=("raise", "report"),
        default="raise",
        help="raise (default): any invalid cell stops the batch, nothing is written; "
        "report: allocate the valid rows and write the problems to OUT_STEM.errors.csv "
        "beside the output",
    )
    sub.add_argument(
        "--chunk-rows",
        type=int,
        default=CHUNK_ROWS,
        metavar="N",
        help=f"rows per chunk; longer inputs show progress (default {CHUNK_ROWS})",
    )
    sub.set_defaults(handler=run_batch)


def errors_path(output: Path) -> Path:
    """Where ``batch --errors report`` writes the problems: ``OUT_STEM.errors.csv``."""
    return output.with_name(f"{output.stem}.errors.csv")


def run_batch(args: argparse.Namespace) -> int:
    """Allocate the input file, write the output (and the errors file), print a summary."""
    output = _check_output(args.output)
    if args.chunk_rows < 1:
        raise InputError(f"--chunk-rows {args.chunk_rows}: give a number of rows of at least 1")
    period = _optional_period(args)
    params = _base_parameters(args.parameters)
    frame = _read_input(args.input)
    progress = _progress_printer(sys.stderr) if len(frame) > args.chunk_rows else None
    try:
        reported = allocate_in_chunks(
            frame,
            period,
            params,
            errors=args.errors,
            chunk_rows=args.chunk_rows,
            progress=progress,
        )
    except InputError as exc:
        raise _in_file(args.input, exc) from exc
    allocations = reported.allocations
    if args.errors == "report":
        # the input row of each allocation, as a column, to match the errors file's rows
        _write(allocations.reset_index(names="row"), output, index=False)
        problems = errors_path(output)
        _write(reported.errors, problems, index=False)
    else:
        _write(allocations, output)
    summary = summarise(len(frame), reported)
    when = str(period) if period else EACH_ROWS_YEAR
    print(f"secpa-model batch: {args.input} -> {output}")
    print(f"period: {when}; parameters: {params.name!r}")
    print(
        f"rows: {_number(summary.rows)} read, {_number(summary.allocated)} allocated, "
        f"{_number(summary.eligible)} eligible, {_number(summary.invalid)} invalid"
    )
    print(f"total: {format_euros(summary.total)} (the sum of the rows' totals, in cents)")
    if args.errors == "report":
        print(
            f"errors: {_number(summary.problems)} problems in {_number(summary.invalid)} rows "
            f"written to {problems}"
        )
    print(_assumption_line(params, period))
    return 0


def _progress_printer(stream: TextIO) -> Callable[[int, int], None]:
    """A progress bar on ``stream``: redrawn in place on a terminal, a line per chunk
    otherwise."""
    interactive = stream.isatty()

    def show(done: int, total: int) -> None:
        filled = PROGRESS_WIDTH * done // total
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        text = f"[{bar}] {100 * done // total:3d} % ({_number(done)} / {_number(total)} rows)"
        if interactive:
            stream.write("\r" + text + ("\n" if done == total else ""))
        else:
            stream.write(text + "\n")
        stream.flush()

    return show


# ------------------------------------------------------------------------- compare


def add_compare(commands: Subcommands) -> None:
    """``compare``: a portfolio under a baseline and scenarios from files."""
    sub = commands.add_parser(
        "compare",
        help="compare a portfolio under scenarios (TOML/JSON overrides files)",
        description=(
            "Allocate the structures of IN under the baseline and under each scenario, and "
            "print the portfolio totals by scenario. A scenario file holds name, description "
            "and an overrides table keyed by parameter path (docs/cli.md)."
        ),
    )
    sub.add_argument("input", metavar="IN", help="the structures file (.csv, .parquet, .xlsx)")
    sub.add_argument(
        "--scenario",
        metavar="FILE",
        action="append",
        required=True,
        help="a scenario file (.toml or .json); repeat for several",
    )
    sub.add_argument(
        "--baseline",
        metavar="FILE",
        help="a parameter file: the baseline, and the base of every scenario "
        "(default: the reference set)",
    )
    _add_optional_period(sub)
    sub.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="write the detail (scenario × structure × line) to OUT (.csv, .parquet, .xlsx)",
    )
    sub.set_defaults(handler=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """Print the summary by scenario; write the detail with ``-o``."""
    output = _check_output(args.output) if args.output else None
    period = _optional_period(args)
    baseline = _base_parameters(args.baseline)
    scenarios = _scenarios(args.scenario, baseline)
    frame = _read_input(args.input)
    try:
        comparison = compare(frame, period, baseline, *scenarios)
    except InputError as exc:
        raise _in_file(args.input, exc) from exc
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
    print(f"secpa-model compare: {args.input}, period {period or EACH_ROWS_YEAR}")
    print(f"baseline: parameters {baseline.name!r}; the first row is the baseline")
    print()
    print(_text_table(headers, rows))
    print()
    print(_assumption_line(baseline, period))
    if output is not None:
        _write(comparison.detail, output)
        print(f"detail: {_number(len(comparison.detail))} rows written to {output}")
    return 0


def _text_table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table, the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    return "\n".join([fmt(headers), "-" * (sum(widths) + 2 * len(widths) - 2), *map(fmt, rows)])


# --------------------------------------------------------------------------- sweep


def add_sweep(commands: Subcommands) -> None:
    """``sweep``: the portfolio total for each value of one parameter."""
    sub = commands.add_parser(
        "sweep",
        help="the portfolio total for each value of one parameter",
        description=(
            "Allocate the structures of IN once per value of one parameter (replacing its "
            "value from the base's first date on) and print the totals."
        ),
    )
    sub.add_argument("input", metavar="IN", help="the structures file (.csv, .parquet, .xlsx)")
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
    _add_optional_period(sub)
    sub.add_argument(
        "--parameters", metavar="FILE", help="a parameter file (default: the reference set)"
    )
    sub.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario file applied to the parameters first: the base of the sweep",
    )
    sub.add_argument(
        "-o", "--output", metavar="OUT", help="write the table to OUT (.csv, .parquet, .xlsx)"
    )
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
    output = _check_output(args.output) if args.output else None
    values = sweep_values(args.values)
    period = _optional_period(args)
    params = _base_parameters(args.parameters)
    if args.scenario:
        params = read_scenario_file(args.scenario, params).apply(params)
    frame = _read_input(args.input)
    try:
        table = sweep(frame, period, args.path, values, params)
    except InputError as exc:
        raise _in_file(args.input, exc) from exc
    rows = [
        [
            str(record["value"]),
            format_euros(record["total_eur"]),
            format_euros(cents_to_euros(record["difference_cents"])),
            str(record["eligible_structures"]),
        ]
        for record in table.to_dict("records")
    ]
    print(f"secpa-model sweep of {args.path}: {args.input}, period {period or EACH_ROWS_YEAR}")
    print(f"base: parameters {params.name!r}; difference to the total under the base")
    print()
    print(_text_table([args.path, "total", "difference", "eligible"], rows))
    print()
    print(f"{args.path} takes the SCENARIO values above. " + _assumption_line(params, period))
    if output is not None:
        _write(table, output)
        print(f"table written to {output}")
    return 0


# -------------------------------------------------------------------------- report


def add_report(commands: Subcommands) -> None:
    """``report``: one self-contained HTML page of a portfolio."""
    sub = commands.add_parser(
        "report",
        help="an HTML report of a portfolio (one self-contained page)",
        description=(
            "Write one self-contained HTML page: the totals, the assumptions used, a table per "
            "structure, the comparison with scenarios and the charts (embedded; they need the "
            "optional extra 'plot')."
        ),
    )
    sub.add_argument("input", metavar="IN", help="the structures file (.csv, .parquet, .xlsx)")
    sub.add_argument("-o", "--output", metavar="OUT", required=True, help="the HTML file")
    _add_optional_period(sub)
    sub.add_argument(
        "--parameters", metavar="FILE", help="a parameter file (default: the reference set)"
    )
    sub.add_argument(
        "--scenario",
        metavar="FILE",
        action="append",
        help="a scenario file to compare with the parameters; repeat for several",
    )
    sub.add_argument("--title", default="SECPA allocations", help="the page's title")
    sub.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Write the HTML report."""
    period = _optional_period(args)
    params = _base_parameters(args.parameters)
    scenarios = _scenarios(args.scenario, params)
    frame = _read_input(args.input)
    try:
        page = build_report(
            frame, period, params, scenarios, title=args.title, source=Path(args.input).name
        )
    except InputError as exc:
        raise _in_file(args.input, exc) from exc
    except ValueError as exc:  # repeated scenario names
        raise InputError(str(exc)) from exc
    try:
        Path(args.output).write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{args.output}: cannot write the report: {exc}") from exc
    print(f"report of {_number(len(frame))} structures written to {args.output}")
    return 0


# ------------------------------------------------------------------------- wiring

SUBCOMMANDS: Final[tuple[Callable[[Subcommands], None], ...]] = (
    add_demo,
    add_allocate,
    add_batch,
    add_compare,
    add_sweep,
    add_report,
    add_params,
    add_schema,
)
"""The subcommands, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``secpa-model`` command."""
    parser = argparse.ArgumentParser(
        prog="secpa-model",
        description="Funding model of the SECPA experimentation (article 51).",
        epilog="Run 'secpa-model COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``secpa-model`` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error argparse already reported
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    try:
        code: int = args.handler(args)
    except (SecpaError, ImportError) as exc:  # ImportError: a missing optional extra, named
        print(f"secpa-model: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    return code
