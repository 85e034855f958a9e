"""Eligibility declared once (éligibilité): conditions a structure must meet to be paid.

Each :class:`Condition` has a reason code, its wording in English and French, the inputs
and parameters it reads, and a vectorised test of failure. Every failed condition is
reported (not only the first), as a bit of an int64 mask per structure, so the batch path
stays vectorised; the engine adds :data:`NOT_PARTICIPATING` for a structure with no day in
the period.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from secpa_model.core.errors import ModelError
from secpa_model.model.parameters import ParameterSnapshot
from secpa_model.model.rules import RuleInputs, RuleParameters

Test = Callable[[RuleInputs, RuleParameters], NDArray[np.bool_]]
"""A condition's test: True where a structure **fails** it."""
Detail = Callable[[Mapping[str, Any], Sequence[ParameterSnapshot]], str]
"""The detail of a failed condition for one structure: its input values and the parameter
values in force on its days."""

_CODE: Final = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Condition:
    """One eligibility condition (condition d'éligibilité): its reason code when it fails,
    wording, what it reads and its test (True where a structure fails)."""

    code: str
    text_en: str
    text_fr: str
    inputs: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    fails: Test | None = None
    detail: Detail | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE.fullmatch(self.code):
            raise ModelError(f"condition code {self.code!r}: lower-case letters, digits and '_'")

    def message(self, detail: str) -> str:
        """The reason a person reads: the English text, the detail, the French text."""
        return f"{self.text_en} ({detail}); {self.text_fr}"


NOT_PARTICIPATING: Final = Condition(
    "not_participating",
    "the structure does not participate on any day of the period",
    "la structure ne participe à l'expérimentation à aucun jour de la période",
)
"""Added by the engine to every model: no day of the period between entry and exit."""


MAX_TABLE_CONDITIONS: Final = 12
"""Up to this many conditions, every mask's text is spelled once in a table (4 096 rows)."""


def _spelled(mask: int, codes: tuple[str, ...]) -> str:
    return ";".join(code for bit, code in enumerate(codes) if mask >> bit & 1)


@lru_cache(maxsize=16)
def reason_table(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The text of every mask of ``codes`` (bit ``i`` is ``codes[i]``), by mask value."""
    return tuple(_spelled(mask, codes) for mask in range(2 ** len(codes)))


def reason_texts(masks: NDArray[np.int64], codes: tuple[str, ...]) -> NDArray[np.object_]:
    """Each mask as ``"code;code"`` ('' when eligible), in the order of ``codes``."""
    if len(codes) <= MAX_TABLE_CONDITIONS:
        return np.array(reason_table(codes), dtype=object)[masks]
    distinct, inverse = np.unique(masks, return_inverse=True)
    spelled = np.array([_spelled(int(mask), codes) for mask in distinct], dtype=object)
    return spelled[inverse.reshape(masks.shape)]
