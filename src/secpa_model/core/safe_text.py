"""Text taken from data, made safe for where the library writes it: spreadsheets, Markdown,
terminals. Each helper does one job and leaves ordinary text (``synthetic-w1-01``,
``Professional interpreting``) exactly as it is.

* Spreadsheets (OWASP, CSV injection): :func:`quote_spreadsheet_text` prefixes a single
  quote ``'`` to a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return (:data:`FORMULA_STARTS`), and to one that starts with ``'`` itself, so that
  :func:`unquote_spreadsheet_text` (remove exactly one leading ``'``) always gives the
  original text back. :func:`starts_like_formula` says whether a text would be taken as a
  formula.
* Terminals: :func:`visible_controls` writes each control character (C0, DEL, C1, and the
  Unicode line separators and bidirectional controls) as a visible escape, ``\\x1b``.
* Markdown: :func:`single_line` turns line breaks into spaces; :func:`markdown_text` makes a
  text inert inline Markdown (no raw ``<``, ``>``, ``&``; backticks, ``|``, brackets,
  backslashes and ``$`` escaped); :func:`markdown_code` shows a text in a code span when
  nothing in it can break one, and as :func:`markdown_text` otherwise.
"""

from __future__ import annotations

import math
import re
import reprlib
import sys
from html import escape
from typing import Final

LISTING_BREAK: Final = "\n  "
"""What separates the problems listed in a message (:func:`~secpa_model.core.errors.listing`)."""

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet take a text cell as a formula (OWASP)."""

SPREADSHEET_QUOTE: Final = "'"
"""The prefix that keeps a spreadsheet cell text (and the one removed when reading back)."""

QUOTED_STARTS: Final = (*FORMULA_STARTS, SPREADSHEET_QUOTE)
"""The first characters of the texts :func:`quote_spreadsheet_text` prefixes."""

# C0, DEL and C1 controls; the Arabic letter mark, left-to-right and right-to-left marks;
# the line and paragraph separators; the bidirectional embeddings, overrides and isolates.
_BIDI: Final = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # direction marks, overrides
_BIDI_CONTROLS: Final = re.compile(f"[{_BIDI}]")
_CONTROLS: Final = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_LINE_BREAKS: Final = re.compile("[\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]")
_MARKDOWN_ENTITIES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN_ACTIVE: Final = re.compile("[&<>\\\\`|\\[\\]$]")
_CODE_BREAKERS: Final = re.compile("[`<>&|]")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` as a formula: it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return (:data:`FORMULA_STARTS`)."""
    return text.startswith(FORMULA_STARTS)


def quote_spreadsheet_text(text: str) -> str:
    """``text`` for a CSV cell: prefixed with ``'`` when it starts like a formula
    (:func:`starts_like_formula`) or with ``'``; unchanged otherwise.

    >>> quote_spreadsheet_text("=1+2"), quote_spreadsheet_text("'a"), quote_spreadsheet_text("a")
    ("'=1+2", "''a", 'a')
    """
    return SPREADSHEET_QUOTE + text if text.startswith(QUOTED_STARTS) else text


def unquote_spreadsheet_text(text: str) -> str:
    """The original of a cell written by :func:`quote_spreadsheet_text`: one leading ``'``
    removed, if there is one."""
    return text.removeprefix(SPREADSHEET_QUOTE)


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible_controls(text: str) -> str:
    """``text`` with each control character written as its escape: ``\\x1b`` for ESC
    (so no ANSI sequence reaches a terminal), ``\\x0a`` for a newline, ``\\x0d`` for a
    carriage return, ``\\u202e`` for a right-to-left override. Other text is unchanged."""
    return _CONTROLS.sub(_escape_control, text)


def html_escape(value: object, quote: bool = True) -> str:
    """:func:`html.escape` of ``str(value)``, its bidirectional controls (a right-to-left
    override U+202E, an isolate U+2066...) written as their escapes: a page shows the text
    in the order it was given, never reversed."""
    return escape(_BIDI_CONTROLS.sub(_escape_control, str(value)), quote)


def terminal_text(text: str, kept: str = LISTING_BREAK) -> str:
    """``text`` for a terminal: every control character escaped (:func:`visible_controls`:
    a file name's ESC, line break or right-to-left override too), but the breaks ``kept``
    (by default those of a listing of problems: a line break then two spaces)."""
    return kept.join(visible_controls(part) for part in text.split(kept))


def single_line(text: str) -> str:
    """``text`` on one line: each line break (and tab) replaced by a space."""
    return _LINE_BREAKS.sub(" ", text)


def _escape_markdown(match: re.Match[str]) -> str:
    character = match.group()
    return _MARKDOWN_ENTITIES.get(character) or "\\" + character


def markdown_text(text: object) -> str:
    """``text`` (its ``str``) as inert inline Markdown, also safe in a table cell: on one
    line (:func:`single_line`), other controls visible (:func:`visible_controls`), ``&``,
    ``<`` and ``>`` as HTML entities, and ``\\``, backticks, ``|``, ``[``, ``]`` and ``$``
    escaped with a backslash. Ordinary text is unchanged."""
    return _MARKDOWN_ACTIVE.sub(_escape_markdown, visible_controls(single_line(str(text))))


def markdown_code(text: object) -> str:
    """``text`` (its ``str``) in a code span when nothing in it can break one (no backtick,
    ``<``, ``>``, ``&``, ``|``, control character or line break, not empty, no space at
    either end); as escaped text (:func:`markdown_text`) otherwise, never in a code span."""
    shown = str(text)
    plain = (
        shown.strip() == shown
        and shown != ""
        and _CODE_BREAKERS.search(shown) is None
        and _CONTROLS.search(shown) is None
    )
    return f"`{shown}`" if plain else markdown_text(shown)


# ------------------------------------------------------------------- values in messages

MAX_SHOWN: Final = 300
"""The longest value a message quotes by default, in characters."""
_INTEGER_BITS: Final = math.ceil(sys.get_int_max_str_digits() * math.log2(10))


def digits_of(value: int) -> int:
    """The number of decimal digits of ``value``, about (without writing it out)."""
    return int(abs(value).bit_length() * math.log10(2)) + 1


def shortened(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` if at most ``limit`` characters, else its start and end around ``...``."""
    if len(text) <= limit:
        return text
    head = max(limit - 3, 0) * 2 // 3
    tail = max(limit - 3 - head, 0)
    return text[:head] + "..." + (text[-tail:] if tail else "")


class _Repr(reprlib.Repr):
    """:mod:`reprlib` that never converts a huge integer to text (a ValueError)."""

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _INTEGER_BITS:
            return f"<an integer of about {digits_of(x)} digits>"
        return super().repr_int(x, level)


_REPR: Final = _Repr()
_REPR.maxlevel = 3
_REPR.maxstring = MAX_SHOWN
_REPR.maxother = MAX_SHOWN
_REPR.maxlong = MAX_SHOWN


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` for a message, shortened to ``limit`` characters, whatever the value
    (an integer too long to be written is shown by its number of digits). The one way every
    error message of the library quotes a value."""
    try:
        text = _REPR.repr(value)
    except (ValueError, RecursionError):
        text = f"(a {type(value).__name__} too large to show)"
    return shortened(text, limit)
