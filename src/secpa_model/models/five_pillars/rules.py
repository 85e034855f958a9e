"""The five pillars, as secpa-model proposes to compute them (no official formula exists).

The legal basis of every pillar is the same recommendation: « consolider le financement
autour de cinq piliers : coordination, accompagnement psycho-social, démarche
participative, interprétariat, formation » (avis du CTIS et du CSIS, avril 2025, as
summarised by the FECOP). Interpreting keeps the experimentation's formula.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from secpa_model.model.rules import RuleInputs, RuleParameters, RuleResult, rule
from secpa_model.models.experimentation.rules import interpreting

_CENTS_PER_EURO: Final = 100  # a unit conversion, not a parameter of the model
_OPINION: Final = (
    "Avis du CTIS et du CSIS (avril 2025) : consolider le financement autour de cinq "
    "piliers ; pilier « {pillar} ». Aucun barème officiel n'est publié : formule proposée "
    "par secpa-model."
)
_OPINION_EN: Final = (
    "The 2025 opinions recommend funding around five pillars; pillar '{pillar}'. No "
    "official schedule is published: formula proposed by secpa-model."
)


@rule(
    key="coordination",
    label="Coordination",
    label_fr="Coordination",
    legal_basis_fr=_OPINION.format(pillar="coordination"),
    legal_basis_en=_OPINION_EN.format(pillar="coordination"),
    formula="coordination_ETP(file_active_mg) × cost_per_etp",
    inputs=("file_active_mg",),
    parameters=("coordination.etp_schedule", "coordination.cost_per_etp"),
)
def coordination(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: the coordination ETP for the file active times its cost."""
    etp = params.scale("coordination.etp_schedule").evaluate(
        inputs["file_active_mg"].astype(np.float64)
    )
    return RuleResult(etp * params.amount_cents("coordination.cost_per_etp"), {"etp": etp})


@rule(
    key="psychosocial_support",
    label="Psycho-social support",
    label_fr="Accompagnement psycho-social",
    legal_basis_fr=_OPINION.format(pillar="accompagnement psycho-social"),
    legal_basis_en=_OPINION_EN.format(pillar="psycho-social support"),
    formula="min(min(file_active_mg, max_patients) × amount_per_patient(poverty_rate), annual_cap)",
    inputs=("file_active_mg", "poverty_rate"),
    parameters=(
        "psychosocial_support.amount_per_patient",
        "psychosocial_support.max_patients",
        "psychosocial_support.annual_cap",
    ),
)
def psychosocial_support(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: patients counted times the amount for the poverty rate, capped."""
    maximum = params.count("psychosocial_support.max_patients")
    patients = np.minimum(inputs["file_active_mg"], maximum).astype(np.float64)
    scale = params.scale("psychosocial_support.amount_per_patient")
    per_patient_cents = scale.evaluate(inputs["poverty_rate"]) * _CENTS_PER_EURO
    uncapped = patients * per_patient_cents
    amount = np.minimum(uncapped, params.amount_cents("psychosocial_support.annual_cap"))
    return RuleResult(
        amount, {"patients_counted": patients, "amount_per_patient_cents": per_patient_cents}
    )


@rule(
    key="participatory_approach",
    label="Participatory approach",
    label_fr="Démarche participative",
    legal_basis_fr=_OPINION.format(pillar="démarche participative"),
    legal_basis_en=_OPINION_EN.format(pillar="participatory approach"),
    formula="participatory_ETP(file_active_mg) × cost_per_etp",
    inputs=("file_active_mg",),
    parameters=("participatory_approach.etp_schedule", "participatory_approach.cost_per_etp"),
)
def participatory_approach(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: the participatory ETP for the file active times its cost (the
    experimentation's first two dotations in one)."""
    etp = params.scale("participatory_approach.etp_schedule").evaluate(
        inputs["file_active_mg"].astype(np.float64)
    )
    cost = params.amount_cents("participatory_approach.cost_per_etp")
    return RuleResult(etp * cost, {"etp": etp})


@rule(
    key="training",
    label="Training",
    label_fr="Formation",
    legal_basis_fr=_OPINION.format(pillar="formation"),
    legal_basis_en=_OPINION_EN.format(pillar="training"),
    formula="min(team_size × amount_per_professional, annual_cap)",
    inputs=("team_size",),
    parameters=("training.amount_per_professional", "training.annual_cap"),
)
def training(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: the team's professionals times the amount each, capped."""
    per_person = params.amount_cents("training.amount_per_professional")
    uncapped = inputs["team_size"].astype(np.float64) * per_person
    return RuleResult(np.minimum(uncapped, params.amount_cents("training.annual_cap")))


RULES: Final = (
    coordination,
    psychosocial_support,
    participatory_approach,
    interpreting,
    training,
)
"""The five pillars in the order of an allocation's lines."""
