"""Dotation 4: psychological support (dotation de soutien psychologique)."""

from __future__ import annotations

from typing import Final

import numpy as np

from secpa_model.parameters import ParameterSnapshot
from secpa_model.rules.base import RuleResult
from secpa_model.structures import StructureColumns

KEY: Final = "psychological_support"
LABEL: Final = "Psychological support"
LEGAL_BASIS_FR: Final = (
    "Dotations de soutien psychologique (en complément de la mesure de renforcement en "
    "psychologues des centres et maisons de santé pluri-professionnelles du Ségur de la "
    "santé) d'un montant maximum de 66 000 € par structure, après accord de l'ARS compétente."
)
LEGAL_BASIS_EN: Final = (
    "Psychological support complementing the Ségur psychologists measure, at most the "
    "annual cap per structure, after agreement of the competent ARS."
)
FORMULA: Final = "0 without ARS agreement; else min(annual_cap, max(0, requested − Ségur funding))"
PARAMETERS: Final = ("psychological_support.annual_cap",)
INPUTS: Final = (
    "psychologist_cost_requested",
    "segur_psychologist_funding",
    "ars_psychology_agreement",
)


def compute(columns: StructureColumns, params: ParameterSnapshot) -> RuleResult:
    """Annual cents: the request net of Ségur funding, capped, only with ARS agreement."""
    cap = params.amount_cents("psychological_support.annual_cap")

    # « en complément de la mesure [...] du Ségur »: only what Ségur does not already fund.
    net = np.maximum(
        columns.psychologist_cost_requested_cents - columns.segur_psychologist_funding_cents, 0
    ).astype(np.float64)
    # « après accord de l'ARS compétente »
    amount = np.where(columns.ars_psychology_agreement, np.minimum(net, cap), 0.0)
    return RuleResult(annual_cents=amount, details={"net_request_cents": net})
