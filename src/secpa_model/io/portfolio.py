"""A portfolio: structures validated once against a model, what every analysis computes on
(docs/frames.md, section A portfolio: validated once)."""

from __future__ import annotations

import copy
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Final, overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.compute import BatchResult, compute
from secpa_model.engine.distributed import ByValue, is_dask_frame, ship_code, unwrap
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.files import read_structure_rows
from secpa_model.io.frames import (
    YEAR_COLUMN,
    Keep,
    empty_result,
    kept_columns,
    result_columns,
    result_frame,
)
from secpa_model.io.locations import RowLocations
from secpa_model.io.readers import in_row_order
from secpa_model.io.validation import (
    ValidatedFrame,
    duplicate_problems,
    problems_error,
    validate_frame,
)
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.model.structure import Columns
from secpa_model.models import resolve_model

__all__ = ["PartitionedPortfolio", "Portfolio", "allocate_frame", "as_portfolio", "portfolio"]

_EPOCH_YEAR: Final = 1970
_EPOCH_ORDINAL: Final = date(_EPOCH_YEAR, 1, 1).toordinal()
_PERIOD_REQUIRED: Final = "a period is required (or a 'year' column giving each row's year)"


class Portfolio:
    """Structures validated once against a model (*portefeuille de structures*), made by
    :func:`portfolio`; later changes to the source DataFrame change nothing here."""

    model: Model
    """The model the rows were validated for."""
    rows: RowLocations | None
    """The file the rows were read from and each row's line (or sheet row); None for a
    DataFrame."""

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        model: Model | str | None = None,
        keep: Keep = None,
        allow_duplicates: bool = False,
        rows: RowLocations | None = None,
        read_problems: pd.DataFrame | None = None,
    ) -> None:
        self.model = resolve_model(model)
        self.rows = rows
        # a shallow copy: with pandas' copy on write, later edits of the caller's frame
        # reach neither this copy nor anything derived from it
        self._source = frame.copy(deep=False) if isinstance(frame, pd.DataFrame) else frame
        self._options: dict[str, Any] = {
            "keep": keep,
            "allow_duplicates": allow_duplicates,
            "rows": rows,
            "read_problems": read_problems,
        }
        self._validated: ValidatedFrame = validate_frame(
            frame, self.model, allow_duplicates=allow_duplicates
        )
        self._skip_invalid = False
        found = self._validated.problems
        if read_problems is not None and len(read_problems):
            found = in_row_order([read_problems, found])
        self._problems = found
        self.kept: tuple[str, ...] = tuple(kept_columns(frame, keep, self.model))
        """The input columns results carry after the id (``year`` first, with one)."""

    def __repr__(self) -> str:
        invalid = self.invalid_rows
        state = f", {invalid} invalid" + (" (left out)" * self._skip_invalid) if invalid else ""
        source = f" from {self.rows.file}" if self.rows is not None else ""
        rows = f"{self.size} row{'s' * (self.size != 1)}"
        return f"<Portfolio of {rows}{state}, model {self.model.name!r}{source}>"

    @property
    def problems(self) -> pd.DataFrame:
        """The problems of the invalid rows, in row order (empty when there are none); read
        from a file, each with its ``line`` (and ``sheet``) in the file."""
        if self.rows is None:
            return self._problems
        return self.rows.annotated(self._problems)

    @property
    def invalid_rows(self) -> int:
        """How many rows have a problem (none are computed)."""
        return int(self._problems["row"].nunique()) if len(self._problems) else 0

    @property
    def frame(self) -> pd.DataFrame:
        """The valid rows as given (every column, as read), e.g. for a column the model
        does not read (a budget, a region)."""
        mask = self._mask
        return self._source if mask is None else self._source[mask]

    def for_model(self, model: Model | str) -> Portfolio:
        """The same rows validated for ``model`` (with the same ``keep``,
        ``allow_duplicates``, file and :meth:`valid` choice): this portfolio itself when
        it is ``model``'s already."""
        resolved = resolve_model(model)
        if resolved is self.model:
            return self
        other = Portfolio(self._source, model=resolved, **self._options)
        return other.valid() if self._skip_invalid else other

    def valid(self) -> Portfolio:
        """This portfolio computing on its valid rows only: its :attr:`problems` are still
        listed (and every analysis's result carries them), but no longer refused."""
        chosen = copy.copy(self)
        chosen._skip_invalid = True
        return chosen

    def check(self) -> Portfolio:
        """This portfolio, or an :class:`~secpa_model.InputError` naming every problem
        (the first ones, then a count) when it has some and :meth:`valid` was not asked."""
        if len(self._problems) and not self._skip_invalid:
            raise problems_error(self._problems, self.rows)
        return self

    def _period_required(self) -> InputError:
        """No period and no ``year`` column: an error naming the file the rows came from."""
        error = InputError(_PERIOD_REQUIRED)
        return error if self.rows is None else self.rows.error(error)

    @cached_property
    def _mask(self) -> NDArray[np.bool_] | None:
        valid = self._validated.valid
        return None if valid.all() else valid

    @cached_property
    def columns(self) -> Columns:
        """The engine columns of the valid rows."""
        mask = self._mask
        return self._validated.columns if mask is None else self._validated.columns.take(mask)

    @property
    def years(self) -> NDArray[np.int64] | None:
        """The ``year`` of each valid row (None without a ``year`` column)."""
        years = self._validated.years
        mask = self._mask
        return years if years is None or mask is None else years[mask]

    @property
    def index(self) -> pd.Index:
        """The row labels of the valid rows (as in the DataFrame, or 0.. in the file)."""
        mask = self._mask
        return self._validated.index if mask is None else self._validated.index[mask]

    @property
    def ids(self) -> pd.Series:
        """The id of each valid row, as stripped text, on :attr:`index`."""
        ids = self._validated.ids
        return ids if self._mask is None else ids[self._mask]

    @property
    def size(self) -> int:
        """How many rows are computed (the valid ones)."""
        return self.columns.size

    def windows(self, period: Period | None) -> tuple[NDArray[np.int64], NDArray[np.int64], Period]:
        """Each valid row's window (day ordinals, inclusive): ``period`` ∩ its year (with a
        ``year`` column) ∩ [entry, exit]; empty (start after end) when the row is not paid
        on any day of ``period``. Then the span covering every window: ``period``, or the
        years of the rows when ``period`` is None."""
        self.check()
        size, years, columns, model = self.size, self.years, self.columns, self.model
        if years is None:
            if period is None:
                raise self._period_required()
            low = np.full(size, period.start.toordinal(), dtype=np.int64)
            high = np.full(size, period.end.toordinal(), dtype=np.int64)
            span = period
        else:
            low = _first_day_ordinals(years)
            high = _first_day_ordinals(years + 1) - 1
            if period is not None:
                low = np.maximum(low, period.start.toordinal())
                high = np.minimum(high, period.end.toordinal())
                span = period
            else:
                span = Period(date(int(years.min()), 1, 1), date(int(years.max()), 12, 31))
        if model.entry_input:
            low = np.maximum(low, columns[model.entry_input])
        if model.exit_input:
            high = np.minimum(high, columns[model.exit_input])
        return low, high, span

    def allocate(self, period: PeriodLike | None, parameters: Any = None) -> pd.DataFrame:
        """The allocations of the valid rows over ``period`` under ``parameters`` (default:
        the model's reference values), as :func:`allocate_frame` returns them."""
        span = Period.parse(period) if period is not None else None
        params = parameters_for(self.model, parameters)
        result = self.allocate_lines(span, params)
        after = result_columns(self.model).index(self.model.id_input)
        for offset, name in enumerate(self.kept, start=1):
            years = self.years
            values = years if name == YEAR_COLUMN and years is not None else self.frame[name].array
            result.insert(after + offset, name, values)
        return result

    def compute(self, period: Period | None, parameters: Parameters) -> BatchResult:
        """The engine's result for the valid rows over ``period`` (each row's window, as
        :meth:`windows`): eligibility, reasons and cents per line, in row order."""
        starts, ends, span = self.windows(period)
        return compute(self.model, self.columns, starts, ends, span, parameters)

    def allocate_lines(self, period: Period | None, parameters: Parameters) -> pd.DataFrame:
        """:meth:`allocate` without the kept columns (the id, eligibility, reasons and
        cents): what a caller summing many periods (a budget) computes."""
        if self._validated.years is None and period is None:
            raise self._period_required()
        self.check()
        if self.size == 0:
            return empty_result(self.model, self.index)
        batch = self.compute(period, parameters)
        ids = self.columns[self.model.id_input]
        return result_frame(
            self.model, ids, batch.eligible, batch.reason_mask, batch.line_cents, self.index
        )


