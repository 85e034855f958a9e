"""Read a parameter file (TOML, standard library ``tomllib``) into :class:`Parameters`.

File layout::

    [meta]
    name = "reference"

    [sources.some_id]            # reusable sources, cited by id
    title = "..."
    reference = "..."            # or url = "..."

    [group.name]                 # one table per parameter path "group.name"
    unit = "EUR/year"
    description = "..."

    [[group.name.values]]        # one or more dated values, in increasing date order
    effective_from = 2021-08-01
    value = 66000                # or value.mode = "step" and value.brackets = [...]
    status = "published"         # or "assumption" with a rationale
    source = "some_id"           # or an inline table {title = ..., reference = ...}
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from secpa_model.errors import ParameterError
from secpa_model.parameters.parameter_set import Parameters

REFERENCE_FILE = "reference.toml"
_META_KEYS = {"name", "description"}


def load_parameters(path: str | Path | None = None) -> Parameters:
    """Load and validate a parameter file; ``None`` loads the shipped reference set.

    Every defect (missing source or status, unknown key, wrong unit, negative amount,
    unsorted or overlapping brackets, dates out of order, malformed date) raises one
    :class:`~secpa_model.errors.ParameterError` naming the file, each key and the reason.
    """
    if path is None:
        text = (
            resources.files("secpa_model.parameters")
            .joinpath(REFERENCE_FILE)
            .read_text(encoding="utf-8")
        )
        origin = f"secpa_model/parameters/{REFERENCE_FILE}"
    else:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ParameterError(f"{file}: cannot read the parameter file: {exc}") from exc
        origin = str(file)
    return parse_parameters(text, origin)


def parse_parameters(text: str, origin: str = "<string>") -> Parameters:
    """Validate the text of a parameter file; ``origin`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{origin}: not valid TOML (a malformed date?): {exc}") from exc
    return parameters_from_mapping(data, origin)


def parameters_from_mapping(data: dict[str, Any], origin: str) -> Parameters:
    """Validate an already-parsed parameter mapping (TOML or JSON shaped)."""
    problems: list[str] = []
    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        problems.append("meta: must be a table")
        meta = {}
    for key in sorted(set(meta) - _META_KEYS):
        problems.append(f"meta.{key}: unknown key (allowed: {', '.join(sorted(_META_KEYS))})")
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        problems.append("sources: must be a table of sources")
        sources = {}

    parameters: dict[str, Any] = {}
    for group, table in data.items():
        if group in ("meta", "sources"):
            continue
        if not isinstance(table, dict):
            problems.append(f"{group}: expected a table of parameters, got {table!r}")
            continue
        for name, body in table.items():
            path = f"{group}.{name}"
            if not isinstance(body, dict):
                problems.append(f"{path}: expected a table with unit and values, got {body!r}")
                continue
            parameters[path] = {
                "path": path,
                **body,
                "values": _resolve_sources(path, body.get("values"), sources, problems),
            }
    if problems:
        raise ParameterError(_format(origin, problems))
    try:
        return Parameters.model_validate(
            {
                "name": meta.get("name", Path(origin).stem),
                "description": meta.get("description", ""),
                "origin": origin,
                "parameters": parameters,
            }
        )
    except ValidationError as exc:
        raise ParameterError(_format(origin, _pydantic_problems(exc))) from exc


def _resolve_sources(path: str, values: Any, sources: dict[str, Any], problems: list[str]) -> Any:
    """Replace a source given by id with the source table it names."""
    if not isinstance(values, list):
        return values
    resolved = []
    for index, value in enumerate(values):
        if isinstance(value, dict) and isinstance(value.get("source"), str):
            source_id = value["source"]
            if source_id not in sources:
                problems.append(
                    f"{path}.values[{index}].source: unknown source id {source_id!r} "
                    f"(defined: {', '.join(sorted(sources)) or 'none'})"
                )
            else:
                value = {**value, "source": sources[source_id]}
        resolved.append(value)
    return resolved


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        if location[:1] == ["parameters"]:
            location = location[1:]
        key = ".".join(location).replace(".values.", ".values[", 1)
        if ".values[" in key:
            head, _, rest = key.partition(".values[")
            index, _, tail = rest.partition(".")
            key = f"{head}.values[{index}]" + (f".{tail}" if tail else "")
        # pydantic tries each member of a union; keep the message, drop the member name
        key = key.replace(".Scale", "").replace(".decimal", "")
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{key or '(file)'}: {message}")
    return sorted(set(problems))


def _format(origin: str, problems: list[str]) -> str:
    count = len(problems)
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"{origin}: {count} problem{'s' if count > 1 else ''} in the parameter file:\n{lines}"
