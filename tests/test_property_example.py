"""The user's property test in examples/ passes on the reference set and catches a proposed
parameter set that breaks the 66 000 € promise."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

from secpa_model import Period, Structure

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "property_test_example.py"
REFERENCE = (
    resources.files("secpa_model.models.experimentation")
    .joinpath("reference.toml")
    .read_text("utf-8")
)


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_passes_on_the_reference_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECPA_PROPOSED_PARAMETERS", raising=False)
    example = load_example("property_example_reference")
    assert example.PROPOSED.name == "reference"
    example.test_psychological_support_stays_within_the_promise()
    example.test_payments_are_monotone()
    example.test_eligible_structures_are_paid_every_day()


def test_the_example_catches_a_psychology_cap_above_the_promise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proposal with a 70 000 € cap: a structure asking 100 000 € with ARS agreement over
    the whole of 2022 gets 70 000 € > 66 000 €, so the example's property fails on it."""
    proposal = tmp_path / "proposal.toml"
    proposal.write_text(REFERENCE.replace("value = 66000", "value = 70000"), encoding="utf-8")
    monkeypatch.setenv("SECPA_PROPOSED_PARAMETERS", str(proposal))
    example = load_example("property_example_proposal")
    assert example.PROPOSED.origin == str(proposal)
    structure = Structure(
        structure_id="asks-a-lot",
        kind="msp",
        location="in_qpv",
        file_active_mg=2000,
        poverty_rate=0.3,
        psychologist_cost_requested=Decimal("100000"),
        ars_psychology_agreement=True,
    )
    prop = example.test_psychological_support_stays_within_the_promise.hypothesis.inner_test
    with pytest.raises(AssertionError):
        prop(structure=structure, period=Period.year(2022))
    # the same case holds under the reference set's 66 000 € cap
    monkeypatch.delenv("SECPA_PROPOSED_PARAMETERS")
    reference = load_example("property_example_reference_again")
    inner = reference.test_psychological_support_stays_within_the_promise.hypothesis.inner_test
    inner(structure=structure, period=Period.year(2022))
