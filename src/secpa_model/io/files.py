"""Files of structures in, files of allocations out: CSV, JSON Lines (``.jsonl``), Parquet
and Excel (``.xlsx``), the formats of :mod:`secpa_model.io.formats`.

CSV files may be comma separated (decimal point) or semicolon separated, the French
convention, where a decimal comma (``0,31``) and grouping spaces (``12 345,50``) are
accepted in number columns; they are written in either style (:data:`CSV_STYLES`). JSON
Lines hold one JSON object per line (:mod:`secpa_model.io.json_lines`). Excel needs the
``excel`` extra (openpyxl): ``pip install 'secpa-model[excel]'``.

A file of structures is read in pieces of rows (:func:`read_pieces`; Excel sheets whole,
then in pieces), or whole (:func:`read_structures`), with the same cells either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.io.formats import format_of, read_pieces
from secpa_model.io.locations import RowLocations
from secpa_model.io.manifest import Manifest, sidecar
from secpa_model.io.output import atomic_paths
from secpa_model.io.readers import Piece
from secpa_model.io.validation import YEAR, YEAR_COLUMN, problems_error, validate_frame
from secpa_model.io.writers import CSV_STYLES, CsvStyle
from secpa_model.model.inputs import KIND_RULES
from secpa_model.model.model import Model
from secpa_model.model.structure import Columns
from secpa_model.models import resolve_model

__all__ = [
    "CSV_STYLES",
    "CsvStyle",
    "Piece",
    "RowsRead",
    "read_allocations",
    "read_pieces",
    "read_structure_rows",
    "read_structures",
    "write_allocations",
    "write_tables",
]

_RESULT_TEXT = ("eligible", "reasons", "total_cents")
_WHOLE_ROWS = 1 << 16  # rows per piece of a file read whole (then put end to end)


class RowsRead(NamedTuple):
    """The rows of a file of structures as read (:func:`read_structure_rows`), one problem
    per line of a JSON Lines file that is not a structure (empty for other formats: their
    shape problems refuse the whole file), in the columns of an errors frame
    (:data:`~secpa_model.io.validation.ERROR_COLUMNS`), labelled by the row number it
    would have had, and where each row number is in the file; ``sha256()``: the file's
    bytes' sha256 (read when first asked, once)."""

    frame: pd.DataFrame
    problems: pd.DataFrame
    rows: RowLocations
    sha256: Callable[[], str]


def read_structure_rows(
    path: str | Path,
    *,
    model: Model | str | None = None,
    encoding: str | None = None,
    file_format: str | None = None,
) -> RowsRead:
    """The cells of a file of structures as read (``read_structures(path,
    validate=False)``), with the bad lines of a JSON Lines file given back as problems
    instead of refusing the file, so that a caller may report them beside the invalid rows.
    The rows of a JSON Lines file keep their numbers (a bad line's number is missing from
    the index); other files are numbered from 0. ``encoding``: as for
    :func:`read_structures`; ``file_format`` (``csv``, ``jsonl``, ``parquet``, ``excel``):
    the format of a file whose name has no known suffix, e.g. ``-``, standard input (see
    :func:`read_pieces`)."""
    reader = read_pieces(path, model, rows=_WHOLE_ROWS, encoding=encoding, file_format=file_format)
    whole = reader.whole()
    return RowsRead(whole.frame, whole.problems, reader.located, reader.sha256)


