"""Large frames in chunks of rows, with progress, and the summary of a batch.

Rows are independent (each structure is allocated on its own), so allocating a frame chunk
by chunk gives exactly the result of one :func:`~secpa_model.allocate_frame` call: same
rows, same index, same cents; with ``errors="raise"`` the problems of every chunk are
gathered and raised in one message, as one call would. Chunking lets a caller report
progress (the ``secpa-model batch`` command prints it on large files) and consume each
chunk's allocations as soon as it is done (``on_chunk``: ``batch`` streams JSON Lines so).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import pandas as pd

from secpa_model.core.money import cents_to_euros, exact_sum
from secpa_model.core.periods import PeriodLike
from secpa_model.io.frames import Keep
from secpa_model.io.portfolio import portfolio
from secpa_model.io.validation import ERROR_COLUMNS, duplicate_problems, problems_error
from secpa_model.model.model import Model
from secpa_model.models import resolve_model

__all__ = ["CHUNK_ROWS", "BatchSummary", "ReportedAllocation", "allocate_in_chunks", "summarise"]

CHUNK_ROWS: Final = 50_000
"""Rows per chunk: frames longer than this are allocated chunk by chunk, with progress."""

Progress = Callable[[int, int], None]
"""A progress callback: ``(rows done, rows in all)``, called after each chunk."""

ChunkConsumer = Callable[[pd.DataFrame], None]
"""A callback given each chunk's allocations (its valid rows), in row order."""


class ReportedAllocation(NamedTuple):
    """What :func:`allocate_in_chunks` returns: the allocations of the valid rows and one
    row per problem of the invalid ones (:data:`ERROR_COLUMNS`). Every input row is in one
    or the other."""

    allocations: pd.DataFrame
    errors: pd.DataFrame


class BatchSummary(NamedTuple):
    """The summary of a batch: rows read, rows allocated, eligible, invalid rows, problems
    (invalid cells) and the portfolio total (integer cents; :attr:`total` in euros)."""

    rows: int
    allocated: int
    eligible: int
    invalid: int
    problems: int
    total_cents: int

    @property
    def total(self) -> Decimal:
        """The total in euros (exact)."""
        return cents_to_euros(self.total_cents)


def allocate_in_chunks(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["raise", "report"] = "raise",
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
    keep: Keep = None,
    on_chunk: ChunkConsumer | None = None,
) -> ReportedAllocation:
    """:func:`~secpa_model.allocate_frame` over ``frame`` in chunks of ``chunk_rows`` rows,
    calling ``progress(done, total)`` after each chunk when the frame has more than one,
    and ``on_chunk(allocations)`` with each chunk's allocations (the valid rows, repeated
    ids excluded) as soon as it is allocated: together they are the allocations returned.
    ``keep``: the input columns the allocations carry, as in ``allocate_frame``.

    Returns the allocations and the errors frame (empty when every row is valid): the same
    as one call, whatever the chunks. Repeated ids (and years) are looked for over the whole
    frame, not chunk by chunk, unless ``allow_duplicates``. With ``errors="raise"`` any
    invalid cell raises one :class:`~secpa_model.InputError` listing the problems of the
    whole frame, in row order, after every chunk was checked.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    total = len(frame)
    if total <= chunk_rows:
        checked = portfolio(frame, model=model, keep=keep, allow_duplicates=allow_duplicates)
        _raise_if(errors, checked.problems)
        whole = ReportedAllocation(checked.valid().allocate(period, parameters), checked.problems)
        if on_chunk is not None:
            on_chunk(whole.allocations)
        return whole
    allocations: list[pd.DataFrame] = []
    problems: list[pd.DataFrame] = []
    repeated = None if allow_duplicates else duplicate_problems(frame, resolve_model(model))
    # looked for over the whole frame, before any chunk is given out
    repeated_rows = list(repeated["row"]) if repeated is not None else []
    for start in range(0, total, chunk_rows):
        chunk = frame.iloc[start : start + chunk_rows]
        piece = portfolio(chunk, model=model, keep=keep, allow_duplicates=True).valid()
        done = piece.allocate(period, parameters)
        if repeated_rows:
            done = done[~done.index.isin(repeated_rows)]
        allocations.append(done)
        if len(piece.problems):
            problems.append(piece.problems)
        if on_chunk is not None:
            on_chunk(done)
        if progress is not None:
            progress(min(start + chunk_rows, total), total)
    if repeated is not None and len(repeated):
        problems.append(repeated)
    result = pd.concat(allocations)
    found = _in_row_order(problems, frame.index)
    _raise_if(errors, found)
    return ReportedAllocation(result, found)


def _in_row_order(problems: list[pd.DataFrame], index: pd.Index) -> pd.DataFrame:
    """The problems of every chunk, then of the duplicates, in the frame's row order (within
    a row, in the order they were found)."""
    if not problems:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in ERROR_COLUMNS})
    found = pd.concat(problems, ignore_index=True)
    order = np.argsort(index.get_indexer(pd.Index(found["row"])), kind="stable")
    return found.iloc[order].reset_index(drop=True)


def _raise_if(errors: str, problems: pd.DataFrame) -> None:
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    if errors == "raise" and len(problems):
        raise problems_error(problems)


def summarise(rows: int, reported: ReportedAllocation) -> BatchSummary:
    """The :class:`BatchSummary` of a batch of ``rows`` input rows."""
    allocations, problems = reported
    invalid = int(problems["row"].nunique()) if len(problems) else 0
    return BatchSummary(
        rows=rows,
        allocated=len(allocations),
        eligible=int(allocations["eligible"].sum()),
        invalid=invalid,
        problems=len(problems),
        total_cents=exact_sum(allocations["total_cents"]),
    )
