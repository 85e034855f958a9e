"""Text in Arrow: the one store of the library's text columns.

A frame's columns are read as Arrow arrays (:func:`secpa_model.model.inputs.arrow_column`)
and their text answered by ``pyarrow.compute``, with no Python object per cell. Python's
``str.strip`` (a ``Structure``'s) and Arrow's ``utf8_trim_whitespace`` remove exactly the
same whitespace (a test checks every code point). This module holds what the text columns
of a result share: their pandas dtype, a few texts looked up many times
(:class:`TextTable`) and the 64-bit keys of an id column (:func:`text_keys`).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

_DEFAULT_TEXT = pd.Series(["text"]).dtype
TEXT_DTYPE: Final = (
    _DEFAULT_TEXT
    if isinstance(_DEFAULT_TEXT, pd.StringDtype) and _DEFAULT_TEXT.storage == "pyarrow"
    else pd.StringDtype("pyarrow")
)
"""The dtype of text columns, Arrow-backed: ``str`` in pandas 3, ``string[pyarrow]`` in
pandas 2."""

_WRAPPED: Final[dict[str, Any]] = (
    {"dtype": TEXT_DTYPE}
    if "dtype" in inspect.signature(pd.arrays.ArrowStringArray).parameters
    else {}
)
"""How an Arrow array is wrapped as a :data:`TEXT_DTYPE` array (pandas 3 names the dtype)."""


def text_array(array: Any) -> Any:
    """An Arrow text array as a pandas text array (:data:`TEXT_DTYPE`), wrapped as it is."""
    return pd.arrays.ArrowStringArray(array, **_WRAPPED)


class TextTable:
    """A few texts, looked up by position many times (the reasons of a result)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._arrow = pa.array(list(texts), type=pa.large_string())

    def take(self, positions: NDArray[np.integer[Any]]) -> Any:
        """The text at each position, as a pandas text array (:data:`TEXT_DTYPE`)."""
        return text_array(self._arrow.take(positions))


def text_keys(values: Any) -> NDArray[np.uint64]:
    """A 64-bit key per cell of a column of text with no missing cell (a pandas text
    array or an array of Python text), equal for equal cells: distinct keys, distinct
    cells; equal keys, perhaps equal cells. A key mixes a cell's length, first and last 8
    bytes."""
    if hasattr(values, "__arrow_array__"):
        array = pa.array(values)
    else:
        array = pa.array(np.asarray(values, dtype=object), type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    _, offset_buffer, data_buffer = array.buffers()
    offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    window = np.frombuffer(offset_buffer, dtype=offset_type)
    offsets: NDArray[np.int64] = window[array.offset : array.offset + len(array) + 1].astype(
        np.int64, copy=False
    )
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else None
    return _byte_keys(data, offsets)


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
