"""Placeholder while the five-pillar model is written."""

from __future__ import annotations

from secpa_model.model.model import Model
from secpa_model.models.experimentation import experimentation


def five_pillars() -> Model:
    """Not yet written."""
    return experimentation()
