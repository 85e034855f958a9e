"""A column of text cells, read where pandas stores it (Arrow or Python objects).

The frame validation asks a few questions of a text column: is a cell missing or blank,
does it match a pattern, what number or day does it write, which of a few words is it.
:class:`TextCells` answers them in one vocabulary over two stores:

* :class:`ArrowCells`: an Arrow-backed column (pandas' default text with pyarrow
  installed), answered by ``pyarrow.compute`` on the Arrow array itself: no Python object
  per cell, no pandas operation per question;
* :class:`PandasCells`: any other text column (pandas' Python-backed text), answered by
  pandas' ``.str`` methods.

Both answer as pandas' own ``.str`` methods answer for that store (pandas runs the same
``pyarrow.compute`` functions on an Arrow column), and Python and Arrow strip exactly the
same whitespace (a test checks every code point). A cell's number is read by a correctly
rounded parser in both (Arrow's cast, Python's ``float``): the float a ``Structure`` gets
from the same text.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

_DEFAULT_TEXT = pd.Series(["text"]).dtype
TEXT_DTYPE: Final = _DEFAULT_TEXT if isinstance(_DEFAULT_TEXT, pd.StringDtype) else pd.StringDtype()
"""The dtype of text columns: ``str`` in pandas 3, ``string`` in pandas 2."""

_ARROW_TEXT: Final = (
    TEXT_DTYPE.storage == "pyarrow"
    and "dtype" in inspect.signature(pd.arrays.ArrowStringArray).parameters
)
"""Whether an Arrow array can be wrapped as a text column as it is (pandas 3 with pyarrow)."""


class TextTable:
    """A few texts, looked up by position many times (the reasons of a result): one
    ``take`` in Arrow where pandas keeps text in Arrow, else through pandas."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.array: Any = pd.array(list(texts), dtype=TEXT_DTYPE)
        self._arrow: Any = None
        if _ARROW_TEXT:
            import pyarrow as pa

            self._arrow = pa.array(list(texts), type=pa.large_string())

    def take(self, positions: NDArray[np.integer[Any]]) -> Any:
        """The text at each position, as a pandas text array (:data:`TEXT_DTYPE`)."""
        if self._arrow is None:
            return self.array.take(positions)
        taken = self._arrow.take(positions)
        return pd.arrays.ArrowStringArray(taken, dtype=TEXT_DTYPE)  # type: ignore[call-arg]


class TextCells(ABC):
    """The cells of a text column (missing cells allowed), by position."""

    @staticmethod
    def of(series: pd.Series) -> TextCells:
        """The cells of a text-typed column (a pandas ``StringDtype``)."""
        dtype = series.dtype
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            import pyarrow as pa

            return ArrowCells(pa.array(series.array))
        return PandasCells(series.reset_index(drop=True))

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def stripped(self) -> TextCells:
        """The cells without their leading and trailing whitespace."""

    @abstractmethod
    def lower(self) -> TextCells:
        """The cells in lower case."""

    @abstractmethod
    def empty(self) -> NDArray[np.bool_]:
        """Where a cell is missing or the empty text (blank: ``stripped().empty()``)."""

    @abstractmethod
    def fullmatch(self, pattern: str) -> NDArray[np.bool_]:
        """Where a cell matches ``pattern`` whole (False where missing)."""

    @abstractmethod
    def isin(self, words: Sequence[str]) -> NDArray[np.bool_]:
        """Where a cell is one of ``words``."""

    @abstractmethod
    def numbers(self, where: NDArray[np.bool_]) -> NDArray[np.float64]:
        """The number each cell of ``where`` writes (stripped cells that match a plain
        decimal number), NaN elsewhere."""

    @abstractmethod
    def whole_numbers(self, start: int, stop: int, where: NDArray[np.bool_]) -> NDArray[np.int64]:
        """The whole number written by characters ``start:stop`` of each cell of ``where``
        (ASCII digits there), 1 elsewhere."""

    @abstractmethod
    def factorize(self) -> tuple[NDArray[np.intp], list[str]]:
        """Each cell's code into the distinct cells (-1 where missing), and those cells."""

    @abstractmethod
    def cell(self, position: int) -> str:
        """One cell (not missing) as Python text."""

    def exact_codes(self, choices: Sequence[str]) -> NDArray[np.intp] | None:
        """Each cell's position among ``choices`` when every cell is exactly one of them,
        else None (and None where the store offers no fast way)."""
        return None

    def keys(self) -> NDArray[np.uint64] | None:
        """A 64-bit key per cell, equal for equal cells (distinct keys: distinct cells;
        equal keys: perhaps equal cells), or None where the store offers no fast way."""
        return None

    @abstractmethod
    def objects(self) -> NDArray[np.object_]:
        """The cells as Python text, None where missing."""

    @abstractmethod
    def text_array(self, filler: str) -> Any:
        """The cells as a pandas text array (:data:`TEXT_DTYPE`), ``filler`` where missing."""


