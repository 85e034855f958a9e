"""Costing a generalisation (coût d'une généralisation): a population of structures opening
along a schedule, allocated year by year under a model's dated parameters.

docs/uncertainty.md ("Costing a generalisation") says how the schedule opens structures,
how fill draws the missing ones, and what by_year reports.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.analysis.budget import project_budget
from secpa_model.analysis.free_parameters import (
    Bounds,
    FreeParameter,
    ValueLabel,
    draw_values,
    free_parameters,
    with_free_values,
)
from secpa_model.analysis.indexation import Indexation
from secpa_model.analysis.outputs import Output, envelope_cents, one_row_per_structure, output_cents
from secpa_model.analysis.scenarios import Scenario
from secpa_model.core.errors import InputError
from secpa_model.core.money import CENT, cents_to_euros
from secpa_model.core.periods import Period
from secpa_model.engine.distributed import map_chunks
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.portfolio import Portfolio, portfolio
from secpa_model.model.inputs import Input, is_blank
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters, Source
from secpa_model.models import resolve_model


def opening_schedule(milestones: Mapping[int, int]) -> dict[int, int]:
    """The number of structures open in each year from the first milestone to the last:
    the milestones' counts, straight lines between them rounded half up. Counts must not
    decrease (structures open, none closes)."""
    if not isinstance(milestones, Mapping) or not milestones:
        raise InputError("an opening schedule needs at least one milestone (year: count)")
    items = sorted(
        (_whole(year, "year"), _whole(count, "count")) for year, count in milestones.items()
    )
    schedule: dict[int, int] = {}
    for (first, low), (last, high) in itertools.pairwise(items):
        for year in range(first, last):
            share = Decimal(year - first) / Decimal(last - first)
            schedule[year] = int((low + (high - low) * share).to_integral_value(ROUND_HALF_UP))
    schedule[items[-1][0]] = items[-1][1]
    return _checked_schedule(schedule)


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise InputError(f"schedule {what} must be a whole number ≥ 0, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class CohortProjection:
    """What :func:`project_cohort` returns (docs/uncertainty.md, "Costing a generalisation").

    ``by_year``: a row per year, structures open and opening, the lines and total in cents,
    ``total_eur``, ``per_structure_eur``, ``values_dated``, ``assumption_based``; with
    ``draws``, the mean and :data:`PERCENTILES` of each year's total, every draw in
    ``draws`` and the same statistics of the total in ``total_interval``. With ``envelope``:
    ``exceeds_envelope`` (the point total above it) and, with draws, ``prob_exceed``.
    """

    by_year: pd.DataFrame
    total_cents: int
    structures: pd.DataFrame
    parameters: Parameters
    model: Model
    schedule: dict[int, int]
    draws: pd.DataFrame | None = None
    total_interval: dict[str, Decimal] | None = None
    envelope_cents: int | None = None
    exceeds_envelope: bool | None = None
    prob_exceed: float | None = None

    @property
    def total_eur(self) -> Decimal:
        """The total over the years, in euros."""
        return cents_to_euros(self.total_cents)


PERCENTILES: Final = (5, 25, 50, 75, 95)
"""The percentiles of a projection's intervals."""
_DRAWS_PER_CHUNK: Final = 16  # the draws a worker computes at a time
_DRAW: Final = ValueLabel(
    "scenario",
    Source(
        title="secpa-model cohort projection: a draw of the uncertain values",
        reference="a value drawn from its range (secpa_model.project_cohort)",
    ),
    "a draw of the cohort projection",
)


Fill = Literal["refuse", "bootstrap", "synthetic"]
"""How structures beyond the population are made (docs/uncertainty.md)."""
_TRIES: Final = 20
"""How many times a synthetic number outside its range is drawn again."""


