"""What the subcommands share: constants, period arguments, input and output files,
parameters and scenarios, numbers and the assumptions line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeAlias

import pandas as pd

from secpa_model.analysis.scenario_files import read_scenario_file
from secpa_model.analysis.scenarios import Scenario
from secpa_model.core.errors import InputError, Problem
from secpa_model.core.money import EXACT_LIMIT, describe_limit, euros_to_cents
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.core.safe_text import shortened, shown, visible_controls
from secpa_model.io.files import CSV_STYLES, CsvStyle, read_structure_rows, write_tables
from secpa_model.io.formats import (
    CSV,
    JSON_LINES,
    SUFFIXES,
    format_keys,
    format_named,
    format_of,
    suffix_list,
)
from secpa_model.io.frames import IDENTIFYING_COLUMNS
from secpa_model.io.locations import RowLocations
from secpa_model.io.manifest import Manifest, manifest_for
from secpa_model.io.output import STDOUT as STDOUT
from secpa_model.io.output import is_stream_output
from secpa_model.io.portfolio import Portfolio
from secpa_model.io.readers import EncodingFallbackWarning
from secpa_model.io.validation import problems_error
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.models import DEFAULT_MODEL, get_model
from secpa_model.presentation.report import assumed_values

USAGE_ERROR: Final = 2
EACH_ROWS_YEAR: Final = "each row's year"
_READ_OPTIONS: Final = (
    ("--parameters", "parameter file"),
    ("--baseline", "baseline parameter file"),
    ("--scenario", "scenario file"),
)
"""The options naming files a subcommand reads, and what each file is."""
OUTPUT_OPTIONS: Final = ("output", "detail", "summary_output")
"""The options naming a table a subcommand writes (``-o``, ``--detail``, ``--summary-output``)."""

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_<name>`` functions receive: the parser's subcommands."""

OPTIONS: Final[dict[str, dict[str, Any]]] = {
    "input": {
        "metavar": "IN",
        "help": f"the structures file ({suffix_list()}); - reads standard input (with --from)",
    },
    "--from": {
        "dest": "from_format",
        "metavar": "FORMAT",
        "help": f"the format of IN when its name has no known suffix ({format_keys()}): "
        "standard input (-), a FIFO, /dev/stdin",
    },
    "--encoding": {
        "metavar": "NAME",
        "help": "the encoding of a CSV IN, e.g. cp1252 (default: UTF-8, else Windows-1252 "
        "with a note on standard error)",
    },
    "--to": {
        "dest": "to_format",
        "metavar": "FORMAT",
        "help": f"the format of an output whose name has no known suffix ({format_keys()}): "
        "standard output (-o -), a FIFO, /dev/stdout",
    },
    "--csv-style": {
        "choices": CSV_STYLES,
        "default": "default",
        "help": "the CSV files written: default (comma, decimal point, UTF-8 without a byte "
        "order mark) or fr (semicolon, decimal comma, UTF-8 with a byte order mark, as a "
        "French Excel opens it)",
    },
    "--keep": {
        "metavar": "COL1,COL2",
        "help": "input columns to copy into the output after the id (and year), separated by "
        "commas, e.g. nom,region; an empty value keeps none; default: the identifying "
        f"columns found ({', '.join(IDENTIFYING_COLUMNS)}; any case, accents)",
    },
    "--allow-duplicates": {
        "action": "store_true",
        "help": "fund every row as given, even rows that repeat a structure id (and year); by "
        "default such rows are invalid, every copy named, since each would get its own caps",
    },
    "--scheduler": {
        "metavar": "ADDRESS",
        "help": "compute on the workers of the Dask scheduler at ADDRESS (tcp://host:8786; "
        "needs secpa-model[dask]); the same numbers as here",
    },
    "--model": {
        "metavar": "NAME",
        "default": DEFAULT_MODEL,
        "help": "the model: a shipped one or one a package declares (see 'secpa-model "
        "models'), module:NAME (importable from the current directory) or "
        f"path/to/file.py:NAME (default: {DEFAULT_MODEL})",
    },
    "--parameters": {
        "metavar": "FILE",
        "help": "a parameter file of the model (default: its reference values)",
    },
}
"""The options several subcommands share, each declared once: its settings of
:meth:`argparse.ArgumentParser.add_argument` by its name (``input``: the positional ``IN``)."""


