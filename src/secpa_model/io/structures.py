"""From a DataFrame of structures back to ``Structure`` objects, one per row.

``Structure(**row)`` on a row of a frame does not work in general: pandas holds a missing
date as ``NaT``, a missing number as ``NaN``, counts as numpy integers and dates as
``Timestamp``. :func:`structures_from_frame` validates the frame as
:func:`~secpa_model.allocate_frame` does (the same errors, naming row, field and value),
then gives each row's cells as Python values to the model's ``Structure``: a missing cell
is left out (the field's default), a ``Timestamp`` becomes a date, a numpy scalar its
Python value. Row ``i`` then allocates with :func:`~secpa_model.allocate` to the cent of
row ``i`` of :func:`~secpa_model.allocate_frame`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from secpa_model.core.errors import InputError
from secpa_model.core.safe_text import shown
from secpa_model.io.validation import YEAR_COLUMN, describe_problems, validate_frame
from secpa_model.model.model import Model
from secpa_model.model.structure import StructureBase
from secpa_model.models import resolve_model

__all__ = ["structures_from_frame"]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _plain(value: Any) -> Any:
    """A cell as the Python value a ``Structure`` field takes."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, np.generic):
        return value.item()
    return value


def structures_from_frame(
    frame: pd.DataFrame,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
) -> list[StructureBase]:
    """The structures of ``frame``, one per row in row order, of ``model`` (default: the
    experimentation; its ``Structure`` class).

    The frame is validated as :func:`~secpa_model.allocate_frame` validates it: an invalid
    cell, a missing required column, a misspelt column name or a repeated id (unless
    ``allow_duplicates``) raises :class:`~secpa_model.InputError` naming row, field and
    value. Columns that are not inputs of the model (``nom``, ``region``...) are not part of
    a structure and are left out, as ``allocate_frame`` leaves them. A structure-year table
    (a ``year`` column) is refused: its rows are structures *in a year*, which a
    ``Structure`` cannot say.
    """
    resolved = resolve_model(model)
    if isinstance(frame, pd.DataFrame) and YEAR_COLUMN in frame.columns:
        raise InputError(
            f"a structure-year table (a {YEAR_COLUMN!r} column) has one row per structure and "
            "year, which a Structure cannot hold: allocate it with allocate_frame, or drop "
            f"the {YEAR_COLUMN!r} column to take each row as a structure"
        )
    validated = validate_frame(frame, resolved, allow_duplicates=allow_duplicates)
    if len(validated.problems):
        raise InputError(describe_problems(validated.problems))
    names = [item.name for item in resolved.inputs if item.name in frame.columns]
    structures: list[StructureBase] = []
    for label, cells in zip(
        frame.index, frame[names].itertuples(index=False, name=None), strict=True
    ):
        data = {
            name: _plain(value)
            for name, value in zip(names, cells, strict=True)
            if not _missing(value)
        }
        try:
            structures.append(resolved.parse_structure(data))
        except InputError as exc:  # the frame's checks passed: a disagreement, said by row
            raise InputError(f"row {shown(label)}: {exc}") from exc
    return structures
