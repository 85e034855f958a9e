"""Who is eligible, and why not (éligibilité).

« Les SEC doivent avoir une file active de 1 000 patients minimum [et] s'implanter
prioritairement dans ou à proximité de quartiers prioritaires de la politique de la ville
(QPV). » — cahier des charges, as summarised on the ministry's project page.

Every failed condition is reported (not only the first), as a bit in an int64 mask
per structure, so the batch path stays vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from secpa_model.parameters import ParameterSnapshot
from secpa_model.structures import KINDS, LOCATIONS, StructureColumns

ELIGIBLE_KINDS: Final[tuple[str, ...]] = ("msp", "centre_de_sante")
ELIGIBLE_LOCATIONS: Final[tuple[str, ...]] = ("in_qpv", "near_qpv")
PARAMETERS: Final[tuple[str, ...]] = ("eligibility.min_file_active",)


@dataclass(frozen=True)
class Condition:
    """One eligibility condition: its reason code (when it fails), bit, and wording."""

    code: str
    bit: int
    text_en: str
    text_fr: str


CONDITIONS: Final[tuple[Condition, ...]] = (
    Condition(
        "kind_not_eligible",
        1,
        "the structure is neither an MSP nor a centre de santé",
        "la structure n'est ni une MSP ni un centre de santé",
    ),
    Condition(
        "outside_qpv",
        2,
        "the structure is neither in nor near a QPV",
        "la structure n'est pas implantée dans ou à proximité d'un QPV",
    ),
    Condition(
        "file_active_below_minimum",
        4,
        "the general-medicine file active is below the minimum",
        "la file active en médecine générale est inférieure au minimum",
    ),
    Condition(
        "not_participating",
        8,
        "the structure does not participate on any day of the period",
        "la structure ne participe à l'expérimentation à aucun jour de la période",
    ),
)
CONDITION_BY_CODE: Final[dict[str, Condition]] = {c.code: c for c in CONDITIONS}
NOT_PARTICIPATING: Final[Condition] = CONDITION_BY_CODE["not_participating"]

# the bit each kind and location code fails (0 if eligible): one lookup per structure
_KIND_BITS = np.array(
    [0 if k in ELIGIBLE_KINDS else CONDITION_BY_CODE["kind_not_eligible"].bit for k in KINDS],
    dtype=np.int64,
)
_LOCATION_BITS = np.array(
    [0 if loc in ELIGIBLE_LOCATIONS else CONDITION_BY_CODE["outside_qpv"].bit for loc in LOCATIONS],
    dtype=np.int64,
)


def failed_conditions(columns: StructureColumns, params: ParameterSnapshot) -> NDArray[np.int64]:
    """The bit mask of failed conditions per structure on the day of ``params`` (0: eligible)."""
    mask: NDArray[np.int64] = _KIND_BITS[columns.kind] | _LOCATION_BITS[columns.location]
    minimum = params.count("eligibility.min_file_active")
    below = CONDITION_BY_CODE["file_active_below_minimum"].bit
    mask |= np.where(columns.file_active_mg >= minimum, 0, below)
    return mask


def codes_of(mask: int) -> list[str]:
    """The reason codes set in one structure's mask, in the order of :data:`CONDITIONS`."""
    return [c.code for c in CONDITIONS if mask & c.bit]


def reason_strings(masks: NDArray[np.int64]) -> NDArray[np.object_]:
    """Each mask as ``"code;code"`` ('' when eligible), vectorised through a lookup table."""
    size = 2 ** len(CONDITIONS)
    table = np.array([";".join(codes_of(m)) for m in range(size)], dtype=object)
    return table[masks]
