"""Dotation 3: professional interpreting, in person and by telephone
(dotation de recours à l'interprétariat professionnel)."""

from __future__ import annotations

from typing import Final

import numpy as np

from secpa_model.parameters import ParameterSnapshot
from secpa_model.rules.base import RuleResult
from secpa_model.structures import StructureColumns

KEY: Final = "interpreting"
LABEL: Final = "Professional interpreting"
LEGAL_BASIS_FR: Final = (
    "Dotations de recours à l'interprétariat professionnel en présentiel et/ou téléphonique."
)
LEGAL_BASIS_EN: Final = "Pays for professional interpreting, in person and/or by telephone."
FORMULA: Final = (
    "min(hours_in_person × hourly_rate_in_person + hours_phone × hourly_rate_phone, annual_cap)"
)
PARAMETERS: Final = (
    "interpreting.hourly_rate_in_person",
    "interpreting.hourly_rate_phone",
    "interpreting.annual_cap",
)
INPUTS: Final = ("interpreting_hours_in_person", "interpreting_hours_phone")


def compute(columns: StructureColumns, params: ParameterSnapshot) -> RuleResult:
    """Annual cents: hours times hourly rates, capped at the annual cap."""
    in_person = params.amount_cents("interpreting.hourly_rate_in_person")
    phone = params.amount_cents("interpreting.hourly_rate_phone")
    cap = params.amount_cents("interpreting.annual_cap")

    # An absurd number of hours may overflow float64 to +inf: the cap bounds it exactly.
    with np.errstate(over="ignore"):
        uncapped = (
            columns.interpreting_hours_in_person * in_person
            + columns.interpreting_hours_phone * phone
        )
    return RuleResult(annual_cents=np.minimum(uncapped, cap), details={"uncapped_cents": uncapped})
