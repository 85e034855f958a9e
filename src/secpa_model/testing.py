"""Hypothesis strategies for property-based tests of the SECPA funding rules.

Import them in your own tests::

    from hypothesis import given
    from secpa_model import allocate
    from secpa_model.testing import periods, structures

    @given(structures(), periods())
    def test_no_negative_line(structure, period):
        assert all(line.amount >= 0 for line in allocate(structure, period).lines)

hypothesis is a test-only dependency (the ``test`` extra): ``import secpa_model`` never
imports this module, and importing it without hypothesis raises an :class:`ImportError`
that says how to install it.

Every strategy draws *small* values (frames of a few rows, periods of at most a few years)
so that a property runs hundreds of examples in seconds. See ``docs/testing.md``.
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

import pandas as pd

from secpa_model.eligibility import ELIGIBLE_LOCATIONS
from secpa_model.engine import reference_parameters
from secpa_model.parameters import PARAMETER_SPECS, Parameters, Scale
from secpa_model.parameters.loader import parameters_from_mapping
from secpa_model.periods import Period
from secpa_model.structures import KINDS, LOCATIONS, Structure

__all__ = [
    "STRUCTURE_FIELDS",
    "eligible_structures",
    "invalid_structure_data",
    "parameter_sets",
    "parameter_values",
    "periods",
    "structure_frames",
    "structures",
    "structures_to_frame",
]

STRUCTURE_FIELDS: Final[tuple[str, ...]] = tuple(Structure.model_fields)
"""The fields of :class:`~secpa_model.Structure`, which are also the columns of a frame."""

# Bounds that keep the drawn values realistic and the examples fast. They are limits of the
# *generator*, not of the funding model (which takes every number from its parameters).
_MAX_PATIENTS: Final = 12_000
_MAX_HOURS: Final = 3_000
_MAX_REQUEST_CENTS: Final = 20_000_000  # 200 000 €
_DATES_FROM: Final = date(2020, 1, 1)
_DATES_TO: Final = date(2029, 12, 31)
_MAX_PERIOD_DAYS: Final = 3 * 366
_HORIZON_DAYS: Final = 4 * 366
_ID_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz0123456789-_"

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


def _euros(max_cents: int) -> st.SearchStrategy[Decimal]:
    """Whole-cent euro amounts from 0 to ``max_cents`` cents, as exact Decimals."""
    return _spread(0, max_cents).map(lambda cents: Decimal(cents) / 100)


def _poverty_rates() -> st.SearchStrategy[float]:
    """Fractions in [0, 1]: any float, or a round one (which often hits a threshold)."""
    return st.floats(0, 1, allow_nan=False, allow_subnormal=False) | _spread(0, 1_000).map(
        lambda n: n / 1_000
    )


def _hours() -> st.SearchStrategy[float]:
    """Hours per year: any float, or whole quarter hours."""
    return st.floats(0, _MAX_HOURS, allow_nan=False, allow_subnormal=False) | _spread(
        0, _MAX_HOURS * 4
    ).map(lambda quarters: quarters / 4)


def _structure_ids() -> st.SearchStrategy[str]:
    return st.text(_ID_ALPHABET, min_size=1, max_size=12).map(lambda text: f"s-{text}")


@st.composite
def _entry_exit(draw: st.DrawFn) -> tuple[date | None, date | None]:
    entry = draw(st.none() | st.dates(_DATES_FROM, _DATES_TO))
    exit_from = entry or _DATES_FROM
    exit_ = draw(st.none() | st.dates(exit_from, _DATES_TO))
    return entry, exit_


@st.composite
def _structure(
    draw: st.DrawFn,
    kinds: Sequence[str],
    locations: Sequence[str],
    min_file_active: int,
    dated: bool,
) -> Structure:
    entry, exit_ = draw(_entry_exit()) if dated else (None, None)
    return Structure.model_validate(
        {
            "structure_id": draw(_structure_ids()),
            "kind": draw(st.sampled_from(kinds)),
            "location": draw(st.sampled_from(locations)),
            "file_active_mg": draw(_spread(min_file_active, _MAX_PATIENTS)),
            "poverty_rate": draw(_poverty_rates()),
            "interpreting_hours_in_person": draw(_hours()),
            "interpreting_hours_phone": draw(_hours()),
            "psychologist_cost_requested": draw(_euros(_MAX_REQUEST_CENTS)),
            "segur_psychologist_funding": draw(_euros(_MAX_REQUEST_CENTS // 2)),
            "ars_psychology_agreement": draw(st.booleans()),
            "entry_date": entry,
            "exit_date": exit_,
        }
    )


def structures(*, dated: bool = True) -> st.SearchStrategy[Structure]:
    """Valid :class:`~secpa_model.Structure` objects of any eligibility.

    Every kind and location, file active 0 to 12 000 patients, poverty rate in [0, 1],
    0 to 3 000 interpreting hours of each kind, psychology requests of 0 to 200 000 € and
    Ségur funding of 0 to 100 000 € in whole cents, with or without ARS agreement. Numbers
    are spread over their whole range (not only small ones), so caps and brackets are hit.
    With ``dated=True`` (the default) entry and exit dates are drawn too (each may be
    absent; exit ≥ entry).
    """
    return _structure(KINDS, LOCATIONS, 0, dated)


def eligible_structures(
    parameters: Parameters | None = None, *, dated: bool = False
) -> st.SearchStrategy[Structure]:
    """Structures that meet every eligibility condition of ``parameters`` (default: the
    reference set) on every day: in or near a QPV and a file active at or above every
    dated value of ``eligibility.min_file_active``.

    By default they have no entry or exit date, so they are paid on every day of any
    period; ``dated=True`` draws entry and exit dates as :func:`structures` does.
    """
    params = parameters if parameters is not None else reference_parameters()
    minimum = max(
        int(dated_value.value)  # type: ignore[arg-type]
        for dated_value in params.parameters["eligibility.min_file_active"].values
    )
    if minimum > _MAX_PATIENTS:
        raise ValueError(
            f"eligibility.min_file_active {minimum} is above the strategies' largest file "
            f"active ({_MAX_PATIENTS}): no eligible structure can be drawn"
        )
    return _structure(KINDS, ELIGIBLE_LOCATIONS, minimum, dated)


def structures_to_frame(items: Sequence[Structure]) -> pd.DataFrame:
    """A DataFrame with one row per structure and the Structure fields as columns, in the
    dtypes a user's file gives (text, int64, float64 euros, bool, datetime64 dates)."""
    data: dict[str, Any] = {}
    for name in STRUCTURE_FIELDS:
        values = [getattr(item, name) for item in items]
        if name in ("psychologist_cost_requested", "segur_psychologist_funding"):
            data[name] = pd.Series([float(v) for v in values], dtype="float64")
        elif name in ("entry_date", "exit_date"):
            data[name] = pd.to_datetime(pd.Series(values, dtype=object))
        elif name == "file_active_mg":
            data[name] = pd.Series(values, dtype="int64")
        elif name in ("poverty_rate", "interpreting_hours_in_person", "interpreting_hours_phone"):
            data[name] = pd.Series(values, dtype="float64")
        elif name == "ars_psychology_agreement":
            data[name] = pd.Series(values, dtype="bool")
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(STRUCTURE_FIELDS))


