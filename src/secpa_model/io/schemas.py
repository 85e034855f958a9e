"""JSON Schemas (draft 2020-12) of a structure, an allocation, a trace, a batch line, a
problem and a manifest, generated from a model's declarations and the result models so that
they cannot drift from the code; docs/cli.md, section schema, says what each describes."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from decimal import Decimal
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from secpa_model.core.errors import PROBLEM_CODES, PROBLEM_FIELDS
from secpa_model.core.money import EXACT_LIMIT
from secpa_model.engine.allocation import Allocation
from secpa_model.engine.trace import Trace
from secpa_model.io.frames import YEAR_COLUMN, result_columns
from secpa_model.io.manifest import Manifest
from secpa_model.io.validation import YEAR
from secpa_model.model.inputs import FALSE_WORDS, REFUSED_CATEGORIES, TRUE_WORDS, Input
from secpa_model.model.model import Model
from secpa_model.models import resolve_model

SchemaName = Literal["structure", "allocation", "trace", "batch_line", "problem", "manifest"]
SCHEMA_NAMES: Final[tuple[str, ...]] = get_args(SchemaName)
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
DECIMAL_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
"""How a decimal (euros, a parameter value) is written as a JSON string."""

_DESCRIPTIONS: Final[dict[str, str]] = {
    "structure": "A structure: the input of the model {model!r} of secpa-model.",
    "allocation": "An allocation under the model {model!r}: the result for one structure "
    "over one period.",
    "trace": "The versioned trace of an allocation under the model {model!r} "
    "(format 'secpa-model.trace').",
    "batch_line": "One line of a JSON Lines file of allocations under the model {model!r} "
    "(secpa-model batch -o OUT.jsonl): amounts in integer cents.",
    "manifest": "The manifest of an output of secpa-model (of the model {model!r} or any "
    "other): the library, model, parameters, scenarios, period and input that made it.",
    "problem": "A problem found in an input of secpa-model: a row of an errors file "
    "(--errors report), a --json object on standard error, Problem.to_dict().",
}


class _DecimalAsText(GenerateJsonSchema):
    """Pydantic's schema generator, with exact decimals written as digit strings."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        value = super().decimal_schema(schema)
        for option in value.get("anyOf", [value]):
            if option.get("type") == "string":
                option["pattern"] = DECIMAL_PATTERN
        return value


