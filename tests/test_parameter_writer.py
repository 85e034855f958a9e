"""parameters_to_toml: a parameter set written as a file reads back to an equal set."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from secpa_model import get_model
from secpa_model.model.parameters import DatedValue, Source
from secpa_model.model.parameters.writer import parameters_to_toml


@pytest.mark.parametrize("name", ["experimentation", "five_pillars"])
def test_the_shipped_sets_round_trip(name: str, tmp_path: Path) -> None:
    model = get_model(name)
    reference = model.reference_parameters()
    path = tmp_path / "written.toml"
    path.write_text(parameters_to_toml(reference, header="line one\nline two"), encoding="utf-8")
    read = model.load_parameters(path)
    assert read.parameters == reference.parameters
    assert (read.name, read.description) == (reference.name, reference.description)
    assert path.read_text(encoding="utf-8").startswith("# line one\n# line two\n")


def test_awkward_texts_and_exact_decimals_round_trip(tmp_path: Path) -> None:
    model = get_model("experimentation")
    reference = model.reference_parameters()
    path_of = "interpreting.hourly_rate_phone"
    tricky = Source(title='a "quoted"\ttitle\nwith a new line \\ and ünïcode', reference="r\u0007")
    changed = reference.parameters[path_of].model_copy(
        update={
            "values": [
                DatedValue(
                    effective_from=reference.parameters[path_of].first_date,
                    value=Decimal("41.37"),
                    status="calibrated",
                    source=tricky,
                    rationale="''' not a TOML trick \"\"\"",
                )
            ]
        }
    )
    altered = reference.model_copy(
        update={"parameters": {**reference.parameters, path_of: changed}}
    )
    path = tmp_path / "tricky.toml"
    path.write_text(parameters_to_toml(altered), encoding="utf-8")
    read = model.load_parameters(path)
    value = read.parameters[path_of].values[0]
    assert value.source == tricky
    assert value.value == Decimal("41.37") and value.status == "calibrated"
    assert value.rationale == "''' not a TOML trick \"\"\""