@st.composite
def _frames(draw: st.DrawFn, min_size: int, max_size: int, dated: bool) -> pd.DataFrame:
    items = draw(st.lists(structures(dated=dated), min_size=min_size, max_size=max_size))
    return structures_to_frame(items)


def structure_frames(
    min_size: int = 0, max_size: int = 8, *, dated: bool = True
) -> st.SearchStrategy[pd.DataFrame]:
    """Valid DataFrames of ``min_size`` to ``max_size`` structures (drawn by
    :func:`structures`), with the :class:`~secpa_model.Structure` fields as columns and a
    default RangeIndex. Keep ``max_size`` small: each example runs the whole engine."""
    if not 0 <= min_size <= max_size:
        raise ValueError(f"need 0 <= min_size <= max_size, got {min_size} and {max_size}")
    return _frames(min_size, max_size, dated)


@st.composite
def _periods(draw: st.DrawFn, first: date, last: date, max_days: int) -> Period:
    start = draw(st.dates(first, last))
    length = draw(st.integers(1, max_days))
    return Period(start, min(start + timedelta(days=length - 1), last))


def periods(
    parameters: Parameters | None = None,
    *,
    max_days: int = _MAX_PERIOD_DAYS,
    horizon_days: int = _HORIZON_DAYS,
) -> st.SearchStrategy[Period]:
    """Periods inside the coverage of ``parameters`` (default: the reference set).

    A period starts on or after the first day every parameter has a value and ends at the
    latest ``horizon_days`` after the last change date of the set; it lasts 1 to
    ``max_days`` days (so it often crosses 1 January and parameter changes).
    """
    params = parameters if parameters is not None else reference_parameters()
    if max_days < 1:
        raise ValueError(f"max_days must be at least 1, got {max_days}")
    first = params.coverage_start
    last = max(params.change_dates()) + timedelta(days=horizon_days)
    return _periods(first, last, max_days)


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


