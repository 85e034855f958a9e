"""Calibration targets (cibles de calage): aggregate figures a model's assumption values
should reproduce, each with its source, its kind (an equality with a tolerance, or an
inequality), its period and what it measures (``portfolio_total``, ``structure_annual``,
``budget_share``: docs/uncertainty.md).

:func:`public_targets` gives the public figures shipped with the library; :func:`load_targets`
reads a user's file of the same layout. The file is untrusted: any defect raises one
:class:`~secpa_model.InputError` naming the file, the target and the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from secpa_model.core.errors import InputError
from secpa_model.core.periods import Period
from secpa_model.model.parameters import Source
from secpa_model.model.parameters.loader import read_text, toml_loads

BUDGET_COLUMN: Final = "annual_budget_eur"
"""The column holding each structure's annual budget (euros), for ``budget_share``."""
TargetKind = Literal["equality", "at_most", "at_least"]
Measure = Literal["portfolio_total", "structure_annual", "budget_share"]
_UNITS: Final[dict[str, tuple[str, ...]]] = {
    "portfolio_total": ("EUR",),
    "structure_annual": ("EUR", "EUR/year"),
    "budget_share": ("fraction",),
}


class Target(BaseModel):
    """One calibration target (docs/uncertainty.md gives the measures).

    ``value`` is in ``unit``; ``tolerance`` is relative (0.05: ±5 % for an equality, 5 %
    of slack for an inequality), with its ``tolerance_rationale``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = Field(min_length=1)
    measure: Measure
    kind: TargetKind
    value: Decimal = Field(gt=0, allow_inf_nan=False)
    unit: str
    start: date
    end: date
    tolerance: Decimal = Field(ge=0, le=1, allow_inf_nan=False)
    tolerance_rationale: str = Field(min_length=1)
    source: Source
    participating: int | None = Field(default=None, ge=1)
    inputs: dict[str, Decimal] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.unit not in _UNITS[self.measure]:
            raise ValueError(
                f"a {self.measure} target is in {' or '.join(_UNITS[self.measure])}, "
                f"not {self.unit!r}"
            )
        if (self.measure == "structure_annual") != bool(self.inputs):
            raise ValueError("'inputs' (the reference structure) is for structure_annual only")
        return self

    @property
    def period(self) -> Period:
        """The period the target covers."""
        return Period(self.start, self.end)

    def describe(self) -> str:
        """One line: the kind, the value and the period."""
        relation = {"equality": "≈", "at_most": "≤", "at_least": "≥"}[self.kind]
        return f"{self.name}: {self.measure} {relation} {self.value} {self.unit} over {self.period}"


def public_targets() -> tuple[Target, ...]:
    """The public figures shipped with the library, as targets (docs/uncertainty.md)."""
    return load_targets(files("secpa_model").joinpath("data", "public_targets.toml"))


def load_targets(file: str | Path | Traversable) -> tuple[Target, ...]:
    """The targets of a TOML file laid out as the shipped one: ``[sources.<id>]`` tables
    and one ``[[targets]]`` table per target whose ``source`` is a source id or an inline
    table. An :class:`~secpa_model.InputError` names every problem."""
    origin = str(file)
    data = toml_loads(read_text(file, "targets file", InputError), origin, InputError)
    return targets_from_mapping(data, origin)


def targets_from_mapping(data: Any, origin: str = "<targets>") -> tuple[Target, ...]:
    """Targets from parsed data (see :func:`load_targets`)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("targets"), list):
        raise InputError(f"{origin}: expected [[targets]] tables")
    unknown = sorted(set(data) - {"meta", "sources", "targets"})
    if unknown:
        raise InputError(f"{origin}: unknown tables {', '.join(unknown)}")
    sources = data.get("sources", {})
    problems: list[str] = []
    found: list[Target] = []
    for index, table in enumerate(data["targets"]):
        where = f"targets[{index}]"
        if not isinstance(table, Mapping):
            problems.append(f"{where}: expected a table")
            continue
        where = f"{where} ({table.get('name', '?')!s:.40})"
        body = dict(table)
        source = body.get("source")
        if isinstance(source, str):
            if not isinstance(sources, Mapping) or source not in sources:
                problems.append(f"{where}.source: unknown source id {source!r:.40}")
                continue
            body["source"] = sources[source]
        try:
            found.append(Target.model_validate(body))
        except ValidationError as exc:
            problems.append(f"{where}: {_described(exc)}")
    names = [t.name for t in found]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(f"targets named twice: {', '.join(repeated)}")
    if not found and not problems:
        problems.append("no target")
    if problems:
        raise InputError(f"{origin}: " + "; ".join(problems))
    return tuple(found)


def _described(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '(target)'}: "
        f"{error['msg'].removeprefix('Value error, ')}"
        for error in exc.errors()
    )


def needed_columns(targets: Sequence[Target]) -> set[str]:
    """The frame columns the targets need beyond the model's inputs."""
    return {BUDGET_COLUMN for t in targets if t.measure == "budget_share"}


def check_frame(targets: Sequence[Target], frame: pd.DataFrame) -> None:
    """An :class:`~secpa_model.InputError` naming the targets whose columns the frame
    lacks (a ``budget_share`` target without :data:`BUDGET_COLUMN`)."""
    lacking = [t.name for t in targets if t.measure == "budget_share"]
    if lacking and BUDGET_COLUMN not in frame.columns:
        raise InputError(
            f"targets {', '.join(lacking)} need each structure's annual budget in a column "
            f"{BUDGET_COLUMN!r} (euros a year), which the frame does not have: add it, or "
            "leave those targets out"
        )
