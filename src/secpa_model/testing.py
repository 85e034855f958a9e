"""Hypothesis strategies for property-based tests of funding rules, derived from a model's
input declarations (docs/testing.md shows how to use them). Every strategy draws *small*
values, so that a property runs hundreds of examples in seconds.

hypothesis is a test-only dependency (the ``test`` extra): ``import secpa_model`` never
imports this module, and importing it without hypothesis raises an :class:`ImportError`
that says how to install it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised by a subprocess test
    raise ImportError(
        "secpa_model.testing needs hypothesis, a test-only dependency of secpa-model: "
        "install the 'test' extra, e.g. pip install 'secpa-model[test]'"
    ) from exc

import numpy as np
import pandas as pd

from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.compute import change_dates
from secpa_model.engine.parameters import ParameterSource, parameters_for
from secpa_model.model.inputs import Input
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters, ParameterSpec, Scale
from secpa_model.model.parameters.loader import parameters_from_mapping
from secpa_model.model.parameters.models import FRACTION
from secpa_model.model.rules import RuleInputs, RuleParameters
from secpa_model.model.structure import StructureBase
from secpa_model.models import resolve_model

__all__ = [
    "eligible_structures",
    "input_values",
    "invalid_structure_data",
    "parameter_sets",
    "parameter_values",
    "parameters_and_periods",
    "periods",
    "structure_frames",
    "structures",
    "structures_to_frame",
]

# Bounds of the *generator* where an input declares no examples range: they keep drawn
# values realistic and examples fast; they are not limits of a funding model.
_DEFAULT_HIGH: Final[dict[str, float]] = {"count": 10_000, "quantity": 100, "euros": 100_000}
_DATES_FROM: Final = date(2020, 1, 1)
_DATES_TO: Final = date(2029, 12, 31)
_MAX_PERIOD_DAYS: Final = 3 * 366
_HORIZON_DAYS: Final = 4 * 366
_ID_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz0123456789-_"
_CENTS_PER_EURO: Final = 100

_GENERATED_SOURCE: Final[dict[str, str]] = {
    "title": "Random parameter set drawn by secpa_model.testing.parameter_sets",
    "reference": "secpa_model.testing",
}
_GENERATED_RATIONALE: Final = "Generated for a property-based test; not a real value."


def _spread(low: int, high: int, steps: int = 100) -> st.SearchStrategy[int]:
    """Integers in [low, high] spread over the whole range.

    ``st.integers`` favours small magnitudes, which would rarely reach a cap or a bracket
    of a large range: draw a coarse step (nearly uniform over ``steps`` values) plus a
    fine offset inside it."""
    width = max((high - low) // steps, 1)
    coarse = st.integers(0, (high - low) // width)
    fine = st.integers(0, width - 1)
    return st.builds(lambda c, f: min(low + c * width + f, high), coarse, fine)


def _euros(max_cents: int, min_cents: int = 0) -> st.SearchStrategy[Decimal]:
    """Whole-cent euro amounts, as exact Decimals."""
    return _spread(min_cents, max_cents).map(lambda cents: Decimal(cents) / _CENTS_PER_EURO)


def _range(item: Input) -> tuple[float, float]:
    if item.examples is not None:
        low, high = item.examples
    else:
        low, high = item.low, min(item.high, _DEFAULT_HIGH.get(item.kind, item.high))
    return max(low, item.low), min(high, item.high)


def input_values(item: Input) -> st.SearchStrategy[Any]:
    """Valid values of one input (its kind, bounds and examples range); a date input draws
    dates only (see :func:`structures` for entry and exit dates)."""
    low, high = _range(item)
    if item.kind == "text":
        return st.text(_ID_ALPHABET, min_size=1, max_size=12).map(lambda text: f"s-{text}")
    if item.kind == "category":
        return st.sampled_from(item.categories)
    if item.kind == "count":
        return _spread(int(np.ceil(low)), int(high))
    if item.kind == "euros":
        return _euros(int(high * _CENTS_PER_EURO), int(np.ceil(low * _CENTS_PER_EURO)))
    if item.kind == "boolean":
        return st.booleans()
    if item.kind == "date":
        return st.dates(_DATES_FROM, _DATES_TO)
    if item.kind == "fraction":
        steps = _spread(int(low * 1_000), int(high * 1_000)).map(lambda n: n / 1_000)
        return st.floats(low, high, allow_nan=False, allow_subnormal=False) | steps
    quarters = _spread(int(np.ceil(low * 4)), int(high * 4)).map(lambda q: q / 4)
    return st.floats(low, high, allow_nan=False, allow_subnormal=False) | quarters


@st.composite
def _entry_exit(draw: st.DrawFn) -> tuple[date | None, date | None]:
    entry = draw(st.none() | st.dates(_DATES_FROM, _DATES_TO))
    exit_from = entry or _DATES_FROM
    exit_ = draw(st.none() | st.dates(exit_from, _DATES_TO))
    return entry, exit_


@st.composite
def _structure(draw: st.DrawFn, model: Model, dated: bool) -> StructureBase:
    data: dict[str, Any] = {}
    window = (model.entry_input, model.exit_input)
    for item in model.inputs:
        if item.name in window:
            continue
        strategy = input_values(item)
        if item.kind == "date" and not item.required:
            strategy = st.none() | strategy
        data[item.name] = draw(strategy)
    entry, exit_ = draw(_entry_exit()) if dated else (None, None)
    for name, value in zip(window, (entry, exit_), strict=True):
        if name:
            data[name] = value
    return model.structure.model_validate(data)


def structures(
    *, dated: bool = True, model: Model | str | None = None
) -> st.SearchStrategy[StructureBase]:
    """Valid structures of ``model`` of any eligibility, every input drawn from its
    declaration (docs/testing.md)."""
    return _structure(resolve_model(model), dated)


def _fails_some_day(model: Model, params: Parameters, structure: StructureBase) -> bool:
    """Whether ``structure`` fails a condition on some day the parameters cover."""
    columns = model.columns([structure])
    days = [params.coverage_start, *(d for d in change_dates(model, params))]
    for day in sorted({d for d in days if d >= params.coverage_start}):
        snapshot = params.at(day)
        for condition in model.conditions:
            if condition.fails is None:  # pragma: no cover - a model's conditions all test
                continue
            owner = f"condition {condition.code!r}"
            inputs = RuleInputs(owner, columns, condition.inputs, model.code)
            values = RuleParameters(owner, snapshot, condition.parameters)
            if bool(np.asarray(condition.fails(inputs, values)).any()):
                return True
    return False


def eligible_structures(
    parameters: Parameters | ParameterSource | None = None,
    *,
    dated: bool = False,
    model: Model | str | None = None,
) -> st.SearchStrategy[StructureBase]:
    """Structures that meet every eligibility condition of ``model`` under ``parameters`` on
    every day they cover; without dates unless ``dated=True`` (docs/testing.md)."""
    resolved = resolve_model(model)
    params = parameters_for(resolved, parameters)
    return _structure(resolved, dated).filter(
        lambda structure: not _fails_some_day(resolved, params, structure)
    )


def structures_to_frame(
    items: Sequence[StructureBase], *, model: Model | str | None = None
) -> pd.DataFrame:
    """A DataFrame with one row per structure and the model's inputs as columns, in the
    dtypes a user's file gives (text, int64 counts, float64 numbers and euros, bool,
    datetime64 dates)."""
    resolved = resolve_model(model)
    data: dict[str, Any] = {}
    for item in resolved.inputs:
        values = [getattr(structure, item.name) for structure in items]
        if item.kind in ("euros", "fraction", "quantity"):
            data[item.name] = pd.Series([float(v) for v in values], dtype="float64")
        elif item.kind == "date":
            data[item.name] = pd.to_datetime(pd.Series(values, dtype=object))
        elif item.kind == "count":
            data[item.name] = pd.Series(values, dtype="int64")
        elif item.kind == "boolean":
            data[item.name] = pd.Series(values, dtype="bool")
        else:
            data[item.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=[item.name for item in resolved.inputs])


@st.composite
def _frames(
    draw: st.DrawFn, min_size: int, max_size: int, dated: bool, model: Model
) -> pd.DataFrame:
    identifier = model.id_input  # distinct ids: a repeated structure is refused by default
    items = draw(
        st.lists(
            _structure(model, dated),
            min_size=min_size,
            max_size=max_size,
            unique_by=lambda structure: getattr(structure, identifier),
        )
    )
    return structures_to_frame(items, model=model)


def structure_frames(
    min_size: int = 0,
    max_size: int = 8,
    *,
    dated: bool = True,
    model: Model | str | None = None,
) -> st.SearchStrategy[pd.DataFrame]:
    """Valid DataFrames of ``min_size`` to ``max_size`` structures (drawn by
    :func:`structures`, with distinct ids), with the model's inputs as columns and a default
    RangeIndex.
    Keep ``max_size`` small: each example runs the whole engine."""
    if not 0 <= min_size <= max_size:
        raise ValueError(f"need 0 <= min_size <= max_size, got {min_size} and {max_size}")
    return _frames(min_size, max_size, dated, resolve_model(model))


@st.composite
def _periods(draw: st.DrawFn, first: date, last: date, max_days: int) -> Period:
    start = draw(st.dates(first, last))
    length = draw(st.integers(1, max_days))
    return Period(start, min(start + timedelta(days=length - 1), last))


def periods(
    parameters: Parameters | ParameterSource | None = None,
    *,
    max_days: int = _MAX_PERIOD_DAYS,
    horizon_days: int = _HORIZON_DAYS,
    model: Model | str | None = None,
) -> st.SearchStrategy[Period]:
    """Periods of 1 to ``max_days`` days inside the coverage of ``parameters``, ending at the
    latest ``horizon_days`` after the set's last change date (docs/testing.md)."""
    params = parameters_for(resolve_model(model), parameters)
    if max_days < 1:
        raise ValueError(f"max_days must be at least 1, got {max_days}")
    first = params.coverage_start
    last = max(params.change_dates()) + timedelta(days=horizon_days)
    return _periods(first, last, max_days)