def _value(draw: st.DrawFn, path: str) -> Decimal | dict[str, Any]:
    """A random valid value for the parameter ``path`` (by its kind and unit)."""
    spec = PARAMETER_SPECS[path]
    if spec.kind == "count":
        return Decimal(draw(_spread(0, 8_000)))
    if spec.kind == "amount":
        return draw(_euros(10_000_000))  # up to 100 000 €
    if spec.threshold_unit == "fraction":
        fractions = st.integers(0, 100).map(lambda n: Decimal(n) / 100)
        return _scale(draw, fractions, _euros(20_000))  # up to 200 € per patient
    patients = _spread(0, 8_000).map(Decimal)
    etp = _spread(0, 1_000).map(lambda n: Decimal(n) / 100)  # up to 10 ETP
    return _scale(draw, patients, etp)


@st.composite
def _parameter_value(draw: st.DrawFn, path: str) -> Decimal | Scale:
    value = _value(draw, path)
    return Scale.model_validate(value) if isinstance(value, dict) else value


def parameter_values(path: str) -> st.SearchStrategy[Decimal | Scale]:
    """Random valid values of the parameter ``path`` (a key of ``PARAMETER_SPECS``), drawn
    as :func:`parameter_sets` draws them: a :class:`~decimal.Decimal` for a count or an
    amount, a :class:`~secpa_model.parameters.Scale` for a scale."""
    if path not in PARAMETER_SPECS:
        raise ValueError(f"unknown parameter {path!r}; known: {', '.join(sorted(PARAMETER_SPECS))}")
    return _parameter_value(path)


def _dated(effective_from: date, value: Decimal | dict[str, Any]) -> dict[str, Any]:
    return {
        "effective_from": effective_from,
        "value": value,
        "status": "assumption",
        "rationale": _GENERATED_RATIONALE,
        "source": dict(_GENERATED_SOURCE),
    }


@st.composite
def _parameter_sets(draw: st.DrawFn, dated_change: bool | None) -> Parameters:
    first = draw(st.dates(date(2021, 1, 1), date(2023, 12, 31)))
    with_change = draw(st.booleans()) if dated_change is None else dated_change
    change = first + timedelta(days=draw(st.integers(1, 3 * 365)))
    changed = (
        set(draw(st.lists(st.sampled_from(sorted(PARAMETER_SPECS)), min_size=1, unique=True)))
        if with_change
        else set()
    )
    mapping: dict[str, dict[str, Any]] = {
        "meta": {"name": "hypothesis", "description": "A random valid parameter set."}
    }
    for path, spec in PARAMETER_SPECS.items():
        group, name = path.split(".", 1)
        values = [_dated(first, _value(draw, path))]
        if path in changed:
            values.append(_dated(change, _value(draw, path)))
        body: dict[str, Any] = {"unit": spec.unit, "values": values}
        if spec.threshold_unit is not None:
            body["threshold_unit"] = spec.threshold_unit
        mapping.setdefault(group, {})[name] = body
    return parameters_from_mapping(mapping, "<secpa_model.testing.parameter_sets>")


