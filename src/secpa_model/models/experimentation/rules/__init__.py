"""The four dotation rules of the experimentation, one module each, in the order of an
allocation's lines."""

from __future__ import annotations

from typing import Final

from secpa_model.models.experimentation.rules.interpreting import interpreting
from secpa_model.models.experimentation.rules.participatory_activities import (
    participatory_activities,
)
from secpa_model.models.experimentation.rules.practitioner_participation import (
    practitioner_participation,
)
from secpa_model.models.experimentation.rules.psychological_support import psychological_support

RULES: Final = (
    participatory_activities,
    practitioner_participation,
    interpreting,
    psychological_support,
)
"""The rules in the order of an allocation's lines."""

__all__ = [
    "RULES",
    "interpreting",
    "participatory_activities",
    "practitioner_participation",
    "psychological_support",
]