# --------------------------------------------------------------------- parameters

_MAX_COUNT: Final = 8_000
_MAX_AMOUNT_CENTS: Final = 10_000_000  # 100 000 €
_MAX_SCALE_AMOUNT_CENTS: Final = 20_000  # 200 € (an amount per patient, per hour…)
_MAX_QUANTITY_HUNDREDTHS: Final = 1_000  # 10 units (ETP) by hundredths
_MAX_FRACTION_HUNDREDTHS: Final = 100  # a value in 'fraction' is at most 1


def _scale(
    draw: st.DrawFn, thresholds: st.SearchStrategy[Decimal], values: st.SearchStrategy[Decimal]
) -> dict[str, Any]:
    """A scale with sorted, distinct thresholds and non-decreasing values."""
    points = sorted(set(draw(st.lists(thresholds, min_size=1, max_size=5))))
    amounts = sorted(draw(st.lists(values, min_size=len(points), max_size=len(points))))
    return {
        "mode": draw(st.sampled_from(["step", "linear"])),
        "brackets": [
            {"threshold": threshold, "value": value}
            for threshold, value in zip(points, amounts, strict=True)
        ],
    }


def _hundredths(top: int) -> st.SearchStrategy[Decimal]:
    return _spread(0, top).map(lambda n: Decimal(n) / 100)