class PartitionedPortfolio:
    """The structures of a ``dask.dataframe.DataFrame``, columns checked now, rows validated
    partition by partition when computed (docs/frames.md, section A Dask DataFrame)."""

    def __init__(
        self, frame: Any, *, model: Model | str | None, keep: Keep, allow_duplicates: bool
    ) -> None:
        self.model: Model = resolve_model(model)
        """The model the rows are validated for."""
        self._frame = frame
        self._keep = keep
        self._allow_duplicates = allow_duplicates
        Portfolio(frame._meta, model=self.model, keep=keep)  # the columns, checked now

    def allocate(self, period: PeriodLike | None, parameters: Any = None) -> Any:
        """The lazy dask DataFrame of the allocations (as :meth:`Portfolio.allocate`)."""
        from dask.delayed import delayed

        span = Period.parse(period) if period is not None else None
        params = parameters_for(self.model, parameters)
        meta = Portfolio(self._frame._meta, model=self.model, keep=self._keep).allocate(
            span, params
        )
        ship_code(self.model)
        shipped = ByValue((self.model, params, self._keep))
        checked = None
        if not self._allow_duplicates:
            columns = [self.model.id_input]
            columns += [YEAR_COLUMN] if YEAR_COLUMN in self._frame.columns else []
            checked = delayed(_refuse_repeats)(self._frame[columns].to_delayed(), shipped)
        return self._frame.map_partitions(_allocate_part, span, shipped, checked, meta=meta)


