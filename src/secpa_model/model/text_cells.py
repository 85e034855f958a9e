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


YEAR_MIX: Final = np.uint64(0xD6E8FEB86659FD93)
"""What spreads a year over a text key (``key ^ year * YEAR_MIX``; any odd number): the key
of an id and a year, in the validation's and the streamed batch's search for repeats."""


def text_keys(values: Any) -> NDArray[np.uint64]:
    """A 64-bit hash of each cell of a text column (a pandas text array, an Arrow array or
    an array of Python text; a missing cell hashed as ``""``), from all its UTF-8 bytes and
    nothing else: equal cells have equal keys, whatever column or piece they are in;
    distinct keys, distinct cells. Cells sharing a key are compared exactly by the users
    (the repeated ids of a frame, and of a streamed file)."""
    array = pa.array(values, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.fill_null("")
    _, offset_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[
        array.offset : array.offset + len(array) + 1
    ]
    begin, end = int(offsets[0]), int(offsets[-1])
    lengths = np.diff(offsets)
    shortest, longest = (int(lengths.min()), int(lengths.max())) if len(lengths) else (0, 0)
    if shortest == longest >= _WORD:
        keys = np.full(len(lengths), longest * _MIX % 2**64, dtype=np.uint64)
        # cells of one length (the usual ids): each word read in place, the last one from
        # the cell's last 8 bytes, shifted to its own bytes
        text = np.frombuffer(data_buffer, dtype=np.uint8)[begin:end]
        for at in range(0, longest, _WORD):
            start = min(at, longest - _WORD)
            word: NDArray[np.uint64] = np.ndarray(
                (len(lengths),), dtype="<u8", buffer=text, offset=start, strides=(longest,)
            )
            keys += (word >> np.uint64(8 * (at - start)) if at > start else word) * _multiplier(at)
        return keys
    keys = lengths.astype(np.uint64) * np.uint64(_MIX)
    padded = np.zeros(end - begin + _WORD, dtype=np.uint8)
    if data_buffer is not None:
        padded[: end - begin] = np.frombuffer(data_buffer, dtype=np.uint8)[begin:end]
    # the 8-byte word starting at each byte: a view of the text
    words: NDArray[np.uint64] = np.ndarray(
        (len(padded) - _WORD + 1,), dtype="<u8", buffer=padded, strides=(1,)
    )
    starts = offsets[:-1] - begin
    for at in range(0, longest, _WORD):
        word = words[np.minimum(starts + at, len(words) - 1)]
        if at + _WORD > shortest:  # some cells end in this word or before: their bytes only
            word &= _PREFIX[np.clip(lengths - at, 0, _WORD)]
        keys += word * _multiplier(at)
    return keys


_WORD: Final = 8  # a key reads a cell's bytes 8 at a time, as little-endian 64-bit words
_MIX: Final = 0x9E3779B97F4A7C15
_PREFIX: Final = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [2**64 - 1], dtype=np.uint64)
"""The mask of a word's first n bytes, n = 0..8."""


def _multiplier(at: int) -> np.uint64:
    """The multiplier of a cell's word at byte ``at``: an odd number drawn from the word's
    rank (SplitMix64). A key is the cell's length and words, each times its own multiplier,
    summed (wrapping): cells differing in one word never share a key, and the ranks'
    multipliers are unrelated, so that ids counting up (differing in two) do not either."""
    word = (_MIX * (at // _WORD + 1)) % 2**64
    word = ((word ^ (word >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
    word = ((word ^ (word >> 27)) * 0x94D049BB133111EB) % 2**64
    return np.uint64((word ^ (word >> 31)) | 1)
