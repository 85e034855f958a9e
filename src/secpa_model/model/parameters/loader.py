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

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from secpa_model.core.errors import ParameterError
from secpa_model.model.parameters.models import (
    Bracket,
    DatedValue,
    KeyedValueError,
    Parameter,
    Scale,
    Source,
)
from secpa_model.model.parameters.parameter_set import Parameters
from secpa_model.model.parameters.spec import ParameterRelation, ParameterSpec

_META_KEYS: Final = frozenset({"name", "description"})
_RESERVED: Final = frozenset({"meta", "sources"})
# The model whose keys are allowed after each kind of key (for "unknown key" messages).
_MODEL_AFTER: Final[dict[str | None, type[BaseModel]]] = {
    None: Parameter,
    "values": DatedValue,
    "value": Scale,
    "brackets": Bracket,
    "source": Source,
}
_HINTS: Final[dict[str, str]] = {
    "source": "every value needs a source: a source id from [sources] or an inline table "
    "with a title and a url or reference",
    "status": "every value needs a status: 'published', 'assumption' (with a rationale) "
    "or 'scenario'",
    "effective_from": "every value needs the date from which it applies (YYYY-MM-DD)",
    "value": "every dated value needs a value: a number, or a scale (mode and brackets)",
    "unit": "every parameter needs its unit",
    "values": "every parameter needs at least one dated value ([[group.name.values]])",
    "title": "a source needs a title",
    "threshold": "a bracket needs a threshold and a value",
    "brackets": "a scale needs its brackets",
}
_KIND_WORDS: Final[dict[str, str]] = {
    "amount": "an amount",
    "count": "a count",
    "quantity": "a quantity",
    "scale": "a scale",
}
_TOML_POSITION: Final = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_HEADER: Final = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_DATE_LIKE: Final = re.compile(r"=\s*\d{4}-\d")


ParameterFile = str | Path | Traversable
"""A parameter file: a path, or a resource shipped inside a package."""


