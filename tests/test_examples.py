"""Every script of examples/ runs, prints a table and saves its chart(s)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
