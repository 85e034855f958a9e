"""A model from scratch: a capitation (forfait par patient) per structure.

Run it with ``python examples/capitation.py``, or name it on the command line as
``--model examples/capitation.py:MODEL``. Nothing of the experimentation is reused: its
inputs, eligibility condition, rule, parameter declarations and values (``capitation.toml``
beside this file) are all declared here.

The shape is the one the schemes users compare with the SECPA successor share, "a base per
patient × weights, with floors and caps": the capitation option of the medical convention
(from 2026-01-01: a base of about 90 € per patient per year, weighted by age, sex, ALD and
territory, for practices of at least 3 GPs and 1 nurse), PEPS (an article 51 team forfait per
patient weighted by age, sex, ALD and precarity, capped against prior fee income). Here:

    annual = base_per_patient × (Σ_band patients_band × age_weight(band)
                                 + patients_ald × ald_uplift + patients_css × css_uplift)
    paid   = min(max(annual, floor_per_structure), cap_per_structure)

for a structure with at least ``min_gps`` GPs and ``min_nurses`` nurses. **Every value is an
ASSUMPTION** of this example (``capitation.toml`` gives each one's rationale): no
capitation schedule for SECPA exists. The structures are SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model import (
    Condition,
    Input,
    Model,
    ParameterSpec,
    RuleInputs,
    RuleParameters,
    RuleResult,
    Scenario,
    allocate,
    compare,
    portfolio,
    rule,
)
from secpa_model.core.money import cents_to_euros, format_euros
from secpa_model.model.parameters import ParameterRelation, ParameterSnapshot

# 1. The inputs: an id, the team, the patients by age band, in ALD and with the CSS, dates.
AGE_BANDS: Final = {  # input → the first age of its band (where the age scale is read)
    "patients_0_15": 0,
    "patients_16_59": 16,
    "patients_60_74": 60,
    "patients_75_plus": 75,
}


def _patients(name: str, who: str, high: int) -> Input:
    return Input(name, "count", who, unit="patients", default=0, examples=(0, high))


INPUTS: Final = (
    Input("structure_id", "text", "Identifier of the structure (identifiant de la structure)."),
    Input(
        "gps",
        "count",
        "General practitioners of the team (médecins généralistes).",
        unit="GPs",
        examples=(0, 10),
    ),
    Input("nurses", "count", "Nurses of the team (infirmiers).", unit="nurses", examples=(0, 8)),
    _patients("patients_0_15", "Enrolled patients aged 0 to 15 (patientèle de 0 à 15 ans).", 2000),
    _patients("patients_16_59", "Enrolled patients aged 16 to 59 (de 16 à 59 ans).", 5000),
    _patients("patients_60_74", "Enrolled patients aged 60 to 74 (de 60 à 74 ans).", 2000),
    _patients("patients_75_plus", "Enrolled patients aged 75 or more (75 ans et plus).", 1500),
    _patients(
        "patients_ald",
        "Enrolled patients with a long-term condition (affection de longue durée, ALD).",
        3000,
    ),
    _patients(
        "patients_css",
        "Enrolled patients covered by the complémentaire santé solidaire (CSS).",
        3000,
    ),
    Input("entry_date", "date", "First day paid (date d'entrée; empty: throughout).", default=None),
    Input(
        "exit_date",
        "date",
        "Last day paid (date de sortie; empty: throughout).",
        default=None,
        open_as="latest",
    ),
)

# 2. The parameters: path, kind and unit; the values are in capitation.toml.
PARAMETERS: Final = (
    ParameterSpec("eligibility.min_gps", "count", "GPs"),
    ParameterSpec("eligibility.min_nurses", "count", "nurses"),
    ParameterSpec("capitation.base_per_patient", "amount", "EUR/patient/year"),
    ParameterSpec("capitation.age_weight", "scale", "weight", threshold_unit="years of age"),
    ParameterSpec("capitation.ald_uplift", "quantity", "fraction"),
    ParameterSpec("capitation.css_uplift", "quantity", "fraction"),
    ParameterSpec("capitation.floor_per_structure", "amount", "EUR/year"),
    ParameterSpec("capitation.cap_per_structure", "amount", "EUR/year"),
)
RELATIONS: Final = (
    ParameterRelation(
        lower="capitation.floor_per_structure",
        upper="capitation.cap_per_structure",
        reason="a floor above the cap would pay every structure the cap",
    ),
)


# 3. Eligibility: a test that is True where a structure FAILS, and its detail in words.
def _team_too_small(inputs: RuleInputs, params: RuleParameters) -> NDArray[np.bool_]:
    gps = inputs["gps"] < params.count("eligibility.min_gps")
    nurses = inputs["nurses"] < params.count("eligibility.min_nurses")
    failed: NDArray[np.bool_] = gps | nurses
    return failed


def _team_detail(values: Mapping[str, Any], snapshots: Sequence[ParameterSnapshot]) -> str:
    gps = sorted({s.count("eligibility.min_gps") for s in snapshots})
    nurses = sorted({s.count("eligibility.min_nurses") for s in snapshots})
    return (
        f"{values['gps']} GPs and {values['nurses']} nurses, minimum "
        f"{'/'.join(map(str, gps))} GPs and {'/'.join(map(str, nurses))} nurses"
    )


TEAM: Final = Condition(
    "team_too_small",
    "the team has fewer GPs or nurses than the minimum",
    "l'équipe compte moins de médecins généralistes ou d'infirmiers que le minimum",
    inputs=("gps", "nurses"),
    parameters=("eligibility.min_gps", "eligibility.min_nurses"),
    fails=_team_too_small,
    detail=_team_detail,
)


# 4. The one rule, over numpy columns (every structure at once, every draw of a simulation).
@rule(
    key="capitation",
    label="Capitation",
    label_fr="Forfait par patient",
    legal_basis_fr=(
        "Hypothèse : forfait annuel par patient pondéré par l'âge, l'ALD et la CSS, avec un "
        "plancher et un plafond par structure (forme de l'option capitation de la convention "
        "médicale de 2026 et de PEPS) ; aucun barème officiel pour les SECPA."
    ),
    legal_basis_en=(
        "Assumption: an annual amount per patient weighted by age, ALD and CSS, with a floor "
        "and a cap per structure (the shape of the 2026 capitation option and of PEPS); no "
        "official SECPA schedule."
    ),
    formula=(
        "min(max(base_per_patient × (Σ patients_band × age_weight(band) + patients_ald × "
        "ald_uplift + patients_css × css_uplift), floor_per_structure), cap_per_structure)"
    ),
    inputs=(*AGE_BANDS, "patients_ald", "patients_css"),
    parameters=(
        "capitation.base_per_patient",
        "capitation.age_weight",
        "capitation.ald_uplift",
        "capitation.css_uplift",
        "capitation.floor_per_structure",
        "capitation.cap_per_structure",
    ),
)
def capitation(inputs: RuleInputs, params: RuleParameters) -> RuleResult:
    """Annual cents: weighted patients times the base, between the floor and the cap."""
    ages = params.scale("capitation.age_weight")
    weighted = np.zeros(inputs.size)
    for band, first_age in AGE_BANDS.items():
        weight = ages.evaluate(np.full(inputs.size, float(first_age)))
        weighted = weighted + inputs[band] * weight
    weighted = (
        weighted
        + inputs["patients_ald"] * params.number("capitation.ald_uplift")
        + inputs["patients_css"] * params.number("capitation.css_uplift")
    )
    annual = weighted * params.amount_cents("capitation.base_per_patient")
    floor = params.amount_cents("capitation.floor_per_structure")
    cap = params.amount_cents("capitation.cap_per_structure")
    paid = np.minimum(np.maximum(annual, floor), cap)
    return RuleResult(paid, {"weighted_patients": weighted, "before_floor_and_cap_cents": annual})


# 5. The model.
MODEL: Final = Model(
    name="capitation",
    description=(
        "A capitation per structure: a base per patient weighted by age band, ALD and CSS, "
        "between a floor and a cap (an example model; every value an assumption)."
    ),
    inputs=INPUTS,
    parameters=PARAMETERS,
    rules=(capitation,),
    conditions=(TEAM,),
    parameter_files=(Path(__file__).with_name("capitation.toml"),),
    relations=RELATIONS,
    note=(
        "EXAMPLE capitation model, not an official schedule: every value is an ASSUMPTION "
        "(examples/capitation.toml)."
    ),
)


def structures() -> pd.DataFrame:
    """Four SYNTHETIC structures (a small team is not eligible)."""
    return pd.DataFrame(
        {
            "structure_id": ["synthetic-a", "synthetic-b", "synthetic-c", "synthetic-d"],
            "gps": [4, 3, 8, 2],
            "nurses": [2, 1, 4, 1],
            "patients_0_15": [600, 100, 1500, 300],
            "patients_16_59": [2000, 300, 5000, 900],
            "patients_60_74": [700, 80, 1800, 200],
            "patients_75_plus": [300, 20, 1200, 100],
            "patients_ald": [900, 90, 2600, 250],
            "patients_css": [800, 60, 2200, 300],
        }
    )


def main() -> None:
    """Allocate the SYNTHETIC structures over 2026, explain one, and compare a base of
    100 € per patient."""
    checked = portfolio(structures(), model=MODEL)
    result = checked.allocate(2026)
    print(f"Model {MODEL.name!r}: {MODEL.note}")
    print("SYNTHETIC structures, 2026:")
    for row in result.itertuples():
        paid = format_euros(cents_to_euros(int(row.total_cents)))
        print(f"  {row.structure_id}: {paid}" + ("" if row.eligible else f" ({row.reasons})"))
    print()
    print(allocate(structures().iloc[0].to_dict(), 2026, model=MODEL).explain())
    dearer = Scenario("base 100 €", {"capitation.base_per_patient": 100}, model=MODEL)
    summary = compare(checked, 2026, MODEL.reference_parameters(), dearer).summary
    print()
    for row in summary.itertuples():
        print(f"{row.scenario}: {format_euros(row.total_eur)} ({format_euros(row.difference_eur)})")


if __name__ == "__main__":
    main()
