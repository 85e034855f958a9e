"""docs/frames.md: its python blocks run, in order, and their assertions hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "frames.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_the_frames_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = PYTHON_BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) == 10
    namespace: dict[str, object] = {"__name__": "docs_frames"}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"frames.md (python block {number})", "exec"), namespace)
    assert (tmp_path / "allocations.xlsx").is_file()
