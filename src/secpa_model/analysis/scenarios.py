"""Scenarios: named, validated overrides of the parameters (scénarios de paramètres).

A :class:`Scenario` changes some parameters of a base set by path, e.g.
``Scenario("dearer ETP", {"participatory_activities.cost_per_etp": 50000})``: a number or a
scale from the base's first date on, dated values, or a mapping with a checked unit
(docs/scenarios.md). Every override is validated before any is applied, all problems in one
:class:`~secpa_model.ParameterError`; the base is never modified.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from secpa_model.analysis.relative import RefusedError, as_date, is_relative, relative_values
from secpa_model.core.errors import ParameterError
from secpa_model.engine.parameters import parameters_for
from secpa_model.model.model import Model
from secpa_model.model.parameters import DatedValue, Parameter, Parameters, Scale
from secpa_model.model.parameters.models import describe_value
from secpa_model.models import resolve_model

SCENARIO_STATUS: Final = "scenario"
_SCALE_KEYS: Final = frozenset({"mode", "brackets"})
_PARAMETER_KEYS: Final = frozenset({"unit", "threshold_unit", "value", "values", "rationale"})
_ENTRY_KEYS: Final = frozenset({"effective_from", "value", "rationale"})


@dataclass(frozen=True)
class Scenario:
    """A named set of parameter overrides over a base parameter set.

    ``overrides`` maps parameter paths (the model's ``parameters``) to new values (see
    docs/scenarios.md for the accepted forms). ``base`` is the parameter set the scenario is
    written against (``None``: the reference values of ``model``, itself the
    experimentation by default).
    The overrides are validated against the base when the scenario is created, and again
    against whatever base :meth:`apply` receives.

    A scenario records itself: :meth:`to_dict` gives its name, description, base name and
    overrides as JSON-ready data, and :meth:`from_dict` rebuilds it.
    """

    name: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    base: Parameters | Scenario | None = None
    model: Model | str | None = None
    version: str = ""
    """The version its author gave it (a scenario file's ``[meta] version``): recorded in
    its record and in the manifest of an output, and carried by :meth:`apply`'s set."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError(f"a scenario needs a non-empty name, got {self.name!r}")
        if not isinstance(self.version, str):
            raise ParameterError(
                f"scenario {self.name!r}: version must be text, got {type(self.version).__name__}"
            )
        if not isinstance(self.overrides, Mapping):
            raise ParameterError(
                f"scenario {self.name!r}: overrides must be a mapping of parameter paths to "
                f"values, got {type(self.overrides).__name__}"
            )
        # a read-only copy: later changes to the caller's dict do not reach the scenario
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))
        object.__setattr__(self, "base", as_base(self.base))
        self.validate()

    @property
    def base_parameters(self) -> Parameters:
        """The base the scenario was written against (the model's reference values if none
        was given)."""
        if isinstance(self.base, Parameters):
            return self.base
        return resolve_model(self.model).reference_parameters()

    def _base_or(self, base: Parameters | Scenario | None) -> Parameters:
        """``base`` (a scenario applied), or the scenario's own base."""
        return as_base(base) or self.base_parameters

    def parameters_for(self, model: Model) -> Parameters:
        """The scenario applied for ``model``: to its own base when it has one, else to the
        model's reference values (what every function taking parameters calls)."""
        if self.base is not None or self.model is not None:
            return self.apply()
        return self.apply(model.reference_parameters())

    def validate(self, base: Parameters | Scenario | None = None) -> dict[str, Parameter]:
        """The overridden parameters, validated against ``base`` (default: the scenario's base).

        Raises one :class:`~secpa_model.ParameterError` listing every problem.
        """
        params = self._base_or(base)
        problems: list[str] = []
        built: dict[str, Parameter] = {}
        for path, value in self.overrides.items():
            try:
                built[path] = _override(self.name, params, path, value)
            except RefusedError as exc:
                problems.extend(exc.args)
        if problems:
            count = len(problems)
            listed = "\n".join(f"  - {problem}" for problem in problems)
            raise ParameterError(
                f"scenario {self.name!r}: {count} invalid override{'s' if count > 1 else ''} "
                f"(nothing was applied):\n{listed}"
            )
        if params.relations:
            self._combined(params, built)
        return built

    def apply(self, base: Parameters | Scenario | None = None) -> Parameters:
        """A new parameter set: ``base`` (default: the scenario's base) with the overrides.

        The result is named after the scenario, its ``origin`` names the base, and its
        ``description`` holds the scenario's record (:meth:`to_json`). ``base`` is untouched.
        """
        params = self._base_or(base)
        return self._combined(params, self.validate(params))

    def _combined(self, params: Parameters, overridden: dict[str, Parameter]) -> Parameters:
        """The base with the overrides, the relations between parameters checked."""
        try:
            record = self._record(params, overridden)
            return derived(
                params,
                overridden,
                self.name,
                f"scenario {self.name!r} over parameters {params.name!r}",
                description=json.dumps(record, ensure_ascii=False, sort_keys=True),
                version=self.version,
            )
        except ValidationError as exc:
            listed = "\n".join(
                f"  - {error['msg'].removeprefix('Value error, ')}" for error in exc.errors()
            )
            raise ParameterError(
                f"scenario {self.name!r}: the overrides break a relation between parameters "
                f"(nothing was applied):\n{listed}"
            ) from exc

    def to_dict(self, base: Parameters | Scenario | None = None) -> dict[str, Any]:
        """The scenario's record: name, description, base name, overrides (JSON-ready) and
        version (when it has one),
        and, when some overrides are relative changes, the ``values`` they give (path →
        dated values), so that the record shows the numbers the scenario computes with."""
        params = self._base_or(base)
        relative = any(is_relative(value) for value in self.overrides.values())
        return self._record(params, self.validate(params) if relative else {})

    def _record(self, params: Parameters, overridden: Mapping[str, Parameter]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "base": params.name,
            "overrides": {path: _jsonable(value) for path, value in self.overrides.items()},
        }
        if self.version:
            record["version"] = self.version
        values = {
            path: [
                {"effective_from": v.effective_from.isoformat(), "value": _jsonable(v.value)}
                for v in _scenario_values(parameter)
            ]
            for path, parameter in overridden.items()
            if is_relative(self.overrides[path])
        }
        if values:
            record["values"] = values
        return record

    def values(self, base: Parameters | Scenario | None = None) -> dict[str, list[DatedValue]]:
        """The values the scenario gives each overridden parameter (status ``scenario``,
        each from its date on; the base values before them are kept), computed against
        ``base`` (default: the scenario's base). A relative change's values say in their
        ``rationale`` how they were computed."""
        return {
            path: _scenario_values(parameter) for path, parameter in self.validate(base).items()
        }

    def describe(self, base: Parameters | Scenario | None = None) -> str:
        """The scenario in words, one line per value it sets: what a person checks
        (``participatory_activities.cost_per_etp from 2024-03-01: 45000 EUR/ETP/year × 1.1
        = 49500.00 EUR/ETP/year (…)``)."""
        params = self._base_or(base)
        lines = [f"scenario {self.name!r} over parameters {params.name!r}:"]
        for path, values in self.values(params).items():
            parameter = params.parameters[path]
            for value in values:
                if is_relative(self.overrides[path]):
                    text = value.rationale or ""
                else:
                    text = describe_value(value.value, parameter.unit, parameter.threshold_unit)
                    text += f" ({value.rationale})" if value.rationale else ""
                lines.append(f"  - {path} from {value.effective_from}: {text}")
        if len(lines) == 1:
            lines.append("  (no override: the base values)")
        return "\n".join(lines)

    def to_json(self, base: Parameters | Scenario | None = None) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(base), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        base: Parameters | Scenario | None = None,
        model: Model | str | None = None,
    ) -> Scenario:
        """Rebuild a scenario from :meth:`to_dict`. ``base`` must be the set the record
        names (``None``: the reference values of ``model``); a mismatch is a
        ParameterError."""
        given = as_base(base)
        params = given or resolve_model(model).reference_parameters()
        recorded = data.get("base", params.name)
        if recorded != params.name:
            raise ParameterError(
                f"scenario {data.get('name')!r} was recorded over parameters {recorded!r}, "
                f"not {params.name!r}: pass that parameter set as base"
            )
        return cls(
            name=str(data["name"]),
            overrides=dict(data.get("overrides", {})),
            description=str(data.get("description", "")),
            base=given,
            model=model,
            version=str(data.get("version", "")),
        )