class ArrowCells(TextCells):
    """Cells of an Arrow array, answered by ``pyarrow.compute``."""

    def __init__(self, array: Any) -> None:
        import pyarrow as pa

        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def _compute(self) -> Any:
        import pyarrow.compute as pc

        return pc

    def _mask(self, result: Any) -> NDArray[np.bool_]:
        if result.null_count:
            result = result.fill_null(False)
        mask: NDArray[np.bool_] = result.to_numpy(zero_copy_only=False)
        return mask

    def stripped(self) -> TextCells:
        return ArrowCells(self._compute().utf8_trim_whitespace(self.array))

    def lower(self) -> TextCells:
        return ArrowCells(self._compute().utf8_lower(self.array))

    def empty(self) -> NDArray[np.bool_]:
        lengths = self._compute().binary_length(self.array)
        if lengths.null_count:
            lengths = lengths.fill_null(0)
        empty: NDArray[np.bool_] = lengths.to_numpy(zero_copy_only=False) == 0
        return empty

    def fullmatch(self, pattern: str) -> NDArray[np.bool_]:
        # anchored as pandas' .str.fullmatch anchors it on an Arrow column
        matched = self._compute().match_substring_regex(self.array, pattern=f"^({pattern})$")
        return self._mask(matched)

    def isin(self, words: Sequence[str]) -> NDArray[np.bool_]:
        import pyarrow as pa

        found = self._compute().is_in(self.array, value_set=pa.array(list(words), self.array.type))
        return self._mask(found)

    def numbers(self, where: NDArray[np.bool_]) -> NDArray[np.float64]:
        import pyarrow as pa

        pc = self._compute()
        chosen = pc.if_else(pa.array(where), self.array, None)
        values: NDArray[np.float64] = (
            pc.cast(chosen, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        )
        return values

    def whole_numbers(self, start: int, stop: int, where: NDArray[np.bool_]) -> NDArray[np.int64]:
        import pyarrow as pa

        pc = self._compute()
        part = pc.utf8_slice_codeunits(self.array, start=start, stop=stop)
        chosen = pc.if_else(pa.array(where), part, "1")
        numbers: NDArray[np.int64] = pc.cast(chosen.fill_null("1"), pa.int64()).to_numpy(
            zero_copy_only=False
        )
        return numbers

    def factorize(self) -> tuple[NDArray[np.intp], list[str]]:
        encoded = self._compute().dictionary_encode(self.array)
        indices = encoded.indices.fill_null(-1) if encoded.null_count else encoded.indices
        codes = indices.to_numpy(zero_copy_only=False).astype(np.intp)
        return codes, [str(value) for value in encoded.dictionary.to_pylist()]

    def cell(self, position: int) -> str:
        return str(self.array[position].as_py())

    def objects(self) -> NDArray[np.object_]:
        return np.array(self.array.to_pylist(), dtype=object)

    def exact_codes(self, choices: Sequence[str]) -> NDArray[np.intp] | None:
        import pyarrow as pa

        found = self._compute().index_in(
            self.array, value_set=pa.array(list(choices), type=self.array.type)
        )
        if found.null_count:
            return None
        codes: NDArray[np.intp] = found.to_numpy(zero_copy_only=False).astype(np.intp)
        return codes

    def keys(self) -> NDArray[np.uint64] | None:
        import pyarrow as pa

        array = self.array
        if array.null_count or not (
            pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
        ):
            return None
        _, offset_buffer, data_buffer = array.buffers()
        offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
        window = np.frombuffer(offset_buffer, dtype=offset_type)
        offsets: NDArray[np.int64] = window[array.offset : array.offset + len(array) + 1].astype(
            np.int64, copy=False
        )
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else None
        return _byte_keys(data, offsets)

    def text_array(self, filler: str) -> Any:
        array = self.array.fill_null(filler) if self.array.null_count else self.array
        if _ARROW_TEXT:  # wrapped as it is, not converted
            return pd.arrays.ArrowStringArray(array, dtype=TEXT_DTYPE)  # type: ignore[call-arg]
        return pd.array(array, dtype=TEXT_DTYPE)


class PandasCells(TextCells):
    """Cells of a pandas text column (Python-backed), answered by its ``.str`` methods."""

    def __init__(self, series: pd.Series) -> None:
        self.series = series

    def __len__(self) -> int:
        return len(self.series)

    def stripped(self) -> TextCells:
        return PandasCells(self.series.str.strip())

    def lower(self) -> TextCells:
        return PandasCells(self.series.str.lower())

    def empty(self) -> NDArray[np.bool_]:
        empty = self.series.isna() | (self.series == "")
        return empty.to_numpy(dtype=np.bool_, na_value=True)

    def fullmatch(self, pattern: str) -> NDArray[np.bool_]:
        matched = self.series.str.fullmatch(pattern)
        return matched.to_numpy(dtype=np.bool_, na_value=False)

    def isin(self, words: Sequence[str]) -> NDArray[np.bool_]:
        return self.series.isin(list(words)).to_numpy(dtype=np.bool_)

    def numbers(self, where: NDArray[np.bool_]) -> NDArray[np.float64]:
        values = np.full(len(self.series), np.nan, dtype=np.float64)
        cells = self.series.to_numpy(dtype=object)
        values[where] = [float(str(text)) for text in cells[where]]
        return values

    def whole_numbers(self, start: int, stop: int, where: NDArray[np.bool_]) -> NDArray[np.int64]:
        numbers = np.ones(len(self.series), dtype=np.int64)
        cells = self.series.to_numpy(dtype=object)
        numbers[where] = [int(str(text)[start:stop]) for text in cells[where]]
        return numbers

    def factorize(self) -> tuple[NDArray[np.intp], list[str]]:
        codes, uniques = pd.factorize(self.series)
        return np.asarray(codes, dtype=np.intp), [str(value) for value in uniques]

    def cell(self, position: int) -> str:
        return str(self.series.iloc[position])

    def objects(self) -> NDArray[np.object_]:
        cells = self.series.to_numpy(dtype=object)
        cells[self.series.isna().to_numpy(dtype=np.bool_)] = None
        return cells

    def text_array(self, filler: str) -> Any:
        series = self.series.fillna(filler) if self.series.hasnans else self.series
        return pd.array(series.to_numpy(dtype=object), dtype=TEXT_DTYPE)


_KEY_BYTES: Final = 8  # a cell's key mixes its length, first and last 8 bytes (one uint64 each)
_FULL_WORD: Final = (1 << 64) - 1
_PREFIX_MASKS: Final = np.array(
    [(1 << (8 * count)) - 1 for count in range(_KEY_BYTES)] + [_FULL_WORD], dtype=np.uint64
)
"""The mask of a word's first ``count`` bytes (little-endian), all bytes from 8 on."""
# odd multipliers that spread the words over the key: equal cells get equal keys whatever
# they are; odd ones keep the key one-to-one in each word, so that unequal cells rarely
# share a key (and those that do are compared exactly)
_MIX: Final = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
)