def parameter_sets(*, dated_change: bool | None = None) -> st.SearchStrategy[Parameters]:
    """Random valid :class:`~secpa_model.Parameters` (named ``hypothesis``).

    Every parameter gets a value from one random first date (2021 to 2023): counts of 0 to
    8 000 patients, amounts and caps of 0 to 100 000 € in whole cents, scales of 1 to 5
    brackets with sorted, distinct thresholds and **non-decreasing**, non-negative values
    (step or linear), so that the rules' monotonicity promises hold. With
    ``dated_change=True`` some parameters take a second value on one later date (up to
    three years on), ``False`` never, ``None`` (default) either. Each value is labelled
    ``assumption`` with a rationale saying it is generated. The set is built through the
    loader, so it passes every check a parameter file passes.
    """
    return _parameter_sets(dated_change)


# --- invalid input -----------------------------------------------------------------------

_BAD_VALUES: Final[dict[str, tuple[Any, ...]]] = {
    "structure_id": ("", "   ", None, 12, ["s"]),
    "kind": ("hospital", "", None, 3, "MSP "),
    "location": ("downtown", "", None, 1.5),
    "file_active_mg": (-1, 1.5, True, "many", None, float("nan"), float("inf"), [1000]),
    "poverty_rate": (-0.1, 31, 150, float("nan"), float("inf"), "high", True, None, {}),
    "interpreting_hours_in_person": (-1, float("nan"), float("inf"), "ten", [1]),
    "interpreting_hours_phone": (-0.5, float("-inf"), "x", {}),
    "psychologist_cost_requested": (-1, "1.234", "abc", float("nan"), "Infinity", []),
    "segur_psychologist_funding": (-100, "0.001", "lots", float("inf")),
    "ars_psychology_agreement": ("maybe", 2, [], None),
    "entry_date": ("2022-13-01", "not a date", 3.5, [2022]),
    "exit_date": ("2022-02-30", "tomorrow", {}),
}


@st.composite
def _invalid(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    base = draw(structures()).model_dump()
    how = draw(st.sampled_from(["bad_value", "missing", "unknown", "dates_reversed"]))
    if how == "missing":
        field = draw(st.sampled_from(["structure_id", "kind", "location", "file_active_mg"]))
        del base[field]
        return base, field
    if how == "unknown":
        field = draw(st.sampled_from(["colour", "file_active", "Kind", "region"]))
        base[field] = draw(st.sampled_from(["blue", 1, None]))
        return base, field
    if how == "dates_reversed":
        entry = draw(st.dates(_DATES_FROM + timedelta(days=1), _DATES_TO))
        base["entry_date"] = entry
        base["exit_date"] = draw(st.dates(_DATES_FROM, entry - timedelta(days=1)))
        return base, "exit_date"
    field = draw(st.sampled_from(sorted(_BAD_VALUES)))
    base[field] = draw(st.sampled_from(_BAD_VALUES[field]))
    return base, field


def invalid_structure_data() -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """Pairs ``(data, field)``: a mapping that :class:`~secpa_model.Structure` must reject,
    and the field at fault.

    Each is a valid structure with exactly one defect: a bad value of one field (wrong
    type, negative, NaN or infinite, a percentage as poverty rate, finer than a cent, not a
    date, an unknown kind...), a required field missing, an unknown field added (the field
    is then the unknown key), or an exit date before the entry date (field ``exit_date``).
    """
    return _invalid()
