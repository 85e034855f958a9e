"""Money: euros as integer cents inside, :class:`~decimal.Decimal` euros at the surface.

The rules compute *annual* amounts in float64 cents (never float32); the engine prorates
them by days, sums the pieces of each line and rounds each line once, by the rule's
:class:`~secpa_model.core.rounding.Rounding`. Inputs are never rounded: an amount finer
than a cent is refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import numpy as np

from secpa_model.core.errors import InputError
from secpa_model.core.rounding import SNAP_DECIMALS

CENT: Final[Decimal] = Decimal("0.01")
EXACT_LIMIT: Final = 2**53
"""The largest whole number every float64 holds exactly: counts, quantities and amounts in
cents beyond it are refused (an amount computed beyond it would not be exact to the cent)."""
EXACT_LIMIT_EUROS: Final = Decimal(EXACT_LIMIT) / 100
""":data:`EXACT_LIMIT` cents in euros (90 071 992 547 409,92 €)."""
_LARGEST_EXPONENT: Final = 1000
"""The largest power of ten of an amount :func:`euros_to_cents` writes out in cents (far
beyond every limit: a larger one is an :class:`OverflowError`)."""
_INT64_MAX: Final = int(np.iinfo(np.int64).max)


def cents_float_to_euros(cents: float) -> Decimal:
    """Unrounded float64 cents to Decimal euros, snapped to the micro-cent (for display and
    traces: the same snap as the rounding of a line, without the rounding itself)."""
    return Decimal(repr(round(float(cents), SNAP_DECIMALS))) / 100


def cents_to_euros(cents: int | np.integer[Any]) -> Decimal:
    """Integer cents to exact :class:`Decimal` euros with two decimals."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def euros_to_cents(euros: Decimal | int | str) -> int:
    """Exact euros (at most two decimals) to integer cents, by integer arithmetic: never
    rounded to a :mod:`decimal` context's 28 digits (``45000.1000000000000000000000001``
    is finer than a cent, not 4 500 010 cents).

    Raises :class:`ValueError` when the amount has more precision than a cent (the library
    never rounds an input silently) or is not a finite number, :class:`OverflowError` when
    it is beyond 10^1000 euros.
    """
    amount = Decimal(str(euros)) if not isinstance(euros, Decimal) else euros
    if not amount.is_finite():
        raise ValueError(f"amount {euros!r} is not a finite number")
    sign, digits, exponent = amount.as_tuple()
    coefficient = int("".join(map(str, digits)))
    shift = int(exponent) + 2  # the power of ten of the coefficient's unit, in cents
    if shift > _LARGEST_EXPONENT:
        raise OverflowError(f"amount {euros!r} is too large to be written in cents")
    if shift >= 0:
        whole: int = coefficient * 10**shift
        return -whole if sign else whole
    # every digit below the cent, or the digits split at the cent
    cents, rest = (0, coefficient) if -shift > len(digits) else divmod(coefficient, 10**-shift)
    if rest:
        raise ValueError(f"amount {euros!r} has more than two decimals (finer than a cent)")
    return -cents if sign else cents


def format_euros(amount: Decimal) -> str:
    """Format euros for people: ``12 345,67 €`` style with a thin grouping space."""
    quantized = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if not quantized < 0:
        quantized = abs(quantized)  # no "-0,00 €"
    # Python's "," grouping, then French separators: "-12,345.67" → "-12 345,67"
    return f"{quantized:,.2f}".replace(",", " ").replace(".", ",") + " €"


def exact_sum(cents: Any) -> int:
    """The exact sum of integer cents (an int64 array or column) as a Python int: numpy's
    int64 sum when it cannot overflow, Python's unbounded integers otherwise. A sum beyond
    the int64 cents a result column holds is an :class:`~secpa_model.InputError`, never a
    wrapped-around amount."""
    values = np.asarray(cents, dtype=np.int64)
    if not values.size:
        return 0
    largest = max(abs(int(values.max())), abs(int(values.min())))
    if largest * values.size <= _INT64_MAX:
        return int(values.sum())
    total = sum(int(value) for value in values)
    if abs(total) > _INT64_MAX:
        raise InputError(
            f"a sum of {values.size} amounts is {total} cents, beyond the int64 cents a "
            "result holds: check the parameters and inputs behind these amounts"
        )
    return total


def describe_limit() -> str:
    """The exactness limit in words (for error messages)."""
    return f"2^53 cents ({format_euros(EXACT_LIMIT_EUROS)})"