def _mixed(
    head: NDArray[np.uint64], tail: NDArray[np.uint64], lengths: NDArray[np.int64]
) -> NDArray[np.uint64]:
    """One key per cell from its first word, last word and length (wrapping arithmetic)."""
    key = head * _MIX[0]
    key += tail * _MIX[1]
    key += lengths.astype(np.uint64) * _MIX[2]
    return key


def _byte_keys(data: NDArray[np.uint8] | None, offsets: NDArray[np.int64]) -> NDArray[np.uint64]:
    """The key of each cell of an Arrow text buffer (``data`` and its ``offsets``): its
    length, its first and its last 8 bytes (the first bytes only, for a shorter cell),
    mixed."""
    begin, end = int(offsets[0]), int(offsets[-1])
    text = data[begin:end] if data is not None else np.zeros(0, dtype=np.uint8)
    lengths = np.diff(offsets)
    width = int(lengths[0]) if len(lengths) else 0
    if width >= _KEY_BYTES and (lengths == width).all():
        # cells of one length (the usual ids): their first and last words read in place
        def words_at(start: int) -> NDArray[np.uint64]:
            view: NDArray[np.uint64] = np.ndarray(
                (len(lengths),), dtype="<u8", buffer=text, offset=start, strides=(width,)
            )
            return view

        return _mixed(words_at(0), words_at(width - _KEY_BYTES), lengths)
    padded = np.concatenate([text, np.zeros(_KEY_BYTES, dtype=np.uint8)])
    # the 8-byte word starting at every byte of the text: a view, read by the gathers below
    words: NDArray[np.uint64] = np.ndarray(
        (len(padded) - _KEY_BYTES + 1,), dtype="<u8", buffer=padded, strides=(1,)
    )
    starts = offsets[:-1] - begin
    head = words[starts] & _PREFIX_MASKS[np.minimum(lengths, _KEY_BYTES)]
    last = words[np.maximum(starts + lengths - _KEY_BYTES, 0)]
    tail = np.where(lengths > _KEY_BYTES, last, 0)  # a short cell is all in its head
    return _mixed(head, tail, lengths)
