"""The words of the HTML report (:mod:`secpa_model.presentation.report`), once per language:
``data/report_words.toml``, a table per language with the same keys; a text with ``{name}``
fields is filled by the report. The lines' and the conditions' names come from the model's
declarations (:attr:`~secpa_model.model.rules.Rule.label_fr`, ``Condition.text_fr``).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Final, Literal

__all__ = ["LANGUAGES", "Language", "words"]

Language = Literal["en", "fr"]
"""A language of the report: English or French."""

_WORDS: Final[dict[str, dict[str, str]]] = tomllib.loads(
    resources.files("secpa_model").joinpath("data", "report_words.toml").read_text("utf-8")
)
LANGUAGES: Final = tuple(_WORDS)
"""The languages of the report (``--lang``)."""

if len({frozenset(texts) for texts in _WORDS.values()}) != 1:  # pragma: no cover
    raise RuntimeError("the languages of data/report_words.toml have different keys")


def words(language: str) -> dict[str, str]:
    """The texts of ``language`` (a ``ValueError`` naming the languages otherwise)."""
    if language not in _WORDS:
        raise ValueError(f"language {language!r}: give one of {', '.join(LANGUAGES)}")
    return _WORDS[language]
