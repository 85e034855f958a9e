"""The shape of a result frame: its columns, the input columns it keeps, its euros.

:func:`~secpa_model.allocate_frame` (in :mod:`secpa_model.io.portfolio`) returns one row
per structure; this module says which columns that row has.

Structure-year tables
---------------------
A frame may hold one row per structure **and year**, with a ``year`` column: each row is
then allocated over its calendar year intersected with ``period`` (``period`` may be None:
each row gets its whole year), so a multi-year study is one call. The other fields of the
row (file active, hours, requests…) are that year's. A row whose year does not meet
``period`` is not participating (reason ``not_participating``), like a structure that left.
The result keeps the ``year`` column, so that a structure's rows can be told apart.

Kept columns
------------
Besides the id (and ``year``), the result carries the input columns named by ``keep``
(a name, a region…), copied as given, right after the id. By default it keeps the
identifying columns found in the frame: those whose name, ignoring case, accents, spaces
and hyphens, is one of :data:`IDENTIFYING_COLUMNS`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.money import cents_to_euros
from secpa_model.io.validation import MAX_ERRORS_SHOWN, TEXT_DTYPE, YEAR_COLUMN
from secpa_model.model.eligibility import MAX_TABLE_CONDITIONS, reason_table, reason_texts
from secpa_model.model.model import Model
from secpa_model.model.text_cells import TextTable
from secpa_model.models import resolve_model

__all__ = [
    "IDENTIFYING_COLUMNS",
    "MAX_ERRORS_SHOWN",
    "YEAR_COLUMN",
    "Keep",
    "add_euro_columns",
    "cent_columns",
    "empty_result",
    "kept_columns",
    "result_columns",
    "result_frame",
]

IDENTIFYING_COLUMNS: Final[tuple[str, ...]] = (
    "name",
    "nom",
    "label",
    "libelle",
    "raison_sociale",
    "finess",
    "siret",
    "region",
    "departement",
    "commune",
    "city",
)
"""The input columns :func:`allocate_frame` keeps by default (besides the id and ``year``):
a column is kept when its name, lower-cased, without accents and with spaces and hyphens
as ``_``, is one of these (``Nom``, ``Région``, ``raison sociale`` are kept)."""

Keep = Sequence[str] | None
"""What ``keep=`` takes: column names, or None for the identifying columns found."""


def cent_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The int64 cent columns of a result: ``<line>_cents`` per line, then ``total_cents``."""
    return (*(f"{key}_cents" for key in resolve_model(model).line_keys), "total_cents")


def result_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The columns of an :func:`allocate_frame` result, in order, without the ``year`` and
    kept columns (which come right after the id)."""
    resolved = resolve_model(model)
    return (resolved.id_input, "eligible", "reasons", *cent_columns(resolved))


@lru_cache(maxsize=1024)
def _plain_name(name: str) -> str:
    """A column name lower-cased, without accents, spaces and hyphens as ``_``."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.replace(" ", "_").replace("-", "_")


def kept_columns(
    frame: pd.DataFrame, keep: Keep = None, model: Model | str | None = None
) -> list[str]:
    """The input columns an :func:`allocate_frame` result carries after the id: ``year``
    when the frame has one, then ``keep`` (default: the :data:`IDENTIFYING_COLUMNS`
    found, in the frame's order). An :class:`~secpa_model.InputError` names a column of
    ``keep`` the frame does not have, or one that is a result column."""
    resolved = resolve_model(model)
    names = [str(name) for name in frame.columns.tolist()]
    if keep is None:
        wanted = [name for name in names if _plain_name(name) in IDENTIFYING_COLUMNS]
    elif isinstance(keep, str):
        raise TypeError(f"keep takes a list of column names, not the text {keep!r}")
    else:
        wanted = [str(name) for name in keep]
    reserved = set(result_columns(resolved))
    clashing = [name for name in wanted if name in reserved and name != resolved.id_input]
    if clashing:
        raise InputError(
            f"keep: {', '.join(map(repr, clashing))} is a column of the result; rename it "
            "in the input to keep it"
        )
    missing = [name for name in wanted if name not in names]
    if missing:
        raise InputError(
            f"keep: no column {', '.join(map(repr, missing))} in the input "
            f"(columns: {', '.join(names)})"
        )
    found = [YEAR_COLUMN] if YEAR_COLUMN in names else []
    for name in wanted:
        if name not in (*found, resolved.id_input):
            found.append(name)
    return found


def empty_result(model: Model, index: pd.Index) -> pd.DataFrame:
    """A result of no row (``index`` empty): the columns of :func:`result_columns`."""
    empty = np.zeros(0, dtype=np.int64)
    lines = {key: empty for key in model.line_keys}
    ids = pd.array([], dtype=TEXT_DTYPE)
    return result_frame(model, ids, np.zeros(0, dtype=np.bool_), empty, lines, index)


def result_frame(
    model: Model,
    ids: Any,
    eligible: NDArray[np.bool_],
    reason_mask: NDArray[np.int64],
    line_cents: dict[str, NDArray[np.int64]],
    index: pd.Index,
) -> pd.DataFrame:
    total = np.zeros(len(eligible), dtype=np.int64)
    for cents in line_cents.values():
        total = total + cents
    arrays: list[object] = [
        ids if getattr(ids, "dtype", None) == TEXT_DTYPE else pd.array(ids, dtype=TEXT_DTYPE),
        np.asarray(eligible, dtype=np.bool_),
        _reasons(model.reason_codes, reason_mask),
        *(np.asarray(line_cents[key], dtype=np.int64) for key in model.line_keys),
        total,
    ]
    # built under positions, then named with the model's column index (made once): pandas
    # infers no text index from the names at each call
    result = pd.DataFrame(dict(enumerate(arrays)), index=index, copy=False)
    result.columns = _column_index(result_columns(model)).copy()
    result.attrs["model"] = model.name  # what the charts read: the model's lines and note
    return result


@lru_cache(maxsize=16)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(names)


@lru_cache(maxsize=16)
def _reason_table(codes: tuple[str, ...]) -> TextTable:
    return TextTable(reason_table(codes))


def _reasons(codes: tuple[str, ...], masks: NDArray[np.int64]) -> Any:
    """The reasons column: a text per mask, looked up in a table (no Python per row)."""
    if len(codes) <= MAX_TABLE_CONDITIONS:
        return _reason_table(codes).take(masks)
    return pd.array(reason_texts(masks, codes), dtype=TEXT_DTYPE)


def add_euro_columns(result: pd.DataFrame) -> pd.DataFrame:
    """A copy of an :func:`allocate_frame` result with a ``<name>_eur`` column of exact
    :class:`~decimal.Decimal` euros beside every ``<name>_cents`` column."""
    out = result.copy()
    for name in [str(c) for c in result.columns if str(c).endswith("_cents")]:
        euros = [cents_to_euros(int(c)) for c in result[name]]
        out[name.removesuffix("_cents") + "_eur"] = pd.Series(
            euros, index=result.index, dtype=object
        )
    return out
