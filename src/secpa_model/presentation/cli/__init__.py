"""The ``secpa-model`` command line (also ``python -m secpa_model``).

One function per subcommand: ``add_<name>(commands)`` declares its arguments and
``run_<name>(args)`` does the work and returns the exit code. To add a subcommand, write
both and list the ``add_`` function in :data:`SUBCOMMANDS`.

Modules: :mod:`.one_structure` (``demo``, ``allocate``, ``params``, ``schema``),
:mod:`.portfolio` (``batch``, ``compare``, ``sweep``, ``report``), :mod:`.uncertainty`
(``sensitivity``, ``calibrate``), :mod:`.common` (what
they share: periods, files, parameters) and :mod:`.tables` (the plain-text tables).

Exit codes: 0 on success; 2 on invalid input, parameters or usage (the message, on
stderr, names the field and the value); 141 (as a Unix tool killed by SIGPIPE) when the
reader of standard output goes away (``secpa-model demo | head -1``), quietly. A bad file
never shows a Python traceback: the readers refuse it with the library's error (see
:mod:`secpa_model.model.parameters.loader`), and :func:`main` turns the few exceptions a
bad input could still cause (:data:`INPUT_FAILURES`) into the same one-line message.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tomllib
from collections.abc import Callable, Sequence
from typing import Final

from secpa_model.core.errors import SecpaError
from secpa_model.core.safe_text import MAX_SHOWN, shortened
from secpa_model.model.model import Model
from secpa_model.models import experimentation, get_model
from secpa_model.presentation.cli.common import (
    DEFAULT_STRUCTURE_ID,
    DEMO_YEAR,
    EACH_ROWS_YEAR,
    PROGRESS_WIDTH,
    USAGE_ERROR,
    Subcommands,
    errors_path,
    period_from,
)
from secpa_model.presentation.cli.one_structure import (
    add_allocate,
    add_demo,
    add_models,
    add_params,
    add_schema,
    read_json_object,
    run_allocate,
    run_demo,
    run_models,
    run_params,
    run_schema,
    structure_from,
)
from secpa_model.presentation.cli.portfolio import (
    add_batch,
    add_compare,
    add_report,
    add_sweep,
    run_batch,
    run_compare,
    run_report,
    run_sweep,
    sweep_values,
)
from secpa_model.presentation.cli.tables import allocation_table, line_table, parameter_table
from secpa_model.presentation.cli.uncertainty import (
    add_calibrate,
    add_sensitivity,
    run_calibrate,
    run_sensitivity,
)

__all__ = [
    "BROKEN_PIPE",
    "DEFAULT_STRUCTURE_ID",
    "DEMO_YEAR",
    "EACH_ROWS_YEAR",
    "INPUT_FAILURES",
    "PROGRESS_WIDTH",
    "SUBCOMMANDS",
    "USAGE_ERROR",
    "Subcommands",
    "add_allocate",
    "add_batch",
    "add_calibrate",
    "add_compare",
    "add_demo",
    "add_models",
    "add_params",
    "add_report",
    "add_schema",
    "add_sensitivity",
    "add_sweep",
    "allocation_table",
    "build_parser",
    "errors_path",
    "line_table",
    "main",
    "parameter_table",
    "period_from",
    "read_json_object",
    "run_allocate",
    "run_batch",
    "run_calibrate",
    "run_compare",
    "run_demo",
    "run_models",
    "run_params",
    "run_report",
    "run_schema",
    "run_sensitivity",
    "run_sweep",
    "structure_from",
    "sweep_values",
]

SUBCOMMANDS: Final[tuple[Callable[[Subcommands, Model], None], ...]] = (
    add_demo,
    add_allocate,
    add_batch,
    add_compare,
    add_sweep,
    add_report,
    add_sensitivity,
    add_calibrate,
    add_params,
    add_schema,
    add_models,
)
"""The subcommands, in the order ``--help`` lists them."""

BROKEN_PIPE: Final = 141
"""The exit code when standard output is closed early: 128 + SIGPIPE, as a Unix tool."""

INPUT_FAILURES: Final[tuple[type[Exception], ...]] = (
    UnicodeError,
    RecursionError,
    OSError,
    tomllib.TOMLDecodeError,
    json.JSONDecodeError,
)
"""The exceptions a bad input can cause while it is read (text not in its encoding,
nesting too deep, a file that cannot be read, a syntax error): :func:`main` reports one
that a reader let through as a one-line error, exit code 2, never a traceback. The
readers refuse these cases themselves, with a better message; this is the last line of
defence. (An integer too long for Python, a ValueError, is the one other such case.)"""


def build_parser(model: Model | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``secpa-model`` command (``allocate`` has a flag per input
    of ``model``, default the experimentation)."""
    parser = argparse.ArgumentParser(
        prog="secpa-model",
        description="Funding model of the SECPA experimentation (article 51).",
        epilog="Run 'secpa-model COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(commands, model or experimentation())
    return parser


def _named_model(argv: Sequence[str]) -> str | None:
    """The value of the first ``--model`` of ``argv`` (the model whose inputs ``allocate``
    takes as flags), or None."""
    for position, word in enumerate(argv):
        if word == "--model" and position + 1 < len(argv):
            return argv[position + 1]
        if word.startswith("--model="):
            return word.partition("=")[2]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``secpa-model`` command; returns the exit code (see the module
    docstring: 0, 2 with one error message on stderr, or 141 if stdout was closed)."""
    try:
        code = _run(list(sys.argv[1:] if argv is None else argv))
        if sys.stdout is not None:  # a closed pipe shows here, not as "Exception ignored"
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    return code


def _run(words: list[str]) -> int:
    try:
        named = _named_model(words)
        parser = build_parser(get_model(named) if named else None)
    except SecpaError as exc:
        _error(str(exc))
        return USAGE_ERROR
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # --help (0) or a usage error argparse already reported
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    try:
        code: int = args.handler(args)
    except (SecpaError, ImportError) as exc:  # ImportError: a missing optional extra, named
        _error(str(exc))
        return USAGE_ERROR
    except BrokenPipeError:
        raise
    except INPUT_FAILURES as exc:
        _error(_unexpected(exc))
        return USAGE_ERROR
    except ValueError as exc:
        if "integer string conversion" not in str(exc):  # not Python's digit limit: a bug
            raise
        _error(_unexpected(exc))
        return USAGE_ERROR
    return code


def _error(message: str) -> None:
    """``secpa-model: error: message`` on stderr (nothing if stderr is closed too)."""
    with contextlib.suppress(OSError):
        print(f"secpa-model: error: {message}", file=sys.stderr)


def _unexpected(exc: BaseException) -> str:
    """One line for an input failure that no reader worded: its kind and its text."""
    text = " ".join(str(exc).split()) or "no detail"
    return shortened(f"cannot read the input ({type(exc).__name__}): {text}", 2 * MAX_SHOWN)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's final flush of
    what could not be written fails no more (the Python documentation's recipe for
    SIGPIPE)."""
    with contextlib.suppress(OSError, ValueError):  # stdout not a file (replaced, closed)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