def _numbers(unit: str | None, *, count: bool = False) -> st.SearchStrategy[Decimal]:
    """Numbers in ``unit``: by hundredths up to 10 (whole numbers up to 8 000 for a
    count), and never above 1 in ``fraction``, as the loader requires."""
    if unit == FRACTION:
        return st.integers(0, 1).map(Decimal) if count else _hundredths(_MAX_FRACTION_HUNDREDTHS)
    return _spread(0, _MAX_COUNT).map(Decimal) if count else _hundredths(_MAX_QUANTITY_HUNDREDTHS)


def _value(draw: st.DrawFn, spec: ParameterSpec) -> Decimal | dict[str, Any]:
    """A random valid value of a parameter (by its kind and units)."""
    if spec.kind == "amount":
        return draw(_euros(_MAX_AMOUNT_CENTS))
    if spec.kind != "scale":
        return draw(_numbers(spec.unit, count=spec.kind == "count"))
    if spec.threshold_unit == FRACTION:
        thresholds = _numbers(FRACTION)
    else:
        thresholds = _spread(0, _MAX_COUNT).map(Decimal)
    values = _euros(_MAX_SCALE_AMOUNT_CENTS) if spec.unit.startswith("EUR") else _numbers(spec.unit)
    return _scale(draw, thresholds, values)