def as_parameters(
    item: Parameters | Scenario | None, model: Model | str | None = None
) -> Parameters:
    """The parameter set of a :class:`Scenario` (applied for ``model``) or a Parameters of
    ``model`` (default: the experimentation; ``None``: its reference values); see
    :func:`~secpa_model.engine.parameters.parameters_for`."""
    return parameters_for(resolve_model(model), item)


def derived(
    base: Parameters, changed: Mapping[str, Parameter], name: str, origin: str, **fields: str
) -> Parameters:
    """``base`` named ``name`` with the ``changed`` parameters, validated like every set
    (relations included; pydantic's ValidationError otherwise); ``fields``: ``description``
    (default: the base's) or ``version``."""
    return Parameters.model_validate(
        {
            "description": base.description,
            **fields,
            "name": name,
            "origin": origin,
            "parameters": {**base.parameters, **changed},
            "specs": base.specs,
            "relations": base.relations,
        }
    )


def as_base(base: Parameters | Scenario | None) -> Parameters | None:
    """A scenario's base: a Parameters as given, a :class:`Scenario` applied (a scenario
    over another), ``None`` as given; a TypeError naming what to pass for anything else."""
    if base is None or isinstance(base, Parameters):
        return base
    if isinstance(base, Scenario):
        return base.apply()
    raise TypeError(
        f"the base of a scenario must be a Parameters or a Scenario, got {type(base).__name__}"
    )


