"""The HTML report: parsed with the standard library's html.parser, never by eye."""

from __future__ import annotations

import base64
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import secpa_model
from secpa_model.core.errors import InputError
from secpa_model.presentation.cli import main
from secpa_model.presentation.report import build_report
from tests.portfolio_files import PORTFOLIO_TOTAL, portfolio_frame, write_portfolio

Capture = pytest.CaptureFixture[str]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEARER_ETP = 'name = "ETP 50 k€"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n'
LINES_EN = [
    "Participatory activities (non-health professionals)",
    "Health professionals' participatory approach",
    "Professional interpreting",
    "Psychological support",
]
CALIBRATION = "secpa-model calibration on the public envelopes"


class Page(HTMLParser):
    """Tables (class, id, groups of rows; each row its class and cells with their
    attributes), images, links, scripts, styles, the text and the ``lang``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, object]] = []
        self.images: list[dict[str, str | None]] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.lang: str | None = None
        self.items: list[tuple[str | None, str]] = []  # (id, text) of each <li>
        self._row: dict[str, object] | None = None
        self._cell: dict[str, object] | None = None
        self._raw: list[str] | None = None
        self._item: tuple[str | None, list[str]] | None = None
        self._depth = 0  # nested tables (none expected) are not recorded

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(str(attributes[name]))
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "table":
            self.tables.append(
                {
                    "class": attributes.get("class"),
                    "id": attributes.get("id"),
                    "head": [],
                    "groups": [],
                    "foot": [],
                    "section": "head",
                }
            )
        elif tag in ("thead", "tbody", "tfoot") and self.tables:
            table = self.tables[-1]
            table["section"] = tag
            if tag == "tbody":
                groups = table["groups"]
                assert isinstance(groups, list)
                groups.append([])
        elif tag == "tr":
            self._row = {"class": attributes.get("class"), "id": attributes.get("id"), "cells": []}
        elif tag in ("td", "th"):
            self._cell = {"text": [], **attributes}
        elif tag == "img":
            self.images.append(attributes)
        elif tag in ("script", "style"):
            self._raw = []
        elif tag == "li":
            self._item = (attributes.get("id"), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = self._cell["text"]
            assert isinstance(text, list)
            self._cell["text"] = " ".join(" ".join(text).split())
            cells = self._row["cells"]
            assert isinstance(cells, list)
            cells.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            section = table["section"]
            if section == "tbody":
                groups = table["groups"]
                assert isinstance(groups, list)
                groups[-1].append(self._row)
            else:
                rows = table["head" if section in ("head", "thead") else "foot"]
                assert isinstance(rows, list)
                rows.append(self._row)
            self._row = None
        elif tag in ("script", "style") and self._raw is not None:
            (self.scripts if tag == "script" else self.styles).append("".join(self._raw))
            self._raw = None
        elif tag == "li" and self._item is not None:
            self.items.append((self._item[0], " ".join("".join(self._item[1]).split())))
            self._item = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw.append(data)
            return
        self.text.append(data)
        if self._cell is not None:
            text = self._cell["text"]
            assert isinstance(text, list)
            text.append(data)
        if self._item is not None:
            self._item[1].append(data)

    def of_class(self, name: str) -> list[dict[str, object]]:
        return [table for table in self.tables if table["class"] == name]

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def texts(row: object) -> list[str]:
    assert isinstance(row, dict)
    return [str(cell["text"]) for cell in row["cells"]]


def portfolio(page: Page) -> dict[str, object]:
    (table,) = page.of_class("portfolio")
    return table


def groups(table: dict[str, object]) -> list[list[dict[str, object]]]:
    found = table["groups"]
    assert isinstance(found, list)
    return found


def headings(table: dict[str, object]) -> list[str]:
    head = table["head"]
    assert isinstance(head, list)
    return texts(head[0])


def by_structure(table: dict[str, object]) -> dict[str, list[dict[str, object]]]:
    return {texts(group[0])[0]: group for group in groups(table)}


def test_one_portfolio_table_a_row_per_structure_and_the_total_in_its_footer(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "report.html"
    assert main(["report", str(source), "-o", str(out), "--year", "2022"]) == 0
    assert f"written to {out}" in capsys.readouterr().out
    page = parse(out.read_text(encoding="utf-8"))
    table = portfolio(page)
    assert headings(table) == ["structure_id", "eligible", *LINES_EN, "Total (fungible)"]
    # one group per structure: the lines' row, then the inputs' row
    rows = by_structure(table)
    assert list(rows) == ["centre-a", "msp-b", "outside-c"]
    assert all([row["class"] for row in group] == ["lines", "inputs"] for group in rows.values())
    # centre-a: 180 000; 128 000; 26 400; 60 000; total 394 400 (tests/portfolio_files.py)
    assert texts(rows["centre-a"][0])[1:] == [
        "yes",
        "180 000,00 €",
        "128 000,00 €",
        "26 400,00 €",
        "60 000,00 €",
        "394 400,00 €",
    ]
    assert texts(rows["msp-b"][0])[-1] == "197 500,00 €"
    ineligible = texts(rows["outside-c"][0])
    assert ineligible[1].startswith("no") and "neither in nor near a QPV" in ineligible[1]
    assert ineligible[2:] == ["0,00 €"] * 5
    # the footer: the portfolio's lines and total, worked by hand (591 900 €), 2 eligible of 3
    foot = table["foot"]
    assert isinstance(foot, list)
    # 180 000 + 135 000; 128 000 + 62 500; 26 400; 60 000
    assert texts(foot[0]) == [
        "Total (fungible)",
        "2 / 3",
        "315 000,00 €",
        "190 500,00 €",
        "26 400,00 €",
        "60 000,00 €",
        PORTFOLIO_TOTAL,
    ]
    # the totals, the portfolio, the assumptions and the lines are tables: none per structure
    assert sorted(str(t["class"]) for t in page.tables) == [
        "assumptions",
        "lines",
        "portfolio",
        "totals",
    ]
    # the totals at the top of the page say what the footer says, a line a row
    (totals,) = page.of_class("totals")
    said = [texts(row) for group in groups(totals) for row in group]
    assert said == [
        [line, amount]
        for line, amount in zip([*LINES_EN, "Total (fungible)"], texts(foot[0])[2:], strict=True)
    ]
    # the stacked-bars chart, embedded; nothing fetched from elsewhere
    assert len(page.images) == 1
    assert all(url.startswith(("data:image/png;base64,", "#")) for url in page.urls)
    data = str(page.images[0]["src"]).removeprefix("data:image/png;base64,")
    assert base64.b64decode(data).startswith(PNG_SIGNATURE)
    assert "link" not in page.tags and page.tags.count("style") == 1


def test_the_table_sorts_in_the_browser_by_its_cells_sort_keys() -> None:
    page = parse(build_report(portfolio_frame(), 2022, charts=False))
    table = portfolio(page)
    head = table["head"]
    assert isinstance(head, list)
    kinds = [cell.get("data-sort-kind") for cell in head[0]["cells"]]
    assert kinds == ["text", "number", *["number"] * 4, "number"]
    # each cell of a structure's row carries what it sorts by: the id, 1/0, the cents
    keys = {
        texts(group[0])[0]: [cell.get("data-sort") for cell in group[0]["cells"]]
        for group in groups(table)
    }
    total = str(18_000_000 + 12_800_000 + 2_640_000 + 6_000_000)
    cents = ["18000000", "12800000", "2640000", "6000000"]
    assert keys["centre-a"] == ["centre-a", "1", *cents, total]
    assert keys["outside-c"][1] == "0"
    # one inline script, no script file: it sorts the groups by those keys
    (script,) = page.scripts
    assert "src" not in " ".join(page.urls)
    for fragment in ("data-sort-kind", "data-sort", "aria-sort", "insertBefore", "tBodies"):
        assert fragment in script


def test_the_inputs_of_each_structure_are_shown_under_its_lines() -> None:
    page = parse(build_report(portfolio_frame(), 2022, charts=False))
    inputs = {name: texts(group[1])[0] for name, group in by_structure(portfolio(page)).items()}
    # msp-b's interpreting line is 0 €: its inputs say why (no hours at all)
    assert (
        "Professional interpreting interpreting_hours_in_person 0 hours per year "
        "interpreting_hours_phone 0 hours per year"
    ) in inputs["msp-b"]
    # what each line reads, grouped under its name (centre-a: 300 h + 200 h; 3 200 patients)
    assert (
        "Psychological support psychologist_cost_requested 70 000 € per year" in inputs["centre-a"]
    )
    assert f"{LINES_EN[0]} file_active_mg 3 200 patients" in inputs["centre-a"]
    # outside-c is not eligible: its location is shown under eligibility
    assert "eligibility location outside_qpv" in inputs["outside-c"]
    # an input left out of the frame takes its default, said so; open dates are dashes
    assert "participation entry_date — (default) exit_date — (default)" in inputs["centre-a"]


def test_each_source_is_listed_once_and_referred_to_by_its_number() -> None:
    html = build_report(portfolio_frame(), 2022, charts=False)
    page = parse(html)
    (assumptions,) = page.of_class("assumptions")
    rows = [row for group in groups(assumptions) for row in group]
    # each parameter in words (its description, the full stop left out), then its path
    labelled = {texts(row)[1].split()[-1]: texts(row) for row in rows}
    cost = "participatory_activities.cost_per_etp"
    assert labelled[cost][0] == "ASSUMPTION"
    described = secpa_model.load_parameters().parameters[cost].description
    assert labelled[cost][1] == f"{described.removesuffix('.')} {cost}"
    assert labelled[cost][2] == "45 000 € per ETP per year"
    assert "eligibility.min_file_active" not in labelled  # published
    # every assumption of the reference set has the same calibration source: note [1]
    assert {row[-1] for row in labelled.values()} == {"[1]"}
    assert len(labelled) == 7
    sources = [item for item in page.items if str(item[0]).startswith("source-")]
    assert [identifier for identifier, _ in sources] == ["source-1"]
    assert sources[0][1].startswith(CALIBRATION)
    assert html.count(CALIBRATION) == 1  # once, not once per assumption


def test_a_name_column_of_the_input_is_kept(tmp_path: Path, capsys: Capture) -> None:
    frame = portfolio_frame()
    frame.insert(1, "nom", ["Centre Alpha", "MSP Bêta", "MSP Gamma"])
    frame["Région"] = ["Île-de-France", "Occitanie", "Bretagne"]
    frame["notes"] = ["free text", "", ""]  # not a name: not shown by default
    table = portfolio(parse(build_report(frame, 2022, charts=False)))
    assert headings(table)[:4] == ["structure_id", "nom", "Région", "eligible"]
    rows = by_structure(table)
    assert texts(rows["msp-b"][0])[:3] == ["msp-b", "MSP Bêta", "Occitanie"]
    foot = table["foot"]
    assert isinstance(foot, list)
    assert foot[0]["cells"][0].get("colspan") == "3"  # the total under the id and names
    # keep= chooses the columns, as for allocate_frame; a missing one is named
    chosen = portfolio(
        parse(build_report(secpa_model.portfolio(frame, keep=["notes"]), 2022, charts=False))
    )
    assert headings(chosen)[:3] == ["structure_id", "notes", "eligible"]
    none = portfolio(parse(build_report(secpa_model.portfolio(frame, keep=()), 2022, charts=False)))
    assert headings(none)[:2] == ["structure_id", "eligible"]
    with pytest.raises(InputError, match="no column 'nome'"):
        build_report(secpa_model.portfolio(frame, keep=["nome"]), 2022, charts=False)
    # the CLI: names kept by default, --keep to choose
    source = tmp_path / "named.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "r.html"
    assert main(["report", str(source), "-o", str(out), "--year", "2022"]) == 0
    assert headings(portfolio(parse(out.read_text(encoding="utf-8"))))[1:3] == ["nom", "Région"]
    assert main(["report", str(source), "-o", str(out), "--year", "2022", "--keep", "notes"]) == 0
    capsys.readouterr()
    assert headings(portfolio(parse(out.read_text(encoding="utf-8"))))[1] == "notes"


def test_french_labels_with_lang_fr(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    scenario = tmp_path / "dearer.toml"
    scenario.write_text(DEARER_ETP, encoding="utf-8")
    out = tmp_path / "rapport.html"
    args = ["report", str(source), "-o", str(out), "--year", "2022", "--lang", "fr"]
    assert main([*args, "--scenario", str(scenario)]) == 0
    capsys.readouterr()
    page = parse(out.read_text(encoding="utf-8"))
    assert page.lang == "fr"
    table = portfolio(page)
    assert headings(table) == [
        "structure_id",
        "éligible",
        "Activités « participatives » (professionnels autres que de santé)",
        "Démarche participative des professionnels de santé",
        "Interprétariat professionnel",
        "Soutien psychologique",
        "Total (fongible)",
    ]
    rows = by_structure(table)
    assert texts(rows["centre-a"][0])[1] == "oui"
    assert (
        "la structure n'est pas implantée dans ou à proximité d'un QPV"
        in (texts(rows["outside-c"][0])[1])
    )
    text = page.all_text()
    assert text.startswith("Dotations SECPA Dotations SECPA Données : portfolio.csv.")
    assert "Hypothèses utilisées" in text and "HYPOTHÈSE" in text
    assert "Référence et scénarios" in text and "écart à la référence" in text
    assert "Dotations de recours à l'interprétariat professionnel" in text  # the legal basis
    for english in ("Assumptions used", "Total (fungible)", "not eligible", "Show all inputs"):
        assert english not in text
    assert main([*args[:-1], "de"]) == 2
    assert "invalid choice: 'de'" in capsys.readouterr().err


def test_the_page_prints() -> None:
    page = parse(build_report(portfolio_frame(), 2022, charts=False))
    (style,) = page.styles
    printed = style[style.index("@media print") :]
    # buttons hidden, the table's header repeated on each page, no structure cut in two
    assert re.search(r"button\.toggle, button\.all[^{]*\{ display: none", printed)
    assert "thead { display: table-header-group; }" in printed
    assert "tbody, tr, figure { break-inside: avoid; }" in printed
    assert "@page { size: A4;" in style


def test_the_report_compares_scenarios(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    scenario = tmp_path / "dearer.toml"
    scenario.write_text(DEARER_ETP, encoding="utf-8")
    out = tmp_path / "report.html"
    args = ["report", str(source), "-o", str(out), "--period", "2022-01-01..2022-12-31"]
    assert main([*args, "--scenario", str(scenario), "--title", "Portfolio & co"]) == 0
    capsys.readouterr()
    page = parse(out.read_text(encoding="utf-8"))
    (scenarios,) = page.of_class("scenarios")
    body = [texts(row) for group in groups(scenarios) for row in group]
    assert [row[0] for row in body] == ["reference", "ETP 50 k€"]
    # 7 ETP × 5 000 € = 35 000 €, 35 000 / 591 900 = 5.91 %
    assert body[1][1:4] == ["626 900,00 €", "35 000,00 €", "+5.91 %"]
    assert len(page.images) == 2  # stacked bars, then baseline against scenario
    assert "Portfolio & co" in page.all_text()


def test_without_matplotlib_the_report_says_charts_are_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    page = parse(build_report(portfolio_frame(), 2022))
    assert page.images == []
    text = page.all_text()
    assert "Charts unavailable" in text and "secpa-model[plot]" in text
    assert len(groups(portfolio(page))) == 3  # the rest of the report is there


def test_every_text_is_escaped() -> None:
    frame = portfolio_frame()
    frame.loc[0, "structure_id"] = '<script>alert("x")</script>'
    frame["nom"] = ['"><img src=x onerror=alert(1)>', "<b>bold</b>", "a & b"]
    html = build_report(frame, 2022, title="<b>title</b>", source="a&b.csv", charts=False)
    assert "<script>alert" not in html and "<b>" not in html and "<img src=x" not in html
    page = parse(html)
    assert page.tags.count("script") == 1 and page.images == [] and "b" not in page.tags
    rows = by_structure(portfolio(page))
    first = rows['<script>alert("x")</script>'][0]["cells"]
    assert isinstance(first, list)
    # unescaped back by the parser, in the cell and in its sort key alike
    assert first[0]["data-sort"] == '<script>alert("x")</script>'
    assert first[1]["text"] == first[1]["data-sort"] == '"><img src=x onerror=alert(1)>'
    assert "a&b.csv" in page.all_text()


def test_report_errors(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    assert main(["report", str(source), "--year", "2022"]) == 2
    assert "-o/--output" in capsys.readouterr().err
    out = tmp_path / "no" / "such" / "dir" / "r.html"
    assert main(["report", str(source), "-o", str(out), "--year", "2022"]) == 2
    assert "r.html: cannot write the file" in capsys.readouterr().err
    assert main(["report", str(source), "-o", str(tmp_path / "r.html"), "--year", "2019"]) == 2
    assert "do not cover" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("marks", "banner"), [(["True"] * 3, True), (["True", "False", "True"], False)]
)
def test_the_synthetic_banner_needs_every_row_marked(marks: list[str], banner: bool) -> None:
    frame = portfolio_frame().assign(synthetic=marks)  # as text, the way a CSV is read
    html = build_report(frame, 2022, charts=False)
    assert ("The structures are SYNTHETIC" in html) is banner


def test_a_structure_year_table_has_a_row_per_structure_and_year() -> None:
    frame = portfolio_frame().assign(year=2022)
    frame = pd.concat([frame, portfolio_frame().assign(year=2023)], ignore_index=True)
    page = parse(build_report(frame, None, charts=False))
    table = portfolio(page)
    assert headings(table)[:3] == ["structure_id", "year", "eligible"]
    rows = [texts(group[0])[:2] for group in groups(table)]
    assert sorted(map(tuple, rows)) == sorted(
        (sid, year) for sid in ("centre-a", "msp-b", "outside-c") for year in ("2022", "2023")
    )
    assert "6 structure-years, 4 eligible, 2 not eligible." in page.all_text()
    # two whole years of the same portfolio: 2 × 591 900 = 1 183 800 €
    foot = table["foot"]
    assert isinstance(foot, list)
    assert texts(foot[0])[-1] == "1 183 800,00 €"


def test_rows_left_out_are_listed_in_the_page_language() -> None:
    frame = portfolio_frame()
    frame["file_active_mg"] = frame["file_active_mg"].astype(object)
    frame.loc[1, "file_active_mg"] = "lots"
    page = parse(
        build_report(secpa_model.portfolio(frame).valid(), 2022, charts=False, language="fr")
    )
    text = page.all_text()
    assert "1 ligne invalide des données écartée de chaque tableau, total et graphique " in text
    assert "(1 problème) : ligne 1: file_active_mg = lots" in text
    # msp-b (197 500 €) is left out: 591 900 − 197 500 = 394 400 €
    assert "Total (fongible) : 394 400,00 €" in text
    assert [texts(group[0])[0] for group in groups(portfolio(page))] == ["centre-a", "outside-c"]


def test_the_french_charts_caption_counts_in_digits() -> None:
    """The French page said "Les five dotations": its counts are digits, never English."""
    pytest.importorskip("matplotlib")
    import secpa_model
    from secpa_model.datasets import illustrative_portfolio

    proposal = secpa_model.portfolio(illustrative_portfolio(), model="five_pillars")
    page = build_report(proposal, 2024, language="fr")
    assert "Les 5 dotations de chaque structure, empilées." in page
    assert "five" not in page.replace("five_pillars", "").replace("five-pillar", "")


def test_the_french_page_states_the_rounding_in_french() -> None:
    page = build_report(portfolio_frame(), 2023, language="fr", charts=False)
    assert "chaque dotation arrondie une fois (au centime, au plus proche, la moitié" in page
    assert "half up" not in page