def add_options(parser: argparse.ArgumentParser, *names: str) -> None:
    """Declare the shared options ``names`` (keys of :data:`OPTIONS`) on ``parser``, in
    order."""
    for name in names:
        parser.add_argument(name, **OPTIONS[name])


def add_output_option(
    parser: argparse.ArgumentParser, text: str, *, required: bool = False
) -> None:
    """``-o OUT`` (``--output``): the file the command writes, ``text`` its help."""
    parser.add_argument("-o", "--output", metavar="OUT", required=required, help=text)


# ------------------------------------------------------------------------- periods


def add_period_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """``--year`` or ``--period``: one of them ``required``, or neither (each input row over
    its ``year``)."""
    when = parser.add_mutually_exclusive_group(required=required)
    when.add_argument("--year", type=int, help="a calendar year, e.g. 2022")
    text = "an inclusive period, e.g. 2022-03-01..2022-12-31"
    if not required:
        text += (
            " (without --year or --period, the input needs a 'year' column: each row over its year)"
        )
    when.add_argument("--period", metavar="START..END", help=text)


def period_from(args: argparse.Namespace) -> Period:
    """The period of ``--year`` or ``--period`` (an :class:`InputError` naming the value)."""
    flag, value = ("--year", args.year) if args.year is not None else ("--period", args.period)
    return parse_period(flag, value)


def parse_period(flag: str, value: PeriodLike) -> Period:
    """The period ``value`` given with ``flag`` (an :class:`InputError` naming both)."""
    try:
        return Period.parse(value)
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: --year 10**30
        raise InputError(
            f"{flag} {shown(value, 60)}: {shortened(str(exc), 200)} "
            "(expected YYYY or YYYY-MM-DD..YYYY-MM-DD)"
        ) from exc


def optional_period(args: argparse.Namespace) -> Period | None:
    """The period of ``--year`` or ``--period``; ``None`` without either."""
    if args.year is None and args.period is None:
        return None
    return period_from(args)


# --------------------------------------------------------------------------- files


def envelope_euros(text: str) -> Decimal:
    """The euros of ``--envelope``: digits with an optional decimal point, spaces or ``_``
    between thousands allowed; at least 0, at most to the cent and within the exact range of
    cents (an :class:`InputError` naming a bad one, never an internal error)."""
    try:
        value = Decimal(text.strip().replace(" ", "").replace("_", ""))
        cents = euros_to_cents(value)  # finite and to the cent, or a ValueError
    except (ArithmeticError, ValueError) as exc:  # not a number, too large, finer
        raise InputError(
            f"--envelope {shown(text, 60)}: not an amount in euros, at most to the cent "
            "(digits, with a decimal point for cents, e.g. 14000000 or 1250000.50)"
        ) from exc
    if value < 0 or cents > EXACT_LIMIT:
        raise InputError(
            f"--envelope {shown(text, 60)}: give an amount of at least 0 and at most "
            f"{describe_limit()}"
        )
    return value


NOTES: list[str] = []
"""What the command noticed while reading its input and must say (a CSV read as
Windows-1252): :func:`~secpa_model.presentation.cli.main` prints each as a note on standard
error after a successful run, or adds them to the error message of a failed one, so that
an error stays the first line of standard error."""


