"""JSON Schemas of the input (a structure), the result (an allocation) and the trace.

Other tools can validate what they send to, or read from, secpa-model against these schemas
(JSON Schema draft 2020-12). They are generated from the pydantic models, so they cannot
drift from the code:

* ``structure``: what :class:`~secpa_model.Structure` accepts (validation mode);
* ``allocation``: what ``Allocation.model_dump(mode="json")`` produces (serialization mode);
* ``trace``: the JSON trace of :func:`~secpa_model.explain_json` (serialization mode).
"""

from __future__ import annotations

from typing import Any, Final, Literal, get_args

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from secpa_model.allocation import Allocation
from secpa_model.explain import Trace
from secpa_model.structures import Structure

SchemaName = Literal["structure", "allocation", "trace"]
SCHEMA_NAMES: Final[tuple[str, ...]] = get_args(SchemaName)
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
DECIMAL_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
"""How a decimal (euros, a parameter value) is written as a JSON string."""

_MODELS: Final[dict[str, tuple[type[BaseModel], JsonSchemaMode, str]]] = {
    "structure": (Structure, "validation", "A structure: the input of secpa-model."),
    "allocation": (
        Allocation,
        "serialization",
        "An allocation: the result of secpa-model for one structure over one period.",
    ),
    "trace": (
        Trace,
        "serialization",
        "The versioned trace of an allocation (format 'secpa-model.trace').",
    ),
}


class _DecimalAsText(GenerateJsonSchema):
    """Pydantic's schema generator, with exact decimals written as digit strings."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        value = super().decimal_schema(schema)
        for option in value.get("anyOf", [value]):
            if option.get("type") == "string":
                option["pattern"] = DECIMAL_PATTERN
        return value


def json_schema(name: SchemaName) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``"structure"``, ``"allocation"`` or ``"trace"``.

    Raises :class:`ValueError` naming the known schemas for any other name.
    """
    if name not in _MODELS:
        raise ValueError(f"unknown schema {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    model, mode, description = _MODELS[name]
    schema = model.model_json_schema(mode=mode, schema_generator=_DecimalAsText)
    header = {"$schema": DIALECT, "title": f"secpa-model {name}", "description": description}
    return {**header, **{key: value for key, value in schema.items() if key not in header}}
