"""Rounding as a value object (règle d'arrondi): a unit, a direction and when it applies.

A model states its rounding once (:attr:`secpa_model.Model.rounding`) and a rule may
override it (:attr:`secpa_model.Rule.rounding`); the engine, the explanations and the docs
all read it from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Final, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

Direction = Literal["half_up", "down", "up"]
"""``half_up``: to the nearest unit, a half unit upwards (« au plus proche, la demi-unité
étant arrondie à l'unité supérieure »); ``down``: towards zero; ``up``: away from zero
(amounts are never negative)."""

DIRECTIONS: Final[tuple[str, ...]] = get_args(Direction)
SNAP_DECIMALS: Final = 6
"""Float64 cents are snapped to the micro-cent (1e-6 cent) before rounding, so that binary
representation error (``0.49999999999`` for an exact half cent) never changes a cent."""

_WORDS: Final[dict[str, tuple[str, str, str]]] = {  # in English, in French, for decimal
    "half_up": ("half up", "au plus proche, la moitié vers le haut", ROUND_HALF_UP),
    "down": ("down", "par défaut", ROUND_FLOOR),
    "up": ("up", "par excès", ROUND_CEILING),
}
_CENTS_PER_EURO: Final = 100  # a unit conversion, not a parameter of a model
_HALF: Final = 0.5  # half a unit: the tie of "half_up"
_SPLIT_FROM: Final = 2.0**33
"""From what size (in cents) amounts are rounded with their fraction split off: below it,
``round(x, 6)`` (x · 10^6 < 2^53) and ``x + 0.5`` are exact."""


@dataclass(frozen=True)
class Rounding:
    """How each line is rounded: once, after proration and summation of its pieces, to a
    multiple of ``unit_cents`` (1: the cent; 100: the euro), in ``direction``. The total is
    the exact sum of the rounded lines."""

    unit_cents: int = 1
    direction: Direction = "half_up"

    def __post_init__(self) -> None:
        if isinstance(self.unit_cents, bool) or not isinstance(self.unit_cents, int):
            raise TypeError(f"unit_cents must be a whole number of cents, got {self.unit_cents!r}")
        if self.unit_cents < 1:
            raise ValueError(f"unit_cents must be at least 1, got {self.unit_cents}")
        if self.direction not in DIRECTIONS:
            raise ValueError(
                f"direction must be one of {', '.join(DIRECTIONS)}, got {self.direction!r}"
            )

    @property
    def unit_euros(self) -> Decimal:
        """The unit in euros (``0.01`` for the cent)."""
        return Decimal(self.unit_cents) / _CENTS_PER_EURO

    @property
    def unit_words(self) -> str:
        """The unit in words: ``the cent``, ``the euro``, or ``5 cents``."""
        named = {1: "the cent", _CENTS_PER_EURO: "the euro"}
        return named.get(self.unit_cents, f"{self.unit_cents} cents")

    @property
    def phrase(self) -> str:
        """``half up, to the cent``: the rounding in a few words."""
        return f"{_WORDS[self.direction][0]}, to {self.unit_words}"

    @property
    def phrase_fr(self) -> str:
        """``au centime, au plus proche, la moitié vers le haut``: :attr:`phrase` in French."""
        named = {1: "au centime", _CENTS_PER_EURO: "à l'euro"}
        unit = named.get(self.unit_cents, f"à {self.unit_cents} centimes")
        return f"{unit}, {_WORDS[self.direction][1]}"

    def describe(self) -> str:
        """The whole rule in words (shown in explanations, reports and the docs)."""
        return (
            f"Each line is rounded once, {self.phrase}, after proration and summation of its "
            "pieces; float64 intermediate values are first snapped to the nearest micro-cent "
            "(1e-6 cent) so that binary representation error never changes a cent. "
            "The total is the exact sum of the rounded lines."
        )

    def recompute(self) -> str:
        """How to recompute a line by hand from its pieces."""
        return (
            f"amount = round_{self.direction}(sum(piece.annual_amount × piece.days / "
            f"piece.year_days for piece in pieces), {self.unit_euros})"
        )

    def round(self, cents: ArrayLike, *, overwrite: bool = False) -> NDArray[np.int64]:
        """Float64 cents to integer cents by this rule (vectorised).

        ``overwrite=True``: ``cents`` is a float64 array the caller no longer needs, used as
        working memory instead of a copy (its values are then meaningless)."""
        values = np.asarray(cents, dtype=np.float64)
        reuse = overwrite and values is cents and values.flags.writeable
        work = values if reuse else np.empty(values.shape, dtype=np.float64)
        if (
            values.size
            and max(-np.minimum.reduce(values, axis=None), np.maximum.reduce(values, axis=None))
            >= _SPLIT_FROM
        ):
            cents_out = self._split(values)
            return cents_out if values.ndim else cents_out[()]
        # the usual amounts: the same float64 operations as written out, in place
        values.round(SNAP_DECIMALS, out=work)
        if self.unit_cents != 1:
            np.divide(work, self.unit_cents, out=work)
            work.round(SNAP_DECIMALS, out=work)
        if self.direction == "half_up":
            np.add(work, _HALF, out=work)
            np.floor(work, out=work)
        elif self.direction == "down":
            np.floor(work, out=work)
        else:
            np.ceil(work, out=work)
        if self.unit_cents != 1:
            np.multiply(work, self.unit_cents, out=work)
        rounded: NDArray[np.int64] = work.astype(np.int64)
        return rounded if values.ndim else rounded[()]

    def _split(self, values: NDArray[np.float64]) -> NDArray[np.int64]:
        """The rounded cents of large ``values`` (``x + 0.5`` or ``round(x, 6)`` would round
        ``x`` itself beyond 2^52 cents, and ``x / unit`` is not exact there): the whole cents
        as integers and the fraction apart (``x - floor(x)`` is exact in float64), the
        cents divided by the unit in integers, the fraction of a unit snapped."""
        floor = np.floor(values)
        fraction = (values - floor).round(SNAP_DECIMALS)
        units, rest = np.divmod(floor.astype(np.int64), self.unit_cents)
        part = ((rest + fraction) / self.unit_cents).round(SNAP_DECIMALS)  # of a unit, [0, 1]
        if self.direction == "half_up":
            units += part >= _HALF
        elif self.direction == "down":
            units += part >= 1
        else:
            units += part > 0
        result: NDArray[np.int64] = units * self.unit_cents
        return result

    @property
    def decimal_mode(self) -> str:
        """The direction as a :mod:`decimal` rounding mode (``ROUND_HALF_UP`` for half up),
        for exact euros quantized by hand."""
        return _WORDS[self.direction][2]


CENT_HALF_UP: Final = Rounding()
"""The experimentation's rounding: each line once, half up, to the cent."""
