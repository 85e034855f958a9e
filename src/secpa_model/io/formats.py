"""The file formats of structures and allocations, each declared once: its suffixes, its
reader (in pieces), its writer (in pieces), how a written file is read back, and the
optional extra it needs. The readers, the writers, the command line's help texts and the
messages naming the known suffixes all derive from :data:`FORMATS`: a new format is one
entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from secpa_model.core.errors import InputError
from secpa_model.io import writers
from secpa_model.io.json_lines import JsonLinesReader
from secpa_model.io.readers import CsvReader, ExcelReader, ParquetReader, PieceReader
from secpa_model.model.model import Model

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "FileFormat",
    "format_names",
    "format_of",
    "open_reader",
    "suffix_list",
]


@dataclass(frozen=True)
class FileFormat:
    """One file format: its ``key``, its ``name`` (as messages name it), its ``suffixes``
    (the first is the one written by default), its ``reader`` of structures
    (:class:`PieceReader`; a CSV reader also takes ``encoding``), its ``writer``
    (:class:`~writers.PieceWriter`), how a file it wrote is read back
    (``read_written(path, text columns)``), and the optional dependency it needs, as
    ``(module, pip extra)``."""

    key: str
    name: str
    suffixes: tuple[str, ...]
    reader: Callable[..., PieceReader]
    writer: type[writers.PieceWriter]
    read_written: Callable[[Path, dict[str, type[str]]], pd.DataFrame]
    extra: tuple[str, str] | None = None

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
    writers.read_written_parquet,
)
EXCEL: Final = FileFormat(
    "excel",
    "Excel",
    (".xlsx",),
    ExcelReader,
    writers.ExcelWriter,
    writers.read_written_excel,
    ("openpyxl", "excel"),
)
FORMATS: Final[tuple[FileFormat, ...]] = (CSV, JSON_LINES, PARQUET, EXCEL)
"""Every format, in the order help texts list them."""
SUFFIXES: Final[dict[str, FileFormat]] = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
"""The format of each file suffix (lower case)."""


def suffix_list(*, last: str = ", ") -> str:
    """The known suffixes for a message or a help text: ``.csv, .jsonl, ...``; ``last``
    joins the last two (``" or "``)."""
    suffixes = list(SUFFIXES)
    return ", ".join(suffixes[:-1]) + last + suffixes[-1]


def format_names() -> str:
    """The formats' names for a help text: ``CSV, JSON Lines, Parquet or Excel``."""
    names = [fmt.name for fmt in FORMATS]
    return ", ".join(names[:-1]) + " or " + names[-1]


def format_of(path: Path) -> FileFormat:
    """The format of ``path`` by its suffix (an :class:`~secpa_model.InputError` for an
    unknown one)."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown file type {path.suffix!r} (known: {suffix_list()})")
    return fmt


def open_reader(
    path: str | Path, model: Model, *, rows: int, encoding: str | None = None
) -> PieceReader:
    """A reader of the file of structures ``path`` in pieces of at most ``rows`` rows
    (:class:`PieceReader`), its format from its suffix: an
    :class:`~secpa_model.InputError` for an unknown suffix, a missing file, an
    ``encoding`` given for a file that is not CSV, and whatever its reader refuses when
    opening it; an :class:`ImportError` naming a missing extra."""
    file = Path(path)
    fmt = format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    if encoding is not None and fmt is not CSV:
        raise InputError(f"{file}: an encoding is chosen for a CSV file only (this is {fmt.key})")
    fmt.require("reading")
    if fmt is CSV:
        return CsvReader(file, model, rows, encoding)
    return fmt.reader(file, model, rows)
