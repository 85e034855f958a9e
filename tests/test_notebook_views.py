"""Results shown in a notebook (``_repr_html_``): HTML that parses, amounts in euros
(French format), every line by its label, the assumptions named, hostile text escaped."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from secpa_model import (
    Scenario,
    Structure,
    allocate,
    compare,
    compare_models,
    get_model,
    project_budget,
    reference_parameters,
)
from secpa_model.datasets import illustrative_portfolio
from tests.html_support import parse
from tests.test_comparison import portfolio as comparison_portfolio

HOSTILE = '<img src=x onerror="alert(1)">&'
COST = "participatory_activities.cost_per_etp"
ASSUMED = "participatory_activities.cost_per_etp"  # status "assumption" in the reference
PUBLISHED = "psychological_support.annual_cap"  # status "published" in the reference
LABELS = (  # the experimentation's lines, as people read them
    "Participatory activities (non-health professionals)",
    "Health professionals' participatory approach",
    "Professional interpreting",
    "Psychological support",
)


def readme_centre(structure_id: str = "example") -> Structure:
    """The README's centre: 4 ETP × 45 000 + 3 200 × 40 + (300 × 60 + 200 × 42)
    + min(70 000, 66 000 cap) = 400 400 € over 2022."""
    return Structure(
        structure_id=structure_id,
        kind="centre_de_sante",
        location="in_qpv",
        file_active_mg=3200,
        poverty_rate=0.31,
        interpreting_hours_in_person=300,
        interpreting_hours_phone=200,
        psychologist_cost_requested=Decimal("70000"),
        ars_psychology_agreement=True,
    )


def two_centres() -> pd.DataFrame:
    """The comparison tests' portfolio. a: 4 ETP × 45 000 = 180 000, 3 100 × 40 =
    124 000, 100 h × 60 = 6 000, min(66 000, 30 000) = 30 000 (340 000 €); b: 2 ETP ×
    45 000 = 90 000, 1 500 × 55 = 82 500 (poverty rate 0.40), nothing else (172 500 €)."""
    return comparison_portfolio()


def texts(fragment: str) -> str:
    """Every text of the fragment, as a browser shows it, joined by newlines."""
    return "\n".join(parse(fragment).texts)


def test_an_allocation_shows_its_lines_total_and_assumptions() -> None:
    shown = texts(allocate(readme_centre(), 2022)._repr_html_())
    for label in LABELS:
        assert label in shown
    for amount in ("180 000,00 €", "128 000,00 €", "26 400,00 €", "66 000,00 €"):
        assert amount in shown
    assert "Total (fungible)\n400 400,00 €" in shown
    assert "ASSUMPTIONS (not published values) behind these amounts" in shown
    assert f"ASSUMPTION: {ASSUMED}" in shown  # on its line
    assert "published" in shown  # the psychological support's cap is a published value
    assert "example: eligible" in shown


def test_an_allocation_escapes_a_hostile_structure_id() -> None:
    fragment = allocate(readme_centre(HOSTILE), 2022)._repr_html_()
    parsed = parse(fragment)
    assert "img" not in parsed.tags
    assert "<img" not in fragment
    assert any(HOSTILE in text for text in parsed.texts)


def test_an_ineligible_allocation_says_why() -> None:
    small = Structure(
        structure_id="small", kind="msp", location="in_qpv", file_active_mg=100, poverty_rate=0.3
    )
    allocation = allocate(small, 2022)
    shown = texts(allocation._repr_html_())
    assert "small: NOT eligible" in shown
    assert "Total (fungible)\n0,00 €" in shown
    assert all(f"Not eligible: {reason.message}" in shown for reason in allocation.reasons)
    assert allocation.reasons
    assert "ASSUMPTION:" not in shown  # no amount rests on the assumed values


def test_a_comparison_shows_each_scenario_in_euros() -> None:
    dear = Scenario(HOSTILE, {COST: 50000})
    fragment = compare(two_centres(), 2024, reference_parameters(), dear)._repr_html_()
    parsed = parse(fragment)
    assert "img" not in parsed.tags
    shown = "\n".join(parsed.texts)
    for label in LABELS:
        assert label in shown
    # baseline: 270 000 + (124 000 + 82 500) + 6 000 + 30 000 = 512 500 €
    assert "reference\n270 000,00 €\n206 500,00 €\n6 000,00 €\n30 000,00 €\n512 500,00 €" in shown
    # 6 ETP × 50 000 = 300 000: 30 000 € more, 30 000 / 512 500 = +5.85 %
    assert f"{HOSTILE}\n300 000,00 €" in shown
    assert "542 500,00 €\n30 000,00 €\n+5.85 %\n2\n2" in shown
    assert "over 2024-01-01..2024-12-31" in shown
    notes = [line for line in shown.splitlines() if line.startswith("ASSUMPTIONS")]
    # the scenario's own value of the cost has status "scenario": no longer an assumption
    assert notes[0].startswith("ASSUMPTIONS (not published values) in the parameters of reference:")
    assert notes[1].startswith(
        f"ASSUMPTIONS (not published values) in the parameters of {HOSTILE}:"
    )
    assert ASSUMED in notes[0] and ASSUMED not in notes[1]
    assert "participatory_activities.etp_schedule" in notes[1]
    assert PUBLISHED not in shown


def test_a_model_comparison_labels_the_proposal_and_its_lines() -> None:
    result = compare_models(two_centres(), 2024, "experimentation", "five_pillars")
    shown = texts(result._repr_html_())
    proposal = get_model("five_pillars")
    for rule in (*get_model("experimentation").rules, *proposal.rules):
        assert rule.label in shown
    assert "experimentation\n512 500,00 €\n0,00 €\n+0.00 %" in shown
    assert f"five_pillars: {proposal.note}" in shown
    assert "PROPOSAL" in proposal.note
    # each model's portfolio total per line: the experimentation's by hand
    assert "experimentation\nProfessional interpreting\n6 000,00 €" in shown
    assert "ASSUMPTIONS (not published values) in the parameters of" in shown


def test_a_budget_projection_shows_periods_envelopes_and_years() -> None:
    projection = project_budget([readme_centre()], {"year": 2022}, envelope={"year": 400000})
    shown = texts(projection._repr_html_())
    for label in LABELS:
        assert label in shown
    # 400 400 € against 400 000 €: 400 € over
    period = "year\n2022-01-01 to 2022-12-31\n1\n1.00\n400 400,00 €\n400 000,00 €\n-400,00 €"
    assert f"{period}\nOVERRUN\n180 000,00 €\n128 000,00 €" in shown
    assert "Budget per calendar year\n" in shown
    assert "2022\n2022-01-01 to 2022-12-31\n1\n1.00\n400 400,00 €\n180 000,00 €" in shown
    assert ASSUMED in shown and "ASSUMPTIONS" in shown


def test_a_large_comparison_table_stays_a_summary() -> None:
    portfolio = illustrative_portfolio()
    scenarios = [Scenario(f"cost {cost}", {COST: cost}) for cost in (46000, 47000)]
    fragment = compare(portfolio, 2024, reference_parameters(), *scenarios)._repr_html_()
    assert parse(fragment).tags.count("tr") == 1 + 3  # the header and one row per scenario
