"""How thorough the property tests are: a quick profile for development (the default) and
a thorough one for CI, chosen by the environment variable :data:`PROFILE_VARIABLE`.

Every hypothesis test states its number of examples relative to the others through
:func:`examples` (a fuzz test of a cheap function asks for more than one that runs the
command line): the profile scales them all, and sets the number for tests that give none.
The assertions are the same in both profiles; only the number of examples changes.
"""

from __future__ import annotations

import os
from typing import Final

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE: Final = "SECPA_TEST_PROFILE"
"""The environment variable naming the profile: ``dev`` (default) or ``ci``."""
SCALES: Final[dict[str, float]] = {"dev": 0.5, "ci": 4.0}
"""Each profile's number of examples, as a multiple of the numbers the tests state."""
BASE_EXAMPLES: Final = 60
"""The number of examples of a test that states none (before scaling)."""


def active_profile() -> str:
    """The profile :data:`PROFILE_VARIABLE` names (``dev`` when it is not set)."""
    name = os.environ.get(PROFILE_VARIABLE, "dev")
    if name not in SCALES:
        known = ", ".join(SCALES)
        raise RuntimeError(f"{PROFILE_VARIABLE}={name!r} is not a test profile ({known})")
    return name


def examples(count: int) -> int:
    """``count`` examples scaled by the active profile (at least one)."""
    return max(1, round(count * SCALES[active_profile()]))


def load() -> str:
    """Register both profiles and load the active one; returns its name."""
    for name, scale in SCALES.items():
        settings.register_profile(
            name,
            max_examples=max(1, round(BASE_EXAMPLES * scale)),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
    name = active_profile()
    settings.load_profile(name)
    return name
