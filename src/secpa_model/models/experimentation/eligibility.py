"""Who is eligible under the experimentation, and why not (éligibilité).

« Les SEC doivent avoir une file active de 1 000 patients minimum [et] s'implanter
prioritairement dans ou à proximité de quartiers prioritaires de la politique de la ville
(QPV). » — cahier des charges, as summarised on the ministry's project page.

Both kinds of structure (MSP and centre de santé) are eligible, and ``kind`` accepts only
those, so no condition tests it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from secpa_model.model.eligibility import Condition
from secpa_model.model.parameters import ParameterSnapshot
from secpa_model.model.rules import RuleInputs, RuleParameters

ELIGIBLE_LOCATIONS: Final = ("in_qpv", "near_qpv")
MIN_FILE_ACTIVE: Final = "eligibility.min_file_active"


def _outside_qpv(inputs: RuleInputs, params: RuleParameters) -> NDArray[np.bool_]:
    # « s'implanter prioritairement dans ou à proximité de quartiers prioritaires »
    return ~inputs.is_in("location", ELIGIBLE_LOCATIONS)


def _below_minimum(inputs: RuleInputs, params: RuleParameters) -> NDArray[np.bool_]:
    # « une file active de 1 000 patients minimum »
    result: NDArray[np.bool_] = inputs["file_active_mg"] < params.count(MIN_FILE_ACTIVE)
    return result


def _location_detail(values: Mapping[str, Any], _: Sequence[ParameterSnapshot]) -> str:
    return f"location is {values['location']!r}"


def _minimum_detail(values: Mapping[str, Any], snapshots: Sequence[ParameterSnapshot]) -> str:
    minimums = sorted({snapshot.count(MIN_FILE_ACTIVE) for snapshot in snapshots})
    return (
        f"file_active_mg is {values['file_active_mg']}, minimum "
        f"{' / '.join(str(m) for m in minimums)} patients"
    )


CONDITIONS: Final = (
    Condition(
        "outside_qpv",
        "the structure is neither in nor near a QPV",
        "la structure n'est pas implantée dans ou à proximité d'un QPV",
        inputs=("location",),
        fails=_outside_qpv,
        detail=_location_detail,
    ),
    Condition(
        "file_active_below_minimum",
        "the general-medicine file active is below the minimum",
        "la file active en médecine générale est inférieure au minimum",
        inputs=("file_active_mg",),
        parameters=(MIN_FILE_ACTIVE,),
        fails=_below_minimum,
        detail=_minimum_detail,
    ),
)
"""The experimentation's eligibility conditions, in the order reasons are listed."""
