"""A file of structures in, a file of allocations out, at flat memory: what
``secpa-model batch`` runs (:func:`run_batch`).

The input is read, validated, allocated and written a piece of rows at a time into
temporaries that replace the outputs only when the whole run succeeded; the files are those
one :func:`~secpa_model.allocate_frame` call would give. Repeated ids are found over the
whole file first, on a sorted 64-bit hash key per row, only the rows whose key repeats read
again and compared exactly: docs/performance.md, section The ``batch`` command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.money import cents_to_euros, exact_sum
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.formats import format_of, read_pieces
from secpa_model.io.frames import Keep, kept_columns
from secpa_model.io.json_lines import row_tracer
from secpa_model.io.locations import RowLocations
from secpa_model.io.manifest import Manifest, sidecar
from secpa_model.io.output import atomic_paths
from secpa_model.io.portfolio import portfolio
from secpa_model.io.readers import PIECE_ROWS, Piece, PieceReader, in_row_order, no_problems
from secpa_model.io.validation import YEAR, YEAR_COLUMN, duplicate_problems, problems_error
from secpa_model.io.writers import CsvStyle, PieceWriter, RewriteError
from secpa_model.model.inputs import KIND_RULES, Input
from secpa_model.model.model import Model
from secpa_model.model.text_cells import YEAR_MIX, text_keys
from secpa_model.models import resolve_model

__all__ = ["BatchSummary", "Progress", "run_batch"]

Progress = Callable[[int, int], None]
"""A progress callback: ``(rows done, rows in all)``, called after each piece."""


@dataclass
class BatchSummary:
    """The summary of a batch: rows read (lines that are not a structure included), rows
    allocated, eligible, invalid rows, problems (invalid cells) and the portfolio total
    (integer cents; :attr:`total` in euros); the output's manifest when one was asked for."""

    rows: int = 0
    allocated: int = 0
    eligible: int = 0
    invalid: int = 0
    problems: int = 0
    total_cents: int = 0
    manifest: Manifest | None = None
    found: list[pd.DataFrame] = field(default_factory=list)
    """With ``errors="report"`` and no errors file: the problems, piece by piece (an
    errors frame each, :data:`~secpa_model.io.validation.ERROR_COLUMNS`)."""
    located: RowLocations | None = None
    """Where the input's rows are (to locate :attr:`found`)."""

    @property
    def total(self) -> Decimal:
        """The total in euros (exact)."""
        return cents_to_euros(self.total_cents)


