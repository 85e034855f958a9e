"""Shared fixtures and the hypothesis profile."""

from __future__ import annotations

import pytest

from secpa_model import Parameters, load_parameters
from tests import profiles
from tests.helpers import CHANGE_ON_1_MARCH, reference_text

PROFILE = profiles.load()


def pytest_report_header() -> str:
    """The hypothesis profile in the header of every run (``dev`` or ``ci``)."""
    return (
        f"secpa-model test profile: {PROFILE} ({profiles.PROFILE_VARIABLE}; "
        f"examples x{profiles.SCALES[PROFILE]})"
    )


@pytest.fixture(scope="session")
def reference() -> Parameters:
    return load_parameters()


@pytest.fixture(scope="session")
def changed_parameters(tmp_path_factory: pytest.TempPathFactory) -> Parameters:
    path = tmp_path_factory.mktemp("params") / "change_1_march.toml"
    path.write_text(reference_text() + CHANGE_ON_1_MARCH, encoding="utf-8")
    return load_parameters(path)
