"""Dotation 1: participatory activities by professionals other than health professionals
(dotation pour la rémunération des activités « participatives »)."""

from __future__ import annotations

import numpy as np

from secpa_model.model.rules import RuleInputs, RuleParameters, RuleResult, rule


@rule(
    key="participatory_activities",
    label="Participatory activities (non-health professionals)",
    label_fr="Activités « participatives » (professionnels autres que de santé)",
    legal_basis_fr=(
        "Dotations pour la rémunération des activités « participatives » réalisées par des "
        "professionnels autres que les professionnels de santé. Le nombre d'ETP est fixé en "
        "fonction de la file active en médecine générale de l'année précédente de la "
        "structure (entre 1000 et 6000 patients)."
    ),
    legal_basis_en=(
        "Funds the participatory activities of non-health professionals (mediators, "
        "reception, social workers, coordinators). The number of ETP is set from the "
        "previous year's general-medicine file active, between 1 000 and 6 000 patients."
    ),
    formula=(
        "ETP(min(file_active_mg, max_file_active)) × cost_per_etp, "
        "0 when file_active_mg < min_file_active"
    ),
    inputs=("file_active_mg",),
    parameters=(
        "participatory_activities.min_file_active",
        "participatory_activities.max_file_active",
        "participatory_activities.etp_schedule",
        "participatory_activities.cost_per_etp",
    ),
)
def participatory_activities(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: ETP for the capped file active times the cost of an ETP."""
    file_active = inputs["file_active_mg"]
    minimum = params.count("participatory_activities.min_file_active")
    maximum = params.count("participatory_activities.max_file_active")
    schedule = params.scale("participatory_activities.etp_schedule")
    cost_cents = params.amount_cents("participatory_activities.cost_per_etp")

    # « entre 1000 et 6000 patients »: above the maximum the maximum's level applies.
    # (the minimum taken in float64: the conversion keeps order, so the same values)
    counted = np.minimum(file_active, maximum, dtype=np.float64)
    etp = schedule.evaluate(counted)
    np.copyto(etp, 0.0, where=file_active < minimum)
    return RuleResult(
        annual_cents=etp * cost_cents,
        details={"file_active_counted": counted, "etp": etp},
    )