@contextlib.contextmanager
def encoding_notes() -> Iterator[None]:
    """Each :class:`EncodingFallbackWarning` raised inside kept in :data:`NOTES`, even
    when the block fails."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always", EncodingFallbackWarning)
            caught = recorded
            yield
    finally:
        for warning in caught:
            if issubclass(warning.category, EncodingFallbackWarning):
                NOTES.append(str(warning.message))
            else:  # pragma: no cover - another warning: let it through as it was
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )


def input_format(args: argparse.Namespace) -> str | None:
    """The format of ``--from`` (checked), or None; an :class:`InputError` for an ``IN``
    whose format neither its suffix nor ``--from`` gives."""
    name = getattr(args, "from_format", None)
    if name is not None:
        return format_named(name).key
    path = Path(args.input)
    if args.input != STDOUT and path.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"{path}: unknown file type {path.suffix!r} (known: {suffix_list()}; or give "
            "--from FORMAT)"
        )
    return None


def check_output(name: str, to: str | None = None) -> Path:
    """The output path, checked before any work: its format from its suffix, else from
    ``to`` (``--to``); an :class:`InputError` for neither, or for a suffix that ``to``
    contradicts. ``-`` is standard output."""
    path = Path(name)
    known = SUFFIXES.get(path.suffix.lower()) if name != STDOUT else None
    if known is not None and to is not None and format_named(to) is not known:
        raise InputError(
            f"{shown(name, 60)}: the name says {known.key}, --to says {format_named(to).key}: "
            "give one"
        )
    if known is None and to is None and name != STDOUT:
        raise InputError(
            f"{path}: unknown output file type {path.suffix!r} (known: {suffix_list()}; or "
            "give --to FORMAT)"
        )
    format_of(name, to)
    return path


def stdout_taken(args: argparse.Namespace) -> bool:
    """Whether an output of the command is standard output (``-``, or a name of the file
    standard output is): then every message goes to standard error."""
    for name in OUTPUT_OPTIONS:
        value = getattr(args, name, None)
        if not isinstance(value, str):
            continue
        if value == STDOUT:
            return True
        try:
            if os.path.samestat(os.stat(value), os.fstat(1)):
                return True
        except (OSError, ValueError):
            continue
    return False


def input_files(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The files a subcommand reads, each with how to name it in a message: the
    structures file ``IN`` and any ``--parameters``, ``--baseline`` and ``--scenario``."""
    files = [(f"the structures file {args.input} (IN)", Path(args.input))]
    if args.input == STDOUT:
        files = [("the structures on standard input (IN -)", Path(STDOUT))]
    for option, what in _READ_OPTIONS:
        value = getattr(args, option.removeprefix("--"), None)
        names = [value] if isinstance(value, str) else list(value or ())
        files += [(f"the {what} {name} ({option})", Path(name)) for name in names]
    return files


def refuse_overwriting(
    outputs: Sequence[tuple[str, Path]], inputs: Sequence[tuple[str, Path]]
) -> None:
    """An :class:`InputError` naming both files if an output is one of the ``inputs``, or
    two ``outputs`` are one file; called before anything is read. Each item is ``(how a
    message names it, path)``.

    Two paths are one file when they resolve to the same path (:meth:`Path.resolve`:
    ``./x/../in.csv`` is ``in.csv``, a symbolic link is its target) or, both existing, are
    the same file under two names (:func:`os.path.samefile`: a hard link, or another
    spelling on a case-insensitive file system). ``-`` is standard input among the
    inputs, standard output among the outputs: the regular file it is redirected from or
    to counts (``< out.csv``, ``> in.csv``); two streams are never one file.
    """
    for position, (written, path) in enumerate(outputs):
        others = [(*item, True) for item in inputs] + [(*o, False) for o in outputs[:position]]
        for other, other_path, reading in others:
            if STDOUT in (str(path), str(other_path)):
                if _same_stream(path, other_path, reading=reading):
                    raise InputError(
                        f"{written} would overwrite {other}: they are the same file; "
                        "choose another output file"
                    )
                continue
            if same_file(path, other_path):
                raise InputError(
                    f"{written} would overwrite {other}: they are the same file "
                    f"({_resolved(path)}); choose another output file"
                )


def same_file(first: Path, second: Path) -> bool:
    """Whether ``first`` and ``second`` name one file (see :func:`refuse_overwriting`); a
    path that does not exist yet is compared by its resolved spelling only."""
    if _resolved(first) == _resolved(second):
        return True
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):  # one does not exist (yet), or an unusable name
        return False


def _same_stream(output: Path, other: Path, *, reading: bool) -> bool:
    """Whether ``output`` and ``other``, one of them ``-`` (standard output for
    ``output``; standard input for ``other`` when ``reading``, else standard output), are
    one regular file."""
    try:
        first = os.fstat(1) if str(output) == STDOUT else os.stat(output)
        second = os.fstat(0 if reading else 1) if str(other) == STDOUT else os.stat(other)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(first.st_mode) and os.path.samestat(first, second)