def cohort_frame(
    population: pd.DataFrame,
    schedule: Mapping[int, int],
    *,
    model: Model | str | None = None,
    fill: Fill = "refuse",
    seed: int = 0,
) -> pd.DataFrame:
    """The structures of :func:`project_cohort`: ``population``'s rows in order (then new
    ones with ``fill="synthetic"``, or copies with ``fill="bootstrap"``), each entering on
    1 January of the year it opens."""
    resolved = resolve_model(model)
    if not isinstance(population, pd.DataFrame) or not len(population):
        raise InputError("the population must be a non-empty DataFrame of structures")
    if fill not in ("refuse", "bootstrap", "synthetic"):
        raise InputError(f"fill must be 'refuse', 'bootstrap' or 'synthetic', got {fill!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a whole number ≥ 0, got {seed!r}")
    counts = _checked_schedule(schedule)
    needed = max(counts.values())
    frame = population.reset_index(drop=True)
    missing = needed - len(frame)
    if missing > 0:
        if fill == "refuse":
            raise InputError(
                f"the schedule opens {needed} structures and the population has {len(frame)}: "
                "give a larger population, or fill='synthetic' to draw new ones from its "
                "distribution (fill='bootstrap': copies of its rows)"
            )
        rng = np.random.default_rng(seed)
        picked = rng.integers(0, len(frame), missing)
        drawn = frame.iloc[picked].reset_index(drop=True)
        numbers = range(len(frame) + 1, needed + 1)
        if fill == "bootstrap":
            ids = drawn[resolved.id_input].astype(str).to_numpy()
            drawn[resolved.id_input] = [
                f"{original}-drawn-{number:04d}"
                for original, number in zip(ids, numbers, strict=True)
            ]
        else:
            drawn = _synthetic(frame, drawn, resolved, rng)
            drawn[resolved.id_input] = [f"synthetic-{number:04d}" for number in numbers]
        frame = pd.concat([frame, drawn], ignore_index=True)
    frame = frame.iloc[:needed].copy()
    entries: list[date] = []
    for year, count in counts.items():
        entries += [date(year, 1, 1)] * (count - len(entries))
    if resolved.entry_input:
        frame[resolved.entry_input] = entries
    if resolved.exit_input:
        frame[resolved.exit_input] = None
    return frame


def _synthetic(
    population: pd.DataFrame, picked: pd.DataFrame, model: Model, rng: np.random.Generator
) -> pd.DataFrame:
    """``picked`` (population rows) with each number smoothed (docs/uncertainty.md)."""
    drawn = picked.copy()
    for item in model.inputs:
        if item.kind not in _NUMBER_KINDS or item.name not in population.columns:
            continue
        observed = _numbers(population[item.name], item)
        values = _numbers(picked[item.name], item)
        given = ~np.isnan(observed)
        if not given.any():
            continue
        low = max(float(observed[given].min()), item.low)
        high = min(float(observed[given].max()), item.high)
        positive = observed[given & (observed > 0)]
        spread = float(np.std(np.log(positive))) if len(positive) > 1 else 0.0
        width = _SILVERMAN * spread * len(positive) ** _SILVERMAN_POWER if spread else 0.0
        result = values.copy()
        pending = ~np.isnan(values) & (values > 0)
        for _ in range(_TRIES):
            if not width or not pending.any():
                break
            trial = values[pending] * np.exp(width * rng.standard_normal(int(pending.sum())))
            fits = (trial >= low) & (trial <= high)
            places = np.flatnonzero(pending)
            result[places[fits]] = trial[fits]
            pending[places[fits]] = False
        column: list[Any] = [None if np.isnan(v) else float(v) for v in result]
        if item.kind == "count":
            column = [None if v is None else int(np.floor(v + 0.5)) for v in column]
        elif item.kind == "euros":
            column = [
                None if v is None else cents_to_euros(int(np.floor(v * 100 + 0.5))) for v in column
            ]
        drawn[item.name] = pd.Series(column, index=drawn.index, dtype=object)
    return drawn


_NUMBER_KINDS: Final = frozenset({"count", "fraction", "quantity", "euros"})
_SILVERMAN: Final = 1.06  # Silverman's rule of thumb for a normal kernel's bandwidth
_SILVERMAN_POWER: Final = -0.2


