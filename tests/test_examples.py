"""Every script of examples/ runs, prints a table and saves its chart(s); the capitation
model built from scratch pays what docs/models.md computes by hand, and the page quotes its
code, values and command line as they are."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from secpa_model import Model, portfolio
from secpa_model.presentation.cli import main

ROOT = Path(__file__).resolve().parent.parent
# property_test_example.py is a pytest file, run by tests/test_property_example.py
PROPERTY_TEST = "property_test_example.py"
EXAMPLES = sorted(
    p
    for p in (ROOT / "examples").glob("*.py")
    if not p.name.startswith("_") and p.name != PROPERTY_TEST
)
EXPECTED_CHARTS = {
    "quickstart.py": ["quickstart_allocations.png"],
    "compare_scenarios.py": ["compare_scenarios.png"],
    "sweep_parameter.py": ["sweep_cost_per_etp.png"],
    "project_budget.py": [f"project_budget_{n}.png" for n in (26, 60, 100)],
    "custom_dotation.py": [],
    "capitation.py": [],
}


def test_every_example_is_listed() -> None:
    assert sorted(p.name for p in EXAMPLES) == sorted(EXPECTED_CHARTS)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SECPA_EXAMPLES_OUT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC" in done.stdout
    assert "€" in done.stdout
    for name in EXPECTED_CHARTS[script.name]:
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG", name


def load_capitation() -> ModuleType:
    path = ROOT / "examples" / "capitation.py"
    spec = importlib.util.spec_from_file_location("capitation_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def capitation_section() -> str:
    page = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    return page.split("\n## A model from scratch: a capitation\n", 1)[1].split("\n## ", 1)[0]


def test_the_capitation_pays_what_the_page_computes_by_hand() -> None:
    """docs/models.md: a 4 840 weighted patients × 90 € = 435 600 €; b 604 × 90 € =
    54 360 € raised to the 60 000 € floor; c 13 340 × 90 € = 1 200 600 € held to the
    700 000 € cap; d has 2 GPs (3 needed): not eligible, 0 €."""
    example = load_capitation()
    model: Model = example.MODEL
    assert model.conditions and model.line_keys == ("capitation",)
    result = portfolio(example.structures(), model=model).allocate(2026)
    assert result["total_cents"].tolist() == [43_560_000, 6_000_000, 70_000_000, 0]
    assert result["reasons"].tolist() == ["", "", "", "team_too_small"]
    assert [spec.kind for spec in model.parameters].count("scale") == 1
    assert model.specs["capitation.ald_uplift"].unit == "fraction"


def test_the_page_quotes_the_example_as_it_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    section = capitation_section()
    code = (ROOT / "examples" / "capitation.py").read_text(encoding="utf-8")
    values = (ROOT / "examples" / "capitation.toml").read_text(encoding="utf-8")
    quoted = re.findall(r"^```py\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    assert len(quoted) == 3
    for block in quoted:
        assert block in code
    for block in re.findall(r"^```toml\n(.*?)^```", section, re.DOTALL | re.MULTILINE):
        assert block in values
    command = re.search(r"^```bash\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    shown = re.search(r"^```text\n(structure over.*?)^```", section, re.DOTALL | re.MULTILINE)
    assert command is not None and shown is not None
    words = command.group(1).replace("\\\n", " ").split()
    assert words[:2] == ["secpa-model", "allocate"]
    monkeypatch.chdir(ROOT)
    assert main(words[1:]) == 0
    assert capsys.readouterr().out.startswith(shown.group(1))
