"""JSON Schemas of the input (a structure), the result (an allocation) and the trace.

Other tools can validate what they send to, or read from, secpa-model against these schemas
(JSON Schema draft 2020-12). They are generated from the pydantic models of a model (default:
the experimentation), so they cannot drift from the code:

* ``structure``: what the model's ``Structure`` accepts (validation mode), one property per
  input with its kind, unit and bounds;
* ``allocation``: what ``Allocation.model_dump(mode="json")`` produces (serialization mode),
  with exactly the model's lines;
* ``trace``: the JSON trace of :func:`~secpa_model.explain_json` (serialization mode), with
  exactly the model's lines;
* ``problem``: a problem found in an input, in its one shape (the fields of
  :class:`~secpa_model.Problem`, in order): a row of an errors file, a ``--json`` object on
  standard error, :meth:`~secpa_model.Problem.to_dict` (the same for every model);
* ``batch_line``: one line of a JSON Lines file of allocations (``secpa-model batch -o
  OUT.jsonl``, :mod:`secpa_model.io.json_lines`): the result's columns, cents as integers,
  ``row`` with ``--errors report``, ``trace`` (the trace schema, or null) with ``--trace``,
  and any other key (a column kept from the input).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from secpa_model.core.errors import PROBLEM_CODES, PROBLEM_FIELDS, Problem
from secpa_model.engine.allocation import Allocation
from secpa_model.engine.trace import Trace
from secpa_model.io.frames import YEAR_COLUMN, result_columns
from secpa_model.model.model import Model
from secpa_model.models import resolve_model

SchemaName = Literal["structure", "allocation", "trace", "batch_line", "problem"]
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
    """The JSON Schema (draft 2020-12) of ``"structure"``, ``"allocation"``, ``"trace"``,
    ``"batch_line"`` or ``"problem"`` of ``model`` (default: the experimentation).

    Raises :class:`ValueError` naming the known schemas for any other name.
    """
    if name not in _DESCRIPTIONS:
        raise ValueError(f"unknown schema {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    resolved = resolve_model(model)
    if name == "problem":
        body = _problem()
    elif name == "batch_line":
        body = _batch_line(resolved)
    else:
        body = _pydantic_schema(name, resolved)
    description = _DESCRIPTIONS[name].format(model=resolved.name)
    header = {"$schema": DIALECT, "title": f"secpa-model {name}", "description": description}
    return {**header, **{key: value for key, value in body.items() if key not in header}}


def _pydantic_schema(name: SchemaName, resolved: Model) -> dict[str, Any]:
    """The schema of a structure, an allocation or a trace, from the pydantic models."""
    target: type[BaseModel]
    mode: JsonSchemaMode
    if name == "structure":
        target, mode = resolved.structure, "validation"
    else:
        target, mode = (Allocation if name == "allocation" else Trace), "serialization"
    schema = target.model_json_schema(mode=mode, schema_generator=_DecimalAsText)
    if name != "structure":
        _constrain_lines(schema, resolved, "Line" if name == "allocation" else "TraceLine")
    return schema


def _problem() -> dict[str, Any]:
    """A problem: the fields of :class:`~secpa_model.Problem`, in order, each as declared
    there (its description and JSON type), every one present, no other."""
    properties: dict[str, Any] = {
        part.name: {"type": part.metadata["json"], "description": part.metadata["description"]}
        for part in fields(Problem)
    }
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
