"""Periods and proration: splitting a period at year boundaries and parameter changes.

Amounts are annual. A period is cut at every 1 January, at every date where a parameter
changes, and (per structure) at its entry and exit dates; each piece is worth
``days in piece / days in its calendar year`` of the annual amount in force on that piece.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive span of days, ``start`` to ``end`` (période, bornes incluses)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise TypeError(f"Period needs two dates, got start={self.start!r}, end={self.end!r}")
        if self.end < self.start:
            raise ValueError(f"Period end {self.end} is before its start {self.start}")

    @classmethod
    @lru_cache(maxsize=256)  # a frozen value: built once per year (and class)
    def year(cls, year: int) -> Period:
        """The calendar year ``year``, 1 January to 31 December."""
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def parse(cls, value: PeriodLike) -> Period:
        """A :class:`Period` from a year (int), a Period, or a ``"YYYY-MM-DD..YYYY-MM-DD"``
        or ``"YYYY"`` string."""
        if isinstance(value, Period):
            return value
        if isinstance(value, bool):
            raise TypeError(f"period must be a year or a Period, got {value!r}")
        if isinstance(value, int):
            return cls.year(value)
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                return cls.year(int(text))
            start, sep, end = text.partition("..")
            if sep:
                return cls(date.fromisoformat(start.strip()), date.fromisoformat(end.strip()))
        raise ValueError(f"period {value!r} is not a year, a Period or 'YYYY-MM-DD..YYYY-MM-DD'")

    @property
    def days(self) -> int:
        """Number of days, both ends included."""
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


PeriodLike = Period | int | str


def days_in_year(year: int) -> int:
    """365, or 366 in a leap year."""
    return 366 if calendar.isleap(year) else 365


def split_period(period: Period, cut_dates: Iterable[date] = ()) -> list[Period]:
    """Cut ``period`` at every 1 January and at each date of ``cut_dates`` inside it.

    A cut date starts a new piece. The pieces are contiguous, in order, and cover the
    period exactly.
    """
    cuts = {date(year, 1, 1) for year in range(period.start.year + 1, period.end.year + 1)}
    cuts.update(day for day in cut_dates if period.start < day <= period.end)
    pieces: list[Period] = []
    start = period.start
    for cut in sorted(cuts):
        pieces.append(Period(start, cut - timedelta(days=1)))
        start = cut
    pieces.append(Period(start, period.end))
    return pieces


STEP_MONTHS: Final[dict[str, int]] = {"month": 1, "quarter": 3, "year": 12}
"""The calendar steps :func:`calendar_steps` cuts a period into, by their length in months."""


def calendar_steps(period: Period, freq: str) -> list[tuple[str, Period]]:
    """``period`` cut into calendar months, quarters or years (``freq``, a key of
    :data:`STEP_MONTHS`), the first and last clipped to it, each with its label: ``2024-03``,
    ``2024-Q1`` or ``2024``."""
    if freq not in STEP_MONTHS:
        raise ValueError(f"freq must be one of {', '.join(STEP_MONTHS)}, got {freq!r}")
    months = STEP_MONTHS[freq]
    cuts = [
        date(year, month, 1)
        for year in range(period.start.year, period.end.year + 1)
        for month in range(1, 13, months)
    ]
    steps = []
    for piece in split_period(period, cuts):
        year, month = piece.start.year, piece.start.month
        labels = {"month": f"-{month:02d}", "quarter": f"-Q{(month - 1) // 3 + 1}", "year": ""}
        steps.append((f"{year:04d}{labels[freq]}", piece))
    return steps


def overlap_days(
    piece: Period, starts: NDArray[np.int64], ends: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Days that each window ``[starts[i], ends[i]]`` (ordinals, inclusive) shares with
    ``piece`` (vectorised; 0 where they do not meet)."""
    low = np.maximum(starts, piece.start.toordinal(), dtype=np.int64)
    days: NDArray[np.int64] = np.minimum(ends, piece.end.toordinal(), dtype=np.int64)
    days -= low
    days += 1
    np.maximum(days, 0, out=days)
    return days
