"""What a Monte Carlo run draws, and how: one uniform quantile per draw and varied parameter
(or per draw, structure and uncertain input), turned into values by each distribution's
quantile function, rounded like any value of its unit.

Draw ``d``'s quantiles come from ``SeedSequence(seed, spawn_key=(d // BLOCK_DRAWS,))``: they
depend only on the seed and the draw's number, never on the chunks or the process
(docs/uncertainty.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from secpa_model.core.errors import InputError, ParameterError
from secpa_model.core.money import EXACT_LIMIT
from secpa_model.core.rounding import CENT_HALF_UP
from secpa_model.core.safe_text import shown
from secpa_model.model.inputs import Input
from secpa_model.model.model import Model
from secpa_model.model.parameters import DatedValue, Parameters, ParameterSpec, Scale
from secpa_model.model.parameters.drawn import DrawnScale
from secpa_model.model.parameters.models import FRACTION

BLOCK_DRAWS: Final = 1024
"""Draws per random block: the unit of reproducibility (docs/uncertainty.md)."""
SAMPLE_ROUNDING: Final = CENT_HALF_UP
"""How a drawn amount in euros becomes cents before any rule reads it: half up, to the cent
(a drawn count: half up, to the whole number)."""
RANGE: Final = "range"
"""In ``distributions=``, the value that asks for the parameter file's own range."""
_CENTS_PER_EURO: Final = 100  # a unit conversion, not a parameter of a model
_UNCERTAIN_KINDS: Final = frozenset({"count", "fraction", "quantity", "euros"})


@runtime_checkable
class FrozenDistribution(Protocol):
    """What ``distributions=`` and ``inputs=`` accept besides samples: anything with a
    quantile function, such as a frozen ``scipy.stats`` distribution."""

    def ppf(self, q: Any) -> Any:
        """The quantile function (inverse of the distribution function)."""
        ...


@dataclass(frozen=True)
class _Varied:
    """One varied parameter: a quantile function per dated value (None: its own value
    stays), or samples given by the user."""

    path: str
    spec: ParameterSpec
    quantiles: dict[date, FrozenDistribution | None]
    samples: NDArray[np.float64] | None = None


@dataclass(frozen=True)
class _UncertainInput:
    item: Input
    distribution: FrozenDistribution | None
    samples: NDArray[np.float64] | None


@dataclass(frozen=True)
class DrawPlan:
    """What a run varies and how, built and checked once before any draw
    (:func:`plan_draws`)."""

    varied: tuple[_Varied, ...]
    inputs: tuple[_UncertainInput, ...]
    draws: int
    structures: int
    seed: int

    @property
    def paths(self) -> tuple[str, ...]:
        """The varied parameter paths, in the model's order."""
        return tuple(v.path for v in self.varied)

    def quantiles(self, start: int, stop: int) -> NDArray[np.float64]:
        """The uniform quantiles of draws ``start..stop-1``: one column per varied
        parameter, then ``structures`` columns per uncertain input."""
        width = len(self.varied) + self.structures * len(self.inputs)
        if width == 0:
            return np.zeros((stop - start, 0))
        first, last = start // BLOCK_DRAWS, (stop - 1) // BLOCK_DRAWS
        blocks = [_block(self.seed, block, width) for block in range(first, last + 1)]
        stacked = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        offset = start - first * BLOCK_DRAWS
        return stacked[offset : offset + stop - start]


def _block(seed: int, block: int, width: int) -> NDArray[np.float64]:
    sequence = np.random.SeedSequence(seed, spawn_key=(block,))
    generator = np.random.Generator(np.random.PCG64(sequence))
    # (0, 1) open: a quantile function at 0 or 1 may be infinite
    values = generator.random((BLOCK_DRAWS, width))
    return np.where(values > 0, values, np.nextafter(0.0, 1.0))


