"""Fuzzing the parameter loader: any TOML-shaped mapping or text either loads or raises a
ParameterError that names the file (never KeyError, TypeError, decimal errors...)."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import ParameterError, Parameters
from tests.helpers import PARAMETER_SPECS, parameters_from_mapping, parse_parameters
from tests.profiles import examples

FUZZ = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ORIGIN = "fuzz.toml"
REFERENCE_TEXT = (
    resources.files("secpa_model.models.experimentation")
    .joinpath("reference.toml")
    .read_text("utf-8")
)
REFERENCE = tomllib.loads(REFERENCE_TEXT)

GROUPS = sorted({path.split(".")[0] for path in PARAMETER_SPECS})
KNOWN_KEYS = [
    "meta",
    "sources",
    *GROUPS,
    *(path.split(".")[1] for path in PARAMETER_SPECS),
    "unit",
    "threshold_unit",
    "values",
    "effective_from",
    "value",
    "status",
    "source",
    "rationale",
    "mode",
    "brackets",
    "threshold",
    "title",
    "reference",
    "url",
]
TOML_SCALARS = (
    st.text(max_size=10)
    | st.integers(-(2**64), 2**64)
    | st.floats()
    | st.booleans()
    | st.dates()
    | st.datetimes()
    | st.times()
    | st.sampled_from(
        ["published", "assumption", "step", "linear", "EUR/year", "patients", "calibration"]
    )
    | st.sampled_from(["1e999999", "-0", "NaN", "2021-13-01", "2021-08-01", "1e-999999"])
)
KEYS = st.sampled_from(KNOWN_KEYS) | st.text(max_size=6)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)


def load(data: Any) -> Parameters | None:
    """parameters_from_mapping, None on a ParameterError naming the file."""
    try:
        return parameters_from_mapping(data, ORIGIN)
    except ParameterError as exc:
        assert str(exc).startswith(f"{ORIGIN}: "), str(exc)
        return None


@FUZZ
@given(st.dictionaries(KEYS, TOML_VALUES, max_size=6) | TOML_VALUES)
def test_arbitrary_mappings_raise_only_parameter_error(data: Any) -> None:
    assert load(data) is None, "a random mapping cannot define every parameter"


@st.composite
def mutated_reference(draw: st.DrawFn) -> dict[str, Any]:
    """The reference mapping with one to three nodes replaced, deleted or added."""
    data = copy.deepcopy(REFERENCE)
    for _ in range(draw(st.integers(1, 3))):
        node: Any = data
        path: list[Any] = []
        # walk down a random branch
        while isinstance(node, dict | list) and node and draw(st.integers(0, 3)) > 0:
            key = draw(
                st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
            )
            path.append(key)
            parent, node = node, node[key]
        if not path:
            continue
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(TOML_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(node, dict):
            node[draw(KEYS)] = draw(TOML_VALUES)
    return data


@FUZZ
@given(mutated_reference())
def test_a_mutated_reference_raises_only_parameter_error(data: dict[str, Any]) -> None:
    loaded = load(data)
    if loaded is not None:
        assert set(loaded.parameters) == set(PARAMETER_SPECS)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_parameter_error(text: str) -> None:
    try:
        parse_parameters(text, ORIGIN)
    except ParameterError as exc:
        assert str(exc).startswith(f"{ORIGIN}: ")
    else:
        raise AssertionError("random text cannot define every parameter")


@FUZZ
@given(st.integers(0, len(REFERENCE_TEXT) - 1), st.text(min_size=1, max_size=5))
def test_a_reference_file_with_garbage_inserted_raises_only_parameter_error(
    position: int, garbage: str
) -> None:
    text = REFERENCE_TEXT[:position] + garbage + REFERENCE_TEXT[position:]
    try:
        parse_parameters(text, ORIGIN)
    except ParameterError as exc:
        assert str(exc).startswith(f"{ORIGIN}: ")


def test_a_bare_number_among_the_brackets_is_a_parameter_error() -> None:
    """Found by the ci profile: every pydantic error came from the other member of
    ``Decimal | Scale`` and was left out, so the loader reported nothing and failed later
    with a KeyError."""
    bracket = "{ threshold = 0.35, value = 55 },\n]"
    assert bracket in REFERENCE_TEXT
    text = REFERENCE_TEXT.replace(bracket, "{ threshold = 0.35, value = 55 },\n0]", 1)
    with pytest.raises(ParameterError, match=r"amount_per_patient\.values\[0\]\.value"):
        parse_parameters(text, ORIGIN)
