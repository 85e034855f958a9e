"""The file formats of structures and allocations, each declared once: its suffixes, its
reader (in pieces), its writer (in pieces), how a written file is read back, and the
optional extra it needs. The readers, the writers, the command line's help texts and the
messages naming the known suffixes all derive from :data:`FORMATS`: a new format is one
entry here.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import stat
import sys
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import pandas as pd

from secpa_model.core.errors import InputError
from secpa_model.io import writers
from secpa_model.io.json_lines import JsonLinesReader
from secpa_model.io.output import STDOUT, is_stream, release_temporary, temporary_file
from secpa_model.io.readers import PIECE_ROWS, CsvReader, ExcelReader, ParquetReader, PieceReader
from secpa_model.model.model import Model
from secpa_model.models import resolve_model

if sys.platform == "win32":  # pragma: no cover
    from pathlib import WindowsPath as _NativePath
else:
    from pathlib import PosixPath as _NativePath

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "FileFormat",
    "format_keys",
    "format_named",
    "format_names",
    "format_of",
    "read_pieces",
    "suffix_list",
]


@dataclass(frozen=True)
class FileFormat:
    """One file format: its ``key``, its ``name`` (as messages name it), its ``suffixes``
    (the first is the one written by default), its ``reader`` of structures
    (:class:`PieceReader`; a CSV reader also takes ``encoding``), its ``writer``
    (:class:`~writers.PieceWriter`), how a file it wrote is read back
    (``read_written(path, text columns)``), the optional dependency it needs, as
    ``(module, pip extra)``, and how the manifest it holds is read (None: it holds none,
    the manifest is beside it)."""

    key: str
    name: str
    suffixes: tuple[str, ...]
    reader: Callable[..., PieceReader]
    writer: type[writers.PieceWriter]
    read_written: Callable[[Path, dict[str, type[str]]], pd.DataFrame]
    extra: tuple[str, str] | None = None
    read_manifest: Callable[[Path], str] | None = None

    def require(self, action: str) -> None:
        """An :class:`ImportError` naming the extra to install if the format's optional
        dependency is missing (``action``: "reading" or "writing")."""
        if self.extra is None:
            return
        module, extra = self.extra
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ImportError(
                f"{action} {self.name} files needs the optional dependency {module}: "
                f"install it with pip install 'secpa-model[{extra}]'"
            ) from exc


CSV: Final = FileFormat(
    "csv", "CSV", (".csv",), CsvReader, writers.CsvWriter, writers.read_written_csv
)
JSON_LINES: Final = FileFormat(
    "jsonl",
    "JSON Lines",
    (".jsonl",),
    JsonLinesReader,
    writers.JsonLinesWriter,
    writers.read_written_lines,
)
PARQUET: Final = FileFormat(
    "parquet",
    "Parquet",
    (".parquet", ".pq"),
    ParquetReader,
    writers.ParquetWriter,
    lambda file, _: pd.read_parquet(file),
    read_manifest=writers.parquet_manifest,
)
EXCEL: Final = FileFormat(
    "excel",
    "Excel",
    (".xlsx",),
    ExcelReader,
    writers.ExcelWriter,
    writers.read_written_excel,
    ("openpyxl", "excel"),
    writers.excel_manifest,
)
FORMATS: Final[tuple[FileFormat, ...]] = (CSV, JSON_LINES, PARQUET, EXCEL)
"""Every format, in the order help texts list them."""
SUFFIXES: Final[dict[str, FileFormat]] = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
"""The format of each file suffix (lower case)."""
_BLOCK: Final = 1 << 20  # bytes copied at a time from an input stream


def _listed(items: list[str], last: str) -> str:
    return ", ".join(items[:-1]) + last + items[-1]


def suffix_list(*, last: str = ", ") -> str:
    """The known suffixes for a message or a help text: ``.csv, .jsonl, ...``; ``last``
    joins the last two (``" or "``)."""
    return _listed(list(SUFFIXES), last)


def format_names() -> str:
    """The formats' names for a help text: ``CSV, JSON Lines, Parquet or Excel``."""
    return _listed([fmt.name for fmt in FORMATS], " or ")


def format_keys() -> str:
    """The formats' keys for a message or a help text: ``csv, jsonl, parquet, excel``."""
    return _listed([fmt.key for fmt in FORMATS], ", ")


def format_named(name: str) -> FileFormat:
    """The format called ``name``: its key (``csv``, ``jsonl``, ``parquet``, ``excel``) or
    one of its suffixes without the dot (``xlsx``, ``pq``), any case (an
    :class:`~secpa_model.InputError` naming the known ones otherwise)."""
    wanted = name.strip().lower().removeprefix(".")
    for fmt in FORMATS:
        if wanted == fmt.key or f".{wanted}" in fmt.suffixes:
            return fmt
    raise InputError(f"unknown file format {name!r} (known: {format_keys()})")


