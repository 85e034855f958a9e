"""The four dotation rules, one module each, in the fixed order of an allocation."""

from __future__ import annotations

from typing import Final

from secpa_model.rules import (
    interpreting,
    participatory_activities,
    practitioner_participation,
    psychological_support,
)
from secpa_model.rules.base import Rule, RuleResult

RULES: Final[tuple[Rule, ...]] = (
    participatory_activities,
    practitioner_participation,
    interpreting,
    psychological_support,
)
"""The rules in the fixed order of an allocation's lines."""

LINE_KEYS: Final[tuple[str, ...]] = tuple(rule.KEY for rule in RULES)

__all__ = ["LINE_KEYS", "RULES", "Rule", "RuleResult"]