def _resolved(path: Path) -> Path:
    """``path`` absolute, symbolic links followed (only made absolute if that fails)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        return Path(os.path.abspath(path))


def keep_from(args: argparse.Namespace) -> list[str] | None:
    """The columns of ``--keep`` (None without it: the default)."""
    if getattr(args, "keep", None) is None:
        return None
    return [name.strip() for name in args.keep.split(",") if name.strip()]


def write_results(
    tables: Sequence[tuple[pd.DataFrame | str, Path | None, bool | None]],
    *,
    csv_style: CsvStyle = "default",
    to: str | None = None,
    manifest: Manifest | None = None,
) -> None:
    """Write result files, committed together
    (:func:`~secpa_model.io.files.write_tables`: a frame in the format of its suffix, else
    ``to``; a text as it is; each table with ``manifest``); an item without a path is left
    out; an InputError if one cannot be written."""
    chosen = [(item, path, index) for item, path, index in tables if path is not None]
    if not chosen:
        return
    try:
        write_tables(chosen, csv_style=csv_style, file_format=to, manifest=manifest)
    except OSError as exc:
        names = ", ".join(str(path) for _, path, _ in chosen)
        raise InputError(f"{names}: cannot write the file: {exc}") from exc


# ----------------------------------------------------------------- invalid rows


def errors_path(output: Path, to: str | None = None) -> Path:
    """Where ``--errors report`` writes the problems: ``OUT_STEM.errors.csv``, or
    ``OUT_STEM.errors.jsonl`` beside a JSON Lines output (its suffix, else ``to``)."""
    fmt = JSON_LINES if format_of(output, to or CSV.key) is JSON_LINES else CSV
    return output.with_name(f"{output.stem}.errors{fmt.suffixes[0]}")


def add_errors_argument(parser: argparse.ArgumentParser, *, output_required: bool) -> None:
    """``--errors raise|report``: what invalid rows do (the same on every portfolio
    command)."""
    where = (
        "beside the output (when OUT is a stream, -o -, listed on standard error)"
        if output_required
        else "beside -o OUT (without -o, or to a stream, listed on standard error)"
    )
    parser.add_argument(
        "--errors",
        choices=("raise", "report"),
        default="raise",
        help="raise (default): any invalid cell stops the run, nothing is written; "
        "report: compute with the valid rows and write the problems to OUT_STEM.errors.csv "
        f"{where}",
    )


def checked_outputs(
    args: argparse.Namespace, output: Path | None = None
) -> tuple[Path | None, Path | None]:
    """The output (``output``, else ``-o OUT`` checked by :func:`check_output`, None without
    it) and where ``--errors report`` writes the problems (:func:`errors_path`; None without
    ``--errors report``, without an output, or when the output is a stream: -, a FIFO, a
    device, the problems are then listed on standard error), each refused (before anything
    is read) if it is an input or the other output."""
    if output is None and args.output:
        output = check_output(args.output, args.to_format)
    problems = None
    if args.errors == "report" and output is not None and not is_stream_output(output):
        problems = errors_path(output, getattr(args, "to_format", None))
    outputs = [(f"-o {output}", output)] if output is not None else []
    if problems is not None:
        outputs.append((f"the errors file {problems} (--errors report)", problems))
    refuse_overwriting(outputs, input_files(args))
    return output, problems


def list_problems(
    args: argparse.Namespace,
    problems: pd.DataFrame,
    rows: RowLocations | None,
    path: Path | None,
) -> str:
    """Where the problems went, for a summary line: written to ``path``, or (without one)
    listed on standard error here (one JSON object per problem with ``--json``)."""
    count = len(problems)
    found = f"{number(count)} problem{'' if count == 1 else 's'}"
    if path is not None:
        return found + f", written to {path}"
    if count:
        listed = problems_error(problems, rows)
        if json_wanted(args):
            for problem in listed.problems:
                print(problem_json(problem), file=sys.stderr)
        else:
            print(f"secpa-model {args.command}: {listed}", file=sys.stderr)
        found += ", listed on standard error"
    return found


def json_wanted(args: argparse.Namespace) -> bool:
    """Whether ``--json`` was given (before or after the command)."""
    return bool(getattr(args, "json", False) or getattr(args, "json_errors", False))


def problem_json(problem: Problem) -> str:
    """A problem as one line of JSON (ASCII: nothing a terminal would interpret)."""
    return json.dumps(problem.to_dict(), ensure_ascii=True)


# ------------------------------------------------------ models, parameters, scenarios

MODELS: Final[dict[str, Model]] = {}
"""The models one run of the command has loaded, by name (each file read once)."""


@contextlib.contextmanager
def scheduler_client(address: str | None) -> Iterator[Any]:
    """A ``dask.distributed`` client of the scheduler at ``address`` (None: none), closed
    after; an address it cannot reach is an InputError naming it."""
    if address is None:
        yield None
        return
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError("--scheduler needs Dask: pip install 'secpa-model[dask]'") from exc
    try:
        client = Client(address)  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        raise InputError(
            f"--scheduler {shown(address)}: no Dask scheduler reached ({exc})"
        ) from exc
    with client:
        yield client


def model_from(name: str | None) -> Model:
    """The model called ``name`` (default: the experimentation), loaded once per run of
    the command (a user's file runs once)."""
    key = name or DEFAULT_MODEL
    if key not in MODELS:
        MODELS[key] = get_model(key)
    return MODELS[key]


def print_note(model: Model) -> None:
    """Print the model's note on a line of its own (``five_pillars: PROPOSAL, ...``), when
    it has one: what a reader of its results must know (a proposal, an illustration)."""
    if model.note:
        print(visible_controls(f"{model.name}: {model.note}"))


def base_parameters(name: str | None, model: Model) -> Parameters:
    """The parameter file ``name`` for ``model``, or its reference values without one."""
    return model.load_parameters(name) if name else model.reference_parameters()


def add_base_scenario_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """``--scenario FILE``: one scenario file applied to the parameters first."""
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help=f"a scenario file applied to the parameters first{what}",
    )