@st.composite
def _parameter_value(draw: st.DrawFn, spec: ParameterSpec) -> Decimal | Scale:
    value = _value(draw, spec)
    return Scale.model_validate(value) if isinstance(value, dict) else value


def parameter_values(
    path: str, *, model: Model | str | None = None
) -> st.SearchStrategy[Decimal | Scale]:
    """Random valid values of the parameter ``path`` of ``model``, drawn as
    :func:`parameter_sets` draws them: a :class:`~decimal.Decimal` for a count, an amount
    or a quantity, a :class:`~secpa_model.model.parameters.Scale` for a scale."""
    specs = resolve_model(model).specs
    if path not in specs:
        raise ValueError(f"unknown parameter {path!r}; known: {', '.join(sorted(specs))}")
    return _parameter_value(specs[path])


def _dated(effective_from: date, value: Decimal | dict[str, Any]) -> dict[str, Any]:
    return {
        "effective_from": effective_from,
        "value": value,
        "status": "assumption",
        "rationale": _GENERATED_RATIONALE,
        "source": dict(_GENERATED_SOURCE),
    }


_FIRST_DATES: Final = (date(2021, 1, 1), date(2023, 12, 31))


@st.composite
def _parameter_sets(
    draw: st.DrawFn, dated_change: bool | None, model: Model, covering: Period | None
) -> Parameters:
    low, high = _FIRST_DATES
    if covering is not None:
        low, high = min(low, covering.start), min(high, covering.start)
    first = draw(st.dates(low, high))
    with_change = draw(st.booleans()) if dated_change is None else dated_change
    change = first + timedelta(days=draw(st.integers(1, 3 * 365)))
    paths = sorted(model.specs)
    changed = (
        set(draw(st.lists(st.sampled_from(paths), min_size=1, unique=True)))
        if with_change
        else set()
    )
    mapping: dict[str, dict[str, Any]] = {
        "meta": {"name": "hypothesis", "description": "A random valid parameter set."}
    }
    for path, spec in model.specs.items():
        group, name = path.split(".", 1)
        values = [_dated(first, _value(draw, spec))]
        if path in changed:
            values.append(_dated(change, _value(draw, spec)))
        body: dict[str, Any] = {"unit": spec.unit, "values": values}
        if spec.threshold_unit is not None:
            body["threshold_unit"] = spec.threshold_unit
        mapping.setdefault(group, {})[name] = body
    for relation in model.relations:  # lower ≤ upper on every day: raise upper's values
        lower = _body(mapping, relation.lower)["values"]
        highest = max(entry["value"] for entry in lower)
        for entry in _body(mapping, relation.upper)["values"]:
            entry["value"] = max(entry["value"], highest)
    return parameters_from_mapping(
        mapping, "<secpa_model.testing.parameter_sets>", model.specs, model.relations
    )


def _body(mapping: dict[str, dict[str, Any]], path: str) -> dict[str, Any]:
    group, name = path.split(".", 1)
    body: dict[str, Any] = mapping[group][name]
    return body


