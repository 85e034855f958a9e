"""The subcommands about one structure or the parameters: ``demo``, ``allocate``,
``params`` and ``schema``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any, Final, Literal, get_args, get_origin

from secpa_model.core.errors import InputError
from secpa_model.core.safe_text import visible_controls
from secpa_model.datasets import example_structures
from secpa_model.engine.allocate import allocate
from secpa_model.engine.build import used_parameter
from secpa_model.io.manifest import manifest_for
from secpa_model.io.readers import file_sha256
from secpa_model.io.schemas import SCHEMA_NAMES, SchemaName, json_schema
from secpa_model.model.model import Model
from secpa_model.model.parameters import Scale
from secpa_model.model.parameters.loader import (
    MAX_FILE_BYTES,
    decode_text,
    json_loads,
    read_text,
)
from secpa_model.models import available_models, experimentation, get_model
from secpa_model.presentation.cli.common import (
    Subcommands,
    add_options,
    add_period_arguments,
    base_parameters,
    model_from,
    period_from,
    print_note,
    scenario_parameters,
    scenario_values,
)
from secpa_model.presentation.cli.tables import (
    allocation_table,
    format_rows,
    line_table,
    parameter_table,
)
from secpa_model.presentation.explain import (
    explain_json,
    explain_markdown,
    explain_text,
    parameters_record,
)

DEMO_YEAR: Final = 2022
DEFAULT_STRUCTURE_ID: Final = "structure"
"""The id of a structure ``allocate`` is given without one."""

# ---------------------------------------------------------------------------- demo


def add_demo(commands: Subcommands, model: Model) -> None:
    """``demo``: the built-in synthetic example structures for a calendar year."""
    demo = commands.add_parser(
        "demo",
        help="allocate the built-in example structures",
        description="Allocate the built-in SYNTHETIC example structures for a calendar year.",
    )
    demo.add_argument("--year", type=int, default=DEMO_YEAR, help="calendar year (default 2022)")
    demo.set_defaults(handler=run_demo, period=None)


def run_demo(args: argparse.Namespace) -> int:
    """Print the example structures' allocations and the assumptions behind them."""
    params = experimentation().reference_parameters()
    period = period_from(args)
    allocations = [allocate(s, period, params) for s in example_structures()]
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


def add_allocate(commands: Subcommands, model: Model) -> None:
    """``allocate``: one structure, from flags and/or a JSON file, over a year or a period
    (a flag per input of ``model``, the model ``--model`` names)."""
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
    for name, info in model.structure.model_fields.items():
        flag = "--" + name.replace("_", "-")
        description = info.description or name
        if info.annotation is bool:
            fields.add_argument(
                flag, dest=name, action=argparse.BooleanOptionalAction, help=description
            )
            continue
        choices = _literal_choices(info.annotation)
        if name == model.id_input:
            description += f" (default {DEFAULT_STRUCTURE_ID!r})"
        fields.add_argument(
            flag, dest=name, choices=choices, metavar=None if choices else "VALUE", help=description
        )
    add_period_arguments(sub)
    add_options(sub, "--model", "--parameters")
    output = sub.add_mutually_exclusive_group()
    output.add_argument(
        "--json",
        action="store_true",
        help="print the JSON trace (and errors as JSON objects on stderr, one per line)",
    )
    output.add_argument("--explain", action="store_true", help="print the text explanation")
    output.add_argument("--markdown", action="store_true", help="print a Markdown explanation")
    sub.set_defaults(handler=run_allocate)


def run_allocate(args: argparse.Namespace) -> int:
    """Allocate the structure given by ``--file`` and the field flags; print it."""
    model = model_from(args.model)
    data: dict[str, Any] = read_json_object(args.file) if args.file else {}
    for name in model.structure.model_fields:
        value = getattr(args, name, None)
        if value is not None:
            data[name] = value
    data.setdefault(model.id_input, DEFAULT_STRUCTURE_ID)
    try:
        structure = model.parse_structure(data)
    except InputError as exc:
        if not args.file:
            raise
        raise exc.located(args.file, file=args.file) from exc
    period = period_from(args)
    parameters = base_parameters(args.parameters, model)
    allocation = allocate(structure, period, parameters, model=model)
    if args.json:
        digest = file_sha256(args.file) if args.file and args.file != "-" else None
        manifest = manifest_for(
            model,
            parameters,
            period,
            input_path=args.file,
            input_sha256=digest,
            rows=1 if digest else None,
            command=getattr(args, "argv", None),
            parameters_file=args.parameters,
        )
        text = explain_json(allocation).rstrip().removesuffix("}").rstrip()
        record = json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False)
        print(f'{text},\n  "manifest": {record.replace(chr(10), chr(10) + "  ")}\n}}')
    elif args.explain:
        print(explain_text(allocation))
    elif args.markdown:
        print(explain_markdown(allocation), end="")
    else:
        eligibility = "eligible" if allocation.eligible else "NOT eligible"
        print(
            visible_controls(
                f"{allocation.structure_id} over {allocation.period} (model {model.name!r}, "
                f"parameters {allocation.parameters_name!r}): {eligibility}"
            )
        )
        print_note(model)
        for reason in allocation.reasons:  # a reason quotes inputs: no raw control character
            print(visible_controls(f"  - [{reason.code}] {reason.message}"))
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
    """A JSON object read from the file ``name`` (``-``: standard input), defensively: at
    most 1 MiB (:data:`~secpa_model.model.parameters.loader.MAX_FILE_BYTES`, refused before
    parsing), UTF-8, nested at most 64 levels, integers of at most 4 300 digits. Any
    refusal is an :class:`InputError` naming the file (and the line or key if known)."""
    what = "JSON file"
    if name == "-":
        stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
        try:
            raw = (
                stream.read(MAX_FILE_BYTES + 1)
                if stream is not None
                else sys.stdin.read(MAX_FILE_BYTES + 1).encode("utf-8")
            )
        except OSError as exc:
            raise InputError(f"-: cannot read standard input: {exc}") from exc
        text = decode_text(raw, "-", what, InputError)
    else:
        text = read_text(name, what, InputError)
    if not text.strip():
        raise InputError(
            f"{name}: the file is empty (expected a JSON object with the structure's fields)"
        )
    try:
        data = json_loads(text, name, InputError)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(
            f"{name}: expected a JSON object with the structure's fields, got {type(data).__name__}"
        )
    return data


