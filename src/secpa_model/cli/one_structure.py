"""The subcommands about one structure or the parameters: ``demo``, ``allocate``,
``params`` and ``schema``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import ValidationError

from secpa_model.cli.common import (
    DEFAULT_STRUCTURE_ID,
    DEMO_YEAR,
    Subcommands,
    add_parameters_argument,
    add_period_arguments,
    period_from,
)
from secpa_model.cli.tables import allocation_table, line_table, parameter_table
from secpa_model.datasets import example_structures
from secpa_model.engine import allocate, reference_parameters
from secpa_model.errors import InputError
from secpa_model.explain import explain_json, explain_markdown, explain_text
from secpa_model.parameters import Parameters, load_parameters
from secpa_model.schemas import SCHEMA_NAMES, SchemaName, json_schema
from secpa_model.structures import Structure
from secpa_model.trace import used_parameter

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
    add_period_arguments(sub)
    add_parameters_argument(sub)
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
