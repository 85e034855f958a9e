"""Dotation 3: professional interpreting, in person and by telephone
(dotation de recours à l'interprétariat professionnel)."""

from __future__ import annotations

import numpy as np

from secpa_model.model.rules import RuleInputs, RuleParameters, RuleResult, rule


@rule(
    key="interpreting",
    label="Professional interpreting",
    label_fr="Interprétariat professionnel",
    legal_basis_fr=(
        "Dotations de recours à l'interprétariat professionnel en présentiel et/ou téléphonique."
    ),
    legal_basis_en="Pays for professional interpreting, in person and/or by telephone.",
    formula=(
        "min(hours_in_person × hourly_rate_in_person + hours_phone × hourly_rate_phone, annual_cap)"
    ),
    inputs=("interpreting_hours_in_person", "interpreting_hours_phone"),
    parameters=(
        "interpreting.hourly_rate_in_person",
        "interpreting.hourly_rate_phone",
        "interpreting.annual_cap",
    ),
)
def interpreting(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: hours times hourly rates, capped at the annual cap."""
    in_person = params.amount_cents("interpreting.hourly_rate_in_person")
    phone = params.amount_cents("interpreting.hourly_rate_phone")
    cap = params.amount_cents("interpreting.annual_cap")

    # « en présentiel et/ou téléphonique »; an absurd number of hours may overflow float64
    # to +inf: the cap bounds it exactly.
    with np.errstate(over="ignore"):
        uncapped = np.multiply(inputs["interpreting_hours_in_person"], in_person)
        uncapped += inputs["interpreting_hours_phone"] * phone
    return RuleResult(annual_cents=np.minimum(uncapped, cap), details={"uncapped_cents": uncapped})