def scenario_parameters(
    model: Model, name: str | None, scenario: str | Sequence[str] | None
) -> tuple[Parameters, list[Scenario], Parameters]:
    """The parameter file ``name`` (:func:`base_parameters`), the scenario files read
    against it, and the parameters computed with: those the one file ``scenario`` gives
    (none without one), or the base with several (a sequence, compared with the base)."""
    base = base_parameters(name, model)
    one = isinstance(scenario, str)
    names = ([scenario] if scenario else []) if isinstance(scenario, str) else scenario or ()
    scenarios = [read_scenario_file(file, base, model=model) for file in names]
    return base, scenarios, scenarios[0].apply(base) if one and scenarios else base


def scenario_values(scenarios: Sequence[Scenario], base: Parameters) -> str:
    """The values each scenario sets over ``base``, one line per value (a relative change
    with its computation), control characters made visible: what a person checks before
    trusting the totals."""
    lines = [line for scenario in scenarios for line in scenario.describe(base).split("\n")]
    return "\n".join(visible_controls(line) for line in lines)


def assumption_line(params: Parameters, period: Period | None) -> str:
    """The line naming the ASSUMPTION values among the parameters used over ``period``."""
    paths = sorted({parameter.path for parameter, _ in assumed_values(params, period)})
    if not paths:
        return "No ASSUMPTION among the parameter values used."
    return "ASSUMPTIONS (not published values) behind these amounts: " + ", ".join(paths)


def number(value: int) -> str:
    """An integer with a space between thousands, e.g. ``12 345``."""
    return f"{value:,}".replace(",", " ")


