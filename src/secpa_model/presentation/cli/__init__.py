"""The ``secpa-model`` command line (also ``python -m secpa_model``).

One function per subcommand: ``add_<name>(commands)`` declares its arguments and
``run_<name>(args)`` does the work and returns the exit code; list the ``add_`` function in
:data:`SUBCOMMANDS`. The exit codes (:data:`EXIT_CODES`, 128 + a signal's number when one
stops the run), the one-line errors (a traceback only with :data:`TRACEBACK_VARIABLE` set) and
``--json`` are described in docs/cli.md ("Errors, exit codes and --json").
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, NoReturn, TextIO

from secpa_model.core.errors import PROBLEM_FIELDS, Problem, SecpaError
from secpa_model.core.safe_text import MAX_SHOWN, shortened, terminal_text
from secpa_model.io.manifest import library_version
from secpa_model.io.output import (
    Stopped,
    received_signal,
    remove_temporaries,
    stopped_by_signals,
)
from secpa_model.model.model import Model
from secpa_model.models import experimentation
from secpa_model.presentation.cli.common import (
    MODELS,
    NOTES,
    USAGE_ERROR,
    Subcommands,
    json_wanted,
    model_from,
    problem_json,
    stdout_taken,
)
from secpa_model.presentation.cli.one_structure import (
    add_allocate,
    add_demo,
    add_models,
    add_params,
    add_schema,
)
from secpa_model.presentation.cli.portfolio import (
    add_batch,
    add_budget,
    add_compare,
    add_report,
    add_sweep,
)
from secpa_model.presentation.cli.progress import quiet_wanted
from secpa_model.presentation.cli.reproduce import add_reproduce
from secpa_model.presentation.cli.server import add_serve
from secpa_model.presentation.cli.uncertainty import (
    add_calibrate,
    add_sensitivity,
    add_simulate,
)

__all__ = [
    "BROKEN_PIPE",
    "EXIT_CODES",
    "INPUT_FAILURES",
    "INTERNAL_ERROR",
    "SUBCOMMANDS",
    "UsageError",
    "build_parser",
    "main",
]

SUBCOMMANDS: Final[tuple[Callable[[Subcommands, Model], None], ...]] = (
    add_demo,
    add_allocate,
    add_batch,
    add_compare,
    add_sweep,
    add_report,
    add_budget,
    add_simulate,
    add_sensitivity,
    add_calibrate,
    add_reproduce,
    add_params,
    add_schema,
    add_models,
    add_serve,
)
"""The subcommands, in the order ``--help`` lists them."""

BROKEN_PIPE: Final = 141
"""The exit code when standard output is closed early: 128 + SIGPIPE, as a Unix tool."""

INTERNAL_ERROR: Final = 3
"""The exit code of a failure of secpa-model itself (a bug), reported in one line."""

EXIT_CODES: Final[dict[int, str]] = {
    0: "success",
    USAGE_ERROR: "invalid input, parameters, scenario or command line",
    INTERNAL_ERROR: "internal error (a bug of secpa-model: please report it)",
    BROKEN_PIPE: "standard output closed early (as a Unix tool killed by SIGPIPE)",
}
"""Every exit code of the command, and what it means."""

JSON_FLAG: Final = "--json"
JSON_HELP: Final = (
    "errors as JSON objects on stderr, one line per problem (" + ", ".join(PROBLEM_FIELDS) + ")"
)
QUIET_FLAG: Final = "--quiet"
QUIET_HELP: Final = (
    "no progress and no notes on stderr, nor a summary of what was written (errors are "
    "still printed)"
)
TRACEBACK_VARIABLE: Final = "SECPA_MODEL_TRACEBACK"
"""Set in the environment, an internal error shows its Python traceback (for debugging)."""

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


class UsageError(Exception):
    """A command line argparse cannot parse, raised instead of printed in ``--json`` mode."""


class _JsonErrorsParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are raised (:class:`UsageError`), so that
    ``--json`` reports them as JSON."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser(
    model: Model | None = None, *, json_errors: bool = False
) -> argparse.ArgumentParser:
    """The argument parser of the ``secpa-model`` command (``allocate`` has a flag per input
    of ``model``, default the experimentation). Every command takes ``--json`` (errors as
    JSON); with ``json_errors`` a usage error raises :class:`UsageError` instead of being
    printed."""
    parser = (_JsonErrorsParser if json_errors else argparse.ArgumentParser)(
        prog="secpa-model",
        description="Funding model of the SECPA experimentation (article 51).",
        epilog="Run 'secpa-model COMMAND --help' for a command's options. Exit codes: "
        + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())
        + ".",
    )
    parser.add_argument(JSON_FLAG, dest="json_errors", action="store_true", help=JSON_HELP)
    parser.add_argument(QUIET_FLAG, dest="quiet_all", action="store_true", help=QUIET_HELP)
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {library_version()}",
        help="print the version of secpa-model and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(commands, model or experimentation())
    for sub in commands.choices.values():
        if JSON_FLAG not in sub._option_string_actions:  # allocate and params have their own
            sub.add_argument(JSON_FLAG, action="store_true", help=JSON_HELP)
        sub.add_argument(QUIET_FLAG, action="store_true", help=QUIET_HELP)
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


def _json_requested(argv: Sequence[str]) -> bool:
    """Whether ``--json`` is among the options of ``argv`` (before any ``--``)."""
    words = list(argv)
    return JSON_FLAG in (words[: words.index("--")] if "--" in words else words)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``secpa-model`` command; returns the exit code (see the module
    docstring and :data:`EXIT_CODES`: 0, 2 with one error message on stderr, 3 on an
    internal error, 141 if stdout was closed, 130 after Ctrl-C and 143 or 129 after SIGTERM
    or SIGHUP, with one line on stderr and no temporary file left)."""
    words = list(sys.argv[1:] if argv is None else argv)
    report = _Reporter(json=_json_requested(words))
    try:
        with stopped_by_signals() as received:
            code = _run(words, report)
        if sys.stdout is not None:  # a closed pipe shows here, not as "Exception ignored"
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    except (KeyboardInterrupt, Stopped) as exc:  # KeyboardInterrupt: before the handlers
        return _stopped(exc.number if isinstance(exc, Stopped) else signal.SIGINT)
    # a signal whose exception was swallowed, or turned into the error of a reader
    return _stopped(received[0]) if received else code


