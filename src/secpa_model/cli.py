"""The ``secpa-model`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from secpa_model.allocation import Allocation
from secpa_model.datasets import example_structures
from secpa_model.engine import allocate, reference_parameters
from secpa_model.errors import SecpaError
from secpa_model.money import format_euros
from secpa_model.rules import RULES

DEMO_YEAR = 2022


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


def _demo(args: argparse.Namespace) -> int:
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``secpa-model`` command."""
    parser = argparse.ArgumentParser(
        prog="secpa-model",
        description="Funding model of the SECPA experimentation (article 51).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="allocate the built-in example structures")
    demo.add_argument("--year", type=int, default=DEMO_YEAR, help="calendar year (default 2022)")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``secpa-model`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except SecpaError as exc:
        print(f"secpa-model: error: {exc}", file=sys.stderr)
        return 2
    return code
