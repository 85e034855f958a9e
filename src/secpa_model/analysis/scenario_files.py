"""Scenario files: one :class:`~secpa_model.Scenario` per TOML or JSON file, with the keys
:data:`SCENARIO_FILE_KEYS` (docs/cli.md, "Scenario files", shows the format). A key of
``overrides`` is a parameter path (quoted in TOML) or a table nesting paths; a value is any
override a scenario accepts. The file is untrusted and read within the bounds of a
parameter file (:mod:`secpa_model.model.parameters.loader`); every refusal is a
:class:`~secpa_model.ParameterError` naming the file.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from secpa_model.analysis.scenarios import Scenario, as_base
from secpa_model.core.errors import InputError, ParameterError
from secpa_model.core.safe_text import MAX_SHOWN, shortened, shown
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.model.parameters.loader import (
    MAX_PROBLEMS_SHOWN,
    json_loads,
    read_text,
    toml_loads,
)
from secpa_model.models import resolve_model

__all__ = ["SCENARIO_FILE_KEYS", "read_scenario_file", "scenario_from_mapping"]

SCENARIO_FILE_KEYS: Final[tuple[str, ...]] = ("name", "description", "overrides", "meta")
"""The top-level keys of a scenario file (``meta``: a table holding only ``version``)."""


def read_scenario_file(
    path: str | Path, base: Parameters | Scenario | None = None, *, model: Model | str | None = None
) -> Scenario:
    """The scenario of a ``.toml`` or ``.json`` file, validated against ``base`` (default:
    the reference values of ``model``, itself the experimentation by default). A
    :class:`~secpa_model.ParameterError` naming the file for a
    bad format or an invalid override, a file too large, not UTF-8, empty, nested too
    deeply (see the module docstring); :class:`~secpa_model.InputError` if the file
    cannot be read (missing, a directory) or its suffix is neither."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise InputError(
            f"{file}: a scenario file must be .toml or .json, got {shortened(suffix, 40)!r}"
        )
    text = read_text(file, "scenario file", ParameterError, unreadable=InputError)
    if not text.strip():
        raise ParameterError(f"{file}: the scenario file is empty (it needs a name and overrides)")
    try:
        data: Any = (
            toml_loads(text, str(file), ParameterError)
            if suffix == ".toml"
            else json_loads(text, str(file), ParameterError)
        )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ParameterError(f"{file}: not valid {suffix[1:].upper()}: {exc}") from exc
    try:
        return scenario_from_mapping(data, base, model=model)
    except ParameterError as exc:
        raise ParameterError(f"{file}: {exc}") from exc


def scenario_from_mapping(
    data: Any, base: Parameters | Scenario | None = None, *, model: Model | str | None = None
) -> Scenario:
    """The scenario of a scenario file's content (see the module docstring); a
    :class:`~secpa_model.ParameterError` for a bad format or an invalid override, values
    and keys quoted shortened in its message."""
    try:
        return _scenario(data, base, model)
    except ParameterError as exc:
        raise ParameterError(_capped(str(exc))) from exc


def _scenario(data: Any, base: Parameters | Scenario | None, model: Model | str | None) -> Scenario:
    params = as_base(base) or resolve_model(model).reference_parameters()
    if not isinstance(data, Mapping):
        raise ParameterError(
            f"a scenario file holds an object with {', '.join(SCENARIO_FILE_KEYS)}, "
            f"got {type(data).__name__}"
        )
    unknown = sorted(set(map(str, data)) - set(SCENARIO_FILE_KEYS))
    missing = [key for key in ("name", "overrides") if key not in data]
    if unknown or missing:
        parts = [f"unknown keys {shortened(', '.join(unknown))}"] * bool(unknown)
        parts += [f"missing {', '.join(missing)}"] * bool(missing)
        raise ParameterError(
            f"{'; '.join(parts)} (a scenario file has {', '.join(SCENARIO_FILE_KEYS)})"
        )
    if not isinstance(data["name"], str):
        raise ParameterError(f"name must be text, got {shown(data['name'])}")
    if not isinstance(data["overrides"], Mapping):
        raise ParameterError(
            f"overrides must be a table of parameter paths, got {shown(data['overrides'])}"
        )
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ParameterError(f"description must be text, got {shown(description)}")
    meta = data.get("meta", {})
    if not isinstance(meta, Mapping) or set(meta) - {"version"}:
        raise ParameterError(f"meta must be a table with only a version, got {shown(meta)}")
    version = meta.get("version", "")
    if not isinstance(version, str):
        raise ParameterError(f"meta.version must be text, got {shown(version)}")
    record = {
        "name": data["name"],
        "description": description,
        "overrides": _flatten(data["overrides"], "", set(params.specs)),
        "version": version,
    }
    return Scenario.from_dict(record, base=params, model=model)


def _capped(message: str) -> str:
    """``message`` with each line shortened and at most :data:`MAX_PROBLEMS_SHOWN` lines
    after the first (a huge value or a thousand bad overrides never make a huge message)."""
    lines = [shortened(line, 2 * MAX_SHOWN) for line in message.split("\n")]
    if len(lines) > MAX_PROBLEMS_SHOWN + 1:
        more = len(lines) - MAX_PROBLEMS_SHOWN - 1
        lines = [*lines[: MAX_PROBLEMS_SHOWN + 1], f"  ... and {more} more lines"]
    return "\n".join(lines)


def _flatten(
    overrides: Mapping[str, Any],
    prefix: str,
    paths: set[str],
    written: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Parameter paths from nested tables: recurse until the path is a known parameter. A
    path set twice (a quoted dotted key and a table) is a ParameterError naming both."""
    flat: dict[str, Any] = {}
    written = {} if written is None else written
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        group = any(known.startswith(path + ".") for known in paths)
        if path not in paths and isinstance(value, Mapping) and group:
            flat.update(_flatten(value, path + ".", paths, written))
            continue
        spelled = f"overrides.{prefix}{json.dumps(key) if '.' in key else key}"
        if path in written:
            raise ParameterError(
                f"{shortened(path, 100)} is set twice, as {shortened(written[path], 100)} "
                f"and as {shortened(spelled, 100)}: keep one"
            )
        written[path] = spelled
        flat[path] = value
    return flat