def run_batch(
    source: str | Path,
    output: str | Path,
    period: PeriodLike | None,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["raise", "report"] = "raise",
    keep: Keep = None,
    problems: str | Path | None = None,
    rows: int = PIECE_ROWS,
    encoding: str | None = None,
    csv_style: CsvStyle = "default",
    trace: bool = False,
    progress: Progress | None = None,
    manifest: Manifest | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    reading: Progress | None = None,
) -> BatchSummary:
    """Allocate every row of the file ``source`` into ``output``, ``rows`` rows at a time: what
    ``secpa-model batch`` runs, its options those of docs/cli.md, section batch.

    ``errors="report"`` allocates the valid rows (a ``row`` column first) and writes every
    problem to ``problems`` (else keeps them in :attr:`BatchSummary.found`); ``progress`` and
    ``reading`` are called ``(done, total)`` after each piece; ``manifest`` is completed and
    kept with the outputs. The output, the errors file and the manifests beside them are
    committed together, or (an error) none is.
    """
    resolved = resolve_model(model)
    span = Period.parse(period) if period is not None else None
    params = parameters_for(resolved, parameters)
    outputs = [Path(output)] if problems is None else [Path(output), Path(problems)]
    formats = [format_of(output, output_format), *([format_of(problems)] if problems else [])]
    for fmt in formats:
        fmt.require("writing")
    # the manifest of the run is kept in each file it writes, or beside it
    beside = [] if manifest is None else [sidecar(path, output_format) for path in outputs]
    reader = read_pieces(source, resolved, rows=rows, encoding=encoding, file_format=input_format)
    by_year = YEAR_COLUMN in reader.columns if reader.columns else None
    keys = None if allow_duplicates else _Keys(resolved.input(resolved.id_input), by_year)
    if reader.count is None or (keys is not None and reader.count > rows):
        read = 0
        for piece in reader.pieces([resolved.id_input, YEAR_COLUMN]):  # the first reading
            if keys is not None:
                keys.add(piece.frame)
            read += len(piece.frame) + len(piece.problems)
            if reading is not None and read > rows:
                reading(read, reader.count or 0)
    if errors == "raise" and len(reader.bad_lines):
        raise problems_error(reader.bad_lines, reader.located)
    try:
        empty = pd.DataFrame({name: pd.Series(dtype=object) for name in reader.columns})
        # the columns, keep and period checked before any piece: on no row
        portfolio(empty, model=resolved, allow_duplicates=True, keep=keep).allocate(span, params)
        _check_kept(kept_columns(empty, keep, resolved), errors == "report", trace)
    except InputError as exc:
        raise reader.located.error(exc) from exc
    whole = reader.count is not None and reader.count <= rows
    pieces: Iterable[Piece] = [reader.whole()] if whole else reader.pieces()
    repeated = no_problems()
    if keys is not None and not whole:
        repeated = _repeated(reader, keys, resolved)
    run = _Run(reader, span, params, resolved, keep, errors, trace)
    if whole:  # allocated in one call, as a frame: repeated ids found by the validation
        run.allow_duplicates = allow_duplicates
    else:
        run.repeated = repeated
        run.progress = progress
    try:
        with ExitStack() as stack:
            temporaries = stack.enter_context(
                atomic_paths(*outputs, *(path for path in beside if path is not None))
            )
            writers: list[PieceWriter] = []
            for at, (path, fmt) in enumerate(zip(outputs, formats, strict=True)):
                writers.append(
                    fmt.writer(temporaries[at], index=False, csv_style=csv_style, name=path)
                )
                # closed when the block ends (left unfinished on a failure), even written again
                stack.push(lambda kind, *_, at=at: writers[at].__exit__(kind))
            while True:
                try:
                    summary = run.through(pieces, writers)
                    break
                except RewriteError:  # a file must be written again, knowing what it learnt
                    for at, writer in enumerate(writers):
                        writers[at] = writer.again()
                    pieces = [reader.whole()] if whole else reader.pieces()
            if manifest is not None:
                summary.manifest = manifest.with_input(str(source), reader.sha256(), summary.rows)
                sidecars = iter(temporaries[len(outputs) :])
                for writer, side in zip(writers, beside, strict=True):
                    writer.manifest = summary.manifest.model_dump_json()
                    if side is not None:
                        next(sidecars).write_text(summary.manifest.to_json(), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write the file: {exc}") from exc
    return summary


def _check_kept(kept: list[str], report: bool, trace: bool) -> None:
    """An :class:`~secpa_model.InputError` for a kept column the output fills itself:
    ``row`` with ``errors="report"``, ``trace`` with ``trace`` (it would be replaced)."""
    written = {"row": report, "trace": trace}
    clashing = [name for name in kept if written.get(name)]
    if clashing:
        raise InputError(
            f"keep: {', '.join(map(repr, clashing))} is a column the output fills itself "
            "(the input row with errors report, the trace with trace); rename it in the "
            "input to keep it"
        )


@dataclass
class _Run:
    """The computing pass (see the module docstring)."""

    reader: PieceReader
    period: Period | None
    params: Any
    model: Model
    keep: Keep
    errors: str
    trace: bool
    allow_duplicates: bool = True
    repeated: pd.DataFrame | None = None
    progress: Progress | None = None
    shown: int = 0  # the rows done the progress showed (not shown twice when written again)

    def through(self, pieces: Iterable[Piece], writers: list[PieceWriter]) -> BatchSummary:
        """Allocate and write every piece; the summary."""
        summary = BatchSummary()
        found: list[pd.DataFrame] = []  # with errors="raise": every problem
        repeated = self.repeated if self.repeated is not None else no_problems()
        repeated_rows = repeated["row"].to_numpy(dtype=np.int64)
        report = self.errors == "report"
        done = 0
        for piece in pieces:
            frame = piece.frame
            try:
                checked = portfolio(
                    frame, model=self.model, allow_duplicates=self.allow_duplicates, keep=self.keep
                ).valid()
                allocations, cells = checked.allocate(self.period, self.params), checked.problems
            except InputError as exc:
                raise self.reader.located.error(exc) from exc
            duplicates = repeated.iloc[:0]
            if len(repeated_rows) and len(frame):
                low = int(np.searchsorted(repeated_rows, frame.index[0]))
                high = int(np.searchsorted(repeated_rows, frame.index[-1], side="right"))
                duplicates = repeated.iloc[low:high]
                allocations = allocations[~allocations.index.isin(repeated_rows[low:high])]
            problems = in_row_order([piece.problems, cells, duplicates])
            summary.rows += len(frame) + piece.problems["row"].nunique()
            summary.allocated += len(allocations)
            summary.eligible += int(allocations["eligible"].sum())
            summary.invalid += problems["row"].nunique()
            summary.problems += len(problems)
            summary.total_cents += exact_sum(allocations["total_cents"])
            if self.trace:
                tracer = row_tracer(frame, self.period, self.params, model=self.model)
                labels, totals = allocations.index, allocations["total_cents"]
                traces = [
                    tracer(label, int(total)) for label, total in zip(labels, totals, strict=True)
                ]
                allocations = allocations.assign(trace=pd.Series(traces, labels, dtype=object))
            if report:
                writers[0].write(allocations.reset_index(names="row"))
                if len(writers) > 1:
                    writers[1].write(self.reader.located.annotated(problems))
                elif len(problems):
                    summary.found.append(problems)
            elif len(problems):
                found.append(problems)
            elif not found:
                writers[0].write(allocations)
            done += len(frame)
            if self.progress is not None and done > self.shown:
                self.shown = done
                self.progress(done, self.reader.count or done)
        if found:
            error = problems_error(pd.concat(found, ignore_index=True))
            raise self.reader.located.error(error)
        summary.located = self.reader.located
        return summary


class _Keys:
    """The key of every row's id (and year), piece by piece (see the module docstring).
    ``by_year``: whether the file has a ``year`` column, None while not known (a JSON Lines
    file before its first reading): the years are then kept apart until it is."""

    def __init__(self, item: Input, by_year: bool | None) -> None:
        self.item = item
        self.by_year = by_year
        self.parts: list[tuple[NDArray[np.uint64], NDArray[np.int16] | None]] = []

    def add(self, frame: pd.DataFrame) -> None:
        """Keep the keys of a piece's rows."""
        ids, years = _row_keys(frame, self.item)
        if self.by_year is None:
            self.parts.append((ids, years))
        else:
            self.parts.append((_joined(ids, years, self.by_year), None))

    def repeated(self, by_year: bool) -> NDArray[np.uint64]:
        """The keys found more than once (sorted), the parts released as they are read."""
        keys = np.empty(sum(len(ids) for ids, _ in self.parts), dtype=np.uint64)
        at = 0
        self.parts.reverse()
        while self.parts:
            ids, years = self.parts.pop()
            keys[at : at + len(ids)] = ids if years is None else _joined(ids, years, by_year)
            at += len(ids)
        keys.sort()
        keys = keys[np.searchsorted(keys, 0, side="right") :]  # 0: not a key
        same = keys[1:] == keys[:-1]
        return np.unique(keys[1:][same])


def _repeated(reader: PieceReader, keys: _Keys, model: Model) -> pd.DataFrame:
    """The problems of the rows whose id (and year) is in another row too: every copy,
    each naming its group's rows (:func:`~secpa_model.io.validation.duplicate_problems`)."""
    columns = [model.id_input, YEAR_COLUMN]
    by_year = YEAR_COLUMN in reader.columns
    if not reader.typed_as_whole:  # the first reading typed each piece on its own: again
        keys.parts.clear()
        keys.by_year = by_year
        for piece in reader.pieces(columns):
            keys.add(piece.frame)
    shared = keys.repeated(by_year)
    if not len(shared):
        return no_problems()
    cells = []
    for piece in reader.pieces(columns):
        candidates = np.isin(_joined(*_row_keys(piece.frame, keys.item), by_year), shared)
        if candidates.any():
            cells.append(piece.frame.iloc[np.flatnonzero(candidates)])
    return duplicate_problems(pd.concat(cells), model)


def _row_keys(frame: pd.DataFrame, item: Input) -> tuple[NDArray[np.uint64], NDArray[np.int16]]:
    """The key of each row's id (0 where it cannot be read) and its year (0 where there is
    none or it cannot be read), parsed as the validation parses them."""
    ids = np.zeros(len(frame), dtype=np.uint64)
    if item.name in frame.columns:
        parsed = KIND_RULES[item.kind].parse_column(item, frame[item.name])
        ids = text_keys(parsed.values)
        ids[ids == 0] = 1
        ids[parsed.invalid()] = 0
    years = np.zeros(len(frame), dtype=np.int16)
    if YEAR_COLUMN in frame.columns:
        parsed = KIND_RULES[YEAR.kind].parse_column(YEAR, frame[YEAR_COLUMN])
        valid = ~parsed.invalid()
        years[valid] = np.asarray(parsed.values)[valid]
    return ids, years


def _joined(ids: NDArray[np.uint64], years: NDArray[np.int16], by_year: bool) -> NDArray[np.uint64]:
    """The row keys: the id's, mixed with the year's in a structure-year table (0 where
    either cannot be read)."""
    if not by_year:
        return ids
    keys = ids ^ years.astype(np.uint64) * YEAR_MIX
    keys[keys == 0] = 1
    keys[(ids == 0) | (years == 0)] = 0
    return keys
