"""The ``secpa-model`` command line (also ``python -m secpa_model``).

One function per subcommand: ``add_<name>(commands)`` declares its arguments and
``run_<name>(args)`` does the work and returns the exit code. To add a subcommand, write
both and list the ``add_`` function in :data:`SUBCOMMANDS`.

Modules: :mod:`.one_structure` (``demo``, ``allocate``, ``params``, ``schema``),
:mod:`.portfolio` (``batch``, ``compare``, ``sweep``, ``report``), :mod:`.common` (what
they share: periods, files, parameters) and :mod:`.tables` (the plain-text tables).

Exit codes: 0 on success; 2 on invalid input, parameters or usage (the message, on
stderr, names the field and the value).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Final

from secpa_model.core.errors import SecpaError
from secpa_model.model.model import Model
from secpa_model.models import experimentation, get_model
from secpa_model.presentation.cli.common import (
    DEFAULT_STRUCTURE_ID,
    DEMO_YEAR,
    EACH_ROWS_YEAR,
    PROGRESS_WIDTH,
    USAGE_ERROR,
    Subcommands,
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
    errors_path,
    run_batch,
    run_compare,
    run_report,
    run_sweep,
    sweep_values,
)
from secpa_model.presentation.cli.tables import allocation_table, line_table, parameter_table

__all__ = [
    "DEFAULT_STRUCTURE_ID",
    "DEMO_YEAR",
    "EACH_ROWS_YEAR",
    "PROGRESS_WIDTH",
    "SUBCOMMANDS",
    "USAGE_ERROR",
    "Subcommands",
    "add_allocate",
    "add_batch",
    "add_compare",
    "add_demo",
    "add_models",
    "add_params",
    "add_report",
    "add_schema",
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
    "run_compare",
    "run_demo",
    "run_models",
    "run_params",
    "run_report",
    "run_schema",
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
    add_params,
    add_schema,
    add_models,
)
"""The subcommands, in the order ``--help`` lists them."""


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
    """Entry point of the ``secpa-model`` command; returns the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        named = _named_model(words)
        parser = build_parser(get_model(named) if named else None)
    except SecpaError as exc:
        print(f"secpa-model: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # --help (0) or a usage error argparse already reported
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    try:
        code: int = args.handler(args)
    except (SecpaError, ImportError) as exc:  # ImportError: a missing optional extra, named
        print(f"secpa-model: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    return code
