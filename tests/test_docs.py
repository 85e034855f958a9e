"""The documentation runs and cannot drift: code blocks execute, generated tables match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secpa_model.presentation.cli import build_parser
from secpa_model.presentation.docs_tables import (
    BEGIN,
    END,
    INPUTS_BEGIN,
    INPUTS_END,
    main,
    provenance_table,
    replace_table,
    shipped_inputs_tables,
    table_in,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted([*DOCS.glob("*.md"), ROOT / "README.md"])
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(page: Path) -> list[str]:
    return PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))


def test_the_pages_the_docs_promise_exist() -> None:
    names = {page.name for page in PAGES}
    expected = {"index.md", "quickstart.md", "cli.md", "parameters.md", "official-values.md"}
    assert expected <= names
    assert sum(len(python_blocks(page)) for page in PAGES) >= 8


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_python_block_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page's blocks run in order in one namespace, in an empty working directory."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(python_blocks(page), start=1):
        code = compile(block, f"{page.name} (python block {number})", "exec")
        exec(code, namespace)


def test_parameters_page_carries_the_generated_provenance_table() -> None:
    page = (DOCS / "parameters.md").read_text(encoding="utf-8")
    assert table_in(page) == provenance_table(), (
        "docs/parameters.md is out of date: run "
        "python -m secpa_model.presentation.docs_tables --write docs/parameters.md"
    )


def test_models_page_carries_the_generated_inputs_tables() -> None:
    page = (DOCS / "models.md").read_text(encoding="utf-8")
    assert table_in(page, INPUTS_BEGIN, INPUTS_END) == shipped_inputs_tables(), (
        "docs/models.md is out of date: run "
        "python -m secpa_model.presentation.docs_tables --inputs --write docs/models.md"
    )
    assert "| `team_size` | count | professionals | `0` | ≥ 0 |" in page


def test_provenance_table_lists_every_value_with_status_and_source() -> None:
    table = provenance_table()
    rows = [row for row in table.splitlines() if row.startswith("| `")]
    assert len(rows) == 11  # one dated value per parameter in the reference set
    cost = next(row for row in rows if "cost_per_etp" in row)
    assert "| 45000 | EUR/ETP/year | **ASSUMPTION** | [2] |" in cost
    cap = next(row for row in rows if "psychological_support.annual_cap" in row)
    assert "| 66000 | EUR/year | published | [1] |" in cap
    assert "\n1. Ministère de la santé" in table


def test_docs_tables_writes_between_the_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n{BEGIN}\nstale\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["--write", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert table_in(text) == provenance_table()
    assert text.startswith("# Title\n") and text.endswith("\nafter\n") and "stale" not in text
    with pytest.raises(ValueError, match="markers"):
        replace_table("no markers here", "table")
    assert main(["--write", str(tmp_path / "missing.md")]) == 2


def test_cli_reference_has_a_section_per_subcommand() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    # --json and --quiet are on every command: documented once, in its own section
    common = page.split("\n## Errors, exit codes and `--json`\n", 1)[1].split("\n## ", 1)[0]
    assert "`--json`" in common and "`--quiet`" in common
    for name, sub in commands.choices.items():  # type: ignore[union-attr]
        assert f"\n## `{name}`\n" in page, name
        section = page.split(f"\n## `{name}`\n", 1)[1].split("\n## ", 1)[0]
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help" and not flag.startswith("--no-"):
                    assert flag in section or flag in ("--json", "--quiet"), (
                        f"{name} {flag} is not documented"
                    )