def _literal_choices(annotation: Any) -> list[str] | None:
    if get_origin(annotation) is Literal:
        return [str(choice) for choice in get_args(annotation)]
    return None


# -------------------------------------------------------------------------- params


def add_params(commands: Subcommands, model: Model) -> None:
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
    sub.add_argument(
        "--file", metavar="FILE", help="a parameter file (default: the model's reference values)"
    )
    sub.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario file applied to the parameters: list the values it gives "
        "(status SCENARIO) and how a relative change computed them",
    )
    add_options(sub, "--model")
    sub.add_argument(
        "--assumptions-only",
        action="store_true",
        help="only the values that are assumptions (what still needs an official value)",
    )
    sub.add_argument(
        "--json",
        action="store_true",
        help="print JSON instead of a table (and errors as JSON objects on stderr)",
    )
    sub.set_defaults(handler=run_params)


def run_params(args: argparse.Namespace) -> int:
    """Print the parameters in force on ``--date``."""
    model = model_from(args.model)
    base, scenario, parameters = scenario_parameters(model, args.file, args.scenario)
    day: date = args.date or date.today()
    if args.json:
        payload = parameters_record(parameters, model, day, assumptions_only=args.assumptions_only)
        if scenario:
            payload["scenario"] = scenario[0].to_dict(base)
        manifest = manifest_for(  # the set listed (under a scenario, the set it gives)
            model,
            parameters,
            f"{day}..{day}",
            scenarios=scenario,
            command=getattr(args, "argv", None),
            parameters_file=args.file,
        )
        payload["manifest"] = manifest.model_dump(mode="json")
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    in_force = list(parameters.at(day).values.values())
    if args.assumptions_only:
        in_force = [value for value in in_force if value.status == "assumption"]
    values = [used_parameter(value) for value in in_force]
    which = "assumptions" if args.assumptions_only else "parameters"
    print(
        f"The {which} of {parameters.name!r} ({parameters.origin}), model {model.name!r}, "
        f"in force on {day}:"
    )
    print_note(model)
    print()
    ranges = [
        "" if held.range is None else held.range.describe(factor=isinstance(held.value, Scale))
        for held in in_force
    ]
    print(parameter_table(values, ranges) if values else "(none)")
    if scenario:
        print()
        print(scenario_values(scenario, base))
    assumptions = sum(value.status == "assumption" for value in values)
    print()
    print(
        f"{len(values)} values, {assumptions} of them ASSUMPTIONS (not published values); "
        "replace them with official values: docs/official-values.md"
    )
    print(
        "range: the plausible values of an assumption (of a scale: a factor of all its "
        "values), what 'simulate' draws from; the reason for each range: --json"
    )
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD ({exc})") from exc


# -------------------------------------------------------------------------- schema


def add_schema(commands: Subcommands, model: Model) -> None:
    """``schema``: print a JSON Schema."""
    sub = commands.add_parser(
        "schema",
        help="print the JSON Schema of a structure, an allocation or a trace",
        description="Print a JSON Schema (draft 2020-12) generated from the library's models.",
    )
    sub.add_argument("name", choices=SCHEMA_NAMES, help="which schema")
    add_options(sub, "--model")
    sub.set_defaults(handler=run_schema, prints_json=True)  # as it is: see _run


def run_schema(args: argparse.Namespace) -> int:
    """Print the schema named ``args.name``."""
    name: SchemaName = args.name
    print(json.dumps(json_schema(name, model=model_from(args.model)), indent=2, ensure_ascii=False))
    return 0


# -------------------------------------------------------------------------- models


def add_models(commands: Subcommands, model: Model) -> None:
    """``models``: the models found by name."""
    sub = commands.add_parser(
        "models",
        help="list the models: shipped ones and those installed packages declare",
        description=(
            "List the models --model accepts: the shipped ones, and those that installed "
            "packages declare in the entry point group 'secpa_model.models'. Any other "
            "model is given as module:NAME or path/to/file.py:NAME."
        ),
    )
    sub.set_defaults(handler=run_models)


def run_models(args: argparse.Namespace) -> int:
    """Print each model: name, where it comes from, its lines, and its note."""
    rows = []
    notes = []
    for name, origin in available_models().items():
        try:
            found = get_model(name)
        except Exception as exc:
            rows.append([name, origin, "-", f"cannot load: {exc}"])
            continue
        rows.append([name, origin, str(len(found.rules)), ", ".join(found.line_keys)])
        if found.note:
            notes.append(f"{name}: {found.note}")
    lines, widths = format_rows([["model", "from", "lines", "line keys"], *rows], "<<><")
    lines.insert(1, "-" * (sum(widths) + 2 * len(widths) - 2))
    print("\n".join(line.rstrip() for line in lines))
    for note in notes:
        print()
        print(note)
    return 0
