"""Free parameters: the assumption values that calibration fits and sensitivity analysis
varies, each with its bounds, and how a set of numbers for them becomes a parameter set.

A number's free value is the number, in its unit, from the base's first date on; a scale's
is a **factor** on every bracket's value. Values are rounded once (:func:`rounded_value`).
Only a value that is not published may be free (docs/uncertainty.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import numpy as np
from numpy.typing import NDArray

from secpa_model.analysis.draws import FrozenDistribution, distribution_between
from secpa_model.analysis.relative import RefusedError
from secpa_model.analysis.scenarios import derived
from secpa_model.core.errors import ParameterError
from secpa_model.core.money import CENT
from secpa_model.model.parameters import DatedValue, Parameter, Parameters, Scale, Source, Status

QUANTITY_STEP: Final = Decimal("0.0001")
"""The step to which a fitted or drawn quantity (ETP, a rate, a factor's result) is rounded,
half up; euros go to the cent and counts to a whole number."""
FACTOR_UNIT: Final = "× base schedule"
"""How the value of a free scale is named: a factor on its brackets' values."""
Bounds = Mapping[str, tuple[float | Decimal | int | str, float | Decimal | int | str]]
"""Bounds by path: ``(low, high)`` in the parameter's unit (a factor for a scale)."""


@dataclass(frozen=True)
class FreeParameter:
    """One free parameter: its ``path``, the ``unit`` of its free value (the parameter's
    unit, or :data:`FACTOR_UNIT` for a scale), its ``base`` value in the base set (1 for a
    scale) and its bounds ``low`` ≤ ``high``."""

    path: str
    unit: str
    base: float
    low: float
    high: float
    is_scale: bool
    distribution: str = "uniform"
    mode: float | None = None
    sd: float | None = None

    @property
    def label(self) -> str:
        """The path with the unit of its free value, for tables and charts."""
        return f"{self.path} ({self.unit})"

    def frozen(self) -> FrozenDistribution:
        """The distribution as a frozen ``scipy.stats`` distribution (scipy needed): the
        triangle peaks at ``mode`` (else the base value), the normal is centred on the base
        value with ``sd`` (else a quarter of the bounds' width)."""
        return distribution_between(
            self.low,
            self.high,
            self.distribution,
            peak=self.base if self.mode is None else self.mode,
            mean=self.base,
            sd=self.sd if self.sd is not None else (self.high - self.low) / 4,
        )


def uncertain_paths(parameters: Parameters) -> list[str]:
    """The parameters whose latest value carries a range wider than a point (in the set's
    order): what sensitivity analysis and cohort intervals vary by default."""
    found = []
    for path, parameter in parameters.parameters.items():
        spread = parameter.values[-1].range
        if spread is not None and spread.low < spread.high:
            found.append(path)
    return found


def free_parameters(
    parameters: Parameters, paths: Sequence[str] | None = None, bounds: Bounds | None = None
) -> tuple[FreeParameter, ...]:
    """The free parameters ``paths`` of ``parameters`` (None: :func:`uncertain_paths`).

    Each one's bounds and distribution come from the range of its latest dated value (see
    :class:`~secpa_model.model.parameters.Range`), or from ``bounds`` (``path -> (low,
    high)``, then uniform), which take precedence. Every path must be a parameter of the set
    whose values are not published, given once, with bounds ``low ≤ high`` containing the
    base value. All problems are reported in one :class:`~secpa_model.ParameterError`.
    """
    if paths is None:
        paths = uncertain_paths(parameters)
    given = dict(bounds or {})
    problems: list[str] = []
    if not paths:
        problems.append("no free parameter given")
    if len(set(paths)) != len(paths):
        repeated = sorted({p for p in paths if list(paths).count(p) > 1})
        problems.append(f"free parameters given twice: {', '.join(repeated)}")
    unknown = sorted(set(given) - set(paths))
    if unknown:
        problems.append(f"bounds given for parameters that are not free: {', '.join(unknown)}")
    found: list[FreeParameter] = []
    for path in dict.fromkeys(paths):
        try:
            found.append(_free(parameters, path, given.get(path)))
        except RefusedError as exc:
            problems.extend(exc.args)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise ParameterError(f"invalid free parameters:\n{listed}")
    return tuple(found)


def _free(
    parameters: Parameters,
    path: str,
    bounds: tuple[float | Decimal | int | str, float | Decimal | int | str] | None,
) -> FreeParameter:
    parameter = parameters.parameters.get(path)
    if parameter is None:
        raise RefusedError(
            f"{path}: unknown parameter path (known: {', '.join(sorted(parameters.parameters))})"
        )
    published = [v.effective_from.isoformat() for v in parameter.values if v.status == "published"]
    if published:
        raise RefusedError(
            f"{path}: has published values (from {', '.join(published)}); only assumption "
            "values may be free"
        )
    is_scale = isinstance(parameter.values[0].value, Scale)
    base = 1.0 if is_scale else float(_number(parameter.values[0].value))
    spread = parameter.values[-1].range
    if bounds is None and spread is not None:
        return FreeParameter(
            path,
            _unit(parameter, is_scale),
            base,
            float(spread.low),
            float(spread.high),
            is_scale,
            distribution=spread.distribution,
            mode=float(spread.mode) if spread.mode is not None else None,
            sd=float(spread.spread) if spread.distribution == "normal" else None,
        )
    if bounds is None:
        raise RefusedError(
            f"{path}: no range in the parameters and no bounds given (low, high in "
            f"{_unit(parameter, is_scale)})"
        )
    try:
        low, high = (float(Decimal(str(b))) for b in bounds)
    except (ArithmeticError, ValueError, TypeError):
        raise RefusedError(f"{path}: bounds must be two numbers, got {bounds!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low < 0 or low > high:
        raise RefusedError(f"{path}: bounds must satisfy 0 ≤ low ≤ high, got ({low}, {high})")
    if not low <= base <= high:
        raise RefusedError(
            f"{path}: the bounds ({low}, {high}) do not contain the base value {base}"
        )
    return FreeParameter(path, _unit(parameter, is_scale), base, low, high, is_scale)


def _unit(parameter: Parameter, is_scale: bool) -> str:
    return FACTOR_UNIT if is_scale else parameter.unit


def _number(value: Decimal | Scale) -> Decimal:
    if isinstance(value, Scale):
        raise TypeError("a scale has no single number")
    return value


def draw_values(free: Sequence[FreeParameter], draws: int, seed: int) -> NDArray[np.float64]:
    """``draws`` joint draws of the free values (one row per draw, one column per value),
    each from its distribution (:meth:`FreeParameter.frozen`) by the inverse of its CDF at
    uniforms of ``numpy.random.default_rng(seed)``: the same seed gives the same draws."""
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ParameterError(f"draws must be a whole number ≥ 1, got {draws!r}")
    uniforms = np.random.default_rng(seed).random((draws, len(free)))
    columns = [item.frozen().ppf(uniforms[:, index]) for index, item in enumerate(free)]
    return np.column_stack(columns).astype(np.float64) if columns else uniforms


def rounded_value(value: float | Decimal, unit: str, kind_is_count: bool = False) -> Decimal:
    """``value`` made exact by the stated rounding: euros (a unit starting with ``EUR``) to
    the cent, counts to a whole number, other quantities to :data:`QUANTITY_STEP`; half up."""
    number = Decimal(repr(value)) if isinstance(value, float) else value
    if kind_is_count:
        step = Decimal(1)
    elif unit.startswith("EUR"):
        step = CENT
    else:
        step = QUANTITY_STEP
    return number.quantize(step, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ValueLabel:
    """What a free value set by an analysis says of itself: its ``status``, ``source`` and
    ``rationale`` (a calibrated value, a value drawn for a sensitivity run...)."""

    status: Status
    source: Source
    rationale: str


def with_free_values(
    parameters: Parameters,
    free: Sequence[FreeParameter],
    values: Sequence[float | Decimal] | NDArray[np.float64],
    label: ValueLabel,
    name: str,
) -> Parameters:
    """``parameters`` named ``name`` with each free parameter at its value in ``values``
    (rounded by :func:`rounded_value`), those values carrying ``label``; the result is
    validated like every parameter set (relations included)."""
    changed: dict[str, Parameter] = {}
    for item, value in zip(free, values, strict=True):
        parameter = parameters.parameters[item.path]
        spec = parameters.specs[item.path]
        labels = {"status": label.status, "source": label.source, "rationale": label.rationale}
        if item.is_scale:
            factor = rounded_value(float(value), FACTOR_UNIT)
            dated = [
                DatedValue(
                    effective_from=v.effective_from,
                    value=_scaled(v.value, factor, parameter.unit),
                    **labels,
                )
                for v in parameter.values
            ]
        else:
            number = rounded_value(
                Decimal(repr(float(value))), parameter.unit, kind_is_count=spec.kind == "count"
            )
            dated = [DatedValue(effective_from=parameter.first_date, value=number, **labels)]
        changed[item.path] = parameter.model_copy(update={"values": dated})
    try:
        return derived(parameters, changed, name, f"{name} over parameters {parameters.name!r}")
    except ValueError as exc:
        raise ParameterError(f"{name}: the values break a parameter's rule: {exc}") from exc


def _scaled(value: Decimal | Scale, factor: Decimal, unit: str) -> Scale:
    if not isinstance(value, Scale):
        raise TypeError("only a scale is scaled")
    return value.map_values(lambda number: rounded_value(number * factor, unit))