def read_structures(
    path: str | Path,
    *,
    validate: bool = True,
    model: Model | str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a file of structures (one row per structure, or per structure and year) into a
    DataFrame ready for :func:`~secpa_model.allocate_frame`; the format comes from the
    suffix (:mod:`secpa_model.io.formats`), and what is refused is listed in docs/trust.md.
    Rows keep the file's order, numbered from 0. ``encoding`` (CSV only): the text's
    encoding (default: UTF-8, else Windows-1252 with an
    :class:`~secpa_model.io.readers.EncodingFallbackWarning`).

    With ``validate=True`` (default) every cell is checked as by
    :func:`~secpa_model.allocate_frame`, any problem raising
    :class:`~secpa_model.InputError` (docs/frames.md, "Errors"), and the frame is typed
    by each input's kind; with ``validate=False`` the cells are returned as read (after the
    decimal-comma conversion).
    """
    resolved = resolve_model(model)
    read = read_structure_rows(path, model=resolved, encoding=encoding)
    if len(read.problems):
        raise problems_error(read.problems, read.rows)
    raw, rows = read.frame.reset_index(drop=True), read.rows
    if not validate:
        return raw
    try:
        validated = validate_frame(raw, resolved)
    except InputError as exc:
        raise rows.error(exc) from exc
    if len(validated.problems):
        raise problems_error(validated.problems, rows)
    return _typed_frame(resolved, raw, validated.columns, validated.years)


def _typed_frame(
    model: Model, raw: pd.DataFrame, columns: Columns, years: NDArray[np.int64] | None
) -> pd.DataFrame:
    """The validated frame: the engine columns turned back into typed pandas columns (each
    by its input's kind), the year, then the file's other columns as read."""
    index = raw.index
    typed: dict[str, pd.Series] = {
        item.name: KIND_RULES[item.kind].to_series(item, columns[item.name], index)
        for item in model.inputs
    }
    if years is not None:
        typed[YEAR_COLUMN] = KIND_RULES[YEAR.kind].to_series(YEAR, years, index)
    for name in raw.columns:
        if name not in typed:
            typed[str(name)] = raw[name]
    return pd.DataFrame(typed, index=index)


def write_allocations(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    index: bool | None = None,
    csv_style: CsvStyle = "default",
    manifest: Manifest | None = None,
    file_format: str | None = None,
) -> Path:
    """Write an :func:`~secpa_model.allocate_frame` result (or any frame) to ``path``, in
    the format of its suffix (``file_format``: when it has none, e.g. ``-``) and, for CSV,
    in ``csv_style`` (:data:`CsvStyle`); ``index=None`` writes the index only when it is
    not the default ``0..n-1``. Cent columns stay int64 and :func:`read_allocations` reads
    every format back exactly. ``manifest``: kept in the file (Parquet, Excel) or beside
    it (:func:`~secpa_model.io.manifest.sidecar`). Written whole or not at all
    (:func:`~secpa_model.io.output.atomic_paths`); nothing written is a live formula
    (docs/frames.md, "What the library writes is safe to open"). Returns the path written.
    """
    write_tables(
        [(frame, path, index)], csv_style=csv_style, file_format=file_format, manifest=manifest
    )
    return Path(path)


def write_tables(
    tables: Sequence[tuple[pd.DataFrame | str, str | Path, bool | None]],
    *,
    csv_style: CsvStyle = "default",
    file_format: str | None = None,
    manifest: Manifest | None = None,
) -> None:
    """Write each ``(frame, path, index)`` of ``tables`` as :func:`write_allocations`
    does (a text instead of a frame, an HTML page, is written as it is, in UTF-8), the
    files committed together (:func:`~secpa_model.io.output.atomic_paths`): every file is
    replaced, or (an error) none is. ``manifest``: kept in every table, or beside it when
    its format cannot hold one (:func:`~secpa_model.io.manifest.sidecar`), committed with
    the others."""
    if csv_style not in CSV_STYLES:
        raise ValueError(f"csv_style must be one of {', '.join(CSV_STYLES)}, got {csv_style!r}")
    frames = [path for item, path, _ in tables if not isinstance(item, str)]
    for path in frames:
        format_of(path, file_format).require("writing")
    if manifest is not None:
        beside = [sidecar(path, file_format) for path in frames]
        tables = [*tables, *((manifest.to_json(), path, None) for path in beside if path)]
    held = None if manifest is None else manifest.model_dump_json()
    with atomic_paths(*(path for _, path, _ in tables)) as temporaries:
        for (item, path, index), temporary in zip(tables, temporaries, strict=True):
            if isinstance(item, str):
                temporary.write_text(item, encoding="utf-8")
                continue
            if index is None:
                index = not item.index.equals(pd.RangeIndex(len(item)))
            fmt = format_of(path, file_format)
            with fmt.writer(temporary, index=index, csv_style=csv_style, name=Path(path)) as writer:
                writer.write(item)
                writer.manifest = held


def read_allocations(path: str | Path, *, model: Model | str | None = None) -> pd.DataFrame:
    """Read back a file written by :func:`write_allocations` with the result's types:
    text id (the ``model``'s id input) and ``reasons`` (empty when eligible), bool
    ``eligible`` and int64 ``*_cents`` columns (an error if a cent cell is not a whole
    number: never rounded). Other columns (an index written as a column, euro columns) are
    kept as read.

    A CSV file may be in either style of :func:`write_allocations` (detected from its
    header: semicolons mean the ``"fr"`` style, with decimal commas; a byte order mark is
    dropped). A CSV cell the writer quoted is given back as it was: one leading ``'`` is
    removed from every text cell (and header) that starts with one (the rule of
    :func:`write_allocations`); JSON Lines, Excel and Parquet cells are read as they are
    (a JSON Lines file that is not one object per line is refused, naming the lines)."""
    identifier = resolve_model(model).id_input
    file = Path(path)
    fmt = format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    fmt.require("reading")
    frame = fmt.read_written(file, {identifier: str, "reasons": str})
    missing = [name for name in (identifier, *_RESULT_TEXT) if name not in frame.columns]
    if missing:
        raise InputError(f"{file}: not an allocations file, missing columns {', '.join(missing)}")
    frame[identifier] = frame[identifier].astype(str)
    frame["reasons"] = frame["reasons"].fillna("").astype(str)
    frame["eligible"] = frame["eligible"].astype(bool)
    for name in [str(c) for c in frame.columns if str(c).endswith("_cents")]:
        values = pd.to_numeric(frame[name], errors="coerce")
        whole = values.notna() & (values == values.round())
        if not whole.all():
            bad = frame.index[~whole.to_numpy()][0]
            raise InputError(
                f"{file}: {name} must hold whole cents; row {bad} holds {frame[name][bad]!r}"
            )
        frame[name] = values.astype(np.int64)
    return frame