def _refuse_repeats(parts: list[pd.DataFrame], shipped: Any) -> None:
    """An :class:`~secpa_model.InputError` naming the rows that repeat an id (and year)
    across ``parts`` (the id and year columns of every partition)."""
    model = unwrap(shipped)[0]
    problems = duplicate_problems(pd.concat(parts), model)
    if len(problems):
        raise problems_error(problems)


def _allocate_part(
    part: pd.DataFrame, period: Period | None, shipped: Any, _checked: None
) -> pd.DataFrame:
    """One partition's allocations (its repeated ids were looked for over every partition,
    ``_checked``, first)."""
    model, params, keep = unwrap(shipped)
    return Portfolio(part, model=model, keep=keep, allow_duplicates=True).allocate(period, params)


@overload
def portfolio(
    source: pd.DataFrame | str | Path | Portfolio,
    *,
    model: Model | str | None = None,
    keep: Keep = None,
    allow_duplicates: bool = False,
    encoding: str | None = None,
) -> Portfolio: ...


@overload
def portfolio(
    source: Any,
    *,
    model: Model | str | None = None,
    keep: Keep = None,
    allow_duplicates: bool = False,
    encoding: str | None = None,
) -> Portfolio | PartitionedPortfolio: ...


def portfolio(
    source: Any,
    *,
    model: Model | str | None = None,
    keep: Keep = None,
    allow_duplicates: bool = False,
    encoding: str | None = None,
) -> Portfolio | PartitionedPortfolio:
    """The structures of ``source`` (a DataFrame, a file's path, a dask DataFrame or a
    portfolio) validated once against ``model``: what every analysis takes. Invalid cells go
    to :attr:`Portfolio.problems`; the source as a whole wrong raises
    :class:`~secpa_model.InputError` (docs/frames.md, section A portfolio)."""
    if isinstance(source, Portfolio):
        if model is not None and resolve_model(model) is not source.model:
            raise InputError(
                f"this portfolio was validated for the model {source.model.name!r}, "
                f"not {resolve_model(model).name!r}: make a portfolio of the frame for it"
            )
        given = {"keep": keep, "allow_duplicates": allow_duplicates, "encoding": encoding}
        chosen = [name for name, value in given.items() if value not in (None, False)]
        if chosen:
            raise InputError(
                f"{', '.join(chosen)}: this portfolio is validated already; give them "
                "when making it from the frame or file"
            )
        return source
    if isinstance(source, str | Path):
        read = read_structure_rows(source, model=model, encoding=encoding)
        try:
            return Portfolio(
                read.frame,
                model=model,
                keep=keep,
                allow_duplicates=allow_duplicates,
                rows=read.rows,
                read_problems=read.problems,
            )
        except InputError as exc:  # the columns (a misspelt one): named in the file
            raise read.rows.error(exc) from exc
    is_frame = is_dask_frame(source) or isinstance(source, pd.DataFrame)
    if is_frame and encoding is not None:
        raise InputError("an encoding is chosen for a file only, not a DataFrame")
    if is_dask_frame(source):
        return PartitionedPortfolio(
            source, model=model, keep=keep, allow_duplicates=allow_duplicates
        )
    if not isinstance(source, pd.DataFrame):
        raise InputError(
            "expected a pandas DataFrame of structures, a file's path or a Portfolio, "
            f"got {type(source).__name__}"
        )
    return Portfolio(source, model=model, keep=keep, allow_duplicates=allow_duplicates)


