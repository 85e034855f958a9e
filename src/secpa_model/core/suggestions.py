"""'Did you mean' for a name that is not known: the closest known name, if one is close."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Final

HINT_CUTOFF: Final = 0.6
"""How alike (difflib's ratio, case ignored) a known name must be to be suggested."""


def closest_name(name: str, known: Sequence[str], cutoff: float = HINT_CUTOFF) -> str | None:
    """The known name closest to ``name`` (case ignored) if it is at least ``cutoff``
    alike, else None."""
    lowered = {candidate.lower(): candidate for candidate in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[close[0]] if close else None


def did_you_mean(name: str, known: Sequence[str], cutoff: float = HINT_CUTOFF) -> str:
    """``"did you mean 'x'?"`` for the closest known name, or an empty string."""
    found = closest_name(name, known, cutoff)
    return f"did you mean {found!r}?" if found else ""
