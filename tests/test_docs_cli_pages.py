"""The index links every page, and the scenario-file examples of docs/cli.md are valid."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from secpa_model.analysis.scenario_files import read_scenario_file

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_the_index_and_the_readme_link_every_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([a-z-]+\.md)\)", index))
    pages = {page.name for page in DOCS.glob("*.md")} - {"index.md"}
    assert pages <= linked, f"not linked from docs/index.md: {sorted(pages - linked)}"
    assert {"frames.md", "performance.md", "scenarios.md", "testing.md"} <= linked
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("frames", "performance", "testing", "scenarios", "cli"):
        assert f"`docs/{page}.md`" in readme, page


def test_the_scenario_file_examples_of_the_cli_page_load(tmp_path: Path) -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = page.split("\n## Scenario files\n", 1)[1].split("\n## ", 1)[0]
    toml = re.findall(r"```toml\n(.*?)```", section, re.DOTALL)
    json = re.findall(r"```json\n(.*?)```", section, re.DOTALL)
    assert len(toml) == 1 and len(json) == 1
    (tmp_path / "s.toml").write_text(toml[0], encoding="utf-8")
    (tmp_path / "s.json").write_text(json[0], encoding="utf-8")
    from_toml = read_scenario_file(tmp_path / "s.toml")
    assert from_toml.name == "ETP 50 k€ from 2025"
    assert set(from_toml.overrides) == {
        "participatory_activities.cost_per_etp",
        "interpreting.hourly_rate_phone",
        "interpreting.annual_cap",
    }
    # the relative change of the example: 40 000 € + 10 % from 2024-03-01, the base before
    cap = [
        (v.effective_from.isoformat(), v.value)
        for v in from_toml.values()["interpreting.annual_cap"]
    ]
    assert cap == [("2024-03-01", Decimal(40_000) * Decimal("1.10"))]
    assert dict(read_scenario_file(tmp_path / "s.json").overrides) == {
        "interpreting.hourly_rate_phone": 45
    }