def _stopped(number: int) -> int:
    """End a run stopped by the signal ``number``: no temporary left, one line."""
    remove_temporaries()  # removed on the way out, unless the signal came in between
    with contextlib.suppress(OSError):
        print(f"secpa-model: stopped by {signal.Signals(number).name}", file=sys.stderr)
    return 128 + number


def _run(words: list[str], report: _Reporter) -> int:
    MODELS.clear()
    try:
        named = _named_model(words)
        parser = build_parser(model_from(named) if named else None, json_errors=report.json)
    except SecpaError as exc:
        return report.problems(exc.problems, exc.message)
    try:
        args = parser.parse_args(words)
    except UsageError as exc:  # --json: argparse's message, as JSON
        return report.one("usage", str(exc))
    except SystemExit as exc:  # --help (0) or a usage error argparse already reported
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    report.json = json_wanted(args)
    args.argv = tuple(words)  # what an output's manifest records (reproduce runs it again)
    NOTES.clear()
    # an output on standard output carries the data only: every message goes to stderr;
    # a summary for a person shows a name's ESC, carriage return or right-to-left override
    # as its escape (JSON is printed as it is: json.dumps escapes what a terminal obeys)
    if stdout_taken(args):
        shown: contextlib.AbstractContextManager[object] = contextlib.redirect_stdout(
            _Escaped(sys.stderr)
        )
    elif report.json or getattr(args, "prints_json", False):
        shown = contextlib.nullcontext()
    else:
        shown = contextlib.redirect_stdout(_Escaped(sys.stdout))
    try:
        with shown:
            code: int = args.handler(args)
    except SecpaError as exc:  # the notes (a CSV read as Windows-1252) end the message
        noted = "\n".join([exc.message, *(f"  (note: {note})" for note in NOTES)])
        return report.problems(exc.problems, noted)
    except ImportError as exc:  # a missing optional extra, named
        return report.one("usage", str(exc))
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except INPUT_FAILURES as exc:
        return report.one("invalid_input", _unexpected(exc))
    except ValueError as exc:
        if "integer string conversion" not in str(exc):  # not Python's digit limit: a bug
            return _internal(exc, report)
        return report.one("invalid_input", _unexpected(exc))
    except Exception as exc:  # a bug: one line, exit code 3, never a traceback
        return _internal(exc, report)
    if not report.json and not quiet_wanted(args):  # --json: only JSON problems on stderr
        for note in NOTES:
            with contextlib.suppress(OSError):
                print(f"secpa-model: note: {terminal_text(note)}", file=sys.stderr)
    return code


class _Escaped(io.TextIOBase):
    """``stream`` for a person: each control character written to it but the line break
    shown as its escape (:func:`~secpa_model.core.safe_text.terminal_text`)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_text(text, "\n"))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()


def _internal(exc: Exception, report: _Reporter) -> int:
    """Report a failure of secpa-model itself (exit code 3); re-raise it when the
    environment asks for tracebacks (:data:`TRACEBACK_VARIABLE`)."""
    if os.environ.get(TRACEBACK_VARIABLE):
        raise exc
    text = shortened(" ".join(str(exc).split()) or "no detail", 2 * MAX_SHOWN)
    report.one(
        "internal_error",
        f"internal error ({type(exc).__name__}: {text}); this is a bug of secpa-model, "
        f"please report it (set {TRACEBACK_VARIABLE}=1 for the traceback)",
    )
    return INTERNAL_ERROR


@dataclass
class _Reporter:
    """Writes errors on stderr: ``secpa-model: error: message``, or with ``json`` one JSON
    object per problem and line (nothing if stderr is closed too)."""

    json: bool

    def problems(self, problems: Sequence[Problem], message: str) -> int:
        """Report the problems of an error (its ``message`` in text mode); returns 2."""
        if self.json:
            for problem in problems:
                self._write(problem_json(problem))
        else:
            self._write(f"secpa-model: error: {terminal_text(message)}")
        return USAGE_ERROR

    def one(self, code: str, message: str) -> int:
        """Report one problem of ``code`` (not an error of the library); returns 2."""
        return self.problems([Problem(code, message)], message)

    @staticmethod
    def _write(text: str) -> None:
        if received_signal() is not None:  # an error a signal caused: the signal is said
            return
        with contextlib.suppress(OSError):
            print(text, file=sys.stderr)


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
