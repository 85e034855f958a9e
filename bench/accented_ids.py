"""The parse of 1 000 000 non-ASCII ids (an input of kind text), best of 5 calls each.

Usage, from the repository root: ``PYTHONPATH=src python bench/accented_ids.py`` (or with
another tree's ``src`` first on the path, to compare).
"""

from __future__ import annotations

import time

import pandas as pd

from secpa_model.model.inputs import KIND_RULES, Input

ROWS = 1_000_000


def ids(text: str, odd: str | None = None) -> pd.Series:
    """``ROWS`` ids ``text`` + a number; every 100th written ``odd`` when given."""
    cells = [f"{odd if odd is not None and i % 100 == 0 else text}{i:07d}" for i in range(ROWS)]
    return pd.Series(cells, dtype="str")


def main() -> None:
    item = Input("structure_id", "text", "an id")
    cases = {
        "accented (É, composed)": ids("Centre-É"),
        "decomposed (E + U+0301)": ids("Centre-E\u0301"),
        "ASCII, every 100th accented": ids("Centre-E", "Centre-É"),
        "accented, every 100th refused": ids("Centre-É", "Centre\u00a0É"),
    }
    for name, series in cases.items():
        times = []
        for _ in range(5):
            start = time.perf_counter()
            parsed = KIND_RULES["text"].parse_column(item, series)
            times.append(time.perf_counter() - start)
        refused = sum(int(mask.sum()) for mask, _ in parsed.problems)
        print(f"{name:32} {min(times):.3f} s ({refused:,} refused)")


if __name__ == "__main__":
    main()
