"""Pages and charts people read, at 26 and at 300 structures: the report opens with the
totals, the scenarios and the charts and ends with the structures' table; a chart of many
structures draws the largest and sums the others, its text at its size; the French page is
French; parameters are labelled in words; numbers are grouped one way."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from html import escape

import pandas as pd
import pytest

import secpa_model
from secpa_model import Scenario, allocate_frame, compare_models, sensitivity, sweep
from secpa_model.datasets import illustrative_portfolio, synthetic_portfolio
from secpa_model.models.five_pillars import NOTE, NOTE_FR
from secpa_model.presentation.report import build_report
from secpa_model.presentation.report_text import (
    grouped,
    parameter_words,
    quantity_words,
    unit_words,
)
from tests.test_report import parse
from tests.test_sensitivity import BOUNDS, IN_PERSON, PHONE, YEAR, one_structure

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure

from secpa_model.presentation.plots import (
    LARGEST,
    plot_allocations,
    plot_model_comparison,
    plot_sweep,
)
from secpa_model.presentation.uncertainty_plots import plot_sobol, plot_tornado

DEARER = Scenario("dearer ETP", {"participatory_activities.cost_per_etp": {"factor": 1.1}})
# what the page calls its sections, in the order a reader meets them
OPENING = ["totals", "scenarios", "charts", "assumptions"]
STRUCTURES = "portfolio-heading"
AMOUNT_PER_PATIENT = "practitioner_participation.amount_per_patient"


@cache
def frame(size: int) -> pd.DataFrame:
    """The illustrative 26 structures, or 300 of varied profiles (synthetic_portfolio)."""
    return illustrative_portfolio() if size == 26 else synthetic_portfolio(size)


def sections(page: str) -> list[str]:
    return re.findall(r'<h2 id="([^"]+)">', page)


@pytest.mark.parametrize("size", [26, 300])
def test_the_report_opens_with_totals_scenarios_and_charts_and_ends_with_the_table(
    size: int,
) -> None:
    page = build_report(frame(size), 2024, None, [DEARER])
    found = sections(page)
    assert [name for name in found if name in OPENING] == OPENING
    # the structures' table is the last section, after every chart and every other table
    assert found[-1] == STRUCTURES
    table = page.index('<table class="portfolio"')
    assert page.rindex("<img ") < table
    assert page.rindex('<table class="assumptions"') < table
    assert page.count('<tr class="lines">') == size  # every structure is still listed
    # the contents link to each section, in order
    nav = page[page.index('<nav class="contents">') : page.index("</nav>")]
    assert re.findall(r'href="#([^"]+)"', nav) == found
    assert page.index("</nav>") < page.index('<h2 id="totals">')


def test_the_totals_at_the_top_are_the_sums_of_the_table_below() -> None:
    structures = frame(26)
    result = allocate_frame(structures, 2024)
    page = build_report(structures, 2024, charts=False)
    opening = page[page.index('<h2 id="totals">') : page.index('<h2 id="assumptions">')]
    model = secpa_model.get_model("experimentation")
    for rule in model.rules:
        cents = sum(int(c) for c in result[f"{rule.key}_cents"])
        euros = f"{cents // 100:,}".replace(",", " ") + f",{cents % 100:02d} €"
        assert f'<td>{escape(rule.label)}</td><td class="amount">{euros}</td>' in opening


# the library's own English words (the parameter files' descriptions, rationales and sources
# are the files' texts, in their language, and the page says so)
FRENCH_PAGE_ENGLISH = (
    "half up",
    "to the cent",
    "PROPOSAL",
    "not an official model",
    "step:",
    "linear:",
    " fraction",
    "EUR/",
    "/year",
    "€ per hour",
    "€ per ETP",
    "€ per patient",
    "hours per year",
    "Totals",
    "Contents",
)


@pytest.mark.parametrize("model", ["experimentation", "five_pillars"])
def test_the_french_page_has_none_of_the_libraries_english_words(model: str) -> None:
    structures = secpa_model.portfolio(frame(26), model=model)
    page = build_report(structures, 2024, language="fr", charts=False)
    said = parse(page).all_text()
    for english in FRENCH_PAGE_ENGLISH:
        assert english not in said, english
    assert "au centime, au plus proche, la moitié vers le haut" in said
    if model == "five_pillars":
        assert NOTE_FR in said and NOTE not in said


def test_a_scale_reads_in_words_in_both_languages() -> None:
    """The page said "0.15 fraction → 25 €/patient/year"; each bracket is now worked out
    here from the reference scale: its threshold as a percentage, its unit in words."""
    params = secpa_model.load_parameters()
    scale = params.parameters[AMOUNT_PER_PATIENT].value_on(pd.Timestamp("2024-06-01").date())
    brackets = scale.value.brackets  # type: ignore[union-attr]
    english = build_report(frame(26), 2024, charts=False)
    french = build_report(frame(26), 2024, charts=False, language="fr")
    for bracket in brackets:
        percent = f"{(bracket.threshold * 100).normalize():f}"
        amount = f"{bracket.value.normalize():f}"
        assert f"from {percent} %: {amount} € per patient per year" in english
        assert f"à partir de {percent} % : {amount} € par patient et par an" in french
    assert "in steps:" in english and "par paliers :" in french


def test_units_and_numbers_in_words() -> None:
    assert unit_words("EUR/patient/year") == "€ per patient per year"
    assert unit_words("EUR/ETP/year", "fr") == "€ par ETP et par an"
    assert unit_words("widgets/fortnight") == "widgets per fortnight"  # unknown words kept
    assert quantity_words(Decimal("0.15"), "fraction") == "15 %"
    assert quantity_words(Decimal("45000"), "EUR/ETP/year") == "45 000 € per ETP per year"
    assert quantity_words(Decimal("27.50"), "EUR/hour", "fr") == "27,5 € par heure"
    assert grouped(3877.66, 1, sign=True) == "+3 877.7"
    assert grouped(-1234567, 0) == "−1 234 567"
    assert parameter_words("Annual cap (plafond annuel).", "x.cap") == "Annual cap"
    assert parameter_words("", "x.cap") == "x.cap"


def bars(figure: Figure, vertical: bool) -> list[tuple[int, float]]:
    """(axes number, position) of each bar, its stacked pieces counted once; a legend's
    proxy (a bar of no thickness) is not one."""
    found = set()
    for number, axes in enumerate(figure.axes):
        for patch in axes.patches:
            thickness = patch.get_width() if vertical else patch.get_height()
            if thickness > 0:
                found.add((number, round(patch.get_x() if vertical else patch.get_y(), 6)))
    return sorted(found)


def footnote_below_axes(figure: Figure) -> bool:
    """Whether the footnote (the figure's text) is drawn wholly below every axes."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    figure.canvas.draw()
    (note,) = figure.texts
    top = note.get_window_extent(renderer).y1
    return all(top < axes.get_tightbbox(renderer).y0 + 1 for axes in figure.axes)


@pytest.mark.parametrize("size", [26, 300])
def test_stacked_bars_draw_the_largest_and_sum_the_others(size: int) -> None:
    result = allocate_frame(frame(size), 2024)
    figure = plot_allocations(result, synthetic=True)
    width, height = figure.get_size_inches()
    assert height == pytest.approx(4.8) and width <= 12  # fits a page at its size
    main = figure.axes[0]
    ids = [label.get_text() for label in main.get_xticklabels()]
    assert min(label.get_fontsize() for label in main.get_xticklabels()) >= 7
    assert footnote_below_axes(figure)
    if size <= LARGEST + 1:
        assert len(figure.axes) == 1 and ids == list(result["structure_id"])
        return
    # N + 1 bars: the 25 largest totals, then the others summed on an axis of their own
    assert len(bars(figure, vertical=True)) == LARGEST + 1
    totals = sorted((int(c) for c in result["total_cents"]), reverse=True)
    by_id = dict(zip(result["structure_id"], result["total_cents"], strict=True))
    assert sorted((int(by_id[i]) for i in ids), reverse=True) == totals[:LARGEST]
    (rest,) = figure.axes[1:]
    top = max(patch.get_y() + patch.get_height() for patch in rest.patches)
    assert top == pytest.approx(sum(totals[LARGEST:]) / 100 / 1000)
    assert f"{size - LARGEST}" in rest.get_xticklabels()[0].get_text()


@pytest.mark.parametrize("size", [26, 300])
def test_who_gains_and_who_loses_is_bounded_in_height(size: int) -> None:
    comparison = compare_models(frame(size), 2024, "experimentation", "five_pillars")
    figure = plot_model_comparison(comparison, period="2024", synthetic=True)
    _, height = figure.get_size_inches()
    assert height <= 0.22 * (LARGEST + 1) + 1.8 + 0.9  # was 68 inches at 300 structures
    assert footnote_below_axes(figure)
    differences = [int(c) for c in comparison.by_structure["five_pillars_difference_cents"]]
    drawn = LARGEST if size > LARGEST + 1 else size
    assert len(bars(figure, vertical=False)) == drawn + (1 if size > LARGEST + 1 else 0)
    # the portfolio's difference in the title, grouped by spaces as in the tables
    cents = sum(differences)
    title = figure.axes[0].get_title()
    sign = "+" if cents >= 0 else "−"
    expected = f"{abs(cents) / 100_000:,.1f}".replace(",", " ")
    assert f"portfolio {sign}{expected} k€" in title
    if size > LARGEST + 1:
        by_size = sorted(differences, key=abs, reverse=True)
        (rest,) = figure.axes[1:]
        (summed,) = [patch for patch in rest.patches if patch.get_width()]
        assert summed.get_width() == pytest.approx(sum(by_size[LARGEST:]) / 100_000)


def test_sweep_ticks_never_read_alike() -> None:
    """A small change of the total (a few k€ on 10 000) drew ticks "10 290", "10 290"."""
    table = sweep(frame(26), 2024, PHONE, [40, 41, 42, 43])
    figure = plot_sweep(table)
    figure.canvas.draw()
    for axes in figure.axes:
        for labels in (axes.get_yticklabels(), axes.get_xticklabels()):
            shown = [label.get_text() for label in labels if label.get_text()]
            assert len(shown) == len(set(shown)), shown
            assert not any("," in text for text in shown)


@pytest.mark.parametrize("model", ["experimentation", "five_pillars"])
def test_tornado_and_sobol_name_the_model_and_label_parameters_in_words(model: str) -> None:
    if model == "experimentation":
        result = sensitivity(one_structure(), YEAR, [IN_PERSON, PHONE], bounds=BOUNDS, samples=16)
    else:
        structures = secpa_model.portfolio(frame(26), model=model)
        result = sensitivity(structures, YEAR, [IN_PERSON, PHONE], samples=16)
    for figure in (plot_tornado(result), plot_sobol(result)):
        axes = figure.axes[0]
        assert model in axes.get_title()
        drawn = [text.get_text() for text in axes.texts]
        for path in (IN_PERSON, PHONE):
            described = result.parameters.parameters[path].description
            words = described.split(" (")[0].removesuffix(".")
            assert path in drawn  # in small, under its words
            assert any(text.startswith(words) for text in drawn), (words, drawn)
        assert not any(label.get_text() for label in axes.get_yticklabels())