def _override(scenario: str, base: Parameters, path: str, value: Any) -> Parameter:
    """Build the overridden parameter, or :class:`RefusedError`."""
    spec = base.specs.get(path) if isinstance(path, str) else None
    if spec is None:
        known = ", ".join(sorted(base.specs))
        raise RefusedError(f"{path}: unknown parameter path (known: {known})")
    before = base.parameters[path]
    kept, dated, unit, threshold_unit = (
        relative_values(path, spec, before, value)
        if is_relative(value)
        else _absolute(path, spec.kind, before, value)
    )
    source = {
        "title": f"secpa-model scenario {scenario!r}",
        "reference": f"override of {path} in scenario {scenario!r} over parameters {base.name!r}",
    }
    try:
        return Parameter.model_validate(
            {
                "path": path,
                "unit": unit,
                "threshold_unit": threshold_unit,
                "description": before.description,
                "values": [
                    *kept,
                    *({**entry, "status": SCENARIO_STATUS, "source": source} for entry in dated),
                ],
            },
            context={"specs": {path: spec}},
        )
    except ValidationError as exc:
        raise RefusedError(*_problems(path, spec.kind, exc, len(kept))) from None


def _absolute(
    path: str, kind: str, before: Parameter, value: Any
) -> tuple[list[DatedValue], list[dict[str, Any]], Any, Any]:
    """An override that gives values (a number, a scale, dated values, ``{unit, value(s)}``):
    the base values kept before its first date, its dated values, its unit and threshold
    unit; or :class:`RefusedError`."""
    unit: Any = before.unit
    threshold_unit: Any = before.threshold_unit
    rationale: Any = None
    entries: Any = value
    if isinstance(value, Mapping) and not (set(value) & _SCALE_KEYS):
        unknown = sorted(set(map(str, value)) - _PARAMETER_KEYS)
        if unknown:
            raise RefusedError(
                f"{path}: unknown keys {', '.join(unknown)} (a scale has mode and brackets; "
                f"a parameter has {', '.join(sorted(_PARAMETER_KEYS))}; a relative change "
                "has factor, percent or add)"
            )
        if ("value" in value) == ("values" in value):
            raise RefusedError(f"{path}: give exactly one of 'value' or 'values'")
        unit = value.get("unit", unit)
        threshold_unit = value.get("threshold_unit", threshold_unit)
        rationale = value.get("rationale")
        entries = value["values"] if "values" in value else value["value"]
    dated = _dated_entries(path, kind, entries, before.first_date, rationale)
    first = dated[0]["effective_from"]
    kept = [v for v in before.values if v.effective_from < first]
    return kept, dated, unit, threshold_unit


