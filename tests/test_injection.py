"""Nothing injected (issue 10): a text from the data (an id, a scenario name, a reason) never
becomes a spreadsheet formula, live Markdown or HTML, a terminal escape sequence or
matplotlib mathtext where the library writes it, and ordinary texts are written as before."""

from __future__ import annotations

import csv
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import (
    Allocation,
    Input,
    Scenario,
    allocate,
    allocate_frame,
    compare,
    explain_markdown,
    read_allocations,
    reference_parameters,
    write_allocations,
)
from secpa_model.core.safe_text import (
    FORMULA_STARTS,
    markdown_code,
    markdown_text,
    quote_spreadsheet_text,
    single_line,
    starts_like_formula,
    unquote_spreadsheet_text,
    visible_controls,
)
from secpa_model.datasets import illustrative_portfolio
from secpa_model.presentation.cli import main
from secpa_model.presentation.cli.tables import allocation_table, line_table, text_table
from secpa_model.presentation.report import build_report
from tests.helpers import STRUCTURE_FIELDS
from tests.profiles import examples

Capture = pytest.CaptureFixture[str]

DANGEROUS_STARTS = (*FORMULA_STARTS, "'")
PAYLOADS = (
    "`",
    "a`b",
    "``x``",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "$x^2$",
    "$\\frac{$",
    "\x1b[31mred\x1b[0m",
    "a\n# heading",
    "a\r\n## heading",
    "a|b",
    "a & b &amp;",
    "[x](javascript:alert(1))",
    '=HYPERLINK("http://example.com","x")',
    "#REF!",
    "x;=1+2",
    "-1",
    "+1",
    "@SUM(A1)",
    "'quoted",
    "a\\",
    "\u202eevil",
)
ORDINARY = "synthetic-w1-01"
FAST = settings(
    max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def bidi_visible(text: str) -> str:
    """``text`` with each bidirectional control written as ``\\uXXXX``."""
    return BIDI.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


text_tail = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
payloads = st.one_of(
    st.builds(str.__add__, st.sampled_from(DANGEROUS_STARTS), text_tail),
    st.sampled_from(PAYLOADS),
    st.builds(str.__add__, st.sampled_from(PAYLOADS), text_tail),
)
# three texts written as ids (the writers take any frame): distinct, not blank once stripped
three_ids = st.lists(payloads, min_size=3, max_size=3, unique_by=str.strip).filter(
    lambda ids: all(i.strip() for i in ids)
)
ID_INPUT = Input("structure_id", "text", "An id, as the models declare it.")


def accepted_id(text: str) -> str | None:
    """The id a structures frame reads from ``text`` (None: refused, e.g. a control
    character, which the input never lets through: docs/trust.md)."""
    try:
        parsed: str = ID_INPUT.parse(text)
    except ValueError:
        return None
    return parsed


# three ids a structures frame accepts: the payloads without the characters an id refuses,
# distinct once read
three_accepted_ids = st.lists(
    payloads.map(lambda text: "".join(c for c in text if accepted_id(f"a{c}"))),
    min_size=3,
    max_size=3,
).filter(lambda ids: None not in (read := [accepted_id(i) for i in ids]) and len(set(read)) == 3)


def excel_allowed(text: str) -> bool:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.search(text) is None


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def allocated(ids: list[str], period: int = 2022) -> pd.DataFrame:
    """The allocations of the first three rows of the illustrative (SYNTHETIC) portfolio,
    their ids then replaced by ``ids`` (a writer takes any frame, even ids an input refuses:
    a control character)."""
    frame = illustrative_portfolio().head(3).copy()
    result = allocate_frame(frame, period)
    assert isinstance(result, pd.DataFrame)
    result["structure_id"] = ids
    return result


def one_allocation(structure_id: str) -> Allocation:
    """An allocation whose id is replaced by ``structure_id`` (the explanations show any
    text safely, even one an input refuses)."""
    row = illustrative_portfolio().iloc[0].to_dict()
    data: dict[str, Any] = {name: row[name] for name in STRUCTURE_FIELDS if name in row}
    data["structure_id"] = ORDINARY
    return allocate(data, 2022).model_copy(update={"structure_id": structure_id})


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def markdown_decoded(text: str) -> str:
    """What CommonMark shows for inline text: backslash escapes and entities resolved."""
    entities = {"amp": "&", "lt": "<", "gt": ">"}
    return re.sub(
        r"\\([!-/:-@\[-`{-~])|&(amp|lt|gt);",
        lambda m: m.group(1) or entities[m.group(2)],
        text,
    )


def unescaped(text: str, character: str) -> bool:
    """Whether ``character`` occurs in ``text`` without a backslash escaping it."""
    position = 0
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text[position] == character:
            return True
        position += 1
    return False


# the helpers, one job each


@settings(max_examples=examples(200), deadline=None)
@given(st.text())
def test_quote_and_unquote_give_the_original_back(text: str) -> None:
    quoted = quote_spreadsheet_text(text)
    assert unquote_spreadsheet_text(quoted) == text
    assert not starts_like_formula(quoted)
    if not text.startswith(DANGEROUS_STARTS):
        assert quoted == text  # nothing added to ordinary text


@settings(max_examples=examples(200), deadline=None)
@given(st.text())
def test_visible_controls_leave_no_control_character(text: str) -> None:
    shown = visible_controls(text)
    assert not any(unicodedata.category(c) == "Cc" for c in shown)
    assert "\u202e" not in shown and "\u2028" not in shown
    if CONTROL.search(text) is None and text.isprintable():
        assert shown == text


@settings(max_examples=examples(200), deadline=None)
@given(st.one_of(st.text(), payloads))
def test_markdown_text_is_inert_and_shows_the_text(text: str) -> None:
    shown = markdown_text(text)
    assert not {"<", ">", "\n", "\r", "\x1b"} & set(shown)
    assert "&" not in re.sub("&(amp|lt|gt);", "", shown)
    for character in "`|[]$":
        assert not unescaped(shown, character)
    assert markdown_decoded(shown) == visible_controls(single_line(text))


@settings(max_examples=examples(200), deadline=None)
@given(st.one_of(st.text(), payloads))
def test_markdown_code_spans_cannot_be_closed(text: str) -> None:
    shown = markdown_code(text)
    if shown.startswith("`"):
        assert shown == f"`{text}`" and "`" not in text
        assert not {"<", ">", "&", "|"} & set(text) and CONTROL.search(text) is None
    else:
        assert shown == markdown_text(text)


def test_ordinary_texts_are_unchanged() -> None:
    for text in (ORDINARY, "Professional interpreting", "0.31", "ETP(x) × cost_per_etp"):
        assert quote_spreadsheet_text(text) == text
        assert visible_controls(text) == text
        assert markdown_text(text) == text
    assert markdown_code(ORDINARY) == f"`{ORDINARY}`"


# (a) CSV: the quote prefix, and the original text read back


@FAST
@given(ids=three_ids)
def test_csv_quotes_formula_like_ids_and_reads_them_back(workdir: Path, ids: list[str]) -> None:
    result = allocated(ids)
    path = write_allocations(result, workdir / "a.csv")
    rows = csv_cells(path)
    written = [row[0] for row in rows[1:]]
    for original, cell in zip(result["structure_id"], written, strict=True):
        assert cell == quote_spreadsheet_text(original)
        assert not starts_like_formula(cell)
        if original.startswith(DANGEROUS_STARTS):
            assert cell == "'" + original
    assert list(read_allocations(path)["structure_id"]) == list(result["structure_id"])


@FAST
@given(
    ids=st.lists(st.text(min_size=1), min_size=3, max_size=3),
    reasons=st.lists(st.text(min_size=1), min_size=3, max_size=3),
)
def test_csv_round_trip_of_any_text(workdir: Path, ids: list[str], reasons: list[str]) -> None:
    result = allocated(["a", "b", "c"])
    result["structure_id"] = ids  # any frame may be written: texts not even stripped
    result["reasons"] = reasons
    path = write_allocations(result, workdir / "any.csv")
    for row in csv_cells(path)[1:]:
        assert not starts_like_formula(row[0]) and not starts_like_formula(row[2])
    back = read_allocations(path)
    assert list(back["structure_id"]) == ids
    assert list(back["reasons"]) == reasons
    pd.testing.assert_frame_equal(
        back.drop(columns=["structure_id", "reasons"]),
        result.drop(columns=["structure_id", "reasons"]),
    )


def test_csv_a_carriage_return_or_semicolon_formula_is_never_split(tmp_path: Path) -> None:
    result = allocated(["a\r=1+2", "b;=1+2", "c"])
    path = write_allocations(result, tmp_path / "split.csv")
    text = path.read_bytes().decode("utf-8")
    assert '"a\r=1+2"' in text and '"b;=1+2"' in text  # texts in double quotes
    assert list(read_allocations(path)["structure_id"]) == ["a\r=1+2", "b;=1+2", "c"]


def test_csv_quotes_the_header_and_index_too(tmp_path: Path) -> None:
    result = allocated(["a", "b", "c"]).set_index(pd.Index(["=x", "-y", "z"], name="@row"))
    result["=note"] = ["-1", "'q", "ok"]
    result["amount"] = [-1, -2, 3]  # numbers stay numbers
    path = write_allocations(result, tmp_path / "header.csv")
    rows = csv_cells(path)
    assert rows[0][0] == "'@row" and rows[0][-2] == "'=note"
    assert [row[0] for row in rows[1:]] == ["'=x", "'-y", "z"]
    assert [row[-2] for row in rows[1:]] == ["'-1", "''q", "ok"]
    assert [row[-1] for row in rows[1:]] == ["-1", "-2", "3"]
    back = read_allocations(path)
    assert list(back["@row"]) == ["=x", "-y", "z"]
    assert list(back["=note"]) == ["-1", "'q", "ok"]
    assert list(back["amount"]) == [-1, -2, 3]


def test_ordinary_csv_is_written_exactly_as_before(tmp_path: Path) -> None:
    result = allocate_frame(illustrative_portfolio(), 2024)
    assert isinstance(result, pd.DataFrame)
    path = write_allocations(result, tmp_path / "plain.csv")
    text = path.read_text(encoding="utf-8")
    assert text == result.to_csv(index=False)  # pandas' own CSV, byte for byte
    assert f"\n{ORDINARY}," in text and "'" not in text


def test_batch_errors_report_quotes_the_values(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "structures.csv"
    frame = illustrative_portfolio().head(3).copy()
    frame["structure_id"] = ["=ok", "@two", "three"]
    frame["poverty_rate"] = frame["poverty_rate"].astype(object)
    frame.loc[1, "poverty_rate"] = "=HYPERLINK(1)"  # invalid: a text
    frame.to_csv(source, index=False)
    out = tmp_path / "result.csv"
    args = ["batch", str(source), "-o", str(out), "--year", "2022", "--errors", "report"]
    assert main(args) == 0
    capsys.readouterr()
    for path in (out, tmp_path / "result.errors.csv"):
        for row in csv_cells(path):
            assert not any(starts_like_formula(cell) for cell in row)
    errors_text = (tmp_path / "result.errors.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(1)" in errors_text
    assert list(read_allocations(out)["structure_id"]) == ["=ok", "three"]


# (b) Excel: text cells, never formulas


@FAST
@given(ids=three_ids.filter(lambda ids: all(excel_allowed(i) for i in ids)))
def test_excel_writes_texts_as_text_cells(workdir: Path, ids: list[str]) -> None:
    from openpyxl import load_workbook

    result = allocated(ids)
    path = write_allocations(result, workdir / "a.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type not in ("f", "e") for cell in cells)
    column = [cell for cell in cells if cell.column == 1][1:]
    for original, cell in zip(result["structure_id"], column, strict=True):
        assert cell.data_type == "s"
        assert cell.value == original.replace("\r\n", "\n").replace("\r", "\n")
        assert cell.quotePrefix == starts_like_formula(original)
    back = read_allocations(path)["structure_id"]
    assert [i.replace("\r\n", "\n").replace("\r", "\n") for i in result["structure_id"]] == list(
        back
    )


def test_excel_formula_and_error_texts_read_back(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ids = ["=1+2", "#REF!", ORDINARY]
    path = write_allocations(allocated(ids), tmp_path / "f.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [(c.value, c.data_type) for c in sheet["A"]][1:] == [(i, "s") for i in ids]
    assert list(read_allocations(path)["structure_id"]) == ids


# (c) Markdown: escaped, the code span never closed, no heading injected


@FAST
@given(structure_id=payloads.filter(lambda i: i.strip() != ""))
def test_markdown_of_an_allocation_is_inert(structure_id: str) -> None:
    allocation = one_allocation(structure_id)
    markdown = explain_markdown(allocation)
    lines = markdown.splitlines()
    shown = markdown_code(allocation.structure_id)
    assert lines[0] == f"## Allocation of {shown} over 2022-01-01..2022-12-31"
    assert "<" not in markdown  # neither from the id nor from any other text
    assert all(">" not in line.removeprefix("> ") for line in lines)
    assert "&" not in re.sub("&(amp|lt|gt);", "", markdown)
    headings = [line for line in lines if line.startswith("#")]  # none injected
    assert headings[0] == lines[0] and len(headings) == 1 + len(allocation.lines)
    assert all(line.startswith("### ") for line in headings[1:])
    if shown.startswith("`"):  # a code span only for an id that cannot close it
        assert shown == f"`{allocation.structure_id}`" and "`" not in allocation.structure_id
    else:
        assert not unescaped(shown, "`")
        assert markdown_decoded(shown) == visible_controls(single_line(allocation.structure_id))
    assert "\x1b" not in markdown and "\r" not in markdown


def test_markdown_escapes_the_known_payloads() -> None:
    markdown = explain_markdown(one_allocation("<img src=x onerror=alert(1)>"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown
    markdown = explain_markdown(one_allocation("a`b\n# title"))
    assert markdown.startswith("## Allocation of a\\`b # title over")
    assert "\n# title" not in markdown


def test_markdown_of_an_ordinary_id_is_unchanged() -> None:
    markdown = explain_markdown(one_allocation(ORDINARY))
    assert markdown.startswith(f"## Allocation of `{ORDINARY}` over 2022-01-01..2022-12-31\n")
    assert "| `participatory_activities.cost_per_etp` | 45000 EUR/ETP/year |" in markdown


# (d) terminals: no escape sequence


@FAST
@given(structure_id=payloads.filter(lambda i: i.strip() != ""))
def test_text_explanations_and_tables_hold_no_control_character(structure_id: str) -> None:
    allocation = one_allocation(structure_id)
    outputs = [
        allocation.explain(),
        allocation_table([allocation]),
        line_table(allocation),
        text_table(["scenario", "total"], [[structure_id, "1"]]),
    ]
    for output in outputs:
        assert "\x1b" not in output and "\r" not in output
        assert CONTROL.search(output.replace("\n", "")) is None
    head = allocation.explain().splitlines()[0]
    assert head.startswith(f"Allocation of {visible_controls(allocation.structure_id)} over")


def test_cli_explain_and_markdown_hold_no_escape(capsys: Capture) -> None:
    flags = ["--structure-id", "\x1b[31mred\x1b[0m\r", "--kind", "centre_de_sante"]
    flags += ["--location", "in_qpv", "--file-active-mg", "3200", "--poverty-rate", "0.31"]
    for output in ("--explain", "--markdown"):  # an id with an escape is refused, by name
        assert main(["allocate", *flags, "--year", "2022", output]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "\x1b" not in captured.err and "\r" not in captured.err
        assert "structure_id" in captured.err and "control" in captured.err


# (e) charts: labels drawn literally


MATH_IDS = ["$x^2$", "$\\frac{$", "a$b$c"]


def test_chart_labels_are_literal(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from secpa_model.presentation import plots

    result = allocated(MATH_IDS)
    figure = plots.plot_allocations(result, title="$\\oops{", path=tmp_path / "a.png")
    axes = figure.axes[0]
    labels = axes.get_xticklabels()
    assert [label.get_text() for label in labels] == MATH_IDS
    assert not any(label.get_parse_math() for label in labels)
    assert axes.title.get_text() == "$\\oops{" and not axes.title.get_parse_math()
    scenario = Scenario("$y_1$ \\frac{", {"participatory_activities.cost_per_etp": 50000})
    frame = illustrative_portfolio().head(3).copy()
    frame["structure_id"] = MATH_IDS
    comparison = compare(frame, 2022, reference_parameters(), scenario)
    figure = plots.plot_comparison(comparison, title="$a$ vs $b", path=tmp_path / "c.png")
    axes = figure.axes[0]
    labels = axes.get_xticklabels()
    assert [label.get_text() for label in labels][1:] == ["$y_1$ \\frac{"]
    assert not any(label.get_parse_math() for label in labels)
    assert not axes.title.get_parse_math()
    texts = [*axes.texts, *figure.texts, *figure.legends[0].get_texts()]
    assert texts and not any(text.get_parse_math() for text in texts)
    assert (tmp_path / "a.png").is_file() and (tmp_path / "c.png").is_file()


# (f) the HTML report: ids and the user's name columns are text, never markup


class _Cells(HTMLParser):
    """The tags of a page and, per row of the portfolio table, each cell's sort key."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.rows: list[list[str | None]] = []
        self._in_lines = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "tr":
            self._in_lines = attributes.get("class") == "lines"
            if self._in_lines:
                self.rows.append([])
        elif tag == "td" and self._in_lines:
            self.rows[-1].append(attributes.get("data-sort"))


@FAST
@given(
    three_accepted_ids,
    st.lists(payloads, min_size=3, max_size=3),
    st.lists(payloads, min_size=3, max_size=3),
)
def test_report_shows_ids_and_names_as_text(
    ids: list[str], names: list[str], regions: list[str]
) -> None:
    frame = illustrative_portfolio().head(3).copy()
    frame["structure_id"] = ids
    frame["nom"] = names
    frame["region"] = regions
    page = build_report(frame, 2022, charts=False)
    parser = _Cells()
    parser.feed(page)
    parser.close()
    # no tag from the data: the page's own, one script (the sort), no image or link
    assert set(parser.tags) <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "p",
        "strong",
        "button",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "ul",
        "li",
        "code",
        "dl",
        "dt",
        "dd",
        "span",
        "sup",
        "a",
        "ol",
        "section",
        "nav",
        "script",
        "br",
    }
    assert parser.tags.count("script") == 1 and "img" not in parser.tags
    # each row's id, name and region read back as given (in the frame's order)
    shown = {row[0]: (row[1], row[2]) for row in parser.rows}
    result = allocate_frame(frame, 2022)
    # a bidirectional control (a right-to-left override) is shown as its escape: no text
    # displays reversed
    assert BIDI.search(page) is None
    for structure_id, name, region in zip(result["structure_id"], names, regions, strict=True):
        blank = not name.strip(), not region.strip()
        expected = (
            "" if blank[0] else bidi_visible(name),
            "" if blank[1] else bidi_visible(region),
        )
        assert shown[bidi_visible(structure_id)] == expected


@pytest.mark.parametrize("name", ["a\x1b[31mred\nx.csv", "\u202eevil.csv", "a\rb.csv"])
def test_a_hostile_file_name_reaches_the_terminal_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture, name: str
) -> None:
    """An error naming a file whose name holds an escape sequence, a line break or a
    right-to-left override is one line, each such character written as its escape."""
    monkeypatch.chdir(tmp_path)
    illustrative_portfolio().head(2).to_csv(tmp_path / name, index=False)
    assert main(["batch", name, "-o", "out.csv"]) == 2  # no period: refused, naming the file
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and CONTROL.search(err[:-1]) is None and BIDI.search(err) is None
    assert err.startswith(
        "secpa-model: error: "
        + bidi_visible(name.replace("\x1b", "\\x1b").replace("\n", "\\x0a").replace("\r", "\\x0d"))
        + ": "
    )


@pytest.mark.parametrize("name", ["a\x1b[31mred\nx.csv", "\u202eevil.csv", "a\rb.csv"])
def test_a_hostile_file_name_in_a_summary_is_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: Capture, name: str
) -> None:
    """The summary of a run (on standard output, or on standard error when the data go to
    standard output) shows a file name's escape sequence, carriage return or right-to-left
    override as its escape; its lines stay lines."""
    monkeypatch.chdir(tmp_path)
    illustrative_portfolio().head(2).to_csv(tmp_path / name, index=False)
    shown = bidi_visible(name.replace("\x1b", "\\x1b").replace("\r", "\\x0d"))
    assert main(["batch", name, "-o", "out.csv", "--year", "2022"]) == 0
    out = capfd.readouterr().out
    assert out.startswith(f"secpa-model batch: {shown} -> out.csv\n")
    assert CONTROL.search(out.replace("\n", "")) is None and BIDI.search(out) is None
    # the data on standard output, as they are; the summary on standard error, escaped
    assert main(["batch", name, "-o", "-", "--to", "csv", "--year", "2022"]) == 0
    captured = capfd.readouterr()
    assert captured.out.startswith("structure_id,")
    assert f"secpa-model batch: {shown} -> -\n" in captured.err
    assert CONTROL.search(captured.err.replace("\n", "")) is None
