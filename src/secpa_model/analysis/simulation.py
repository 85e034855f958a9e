"""Monte Carlo over the assumptions (simulation): a portfolio allocated under many drawn
parameter sets at once, with intervals of every line and of the total.

A chunk's draws are computed in one pass of the engine (structures tiled over the draws,
each varied parameter an array over the rows); chunks bound the memory and may run on a
``dask.distributed`` client with the same numbers (docs/uncertainty.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.analysis.comparison import TOTAL_LINE
from secpa_model.analysis.draws import ChunkDraws, DrawPlan, draw_chunk, plan_draws
from secpa_model.analysis.outputs import envelope_cents
from secpa_model.core.errors import InputError, ParameterError
from secpa_model.core.money import exact_sum
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.core.rounding import CENT_HALF_UP
from secpa_model.core.safe_text import shown
from secpa_model.engine.compute import compute
from secpa_model.engine.distributed import map_chunks
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.portfolio import Portfolio, as_portfolio
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters, ParameterSnapshot
from secpa_model.model.structure import Columns

ROWS_PER_CHUNK: Final = 1 << 15
"""The default size of a chunk: 32 768 rows (structures × draws) computed at once,
some 100 MB of working memory whatever the number of draws."""
_PERCENTILES: Final = (5, 25, 50, 75, 95)
_INT64_MAX: Final = int(np.iinfo(np.int64).max)

Keep = Literal["structures", "totals"]
Progress = Callable[[int, int], None]
"""Called after each chunk with the draws done and the draws in all."""


@dataclass(frozen=True)
class Simulation:
    """What :func:`simulate` returns: every draw's amounts in integer cents, and their
    summary.

    ``line_totals_cents``: one row per draw, one column per line then the total: the
    portfolio's amounts (exact sums of the structures' rounded lines). ``cents``: with
    ``keep="structures"`` (the default), draws × structures × lines; None with
    ``keep="totals"``. ``parameter_draws``: one row per draw, one column per varied
    parameter, the value drawn (in its unit, a scale's factor; for a parameter with several
    dated values in the period, the first one's). ``envelope_cents``: per line or
    ``total``, the envelope :attr:`summary` compares with.
    """

    model: Model
    period: Period
    seed: int
    structure_ids: tuple[str, ...]
    line_keys: tuple[str, ...]
    line_totals_cents: NDArray[np.int64]
    cents: NDArray[np.int64] | None
    parameter_draws: pd.DataFrame
    envelope_cents: Mapping[str, int]

    @property
    def draw_count(self) -> int:
        """The number of draws."""
        return int(self.line_totals_cents.shape[0])

    @cached_property
    def totals(self) -> pd.DataFrame:
        """One row per draw (index ``draw``): ``<line>_cents`` per line and
        ``total_cents``, int64, the portfolio's amounts."""
        names = [*(f"{key}_cents" for key in self.line_keys), f"{TOTAL_LINE}_cents"]
        frame = pd.DataFrame(self.line_totals_cents, columns=names)
        frame.index.name = "draw"
        return frame

    @cached_property
    def draws(self) -> pd.DataFrame:
        """Tidy: one row per draw × structure × line (the model's lines, then ``total``),
        columns ``draw``, ``structure_id``, ``line``, ``amount_cents`` (int64).

        Needs ``keep="structures"`` (a ValueError otherwise: :attr:`totals` has the
        portfolio's amounts of every draw)."""
        if self.cents is None:
            raise ValueError(
                "the structures' amounts were not kept (keep='totals'): use .totals for the "
                "portfolio's amounts of each draw, or simulate with keep='structures'"
            )
        draws, structures, lines = self.cents.shape
        with_total = np.concatenate([self.cents, self.cents.sum(axis=2, keepdims=True)], axis=2)
        names = [*self.line_keys, TOTAL_LINE]
        return pd.DataFrame(
            {
                "draw": np.repeat(np.arange(draws), structures * (lines + 1)),
                "structure_id": pd.Categorical.from_codes(
                    np.tile(np.repeat(np.arange(structures), lines + 1), draws),
                    categories=pd.Index(list(self.structure_ids)),
                ),
                "line": pd.Categorical.from_codes(
                    np.tile(np.arange(lines + 1), draws * structures), categories=pd.Index(names)
                ),
                "amount_cents": with_total.reshape(-1),
            }
        )

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per line and one for ``total`` (index ``line``), over the draws of the
        portfolio's amounts, in euros: ``mean``, ``std`` (over draws, ``ddof=1``), the
        percentiles ``p5`` … ``p95`` (numpy's linear interpolation), and with an envelope
        ``prob_exceed``, the share of draws above it (NaN for a line without one)."""
        cents = self.line_totals_cents
        euros = cents.astype(np.float64) / 100
        count = self.draw_count
        # the mean from the exact sum of the cents: equal draws have a std of exactly 0
        means = np.array([exact_sum(column) / count for column in cents.T]) / 100
        squares = ((euros - means) ** 2).sum(axis=0)
        table: dict[str, Any] = {"mean": means, "std": np.sqrt(squares / max(count - 1, 1))}
        for percentile, values in zip(
            _PERCENTILES, np.percentile(euros, _PERCENTILES, axis=0), strict=True
        ):
            table[f"p{percentile}"] = values
        names = [*self.line_keys, TOTAL_LINE]
        if self.envelope_cents:
            table["prob_exceed"] = [
                float((self.line_totals_cents[:, column] > self.envelope_cents[name]).mean())
                if name in self.envelope_cents
                else np.nan
                for column, name in enumerate(names)
            ]
        frame = pd.DataFrame(table, index=pd.Index(names, name="line"))
        return frame

    def interval(
        self, line: str = TOTAL_LINE, low: float = 5, high: float = 95
    ) -> tuple[Decimal, Decimal]:
        """The ``low``–``high`` percentile interval of a line (default: the total's P5–P95)
        in euros, rounded half up to the cent."""
        column = [*self.line_keys, TOTAL_LINE].index(line)
        values = np.percentile(self.line_totals_cents[:, column].astype(np.float64), [low, high])
        cents = CENT_HALF_UP.round(values)
        return Decimal(int(cents[0])) / 100, Decimal(int(cents[1])) / 100


@dataclass(frozen=True)
class _Job:
    """Everything a chunk needs, sent once to each worker."""

    model: Model
    columns: Columns
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    span: Period
    parameters: Parameters
    plan: DrawPlan
    keep_structures: bool


@dataclass(frozen=True)
class _ChunkResult:
    start: int
    cents: NDArray[np.int64] | None
    totals: NDArray[np.int64]
    recorded: dict[str, NDArray[np.float64]]


def simulate(
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike,
    parameters: Any = None,
    *,
    draws: int = 1000,
    seed: int = 0,
    distributions: Mapping[str, Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
    envelope: Any = None,
    chunk_size: int | None = None,
    keep: Keep = "structures",
    client: Any = None,
    progress: Progress | None = None,
) -> Simulation:
    """Allocate ``structures`` (a :class:`~secpa_model.Portfolio`, or a DataFrame for the
    experimentation) over ``period`` under ``draws`` parameter sets drawn from the
    assumptions' ranges (Monte Carlo), all draws of a chunk in one pass of the engine.

    ``parameters``: the parameter set (or :class:`~secpa_model.Scenario`) whose values
    and ranges are used (default: the model's reference values). ``distributions``: None
    draws every value that has a range in the parameter set;
    a mapping varies exactly its paths, each from a distribution with a quantile function
    (a frozen ``scipy.stats`` distribution: ``{"participatory_activities.cost_per_etp":
    scipy.stats.uniform(40_000, 10_000)}``), an array of ``draws`` samples, or ``"range"``
    (the file's range). A scale varies by a factor of all its values. ``inputs``: input
    columns drawn too, each a distribution (drawn independently per structure and draw) or
    samples (``draws`` × structures, or ``draws`` for all structures alike).

    Drawn euros are rounded half up to the cent and drawn counts to the whole number before
    any rule reads them; a drawn value outside its unit's bounds is an error naming the
    path (or column) and the draw. ``seed``: the same seed gives the same numbers bit for
    bit, whatever ``chunk_size`` and on one process or many (``client``: a
    ``dask.distributed.Client`` whose workers compute the chunks). ``chunk_size``: draws
    per chunk (default 32 768 rows: structures × draws). ``keep="totals"`` keeps
    only the portfolio's amounts of each draw (for millions of draws). ``envelope``: euros
    (a number, Decimal or text; or a mapping of line or ``"total"`` to euros) for
    ``prob_exceed`` in the summary. ``progress(done, total)`` is called after each chunk.

    Invalid rows raise :class:`~secpa_model.InputError` as in
    :func:`~secpa_model.allocate_frame` (the valid ones are drawn with
    :meth:`~secpa_model.Portfolio.valid`).
    """
    if keep not in ("structures", "totals"):
        raise ValueError(f"keep must be 'structures' or 'totals', got {keep!r}")
    chosen = as_portfolio(structures)
    resolved = chosen.model
    span = Period.parse(period)
    params = parameters_for(resolved, parameters)
    columns = chosen.check().columns
    starts, ends, span = chosen.windows(span)
    count = columns.size
    if count == 0:
        raise InputError("the frame has no structure to simulate")
    plan = plan_draws(
        resolved, params, (span.start, span.end), draws, count, seed, distributions, inputs
    )
    envelopes = _envelopes(envelope, resolved.line_keys)
    size = _chunk_size(chunk_size, count)
    keep_structures = keep == "structures"
    lines = len(resolved.line_keys)
    held = draws * (lines + 1 + len(plan.paths) + (count * lines if keep_structures else 0))
    check_memory(8 * held, f"{draws:,} draws of {count:,} structures", "draws", keep_structures)
    job = _Job(resolved, columns, starts, ends, span, params, plan, keep_structures)
    bounds = [(start, min(start + size, draws)) for start in range(0, draws, size)]
    results = []
    for result in map_chunks(_run_chunk, job, bounds, client=client, model=resolved):
        results.append(result)
        if progress is not None:
            progress(result.start + len(result.totals), draws)
    totals = np.concatenate([r.totals for r in results])
    cents = (
        np.concatenate([r.cents for r in results if r.cents is not None])
        if keep_structures
        else None
    )
    recorded = pd.DataFrame(
        {path: np.concatenate([r.recorded[path] for r in results]) for path in plan.paths}
    )
    recorded.index.name = "draw"
    return Simulation(
        model=resolved,
        period=span,
        seed=seed,
        structure_ids=tuple(chosen.ids.tolist()),
        line_keys=resolved.line_keys,
        line_totals_cents=totals,
        cents=cents,
        parameter_draws=recorded,
        envelope_cents=envelopes,
    )


def available_memory() -> int | None:
    """The bytes of memory this machine has available now (Linux ``MemAvailable``), or None
    where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(needed: int, what: str, fewer: str, detailed: bool = False) -> None:
    """An :class:`~secpa_model.InputError` before any work when the results of a run would
    take more than half the memory available (where it can be known)."""
    available = available_memory()
    if available is not None and needed > available // 2:
        also = ", or keep='totals' (no --detail) to keep only the portfolio's amounts"
        raise InputError(
            f"{what} would hold about {needed / 2**30:,.1f} GiB of results, more than half "
            f"of the {available / 2**30:,.1f} GiB available: give fewer {fewer}"
            + (also if detailed else "")
        )


def _chunk_size(chunk_size: int | None, structures: int) -> int:
    if chunk_size is None:
        return max(1, ROWS_PER_CHUNK // structures)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a whole number ≥ 1, got {chunk_size!r}")
    return chunk_size


def _envelopes(envelope: Any, keys: tuple[str, ...]) -> dict[str, int]:
    if envelope is None:
        return {}
    given = envelope if isinstance(envelope, Mapping) else {TOTAL_LINE: envelope}
    names = [*keys, TOTAL_LINE]
    result = {}
    for name, amount in given.items():
        if name not in names:
            raise ValueError(f"envelope: {shown(name)} is not a line ({', '.join(names)})")
        result[str(name)] = envelope_cents(amount, f"envelope of {name}")
    return result


def _run_chunk(job: _Job, bounds: tuple[int, int]) -> _ChunkResult:
    """The draws ``start..stop-1``: the structures tiled over them, one engine pass."""
    start, stop = bounds
    chunk = draw_chunk(job.plan, job.parameters, start, stop)
    count = stop - start
    structures = job.columns.size
    data = {
        name: chunk.columns[name] if name in chunk.columns else np.tile(values, count)
        for name, values in job.columns.items()
    }
    tiled = Columns(data, structures * count)
    batch = compute(
        job.model,
        tiled,
        np.tile(job.starts, count),
        np.tile(job.ends, count),
        job.span,
        job.parameters,
        draws=_drawn_values(job.parameters, chunk, structures),
    )
    lines = np.stack([batch.line_cents[key] for key in job.model.line_keys], axis=-1)
    lines = lines.reshape(count, structures, len(job.model.line_keys))
    if lines.size and int(lines.max()) > _INT64_MAX // max(structures * lines.shape[2], 1):
        raise InputError("the portfolio's amounts of a draw are beyond int64 cents")
    per_line = lines.sum(axis=1)
    totals = np.concatenate([per_line, per_line.sum(axis=1, keepdims=True)], axis=1)
    return _ChunkResult(start, lines if job.keep_structures else None, totals, chunk.recorded)


def _drawn_values(
    parameters: Parameters, chunk: ChunkDraws, structures: int
) -> Callable[[ParameterSnapshot], ParameterSnapshot]:
    """The engine's hook: a piece's values in force with the chunk's draws beside them."""
    paths = sorted({path for path, _ in chunk.parameters})
    cache: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}

    def with_draws(snapshot: ParameterSnapshot) -> ParameterSnapshot:
        in_force = tuple((path, snapshot[path].effective_from) for path in paths)
        drawn = cache.get(in_force)
        if drawn is None:
            drawn = {key[0]: chunk.parameters[key] for key in in_force if key in chunk.parameters}
            _check_relations(parameters, snapshot, drawn, chunk.start, structures)
            cache[in_force] = drawn
        return replace(snapshot, drawn=drawn)

    return with_draws


def _check_relations(
    parameters: Parameters,
    snapshot: ParameterSnapshot,
    drawn: dict[str, Any],
    start: int,
    structures: int,
) -> None:
    """Each relation (lower ≤ upper) holds in every draw: a user's distributions may break
    one (the file's ranges cannot: they are checked at load). A ParameterError names the
    first draw that breaks it."""
    for relation in parameters.relations:
        if relation.lower not in drawn and relation.upper not in drawn:
            continue
        lower, upper = (
            drawn[path] if path in drawn else _point(parameters, snapshot, path)
            for path in (relation.lower, relation.upper)
        )
        broken = np.atleast_1d(np.asarray(lower > upper))
        if broken.any():
            draw = start + int(np.argmax(broken)) // structures
            raise ParameterError(
                f"draw {draw}: {relation.lower} is above {relation.upper}: {relation.reason}"
            )


def _point(parameters: Parameters, snapshot: ParameterSnapshot, path: str) -> float:
    """A value in force in the unit its draws are in (cents for an amount)."""
    if parameters.specs[path].kind == "amount":
        return float(snapshot.amount_cents(path))
    return snapshot.number(path)
