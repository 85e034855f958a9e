"""Dotation 4: psychological support (dotation de soutien psychologique)."""

from __future__ import annotations

import numpy as np

from secpa_model.model.rules import RuleInputs, RuleParameters, RuleResult, rule


@rule(
    key="psychological_support",
    label="Psychological support",
    label_fr="Soutien psychologique",
    legal_basis_fr=(
        "Dotations de soutien psychologique (en complément de la mesure de renforcement en "
        "psychologues des centres et maisons de santé pluri-professionnelles du Ségur de la "
        "santé) d'un montant maximum de 66 000 € par structure, après accord de l'ARS "
        "compétente."
    ),
    legal_basis_en=(
        "Psychological support complementing the Ségur psychologists measure, at most the "
        "annual cap per structure, after agreement of the competent ARS."
    ),
    formula=("0 without ARS agreement; else min(annual_cap, max(0, requested − Ségur funding))"),
    inputs=(
        "psychologist_cost_requested",
        "segur_psychologist_funding",
        "ars_psychology_agreement",
    ),
    parameters=("psychological_support.annual_cap",),
)
def psychological_support(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: the request net of Ségur funding, capped, only with ARS agreement."""
    cap = params.amount_cents("psychological_support.annual_cap")

    # « en complément de la mesure [...] du Ségur »: only what Ségur does not already fund.
    # (the maximum taken in float64: the conversion keeps order, so the same values)
    difference = inputs["psychologist_cost_requested"] - inputs["segur_psychologist_funding"]
    net = np.maximum(difference, 0, dtype=np.float64)
    # « après accord de l'ARS compétente »
    amount = np.minimum(net, cap)
    np.copyto(amount, 0.0, where=np.logical_not(inputs["ars_psychology_agreement"]))
    return RuleResult(annual_cents=amount, details={"net_request_cents": net})