def _dated_entries(
    path: str, kind: str, entries: Any, first_date: date, rationale: Any
) -> list[dict[str, Any]]:
    """The override as a list of dated-value mappings (status and source still to add)."""
    if isinstance(entries, list | tuple):
        if not entries:
            raise RefusedError(f"{path}: an empty list of dated values")
        result: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise RefusedError(
                    f"{path}: dated value {index} must be a mapping with effective_from and "
                    f"value, got {entry!r}"
                )
            unknown = sorted(set(map(str, entry)) - _ENTRY_KEYS)
            missing = sorted({"effective_from", "value"} - set(entry))
            if unknown or missing:
                detail = "; ".join(
                    [f"unknown keys {', '.join(unknown)}"] * bool(unknown)
                    + [f"missing {', '.join(missing)}"] * bool(missing)
                )
                raise RefusedError(
                    f"{path}: dated value {index}: {detail} (allowed: effective_from, value, "
                    "rationale; status and source are set by the scenario)"
                )
            day = as_date(entry["effective_from"])
            if day is None:
                raise RefusedError(
                    f"{path}: dated value {index}: effective_from "
                    f"{entry['effective_from']!r} is not a date (YYYY-MM-DD)"
                )
            number = _value(path, kind, entry["value"], f"dated value {index}: ")
            result.append(
                {
                    "effective_from": day,
                    "value": number,
                    "rationale": entry.get("rationale", rationale),
                }
            )
        return result
    number = _value(path, kind, entries, "")
    return [{"effective_from": first_date, "value": number, "rationale": rationale}]


def _value(path: str, kind: str, value: Any, where: str) -> Any:
    """A number or scale of the right kind, ready for pydantic, or :class:`RefusedError`."""
    is_scale = isinstance(value, Scale) or (isinstance(value, Mapping) and bool(value))
    if isinstance(value, bool) or value is None:
        raise RefusedError(f"{path}: {where}expected a {_expected(kind)}, got {value!r}")
    if kind == "scale" and not is_scale:
        raise RefusedError(f"{path}: {where}expected a scale (mode and brackets), got {value!r}")
    if kind != "scale" and is_scale:
        raise RefusedError(f"{path}: {where}expected a {_expected(kind)}, got a scale")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _expected(kind: str) -> str:
    return {
        "amount": "number (an amount)",
        "count": "whole number",
        "quantity": "number",
        "scale": "scale",
    }[kind]


def _problems(path: str, kind: str, exc: ValidationError, kept: int) -> list[str]:
    """Readable problems from the pydantic error of one overridden parameter."""
    found: list[str] = []
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        branch = location[3] if len(location) > 3 and location[0] == "values" else ""
        if branch and (("Scale" in branch) != (kind == "scale")):
            continue  # the other member of the number-or-scale union
        parts = [part for part in location if part != branch]
        if parts[:1] == ["values"] and len(parts) > 1:
            parts[1] = f"dated value {int(parts[1]) - kept}"
            parts = parts[1:]
        where = ".".join(parts)
        message = error["msg"].removeprefix("Value error, ")
        if not where and kept:
            message += f" (values counted after the {kept} base value(s) kept before the override)"
        found.append(f"{path}: {where + ': ' if where else ''}{message}")
    return sorted(set(found)) or [f"{path}: {exc}"]


def _scenario_values(parameter: Parameter) -> list[DatedValue]:
    return [value for value in parameter.values if value.status == SCENARIO_STATUS]


def _jsonable(value: Any) -> Any:
    """``value`` as JSON data: Decimals and dates as text, a scale as its fields."""
    return to_jsonable_python(value, fallback=lambda other: {**other})