def _numbers(column: pd.Series, item: Input) -> NDArray[np.float64]:
    """A column's values as floats, NaN where blank (each parsed as the input)."""
    found = []
    for row, value in enumerate(column):
        if is_blank(value):
            found.append(np.nan)
            continue
        try:
            found.append(float(item.parse(value)))
        except ValueError as exc:
            raise InputError(f"population row {row}: {exc}") from None
    return np.array(found, dtype=np.float64)


def _checked_schedule(schedule: Mapping[int, int]) -> dict[int, int]:
    """The schedule as whole numbers in year order: every year from the first to the last,
    at least one structure open the first year, counts that never decrease."""
    if not isinstance(schedule, Mapping) or not schedule:
        raise InputError("a schedule maps each year to the structures open (e.g. {2027: 20})")
    counts = dict(
        sorted((_whole(year, "year"), _whole(count, "count")) for year, count in schedule.items())
    )
    years = list(counts)
    if years[0] < _FIRST_YEAR or years[-1] > _LAST_YEAR:
        raise InputError(f"schedule years must be within {_FIRST_YEAR}-{_LAST_YEAR}: {years}")
    if years != list(range(years[0], years[-1] + 1)):
        raise InputError(f"the schedule must give every year from {years[0]} to {years[-1]}")
    if counts[years[0]] < 1:
        raise InputError(f"the schedule must open at least one structure in {years[0]}")
    for year, later in itertools.pairwise(years):
        if counts[later] < counts[year]:
            raise InputError(
                f"the schedule decreases from {counts[year]} structures in {year} to "
                f"{counts[later]} in {later}: structures open and none closes (closing is "
                "not supported: project the closed structures' years separately)"
            )
    return counts


_FIRST_YEAR: Final = date.min.year
_LAST_YEAR: Final = date.max.year - 1  # the day after the last year must exist


def project_cohort(
    population: Portfolio | pd.DataFrame,
    schedule: Mapping[int, int],
    *,
    parameters: Parameters | Scenario | None = None,
    indexation: Indexation | None = None,
    fill: Fill = "refuse",
    seed: int = 0,
    envelope: Decimal | int | str | float | None = None,
    uncertain: Sequence[str] | None = None,
    bounds: Bounds | None = None,
    draws: int = 0,
    client: Any = None,
) -> CohortProjection:
    """The yearly budget of ``population`` (a :class:`~secpa_model.Portfolio` of one row per
    structure, or a DataFrame for the experimentation) opening along ``schedule`` (year →
    structures open that year, e.g. :func:`opening_schedule`), under its model with
    ``parameters`` (default: the model's reference values) and an optional ``indexation``
    (docs/uncertainty.md gives the rules).

    ``draws`` > 0: intervals over joint draws of the ``uncertain`` values, seeded by
    ``seed`` (``client``: a ``dask.distributed.Client`` computes them, the same numbers);
    ``fill``: how structures beyond the population are made; ``envelope``: euros the total
    over the years is compared with (finer than a cent is refused)."""
    if isinstance(population, Portfolio):
        resolved, given = population.model, one_row_per_structure(population).frame
    else:  # the rows' dates are the schedule's: they are validated once they are set
        resolved, given = resolve_model(None), population
    counts = _checked_schedule(schedule)
    years = list(counts)
    limit = None if envelope is None else envelope_cents(envelope, "envelope", InputError)
    frame = cohort_frame(given, counts, model=resolved, fill=fill, seed=seed)
    params = parameters_for(resolved, parameters)
    if indexation is not None:
        params = indexation.apply(params, date(years[-1], 12, 31))
    span = Period(date(years[0], 1, 1), date(years[-1], 12, 31))
    structures = one_row_per_structure(portfolio(frame, model=resolved))
    budget = project_budget(structures, span, params)
    by_year = budget.by_year
    keys = [f"{key}_cents" for key in resolved.line_keys]
    rows = []
    for year, row in zip(years, by_year.to_dict("records"), strict=True):
        opened = counts[year]
        total = int(row["total_cents"])
        dated, assumed = _values_used(params, Period.year(year))
        rows.append(
            {
                "year": year,
                "structures_open": opened,
                "structures_opening": opened - counts.get(year - 1, 0),
                **{key: int(row[key]) for key in keys},
                "total_cents": total,
                "total_eur": cents_to_euros(total),
                "per_structure_eur": (cents_to_euros(total) / opened).quantize(
                    CENT, rounding=ROUND_HALF_UP
                ),
                "values_dated": dated,
                "assumption_based": assumed,
            }
        )
    table = pd.DataFrame(rows)
    total = sum(int(t) for t in table["total_cents"])
    exceeded = None if limit is None else total > limit
    drawn, interval, above = None, None, None
    if draws:
        base = parameters_for(resolved, parameters)
        free = free_parameters(base, uncertain, bounds)
        job = _DrawJob(structures, base, tuple(free), indexation, tuple(years))
        values = draw_values(free, draws, seed)
        blocks = [
            (start, values[start : start + _DRAWS_PER_CHUNK])
            for start in range(0, draws, _DRAWS_PER_CHUNK)
        ]
        chunks = map_chunks(_draw_rows, job, blocks, client=client, model=resolved)
        drawn = pd.DataFrame([row for rows in chunks for row in rows])
        by_draw = drawn.pivot(index="draw", columns="year", values="total_cents")
        for name, found in _statistics(by_draw.to_numpy(dtype=np.float64)).items():
            table[name] = pd.Series(found, index=table.index, dtype=object)
        sums = by_draw.sum(axis=1).to_numpy(dtype=np.int64)
        interval = {
            name: found[0] for name, found in _statistics(sums[:, None].astype(np.float64)).items()
        }
        if limit is not None:
            above = float(np.count_nonzero(sums > limit)) / len(sums)
    return CohortProjection(
        table, total, frame, params, resolved, counts, drawn, interval, limit, exceeded, above
    )


