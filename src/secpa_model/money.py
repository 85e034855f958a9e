"""Money: euros as integer cents inside, :class:`~decimal.Decimal` euros at the surface.

The one rounding rule of the library (:data:`ROUNDING_RULE`):

* the rules compute *annual* amounts in float64 cents (never float32);
* the engine prorates them by days and sums the pieces of each line;
* the sum is rounded **once per line, half up, to the cent** (« arrondi au centime le plus
  proche, la demi-unité étant arrondie au centime supérieur »);
* before that single rounding, the float64 value is snapped to the nearest micro-cent
  (1e-6 cent), so that binary representation error (``0.49999999999`` for an exact
  half cent) never changes a cent;
* the total is the exact integer sum of the rounded lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

ROUNDING_RULE: Final[str] = (
    "Each line is rounded once, half up, to the cent, after proration and summation of its "
    "pieces; float64 intermediate values are first snapped to the nearest micro-cent "
    "(1e-6 cent) so that binary representation error never changes a cent. "
    "The total is the exact sum of the rounded lines."
)

CENT: Final[Decimal] = Decimal("0.01")
_SNAP_DECIMALS: Final[int] = 6


def round_cents(values: ArrayLike) -> NDArray[np.int64]:
    """Round float64 cents to integer cents by :data:`ROUNDING_RULE` (vectorised)."""
    array = np.asarray(values, dtype=np.float64)
    snapped = np.round(array, _SNAP_DECIMALS)
    return np.floor(snapped + 0.5).astype(np.int64)


def cents_float_to_euros(cents: float) -> Decimal:
    """Unrounded float64 cents to Decimal euros, snapped to the micro-cent (for display and
    traces: the same snap as :func:`round_cents`, without the rounding to the cent)."""
    return Decimal(repr(round(float(cents), _SNAP_DECIMALS))) / 100


def cents_to_euros(cents: int | np.integer[Any]) -> Decimal:
    """Integer cents to exact :class:`Decimal` euros with two decimals."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def euros_to_cents(euros: Decimal | int | str) -> int:
    """Exact euros (at most two decimals) to integer cents.

    Raises :class:`ValueError` when the amount has more precision than a cent: the library
    never rounds an input silently.
    """
    amount = Decimal(str(euros)) if not isinstance(euros, Decimal) else euros
    if not amount.is_finite():
        raise ValueError(f"amount {euros!r} is not a finite number")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount {euros!r} has more than two decimals (finer than a cent)")
    return int(cents)


def format_euros(amount: Decimal) -> str:
    """Format euros for people: ``12 345,67 €`` style with a thin grouping space."""
    quantized = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if not quantized < 0:
        quantized = abs(quantized)  # no "-0,00 €"
    # Python's "," grouping, then French separators: "-12,345.67" → "-12 345,67"
    return f"{quantized:,.2f}".replace(",", " ").replace(".", ",") + " €"