def read_parameter_files(
    files: Sequence[ParameterFile],
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Load and validate one or more parameter files against the declarations ``specs``.

    Together the files define every declared parameter exactly once (a model's reference
    values, then an extension's file with its new parameters, say). Every defect (missing
    source or status, unknown key, wrong unit, negative amount, unsorted or overlapping
    brackets, dates out of order, malformed date, a parameter defined in two files) raises
    one :class:`~secpa_model.ParameterError` naming the file, each key and the reason.
    """
    if not files:
        raise ParameterError("no parameter file given")
    parsed = [_parse_file(file) for file in files]
    return parameters_from_mappings(parsed, specs, relations)


def _parse_file(file: ParameterFile) -> tuple[Any, str]:
    origin = str(file)
    try:
        text = (Path(file) if isinstance(file, str) else file).read_text(encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"{origin}: cannot read the parameter file: {exc}") from exc
    return _toml(text, origin), origin


def _toml(text: str, origin: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(_toml_problem(origin, text, exc)) from exc


def parse_parameters(
    text: str,
    origin: str = "<string>",
    *,
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Validate the text of a parameter file against ``specs``; ``origin`` names it in
    error messages.

    A TOML syntax error (for instance a malformed date ``2021-13-01``) is reported with its
    line and the key written on that line."""
    return parameters_from_mapping(_toml(text, origin), origin, specs, relations)


def parameters_from_mapping(
    data: Any,
    origin: str,
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Validate an already-parsed parameter mapping (TOML or JSON shaped) against ``specs``.

    Collects every problem of the file (not only the first) and raises one
    :class:`~secpa_model.ParameterError` listing them, each as ``key: reason``.
    """
    return parameters_from_mappings([(data, origin)], specs, relations)


def parameters_from_mappings(
    files: Sequence[tuple[Any, str]],
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Validate parsed parameter files that together define every parameter of ``specs``."""
    names: list[str] = []
    descriptions: list[str] = []
    parameters: dict[str, Parameter] = {}
    defined_in: dict[str, str] = {}
    reports: list[tuple[str, list[str]]] = []
    for data, origin in files:
        problems: list[str] = []
        meta = _file_parameters(data, origin, specs, parameters, defined_in, problems)
        names.append(meta.get("name", Path(origin).stem))
        descriptions.append(meta.get("description", ""))
        if problems:
            reports.append((origin, problems))
    missing = [
        f"{path}: missing parameter (a parameter file defines every parameter the rules "
        f"read, here in {specs[path].unit!r})"
        for path in sorted(specs)
        if path not in defined_in
    ]
    if missing:
        origin = " + ".join(origin for _, origin in files)
        if reports and reports[-1][0] == origin:
            reports[-1][1].extend(missing)
        else:
            reports.append((origin, missing))
    if reports:
        raise ParameterError("\n".join(_format(origin, problems) for origin, problems in reports))
    try:
        return Parameters(
            name="+".join(names),
            description=" ".join(d for d in descriptions if d),
            origin=" + ".join(origin for _, origin in files),
            parameters={path: parameters[path] for path in specs},
            specs=dict(specs),
            relations=tuple(relations),
        )
    except ValidationError as exc:  # the relations between parameters (lower ≤ upper)
        origin = " + ".join(origin for _, origin in files)
        raise ParameterError(_format(origin, _pydantic_problems(exc, ""))) from exc


def _file_parameters(
    data: Any,
    origin: str,
    specs: Mapping[str, ParameterSpec],
    parameters: dict[str, Parameter],
    defined_in: dict[str, str],
    problems: list[str],
) -> dict[str, str]:
    """The parameters of one file, added to ``parameters``; returns its meta table."""
    if not isinstance(data, dict):
        problems.append(f"(file): expected a table, got {_show(data)}")
        return {}
    meta = _meta(data.get("meta", {}), problems)
    sources = _sources(data.get("sources", {}), problems)
    groups = sorted({spec.group for spec in specs.values()})
    for group, table in data.items():
        if group in _RESERVED:
            continue
        if group not in groups:
            problems.append(
                f"{_quote(group)}: unknown group (parameter groups: {', '.join(groups)})"
            )
            continue
        if not isinstance(table, dict):
            problems.append(f"{_quote(group)}: expected a table of parameters, got {_show(table)}")
            continue
        for name, body in table.items():
            path = f"{group}.{name}"
            if path not in specs:
                path = f"{group}.{_quote(name)}"
                known = ", ".join(p for p in sorted(specs) if p.startswith(group + "."))
                problems.append(f"{path}: unknown parameter (known in {group}: {known})")
                continue
            if path in defined_in:
                problems.append(f"{path}: already defined in {defined_in[path]}")
                continue
            defined_in[path] = origin
            if not isinstance(body, dict):
                problems.append(f"{path}: expected a table with unit and values, got {_show(body)}")
                continue
            parameter = _parameter(path, body, sources, specs, problems)
            if parameter is not None:
                parameters[path] = parameter
    return meta


def _meta(meta: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(meta, dict):
        problems.append(f"meta: expected a table (name, description), got {_show(meta)}")
        return {}
    allowed = ", ".join(sorted(_META_KEYS))
    for key in sorted(set(meta) - _META_KEYS):
        problems.append(f"meta.{_quote(key)}: unknown key (allowed: {allowed})")
    result = {}
    for key in sorted(_META_KEYS & set(meta)):
        if isinstance(meta[key], str):
            result[key] = meta[key]
        else:
            problems.append(f"meta.{key}: expected a string, got {_show(meta[key])}")
    return result


def _sources(sources: Any, problems: list[str]) -> dict[str, Source | None]:
    """The [sources] table validated: id -> Source (None when that source is invalid)."""
    if not isinstance(sources, dict):
        problems.append(f"sources: expected a table of sources, got {_show(sources)}")
        return {}
    result: dict[str, Source | None] = {}
    for source_id, table in sources.items():
        try:
            result[source_id] = Source.model_validate(table)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, f"sources.{_quote(source_id)}", model=Source))
            result[source_id] = None
    return result


def _parameter(
    path: str,
    body: dict[str, Any],
    sources: dict[str, Source | None],
    specs: Mapping[str, ParameterSpec],
    problems: list[str],
) -> Parameter | None:
    """One parameter validated, or None with its problems recorded."""
    count = len(problems)
    values = body.get("values")
    if isinstance(values, list):
        values = [
            _dated_value(f"{path}.values[{index}]", value, specs[path], sources, problems)
            for index, value in enumerate(values)
        ]
    if len(problems) > count:
        return None
    try:
        return Parameter.model_validate(
            {**body, "path": path, "values": values}, context={"specs": specs}
        )
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, path))
        return None


def _dated_value(
    key: str,
    value: Any,
    spec: ParameterSpec,
    sources: dict[str, Source | None],
    problems: list[str],
) -> Any:
    """A dated value with its source id resolved and its value checked against the kind
    of the parameter (number or scale), so that pydantic never has to guess."""
    if not isinstance(value, dict):
        return value
    value = dict(value)
    source = value.get("source")
    if isinstance(source, str):
        if source not in sources:
            problems.append(
                f"{key}.source: unknown source id {source!r} "
                f"(defined in [sources]: {', '.join(sorted(sources)) or 'none'})"
            )
        else:
            # an invalid source is reported once, under sources.<id>, not at each use
            value["source"] = sources[source] or Source(title=source, reference="(invalid)")
    if "value" in value:
        path = spec.path
        given = value["value"]
        if spec.kind == "scale" and not isinstance(given, dict | Scale):
            problems.append(
                f"{key}.value: {path} is a scale: expected a table with mode and brackets "
                f"(thresholds in {spec.threshold_unit}, values in {spec.unit}), got {_show(given)}"
            )
        elif spec.kind != "scale" and isinstance(given, dict | Scale | list | bool):
            problems.append(
                f"{key}.value: {path} is {_KIND_WORDS[spec.kind]}"
                f": expected a number in {spec.unit}, got {_show(given)}"
            )
    return value