@dataclass(frozen=True)
class _DrawJob:
    """What every chunk of draws needs, sent once to each worker."""

    structures: Portfolio
    base: Parameters
    free: tuple[FreeParameter, ...]
    indexation: Indexation | None
    years: tuple[int, ...]


def _draw_rows(job: _DrawJob, block: tuple[int, NDArray[np.float64]]) -> list[dict[str, Any]]:
    """The draws of a block (its first draw's number, its values): each draw's total per
    year (cents) with the drawn values."""
    start, values = block
    outputs = [Output(Period.year(year)) for year in job.years]
    last = date(job.years[-1], 12, 31)
    rows = []
    for number, row in enumerate(values, start=start):
        params = with_free_values(job.base, job.free, row, _DRAW, f"draw {number}")
        if job.indexation is not None:
            params = job.indexation.apply(params, last)
        drawn = {item.path: float(v) for item, v in zip(job.free, row, strict=True)}
        for year, output in zip(job.years, outputs, strict=True):
            cents = output_cents(job.structures, params, output)
            rows.append({"draw": number, "year": year, "total_cents": cents, **drawn})
    return rows


def _statistics(cents: NDArray[np.float64]) -> dict[str, list[Decimal]]:
    """Mean and percentiles over the draws (rows) of each column, in euros to the cent."""
    found = {"mean_eur": np.mean(cents, axis=0)}
    for level in PERCENTILES:
        found[f"p{level}_eur"] = np.percentile(cents, level, axis=0)
    return {
        name: [
            (Decimal(repr(float(v))) / 100).quantize(CENT, rounding=ROUND_HALF_UP) for v in values
        ]
        for name, values in found.items()
    }


def _values_used(params: Parameters, year: Period) -> tuple[date, bool]:
    """The latest date of the values in force during ``year`` and whether one is an
    assumption or a scenario."""
    latest = params.coverage_start
    assumed = False
    for parameter in params.parameters.values():
        for dated in parameter.values_over(year.start, year.end):
            latest = max(latest, dated.effective_from)
            assumed = assumed or dated.status in ("assumption", "scenario", "calibrated")
    return latest, assumed