def plan_draws(
    model: Model,
    parameters: Parameters,
    period_days: tuple[date, date],
    draws: int,
    structures: int,
    seed: int,
    distributions: Mapping[str, Any] | None,
    inputs: Mapping[str, Any] | None,
) -> DrawPlan:
    """Check what is to vary (a ParameterError or InputError naming the path or column)
    and return the plan. ``period_days``: the first and last day computed (a range
    counts where its dated value is in force)."""
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a whole number ≥ 1, got {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, got {seed!r}")
    varied = (
        _ranges(parameters, period_days)
        if distributions is None
        else _given(parameters, period_days, distributions, draws)
    )
    return DrawPlan(
        varied=varied,
        inputs=_uncertain_inputs(model, inputs or {}, draws, structures),
        draws=draws,
        structures=structures,
        seed=seed,
    )


def _ranges(parameters: Parameters, days: tuple[date, date]) -> tuple[_Varied, ...]:
    varied = []
    for path, spec in parameters.specs.items():
        dated = parameters.parameters[path].values_over(*days)
        if any(value.range is not None for value in dated):
            varied.append(_of_ranges(path, spec, dated))
    return tuple(varied)


def _of_ranges(path: str, spec: ParameterSpec, dated: list[DatedValue]) -> _Varied:
    return _Varied(path, spec, {value.effective_from: _of_range(value) for value in dated})


def _given(
    parameters: Parameters, days: tuple[date, date], distributions: Mapping[str, Any], draws: int
) -> tuple[_Varied, ...]:
    if not isinstance(distributions, Mapping):
        raise ParameterError(
            "distributions must map parameter paths to a distribution (with a ppf), an "
            f"array of samples or {RANGE!r}, got {type(distributions).__name__}"
        )
    unknown = sorted(set(map(str, distributions)) - set(parameters.specs))
    if unknown:
        raise ParameterError(
            f"distributions name unknown parameters: {', '.join(shown(p) for p in unknown)} "
            f"(the model's: {', '.join(parameters.specs)})"
        )
    varied = []
    for path, spec in parameters.specs.items():
        if path not in distributions:
            continue
        given = distributions[path]
        dated = parameters.parameters[path].values_over(*days)
        if isinstance(given, str) and given == RANGE:
            missing = [str(v.effective_from) for v in dated if v.range is None]
            if missing:
                raise ParameterError(
                    f"{path}: {RANGE!r} asked, but its value from {', '.join(missing)} has no "
                    "range in the parameter file"
                )
            varied.append(_of_ranges(path, spec, dated))
        elif isinstance(given, FrozenDistribution):
            varied.append(_Varied(path, spec, {v.effective_from: given for v in dated}))
        else:
            samples = _samples(given, (draws,), f"distributions[{path!r}]", ParameterError)
            varied.append(_Varied(path, spec, {}, samples))
    return tuple(varied)


def _samples(
    given: Any, shape: tuple[int, ...], where: str, error: type[Exception]
) -> NDArray[np.float64]:
    try:
        samples = np.asarray(given, dtype=np.float64)
    except (TypeError, ValueError):
        raise error(
            f"{where}: expected a distribution (with a ppf method) or an array of samples, "
            f"got {shown(given, 60)}"
        ) from None
    if samples.shape != shape and not (len(shape) == 2 and samples.shape == shape[:1]):
        raise error(f"{where}: expected {shape[0]} samples (one per draw), got {samples.shape}")
    return samples


def _of_range(dated: DatedValue) -> FrozenDistribution | None:
    """The distribution of a dated value's range around its value (of a scale: of its
    factor, around 1): uniform, triangular (peak at the mode) or normal truncated to the
    range; a degenerate range (``low == high``) is that one value."""
    spread = dated.range
    if spread is None:
        return None
    return distribution_between(
        float(spread.low),
        float(spread.high),
        spread.distribution,
        peak=float(spread.mode_for(dated.center)),
        mean=float(dated.center),
        sd=float(spread.spread),
    )


def distribution_between(
    low: float, high: float, distribution: str, *, peak: float, mean: float, sd: float
) -> FrozenDistribution:
    """The frozen ``scipy.stats`` distribution on ``[low, high]``: ``uniform``,
    ``triangular`` with its ``peak``, or ``normal`` of ``mean`` and ``sd`` truncated to the
    interval; ``low == high`` is that one value. The one construction behind the ranges of
    :func:`_of_range` and the free values of sensitivity analysis and cohorts."""
    stats = _scipy_stats()
    if high == low:
        return _Constant(low)
    width = high - low
    if distribution == "uniform":
        return stats.uniform(loc=low, scale=width)  # type: ignore[no-any-return]
    if distribution == "triangular":
        return stats.triang((peak - low) / width, loc=low, scale=width)  # type: ignore[no-any-return]
    return stats.truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _Constant:
    """The distribution of a degenerate range: always ``value``."""

    value: float

    def ppf(self, q: Any) -> NDArray[np.float64]:
        return np.full(np.shape(q), self.value)


def _scipy_stats() -> Any:
    try:
        from scipy import stats
    except ImportError:
        raise ImportError(
            "drawing from the parameters' ranges needs scipy: "
            "pip install 'secpa-model[uncertainty]'"
        ) from None
    return stats


def _uncertain_inputs(
    model: Model, inputs: Mapping[str, Any], draws: int, structures: int
) -> tuple[_UncertainInput, ...]:
    if not isinstance(inputs, Mapping):
        raise InputError(
            f"inputs must map input columns to a distribution or samples, got "
            f"{type(inputs).__name__}"
        )
    result = []
    names = {item.name: item for item in model.inputs}
    for name, given in inputs.items():
        item = names.get(str(name))
        if item is None:
            raise InputError(
                f"inputs: {shown(name)} is not an input of model {model.name!r} "
                f"({', '.join(names)})"
            )
        if item.kind not in _UNCERTAIN_KINDS:
            raise InputError(
                f"inputs: {name!r} is a {item.kind}: only counts, fractions, quantities and "
                "euros may be drawn"
            )
        if isinstance(given, FrozenDistribution):
            result.append(_UncertainInput(item, given, None))
        else:
            samples = _samples(given, (draws, structures), f"inputs[{name!r}]", InputError)
            if samples.ndim == 1:
                samples = np.repeat(samples[:, None], structures, axis=1)
            result.append(_UncertainInput(item, None, samples))
    return tuple(result)


# --------------------------------------------------------------------- one chunk


@dataclass(frozen=True)
class ChunkDraws:
    """The drawn values of the draws ``start..stop-1``, ready for the engine.

    ``per_row(path, effective_from)``: the values of a parameter's dated value, one per row
    of the tiled chunk (int64 cents or counts, float64 quantities, or a
    :class:`~secpa_model.model.parameters.drawn.DrawnScale`). ``columns``: the drawn input
    columns, one value per row. ``recorded``: per varied path, the drawn value of each draw
    (in its unit; a scale's factor) for the first of its dated values in the period.
    """

    start: int
    stop: int
    parameters: dict[tuple[str, date], Any]
    columns: dict[str, NDArray[Any]]
    recorded: dict[str, NDArray[np.float64]]


def draw_chunk(plan: DrawPlan, parameters: Parameters, start: int, stop: int) -> ChunkDraws:
    """Draw the values of draws ``start..stop-1`` (checked: a ParameterError or InputError
    naming the path or column and the draw of a value out of its unit's bounds)."""
    quantiles = plan.quantiles(start, stop)
    structures = plan.structures
    values: dict[tuple[str, date], Any] = {}
    recorded: dict[str, NDArray[np.float64]] = {}
    for column, varied in enumerate(plan.varied):
        for dated in parameters.parameters[varied.path].values:
            distribution = varied.quantiles.get(dated.effective_from)
            if varied.samples is not None:
                raw = varied.samples[start:stop]
            elif distribution is not None:
                raw = np.asarray(distribution.ppf(quantiles[:, column]), dtype=np.float64)
            else:
                continue
            value, shown_value = _converted(varied.spec, dated, raw, start, structures)
            values[(varied.path, dated.effective_from)] = value
            recorded.setdefault(varied.path, shown_value)
    columns: dict[str, NDArray[Any]] = {}
    offset = len(plan.varied)
    for number, uncertain in enumerate(plan.inputs):
        if uncertain.samples is not None:
            raw = uncertain.samples[start:stop]
        else:
            assert uncertain.distribution is not None
            block = quantiles[:, offset + number * structures : offset + (number + 1) * structures]
            raw = np.asarray(uncertain.distribution.ppf(block), dtype=np.float64)
        columns[uncertain.item.name] = _input_column(uncertain.item, raw, start)
    return ChunkDraws(start, stop, values, columns, recorded)


def _converted(
    spec: ParameterSpec, dated: DatedValue, raw: NDArray[np.float64], start: int, structures: int
) -> tuple[Any, NDArray[np.float64]]:
    """Drawn values in the engine's units, checked, repeated over the structures; and the
    values as drawn (in the unit) to record."""
    path = spec.path
    _check_finite(path, raw, start)
    if isinstance(dated.value, Scale):
        scale = dated.value
        values = scale.values[None, :] * raw[:, None]
        if spec.unit.startswith("EUR"):
            values = SAMPLE_ROUNDING.round(values * _CENTS_PER_EURO) / _CENTS_PER_EURO
        _check_bounds(path, values.max(axis=1), start, spec.unit, euros=spec.unit.startswith("EUR"))
        return DrawnScale(scale, values, structures), raw
    if spec.kind == "amount":
        cents = SAMPLE_ROUNDING.round(raw * _CENTS_PER_EURO)
        _check_bounds(path, cents.astype(np.float64), start, spec.unit, euros=False)
        return np.repeat(cents, structures), cents / _CENTS_PER_EURO
    if spec.kind == "count":
        whole = np.floor(raw + 0.5).astype(np.int64)
        _check_bounds(path, whole.astype(np.float64), start, spec.unit, euros=False)
        return np.repeat(whole, structures), whole.astype(np.float64)
    _check_bounds(path, raw, start, spec.unit, euros=False)
    return np.repeat(raw, structures), raw


def _check_finite(path: str, raw: NDArray[np.float64], start: int) -> None:
    bad = ~np.isfinite(raw) | (raw < 0)
    if bad.any():
        draw = start + int(np.argmax(bad.reshape(len(raw), -1).any(axis=1)))
        value = raw.reshape(len(raw), -1)[draw - start][0]
        raise ParameterError(
            f"{path}: draw {draw} gave {value}, which is negative or not finite: give a "
            "distribution whose values are valid values of the parameter"
        )


def _check_bounds(
    path: str, values: NDArray[np.float64], start: int, unit: str, *, euros: bool
) -> None:
    limit = EXACT_LIMIT / _CENTS_PER_EURO if euros else EXACT_LIMIT
    too_high = values > (1.0 if unit == FRACTION else limit)
    if too_high.any():
        draw = start + int(np.argmax(too_high))
        what = "above 1 (a fraction)" if unit == FRACTION else "beyond exactness (2^53)"
        raise ParameterError(f"{path}: draw {draw} gave {values[draw - start]}, {what}")


def _input_column(item: Input, raw: NDArray[np.float64], start: int) -> NDArray[Any]:
    """Drawn input values (draws × structures) as one engine column (a row per structure
    and draw), rounded to the input's kind and checked against its bounds."""
    values: NDArray[Any]
    if item.kind == "count":
        values = np.floor(raw + 0.5)
    elif item.kind == "euros":
        values = SAMPLE_ROUNDING.round(raw * _CENTS_PER_EURO).astype(np.float64)
    else:
        values = raw
    low, high = item.low, item.high
    if item.kind == "euros":
        low, high = low * _CENTS_PER_EURO, min(high * _CENTS_PER_EURO, float(EXACT_LIMIT))
    bad = ~np.isfinite(values) | (values < low) | (values > high)
    if bad.any():
        draw, structure = np.unravel_index(int(np.argmax(bad)), bad.shape)
        raise InputError(
            f"inputs[{item.name!r}]: draw {start + int(draw)}, structure {int(structure)} "
            f"gave {raw[draw, structure]}, outside [{item.low}, {item.high}] "
            f"({item.unit or item.kind})"
        )
    flat = values.reshape(-1)
    return flat.astype(np.int64) if item.kind in ("count", "euros") else flat