def json_schema(name: SchemaName, *, model: Model | str | None = None) -> dict[str, Any]:
    """The JSON Schema ``name`` (one of :data:`SCHEMA_NAMES`) of ``model``; a
    :class:`ValueError` naming the known schemas for any other name."""
    if name not in _DESCRIPTIONS:
        raise ValueError(f"unknown schema {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    resolved = resolve_model(model)
    if name == "manifest":
        body = Manifest.model_json_schema()  # its serializer only drops an empty field
    elif name == "problem":
        body = _problem()
    elif name == "structure":
        body = _structure(resolved)
    elif name == "batch_line":
        body = _batch_line(resolved)
    else:
        body = _pydantic_schema(name, resolved)
    description = _DESCRIPTIONS[name].format(model=resolved.name)
    header = {"$schema": DIALECT, "title": f"secpa-model {name}", "description": description}
    return {**header, **{key: value for key, value in body.items() if key not in header}}


def _pydantic_schema(name: SchemaName, resolved: Model) -> dict[str, Any]:
    """The schema of an allocation or a trace, from the pydantic models."""
    target: type[BaseModel] = Allocation if name == "allocation" else Trace
    schema = target.model_json_schema(mode="serialization", schema_generator=_DecimalAsText)
    _constrain_lines(schema, resolved, "Line" if name == "allocation" else "TraceLine")
    if name == "trace":  # allocate --json adds the manifest
        manifest = Manifest.model_json_schema()
        schema.setdefault("$defs", {}).update(manifest.pop("$defs", {}))
        schema["$defs"]["Manifest"] = manifest
        schema["properties"]["manifest"] = {
            "$ref": "#/$defs/Manifest",
            "description": "What made the allocation (secpa-model allocate --json).",
        }
    return schema


def _structure(model: Model) -> dict[str, Any]:
    """A structure as a row of a file or a line of JSON Lines: a property per input of
    ``model`` (:func:`input_schema`), ``year`` optional, other keys kept."""
    inputs = [*model.inputs, YEAR]
    return {
        "type": "object",
        "properties": {item.name: input_schema(item) for item in inputs},
        "required": [item.name for item in model.inputs if item.required],
        "additionalProperties": True,
    }


_CENTS: Final = 100  # a unit conversion
_BLANK: Final = r"\s*"  # what a text cell may have around its value (it is stripped)
_DIGITS: Final = r"[0-9]"
_DATE_TEXT: Final = (  # a real day of the Gregorian calendar, years 0001 to 9999
    r"(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29"
)
# below 2^53 (what the validation reads exactly) by the number of digits: a whole number of
# fewer digits than EXACT_LIMIT, euros of fewer digits than its whole euros; before a
# one-digit exponent (up to 9 more digits), 10 digits fewer
_COUNT_DIGITS: Final = len(str(EXACT_LIMIT)) - 1
_EURO_DIGITS: Final = len(str(EXACT_LIMIT // _CENTS)) - 1
_TEXT_NUMBERS: Final[dict[str, str]] = {  # the text numbers of a kind whose minimum is 0
    # a whole number: digits, zero decimals, a one-digit exponent
    "count": rf"\+?0*(?:[0-9]{{1,{_COUNT_DIGITS}}}(?:\.0*)?"
    rf"|[0-9]{{1,{_COUNT_DIGITS - 10}}}(?:\.0*)?[eE]\+?[0-9])",
    # a fraction in [0, 1], without exponent
    "fraction": r"\+?(?:0*\.[0-9]+|0+(?:\.[0-9]*)?|0*1(?:\.0*)?)",
    # any number ≥ 0
    "quantity": r"\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    # whole cents: two decimals (then zeros), or an integer with a one-digit exponent
    "euros": rf"\+?0*(?:[0-9]{{1,{_EURO_DIGITS}}}(?:\.[0-9]{{0,2}}0*)?|\.[0-9]{{1,2}}0*"
    rf"|[0-9]{{1,{_EURO_DIGITS - 10}}}[eE]\+?[0-9])",
}


@functools.cache
def _printable_text() -> str:
    """Some text whose first and last characters are neither blank nor refused (see
    :func:`_refused_characters`), none refused inside."""
    refused = _refused_characters()
    return rf"[^\s{refused}](?:[^{refused}]*[^\s{refused}])?"


def _refused_characters() -> str:
    """A regular expression class of the characters text refuses inside it (a control,
    invisible or odd space character: Unicode categories Cc, Cf, Zs but U+0020, Zl, Zp, as
    :mod:`secpa_model.model.inputs` reads text), the characters themselves in ranges."""
    refused = [
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in REFUSED_CATEGORIES and code != 0x20
    ]
    ranges: list[tuple[int, int]] = []
    for code in refused:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(
        re.escape(chr(low)) + ("" if low == high else "-" + re.escape(chr(high)))
        for low, high in ranges
    )


def _text(pattern: str) -> dict[str, Any]:
    """Text matching ``pattern`` once stripped."""
    return {"type": "string", "pattern": f"^{_BLANK}(?:{pattern}){_BLANK}$"}


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def input_schema(item: Input) -> dict[str, Any]:
    """The JSON Schema of one input's value, accepting what its kind's parsing accepts (JSON
    numbers read exactly, as decimals); it may refuse a rarer text number that the
    validation reads (an exponent with decimals, ``-0``), never the reverse."""
    options: list[dict[str, Any]]
    if item.kind == "text":
        whole = {"type": "integer", "minimum": -EXACT_LIMIT, "maximum": EXACT_LIMIT}
        options = [_text(_printable_text()), whole]
    elif item.kind == "category":
        options = [_text("|".join(re.escape(name) for name in item.categories))]
    elif item.kind == "boolean":
        words = "|".join(_any_case(word) for word in (*TRUE_WORDS, *FALSE_WORDS))
        options = [{"type": "boolean"}, {"enum": [0, 1]}, _text(words)]
    elif item.kind == "date":
        options = [_text(_DATE_TEXT)]
        if not item.required:  # null or blank: open
            options += [{"type": "null"}, _text("")]
    else:
        cent = 1 / _CENTS if item.kind == "euros" else None  # euros are bounded in cents
        high = item.high * cent if cent else item.high
        number: dict[str, Any] = {"type": "number", "minimum": item.low, "maximum": high}
        if item.kind in ("count", "euros"):
            number["multipleOf"] = cent or 1
        options = [number]
        if item.low == 0 and (item.kind != "fraction" or item.high == 1):
            options.append(_text(_TEXT_NUMBERS[item.kind]))
        elif item.kind == "count" and item.low == 1 and set(str(int(item.high))) == {"9"}:
            digits = len(str(int(item.high)))  # 1 to 9…9: so many digits
            options.append(_text(rf"\+?0*[1-9][0-9]{{0,{digits - 1}}}(?:\.0*)?"))
    about: dict[str, Any] = {"description": item.description, "kind": item.kind}
    if item.unit:
        about["unit"] = item.unit
    if not item.required:
        about["default"] = _json_default(item)
    return {**about, **(options[0] if len(options) == 1 else {"anyOf": options})}


def _json_default(item: Input) -> Any:
    default = item.parse(item.default) if item.default is not None else None
    return str(default) if isinstance(default, Decimal) else default


_SCALAR: Final = ["string", "number", "integer", "boolean", "null"]
_PROBLEM_PROPERTIES: Final[dict[str, tuple[Any, str]]] = {
    "file": (["string", "null"], "The file the problem is in."),
    "sheet": (["string", "null"], "The sheet of an Excel file."),
    "row": (_SCALAR, "The row label (a file's rows are numbered from 0)."),
    "line": (["integer", "null"], "The row's line in the file, or its row in the sheet."),
    "structure_id": (["string", "null"], "The id of the row's structure, when readable."),
    "field": (["string", "null"], "The column, field, key or parameter at fault."),
    "value": (_SCALAR, "The offending value as given (a list or mapping as its JSON text)."),
    "code": ("string", "What kind of problem."),
    "message": ("string", "The sentence a person reads."),
}
"""The JSON type and description of each field of a problem (each field of
:class:`~secpa_model.Problem` has one: :func:`_problem` fails otherwise)."""


def _problem() -> dict[str, Any]:
    """A problem: the fields of :class:`~secpa_model.Problem`, in order, every one present,
    no other."""
    properties: dict[str, Any] = {}
    for name in PROBLEM_FIELDS:
        kind, description = _PROBLEM_PROPERTIES[name]
        properties[name] = {"type": kind, "description": description}
    properties["code"]["enum"] = list(PROBLEM_CODES)
    return {
        "type": "object",
        "properties": properties,
        "required": list(PROBLEM_FIELDS),
        "additionalProperties": False,
    }


def _batch_line(model: Model) -> dict[str, Any]:
    """A line of allocations: the result's columns (:func:`result_columns`), then optional
    ``row`` and ``trace`` (the trace's schema, its definitions hoisted)."""
    trace = _pydantic_schema("trace", model)
    definitions = trace.pop("$defs", {})
    definitions["Trace"] = trace
    columns = result_columns(model)
    cents: dict[str, Any] = {"type": "integer", "description": "Integer cents."}
    properties: dict[str, Any] = {
        "row": {"type": "integer", "minimum": 0, "description": "The input row (--errors report)."},
        columns[0]: {"type": "string"},
        YEAR_COLUMN: {"type": "integer", "description": "The row's year (a structure-year table)."},
        "eligible": {"type": "boolean"},
        "reasons": {"type": "string", "description": "Reason codes joined by ';', or empty."},
        **{name: cents for name in columns[3:]},
        "trace": {
            "anyOf": [{"$ref": "#/$defs/Trace"}, {"type": "null"}],
            "description": "The allocation's trace (--trace); null for a row whose year does "
            "not meet the period.",
        },
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(columns),
        "additionalProperties": True,
        "$defs": definitions,
    }


def _constrain_lines(schema: dict[str, Any], model: Model, line: str) -> None:
    """Exactly the model's lines (keys and count) and its name."""
    keys = list(model.line_keys)
    schema["$defs"][line]["properties"]["key"]["enum"] = keys
    lines = schema["properties"]["lines"]
    lines["minItems"] = lines["maxItems"] = len(keys)
    schema["properties"]["model"]["enum"] = [model.name]