def format_of(path: str | Path, fallback: str | None = None) -> FileFormat:
    """The format of ``path`` by its suffix, else the format named ``fallback`` (see
    :func:`format_named`; what ``--from`` and ``--to`` give); an
    :class:`~secpa_model.InputError` for an unknown suffix without a ``fallback``, and for
    ``-`` (a standard stream has no suffix) without one."""
    file = Path(path)
    fmt = SUFFIXES.get(file.suffix.lower()) if str(path) != STDOUT else None
    if fmt is not None:
        return fmt
    if fallback is not None:
        return format_named(fallback)
    if str(path) == STDOUT:
        raise InputError(
            f"-: a standard stream has no file type: give its format ({format_keys()}; "
            "--from for the input, --to for an output)"
        )
    raise InputError(f"{file}: unknown file type {file.suffix!r} (known: {suffix_list()})")


def read_pieces(
    path: str | Path,
    model: Model | str | None = None,
    *,
    rows: int = PIECE_ROWS,
    encoding: str | None = None,
    file_format: str | None = None,
) -> PieceReader:
    """The file of structures ``path`` read in pieces of at most ``rows`` rows: iterate the
    reader for its :class:`~secpa_model.io.readers.Piece` s (``frame``: the cells as
    :func:`~secpa_model.io.files.read_structures` reads them with ``validate=False``,
    labelled by their row numbers in the file; ``problems``: the lines of a JSON Lines file
    among them that are not a structure), each time reading the file again; its ``located``
    says where each row is (once a reading went through the file) and ``columns`` what the
    file holds. ``model``: whose id column is read as text in an Excel sheet and whose
    number columns take decimal commas in a semicolon CSV (default: the experimentation).

    Memory does not grow with the file (an Excel sheet is read whole first); a file refused
    whole is refused when the problem is met, which may be after some pieces (see
    :class:`~secpa_model.io.readers.PieceReader`). The format comes from the suffix, else
    ``file_format`` (:func:`format_of`): an :class:`~secpa_model.InputError` for an unknown
    format, a missing file, an ``encoding`` given for a file that is not CSV, and whatever
    its reader refuses when opening it; an :class:`ImportError` naming a missing extra.

    ``-`` reads standard input; a FIFO or a character device (``/dev/stdin``) is read too.
    Such a stream is first copied, a block at a time, into a temporary file (in
    :func:`tempfile.gettempdir`), which the reader reads (as many times as it must)
    instead, and which is removed when the reader is released or the process ends:
    memory stays flat, the temporary directory holds one copy of the input. Messages
    name the stream (``standard input``), not the copy."""
    resolved = resolve_model(model)
    fmt = format_of(path, file_format)
    file = Path(path)
    if str(path) != STDOUT:
        try:
            mode = file.stat().st_mode
        except OSError:
            raise InputError(f"{file}: no such file") from None
        if not (stat.S_ISREG(mode) or is_stream(mode)):
            raise InputError(f"{file}: not a file")
    if encoding is not None and fmt is not CSV:
        raise InputError(f"{file}: an encoding is chosen for a CSV file only (this is {fmt.key})")
    fmt.require("reading")
    copy = None
    if str(path) == STDOUT or not file.is_file():
        copy = file = _stream_copy(path, fmt)
    try:
        reader = (
            CsvReader(file, resolved, rows, encoding)
            if fmt is CSV
            else fmt.reader(file, resolved, rows)
        )
    except BaseException:
        if copy is not None:
            release_temporary(copy)
        raise
    if copy is not None:
        weakref.finalize(reader, release_temporary, Path(os.fspath(copy)))
    return reader


STDIN_NAME: Final = "standard input"
"""How a message names the input ``-``."""


class _ShownAs(_NativePath):
    """The path of a copy of a stream, shown (``str``, messages) as the stream's name,
    opened (:func:`os.fspath`) as the copy."""

    shown = ""

    def __str__(self) -> str:
        return self.shown or super().__str__()

    def __fspath__(self) -> str:
        return super().__str__()


def _stream_copy(path: str | Path, fmt: FileFormat) -> Path:
    """A temporary copy of the stream ``path`` (``-``: standard input), named as it."""
    copy = temporary_file(Path(tempfile.gettempdir()) / f"secpa-model-input{fmt.suffixes[0]}")
    try:
        with contextlib.ExitStack() as stack:
            if str(path) == STDOUT:
                source: BinaryIO = sys.stdin.buffer
            else:
                source = stack.enter_context(Path(path).open("rb"))
            with copy.open("wb") as sink:
                shutil.copyfileobj(source, sink, _BLOCK)
    except OSError as exc:
        release_temporary(copy)
        name = STDIN_NAME if str(path) == STDOUT else str(path)
        raise InputError(f"{name}: cannot read the input: {exc.strerror or exc}") from None
    except BaseException:
        release_temporary(copy)
        raise
    shown = _ShownAs(copy)
    shown.shown = STDIN_NAME if str(path) == STDOUT else str(path)
    return shown
