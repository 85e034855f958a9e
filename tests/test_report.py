"""The HTML report: parsed with the standard library's html.parser, never by eye."""

from __future__ import annotations

import base64
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from secpa_model.presentation.cli import main
from secpa_model.presentation.report import build_report
from tests.portfolio_files import PORTFOLIO_TOTAL, portfolio_frame, write_portfolio

Capture = pytest.CaptureFixture[str]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEARER_ETP = 'name = "ETP 50 k€"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n'


class Page(HTMLParser):
    """The tables (class, data-structure, rows of cell texts), images, links and tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, object]] = []
        self.images: list[dict[str, str | None]] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(str(attributes[name]))
        if tag == "table":
            self.tables.append(
                {
                    "class": attributes.get("class"),
                    "structure": attributes.get("data-structure"),
                    "year": attributes.get("data-year"),
                    "rows": [],
                }
            )
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            rows = self.tables[-1]["rows"]
            assert isinstance(rows, list)
            rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def of_class(self, name: str) -> list[dict[str, object]]:
        return [table for table in self.tables if table["class"] == name]


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def rows(table: dict[str, object]) -> list[list[str]]:
    found = table["rows"]
    assert isinstance(found, list)
    return found


def test_the_report_holds_totals_assumptions_a_table_per_structure_and_charts(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "report.html"
    assert main(["report", str(source), "-o", str(out), "--year", "2022"]) == 0
    assert f"written to {out}" in capsys.readouterr().out
    page = parse(out.read_text(encoding="utf-8"))
    # totals: the four lines, then the fungible total worked by hand (591 900 €)
    (totals,) = page.of_class("totals")
    body = rows(totals)[1:]
    assert [row[1] for row in body] == [
        "participatory_activities",
        "practitioner_participation",
        "interpreting",
        "psychological_support",
        "total",
    ]
    # 180 000 + 135 000; 128 000 + 62 500; 26 400; 60 000
    assert [row[2] for row in body] == [
        "315 000,00 €",
        "190 500,00 €",
        "26 400,00 €",
        "60 000,00 €",
        PORTFOLIO_TOTAL,
    ]
    # every structure has its table: four lines and the total
    tables = {table["structure"]: rows(table) for table in page.of_class("structure")}
    assert set(tables) == {"centre-a", "msp-b", "outside-c"}
    assert tables["centre-a"][-1] == ["Total (fungible)", "394 400,00 €"]
    assert tables["msp-b"][-1] == ["Total (fungible)", "197 500,00 €"]
    assert all(len(table) == 1 + 4 + 1 for table in tables.values())
    text = " ".join(page.text)
    assert "outside_qpv" in text and "neither in nor near a QPV" in text
    # the assumptions, each labelled
    (assumptions,) = page.of_class("assumptions")
    labelled = {row[1]: row[0] for row in rows(assumptions)[1:]}
    assert labelled["participatory_activities.cost_per_etp"] == "ASSUMPTION"
    assert "eligibility.min_file_active" not in labelled  # published
    assert set(labelled.values()) == {"ASSUMPTION"}
    # the stacked-bars chart, embedded; nothing fetched from elsewhere
    assert len(page.images) == 1
    assert all(url.startswith("data:image/png;base64,") for url in page.urls)
    data = str(page.images[0]["src"]).removeprefix("data:image/png;base64,")
    assert base64.b64decode(data).startswith(PNG_SIGNATURE)
    assert "link" not in page.tags and "script" not in page.tags
    assert page.tags.count("style") == 1


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
    body = rows(scenarios)[1:]
    assert [row[0] for row in body] == ["reference", "ETP 50 k€"]
    # 7 ETP × 5 000 € = 35 000 €, 35 000 / 591 900 = 5.91 %
    assert body[1][1:4] == ["626 900,00 €", "35 000,00 €", "+5.91 %"]
    assert len(page.images) == 2  # stacked bars, then baseline against scenario
    assert "Portfolio & co" in " ".join(page.text)


def test_without_matplotlib_the_report_says_charts_are_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    page = parse(build_report(portfolio_frame(), 2022))
    assert page.images == []
    text = " ".join(page.text)
    assert "Charts unavailable" in text and "secpa-model[plot]" in text
    assert len(page.of_class("structure")) == 3  # the rest of the report is there


def test_every_text_is_escaped() -> None:
    frame = portfolio_frame()
    frame.loc[0, "structure_id"] = '<script>alert("x")</script>'
    html = build_report(frame, 2022, title="<b>title</b>", source="a&b.csv", charts=False)
    assert "<script>" not in html and "<b>title</b>" not in html
    page = parse(html)
    assert "script" not in page.tags and "b" not in page.tags
    tables = {table["structure"] for table in page.of_class("structure")}
    assert '<script>alert("x")</script>' in tables  # unescaped back by the parser
    assert "a&b.csv" in " ".join(page.text)


def test_report_errors(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    assert main(["report", str(source), "--year", "2022"]) == 2
    assert "-o/--output" in capsys.readouterr().err
    out = tmp_path / "no" / "such" / "dir" / "r.html"
    assert main(["report", str(source), "-o", str(out), "--year", "2022"]) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert main(["report", str(source), "-o", str(tmp_path / "r.html"), "--year", "2019"]) == 2
    assert "do not cover" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("marks", "banner"), [(["True"] * 3, True), (["True", "False", "True"], False)]
)
def test_the_synthetic_banner_needs_every_row_marked(marks: list[str], banner: bool) -> None:
    frame = portfolio_frame().assign(synthetic=marks)  # as text, the way a CSV is read
    html = build_report(frame, 2022, charts=False)
    assert ("The structures are SYNTHETIC" in html) is banner


def test_a_structure_year_table_has_a_table_per_structure_and_year() -> None:
    frame = portfolio_frame().assign(year=2022)
    frame = pd.concat([frame, portfolio_frame().assign(year=2023)], ignore_index=True)
    page = parse(build_report(frame, None, charts=False))
    tables = page.of_class("structure")
    assert len(tables) == 6
    assert {(t["structure"], t["year"]) for t in tables} == {
        (sid, year) for sid in ("centre-a", "msp-b", "outside-c") for year in ("2022", "2023")
    }
    assert "centre-a, 2023" in page.text and "6 structure-years, 4 eligible" in " ".join(page.text)
    # two whole years of the same portfolio: 2 × 591 900 = 1 183 800 €
    (totals,) = page.of_class("totals")
    assert rows(totals)[-1][-1] == "1 183 800,00 €"
