"""The words of the HTML report and the charts per language (``data/report_words.toml``), and
numbers and units written one way everywhere: ``3 877.7``, ``€ per patient per year``."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from importlib import resources
from typing import Final, Literal

__all__ = [
    "LANGUAGES",
    "Language",
    "grouped",
    "parameter_words",
    "quantity_words",
    "unit_words",
    "words",
]

Language = Literal["en", "fr"]
"""A language of the report: English or French."""

_WORDS: Final[dict[str, dict[str, str]]] = tomllib.loads(
    resources.files("secpa_model").joinpath("data", "report_words.toml").read_text("utf-8")
)
LANGUAGES: Final = tuple(_WORDS)
"""The languages of the report (``--lang``)."""
_PERCENT: Final = 100  # a fraction written as a percentage (a display unit)

if len({frozenset(texts) for texts in _WORDS.values()}) != 1:  # pragma: no cover
    raise RuntimeError("the languages of data/report_words.toml have different keys")


def words(language: str) -> dict[str, str]:
    """The texts of ``language`` (a ``ValueError`` naming the languages otherwise)."""
    if language not in _WORDS:
        raise ValueError(f"language {language!r}: give one of {', '.join(LANGUAGES)}")
    return _WORDS[language]


def grouped(
    number: Decimal | float | int,
    decimals: int | None = None,
    *,
    sign: bool = False,
    language: str = "en",
) -> str:
    """``number`` with a space between thousands (``3 877.7``), as in the tables: with
    ``decimals`` places (None: as many as it has), a ``+`` before a positive one when
    ``sign``, a decimal comma in French. A minus is written ``−``."""
    if decimals is None:
        value = Decimal(str(number)) if isinstance(number, float) else Decimal(number)
        text = f"{value.normalize():{'+' if sign else ''},f}"
    else:
        text = f"{number:{'+' if sign else ''},.{decimals}f}"
    text = text.replace(",", " ").replace("-", "−")
    return text.replace(".", ",") if language == "fr" else text


def unit_words(unit: str, language: str = "en") -> str:
    """A unit in words: ``EUR/patient/year`` → ``€ per patient per year`` (in French
    ``€ par patient et par an``); a word the vocabulary does not know is kept as it is."""
    text = words(language)
    first, *per = (part.strip() for part in unit.split("/"))
    said = [text.get(f"unit_{part.lower()}", part) for part in (first, *per)]
    joined = said[0]
    for number, part in enumerate(said[1:]):
        joined += f" {text['per'] if number == 0 else text['and_per']} {part}"
    return joined


def quantity_words(value: Decimal | int, unit: str, language: str = "en") -> str:
    """A value and its unit as people read it: ``0.15 fraction`` → ``15 %``,
    ``25 EUR/patient/year`` → ``25 € per patient per year``."""
    if unit == "fraction":
        return f"{grouped(Decimal(value) * _PERCENT, language=language)} %"
    return f"{grouped(value, language=language)} {unit_words(unit, language)}".rstrip()


def parameter_words(description: str, path: str) -> str:
    """A parameter in a few words, for charts and tables: its ``description`` up to the
    first bracket, quotation, semicolon or full stop (``path`` when it has none)."""
    said = re.split(r" \(| «|; |\. ", description.strip(), maxsplit=1)[0].rstrip(".")
    return said or path
