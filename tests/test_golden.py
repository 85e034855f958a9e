"""The experimentation model's results stay those recorded before the models redesign:
every amount to the cent, every reason and every explanation (``tests/golden``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import secpa_model
import secpa_model.datasets
from tests.golden.cases import CHANGES, GOLDEN_FILE, compute
from tests.helpers import parameters_with


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def computed() -> dict[str, Any]:
    return compute(secpa_model, parameters_with(CHANGES, "golden-changes.toml"))


def test_frames_are_unchanged_to_the_cent(golden: dict[str, Any], computed: dict[str, Any]) -> None:
    assert computed["frames"].keys() == golden["frames"].keys()
    for case, rows in golden["frames"].items():
        assert computed["frames"][case] == rows, case


def test_explanations_are_unchanged(golden: dict[str, Any], computed: dict[str, Any]) -> None:
    assert computed["explanations"].keys() == golden["explanations"].keys()
    for case, recorded in golden["explanations"].items():
        now = computed["explanations"][case]
        assert now["text"] == recorded["text"], case
        assert now["assumptions_used"] == recorded["assumptions_used"], case
        assert _added(now["json"], recorded["json"], case) <= ADDED_TO_THE_TRACE, case


# What the models redesign added to the JSON trace (nothing recorded changed or went away):
# the model's name and note (empty for the experimentation), and each line's own rounding
# (null when it is the model's).
ADDED_TO_THE_TRACE = {"model", "model_note", "lines[].rounding"}


def _added(now: Any, recorded: Any, where: str, path: str = "") -> set[str]:
    """The keys ``now`` has beyond ``recorded``, asserting that everything recorded is
    still there, equal."""
    if isinstance(recorded, dict):
        assert isinstance(now, dict), (where, path)
        extra = {f"{path}{key}" for key in set(now) - set(recorded)}
        for key, value in recorded.items():
            assert key in now, (where, path, key)
            extra |= _added(now[key], value, where, f"{path}{key}.")
        return {key.rstrip(".") for key in extra}
    if isinstance(recorded, list):
        assert isinstance(now, list) and len(now) == len(recorded), (where, path)
        found: set[str] = set()
        for item_now, item in zip(now, recorded, strict=True):
            found |= _added(item_now, item, where, path.rstrip(".") + "[].")
        return found
    assert now == recorded, (where, path, now, recorded)
    return set()


def test_the_golden_cases_cover_every_branch(golden: dict[str, Any]) -> None:
    rows = [row for case in golden["frames"].values() for row in case]
    reasons = {code for row in rows for code in row[2].split(";") if code}
    assert reasons == {"outside_qpv", "file_active_below_minimum", "not_participating"}
    for line in range(4):
        assert any(row[3 + line] > 0 for row in rows)
    # an eligible structure has at least the minimum file active, so the first line pays
    for line in range(1, 4):
        assert any(row[3 + line] == 0 and row[1] for row in rows)