def parameter_sets(
    *,
    dated_change: bool | None = None,
    model: Model | str | None = None,
    covering: PeriodLike | None = None,
) -> st.SearchStrategy[Parameters]:
    """Random valid parameter sets of ``model`` (named ``hypothesis``), built through the
    loader, the model's relations held: ranges and options in docs/testing.md."""
    span = Period.parse(covering) if covering is not None else None
    return _parameter_sets(dated_change, _with_reference(model), span)


def _with_reference(model: Model | str | None) -> Model:
    """The model, its reference values loaded (if it ships some), so that a drawn set's
    repr shows only what differs from them."""
    resolved = resolve_model(model)
    if resolved.parameter_files:
        resolved.reference_parameters()
    return resolved


@st.composite
def _parameters_and_periods(
    draw: st.DrawFn, dated_change: bool | None, model: Model, max_days: int, horizon_days: int
) -> tuple[Parameters, Period]:
    params = draw(_parameter_sets(dated_change, model, None))
    drawn = periods(params, max_days=max_days, horizon_days=horizon_days, model=model)
    return params, draw(drawn)


def parameters_and_periods(
    *,
    dated_change: bool | None = None,
    max_days: int = _MAX_PERIOD_DAYS,
    horizon_days: int = _HORIZON_DAYS,
    model: Model | str | None = None,
) -> st.SearchStrategy[tuple[Parameters, Period]]:
    """Pairs ``(parameters, period)`` that always fit: a :func:`parameter_sets` set and a
    period inside its coverage (docs/testing.md)."""
    if max_days < 1:
        raise ValueError(f"max_days must be at least 1, got {max_days}")
    return _parameters_and_periods(dated_change, _with_reference(model), max_days, horizon_days)


# --- invalid input -----------------------------------------------------------------------

_BAD_VALUES: Final[dict[str, tuple[Any, ...]]] = {
    "text": ("", "   ", None, 1.5, ["s"], True, "s\u200b", "s\x00", "s\u00a0t"),
    "category": ("hospital", "", None, 3, 1.5),
    "count": (-1, 1.5, True, "many", None, float("nan"), float("inf"), [1000], "2_000"),
    "fraction": (-0.1, 31, 150, float("nan"), float("inf"), "high", True, None, {}),
    "quantity": (-1, float("nan"), float("inf"), "ten", [1], None, "1,5"),
    "euros": (-1, "1.234", "abc", float("nan"), "Infinity", [], None, 0.001),
    "boolean": ("maybe", 2, [], None, "y", "on"),
    "date": ("2022-13-01", "not a date", 3.5, [2022], "2022-06", "2022", 1_650_000_000),
}
"""Values that no input of a kind accepts (each kind's own; see docs/testing.md)."""


@st.composite
def _invalid(draw: st.DrawFn, model: Model) -> tuple[dict[str, Any], str]:
    base = draw(_structure(model, True)).inputs()
    hows = ["bad_value", "missing", "unknown"]
    if model.entry_input and model.exit_input:
        hows.append("dates_reversed")
    how = draw(st.sampled_from(hows))
    names = {item.name for item in model.inputs}
    if how == "missing":
        field = draw(st.sampled_from([item.name for item in model.inputs if item.required]))
        del base[field]
        return base, field
    if how == "unknown":
        candidates = [n for n in ("colour", "region", "Kind", "nom") if n not in names]
        field = draw(st.sampled_from(candidates))
        base[field] = draw(st.sampled_from(["blue", 1, None]))
        return base, field
    if how == "dates_reversed":
        entry = draw(st.dates(_DATES_FROM + timedelta(days=1), _DATES_TO))
        base[str(model.entry_input)] = entry
        base[str(model.exit_input)] = draw(st.dates(_DATES_FROM, entry - timedelta(days=1)))
        return base, str(model.exit_input)
    item = draw(st.sampled_from(model.inputs))
    base[item.name] = draw(st.sampled_from(_BAD_VALUES[item.kind]))
    return base, item.name


def invalid_structure_data(
    *, model: Model | str | None = None
) -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """Pairs ``(data, field)``: a valid structure with exactly one defect that the model's
    ``Structure`` must reject, and the field at fault (docs/testing.md)."""
    return _invalid(resolve_model(model))
