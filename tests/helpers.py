"""Test helpers: structures built field by field, rounding by hand, the reference text."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib import resources
from typing import Any, NamedTuple

import pandas as pd

import secpa_model
from secpa_model import Parameters, Structure
from secpa_model.io.frames import result_columns
from secpa_model.model.parameters import parameters_from_mapping as _parameters_from_mapping
from secpa_model.model.parameters import parse_parameters as _parse_parameters
from secpa_model.models import experimentation


def make_structure(**changes: Any) -> Structure:
    """An eligible centre de santé in a QPV with nothing requested, then ``changes``."""
    fields: dict[str, Any] = {
        "structure_id": "test",
        "kind": "centre_de_sante",
        "location": "in_qpv",
        "file_active_mg": 2500,
        "poverty_rate": 0.30,
    }
    fields.update(changes)
    return Structure(**fields)


def euros_half_up(amount: Fraction) -> Decimal:
    """Round an exact euro amount half up to the cent, by hand (independent of the code)."""
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parameters_with(changes: str, origin: str) -> Parameters:
    """The reference parameter file with ``changes`` (more TOML: dated values) appended."""
    return parse_parameters(reference_text() + changes, origin)


def reference_text() -> str:
    """The text of the experimentation's reference parameter file."""
    return (
        resources.files("secpa_model.models.experimentation")
        .joinpath("reference.toml")
        .read_text("utf-8")
    )


# cost_per_etp rises from 45 000 € to 54 750 € on 1 March 2022 (a test value, not a real one).
CHANGE_ON_1_MARCH = """
[[participatory_activities.cost_per_etp.values]]
effective_from = 2022-03-01
value = 54750
status = "assumption"
rationale = "Test value: a change on 1 March."
source = { title = "secpa-model tests", reference = "tests/conftest.py" }
"""


# The experimentation's declarations, as the tests name them.
LINE_KEYS = experimentation().line_keys
PARAMETER_SPECS = experimentation().specs
STRUCTURE_FIELDS = tuple(item.name for item in experimentation().inputs)
REQUIRED_COLUMNS = tuple(item.name for item in experimentation().inputs if item.required)
OPTIONAL_COLUMNS = {
    item.name: item.default for item in experimentation().inputs if not item.required
}
RESULT_COLUMNS = result_columns()


def parse_parameters(text: str, origin: str = "<string>") -> Parameters:
    """A parameter file's text read for the experimentation model."""
    return _parse_parameters(
        text, origin, specs=PARAMETER_SPECS, relations=experimentation().relations
    )


def parameters_from_mapping(data: Any, origin: str) -> Parameters:
    """A parsed parameter mapping read for the experimentation model."""
    return _parameters_from_mapping(data, origin, PARAMETER_SPECS, experimentation().relations)


class Reported(NamedTuple):
    """The allocations of a portfolio's valid rows and the problems of the others."""

    allocations: pd.DataFrame
    errors: pd.DataFrame


def allocate_valid(
    frame: pd.DataFrame, period: Any, parameters: Any = None, **options: Any
) -> Reported:
    """``portfolio(frame, **options).valid()`` allocated, with its problems."""
    valid = secpa_model.portfolio(frame, **options).valid()
    return Reported(valid.allocate(period, parameters), valid.problems)