def _pydantic_problems(
    exc: ValidationError, prefix: str, model: type[BaseModel] | None = None
) -> list[str]:
    """One ``key: reason`` line per pydantic error, keys written as in the file."""
    problems = []
    for error in exc.errors():
        if _other_union_member(error):
            continue
        parts = _key_parts(error)
        key = _join(prefix, parts)
        problems.append(f"{key}: {_reason(error, parts, model)}")
    return sorted(set(problems))


def _other_union_member(error: ErrorDetails) -> bool:
    """Whether the error comes from the member of ``value: Decimal | Scale`` that the input
    was not meant for (a table is a scale, anything else a number): pydantic tries both."""
    location = error["loc"]
    if "decimal" in location:
        return isinstance(error["input"], dict)
    if any(isinstance(part, str) and "Scale" in part for part in location):
        return error["type"] == "model_type"
    return False


def _key_parts(error: ErrorDetails) -> list[str | int]:
    """The error's location without pydantic's internal names (union members, validators),
    extended by the key a :class:`KeyedValueError` names."""
    parts: list[str | int] = [
        part for part in error["loc"] if not (isinstance(part, str) and "[" in part)
    ]
    parts = [part for part in parts if part not in ("Scale", "decimal")]
    raised = error.get("ctx", {}).get("error")
    if isinstance(raised, KeyedValueError):
        for piece in re.findall(r"[^.\[\]]+", raised.key):
            parts.append(int(piece) if piece.isdigit() else piece)
    return parts


def _join(prefix: str, parts: list[str | int]) -> str:
    key = prefix
    for part in parts:
        name = _quote(part) if isinstance(part, str) else part
        key += f"[{name}]" if isinstance(part, int) else (f".{name}" if key else str(name))
    return key or "(file)"


def _reason(error: ErrorDetails, parts: list[str | int], model: type[BaseModel] | None) -> str:
    kind = error["type"]
    name = next((p for p in reversed(parts) if isinstance(p, str)), None)
    if kind == "missing":
        hint = _HINTS.get(str(name))
        return "required key is missing" + (f": {hint}" if hint else "")
    if kind == "extra_forbidden":
        owner = model or _owner(parts)
        allowed = ", ".join(k for k in owner.model_fields if k != "path") if owner else ""
        return "unknown key" + (f" (allowed: {allowed})" if allowed else "")
    message = error["msg"].removeprefix("Value error, ")
    message = re.sub(r"^value \d+: ", "", message)
    message = message.replace("Input should be ", "must be ", 1)
    if kind.startswith(("date", "datetime")):
        detail = message.partition(", ")[2] or message
        return (
            f"not a date: {_show(error['input'])} ({detail}); write dates as YYYY-MM-DD, "
            "e.g. 2021-08-01"
        )
    if kind in ("value_error", "assertion_error") or isinstance(error.get("input"), dict):
        return message
    return f"{message}, got {_show(error['input'])}"


def _owner(parts: list[str | int]) -> type[BaseModel] | None:
    """The model in which the last key of ``parts`` sits."""
    names = [p for p in parts[:-1] if isinstance(p, str)]
    return _MODEL_AFTER.get(names[-1] if names else None)


def _quote(key: Any) -> str:
    """A key as written in TOML: bare when it is a bare key, else quoted (so that a key
    with spaces, dots or control characters cannot garble the message)."""
    text = str(key)
    return text if _BARE_KEY.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _toml_problem(origin: str, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error with its line, the key written there and, for a date, a hint."""
    reason = _TOML_POSITION.sub("", str(exc)).strip()
    match = _TOML_POSITION.search(str(exc))
    if match is None:
        return _format(origin, [f"(file): not valid TOML: {reason}"])
    number = int(match.group(1))
    lines = text.splitlines()
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    key = _toml_key(lines[: number - 1], line)
    problem = f"{key}: not valid TOML at line {number}: {reason}"
    if _DATE_LIKE.search(line):
        problem += (
            f" (a malformed date? {line.strip()!r}: write a real date as YYYY-MM-DD, "
            "e.g. 2021-08-01)"
        )
    return _format(origin, [problem])


def _toml_key(before: list[str], line: str) -> str:
    """The full key of ``line``: the table header in force plus the key on the line."""
    table, arrays = "", dict[str, int]()
    for previous in before:
        header = _TOML_HEADER.match(previous)
        if header:
            table = header.group(2)
            if header.group(1) == "[[":
                arrays[table] = arrays.get(table, -1) + 1
                table = f"{table}[{arrays[table]}]"
    name, sep, _ = line.partition("=")
    if not sep:
        return table or "(file)"
    return f"{table}.{name.strip()}" if table else name.strip()


def _format(origin: str, problems: list[str]) -> str:
    count = len(problems)
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"{origin}: {count} problem{'s' if count > 1 else ''} in the parameter file:\n{lines}"
