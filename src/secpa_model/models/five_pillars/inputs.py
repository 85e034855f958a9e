"""The input the five-pillar proposal adds to the experimentation's."""

from __future__ import annotations

from typing import Final

from secpa_model.model.inputs import Input

TEAM_SIZE: Final = Input(
    "team_size",
    "count",
    "Professionals of the team, health and other (effectif de l'équipe), counted for the "
    "training pillar.",
    unit="professionals",
    default=0,
    examples=(0, 80),
)
