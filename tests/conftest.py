"""Shared fixtures and the hypothesis profile."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from secpa_model import Parameters, load_parameters
from tests.helpers import CHANGE_ON_1_MARCH, reference_text

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


@pytest.fixture(scope="session")
def reference() -> Parameters:
    return load_parameters()


@pytest.fixture(scope="session")
def changed_parameters(tmp_path_factory: pytest.TempPathFactory) -> Parameters:
    path = tmp_path_factory.mktemp("params") / "change_1_march.toml"
    path.write_text(reference_text() + CHANGE_ON_1_MARCH, encoding="utf-8")
    return load_parameters(path)