@dataclass(frozen=True)
class PortfolioRun:
    """What a portfolio subcommand reads, in this order (:meth:`read`): the model
    (``--model``), its parameters (``--parameters`` or ``--baseline``), the ``--scenario``
    files read against them, then the portfolio of the structures file ``IN`` as the
    options say (``--from``, ``--encoding``, ``--allow-duplicates``, ``--keep``, and
    ``--errors report``: the valid rows computed; a JSON Lines line that is not a structure
    is then a problem like an invalid cell), its errors naming the file and line; and where
    it writes (:func:`checked_outputs`, checked before)."""

    args: argparse.Namespace
    model: Model
    base: Parameters
    """The parameter file's values (the model's reference values without one)."""
    scenarios: list[Scenario]
    params: Parameters
    """The parameters computed with: ``base``, with the one ``--scenario FILE`` of a
    subcommand that takes one applied (repeated ones are compared with ``base``)."""
    structures: Portfolio
    input_sha256: Callable[[], str]
    """The sha256 of ``IN`` (of its copy's bytes when it was standard input)."""
    output: Path | None = None
    problems: Path | None = None

    @classmethod
    def read(
        cls,
        args: argparse.Namespace,
        output: Path | None = None,
        problems: Path | None = None,
        *,
        model: Model | None = None,
    ) -> PortfolioRun:
        """The run of ``args`` (with ``model`` instead of ``--model``), writing ``output``
        and ``problems``."""
        model = model or model_from(args.model)
        named = getattr(args, "parameters", None) or getattr(args, "baseline", None)
        base, scenarios, params = scenario_parameters(model, named, getattr(args, "scenario", None))
        with encoding_notes():
            read = read_structure_rows(
                str(args.input), model=model, encoding=args.encoding, file_format=input_format(args)
            )
        try:
            found = Portfolio(
                read.frame,
                model=model,
                keep=keep_from(args),
                allow_duplicates=args.allow_duplicates,
                rows=read.rows,
                read_problems=read.problems,
            )
        except InputError as exc:  # the columns (a misspelt one): named in the file
            raise read.rows.error(exc) from exc
        structures = found.valid() if getattr(args, "errors", "raise") == "report" else found
        return cls(args, model, base, scenarios, params, structures, read.sha256, output, problems)

    def heading(self, first: str, about: str) -> None:
        """Print the summary's first lines: ``first``, the model with ``about`` the
        parameters, and the model's note."""
        print(first)
        print(f"model: {self.model.name!r}; {about}")
        print_note(self.model)

    def manifest(self, period: Period | None) -> Manifest:
        """The manifest of the outputs over ``period``: the command line, the model, the
        parameters (and the file ``--parameters`` or ``--baseline`` named), the scenario
        files read (applied or compared), ``--seed`` and ``--draws`` when the command has
        them, and the input ``IN`` read (its sha256 and its rows)."""
        args, structures = self.args, self.structures
        named = getattr(args, "parameters", None) or getattr(args, "baseline", None)
        return manifest_for(
            self.model,
            self.params,
            period,
            input_path=args.input,
            input_sha256=self.input_sha256(),
            rows=structures.size + structures.invalid_rows,
            scenarios=self.scenarios,
            seed=getattr(args, "seed", None),
            draws=getattr(args, "draws", None),
            command=getattr(args, "argv", None),
            parameters_file=named if isinstance(named, str) else None,
        )

    def write(
        self,
        table: pd.DataFrame | str,
        manifest: Callable[[], Manifest],
        written: str,
        *,
        index: bool | None = None,
    ) -> None:
        """Write ``table`` to the output (none without it) and, with ``--errors report``,
        the portfolio's problems (each with its line in the input file) to the errors file
        (even when there are none), all committed together, each file with ``manifest()``
        (:func:`write_results`); then print how many rows were left out and where their
        problems are (without an errors file, listed on standard error), and ``written``
        followed by ``written to OUT``."""
        args, structures, output = self.args, self.structures, self.output
        write_results(  # no errors file (None) without --errors report: checked_outputs
            [(table, output, index), (structures.problems, self.problems, False)],
            csv_style=getattr(args, "csv_style", "default"),
            to=getattr(args, "to_format", None),
            manifest=None if output is None else manifest(),
        )
        if args.errors == "report":
            found = list_problems(args, structures.problems, structures.rows, self.problems)
            rows = number(structures.size + structures.invalid_rows)
            print(
                f"invalid rows: {number(structures.invalid_rows)} of {rows} left out of every "
                f"total ({found})"
            )
        if output is not None:
            print(f"{written} written to {output}")