def as_portfolio(source: Portfolio | pd.DataFrame) -> Portfolio:
    """``source`` itself, or a DataFrame validated with :func:`portfolio`'s defaults: what
    every analysis does first, once."""
    if isinstance(source, Portfolio):
        return source
    if is_dask_frame(source) or isinstance(source, PartitionedPortfolio):
        raise InputError(
            "a dask DataFrame is allocated by allocate_frame (lazily); the other analyses "
            "take a pandas DataFrame (its .compute()) or a Portfolio"
        )
    if not isinstance(source, pd.DataFrame):
        raise InputError(
            "expected a Portfolio or a pandas DataFrame of structures (portfolio(path) reads "
            f"a file), got {type(source).__name__}"
        )
    return Portfolio(source)


def allocate_frame(
    structures: Portfolio | PartitionedPortfolio | pd.DataFrame,
    period: PeriodLike | None,
    parameters: Any = None,
) -> pd.DataFrame:
    """Allocate every structure (or structure-year) of ``structures`` (a :class:`Portfolio`,
    or a DataFrame for the experimentation) over ``period``: a frame of the same index, the
    id, kept columns, ``eligible``, ``reasons``, each ``<line>_cents`` and ``total_cents``
    (docs/frames.md, section The result); a dask DataFrame gives a lazy one."""
    if is_dask_frame(structures):
        structures = PartitionedPortfolio(structures, model=None, keep=None, allow_duplicates=False)
    if isinstance(structures, PartitionedPortfolio):
        lazy: pd.DataFrame = structures.allocate(period, parameters)  # a dask DataFrame
        return lazy
    return as_portfolio(structures).allocate(period, parameters)


def _first_day_ordinals(years: NDArray[np.int64]) -> NDArray[np.int64]:
    """The ordinal of 1 January of each year (vectorised through numpy datetimes)."""
    first: NDArray[np.int64] = (years - _EPOCH_YEAR).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ).astype(np.int64) + _EPOCH_ORDINAL
    return first
