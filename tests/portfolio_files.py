"""A small portfolio file for the command-line tests, with its amounts worked by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from secpa_model.io.batch import run_batch

# Three structures over 2022 (a whole year: no proration), reference parameters:
# - centre-a: 4 ETP × 45 000 = 180 000; 3 200 patients × 40 € (poverty 31 %) = 128 000;
#   300 h × 60 + 200 h × 42 = 26 400; min(66 000, 70 000 − 10 000) = 60 000; total 394 400 €
# - msp-b: 3 ETP × 45 000 = 135 000; 2 500 × 25 € (poverty 20 %) = 62 500; total 197 500 €
# - outside-c: outside a QPV, so not eligible: 0 €
# Portfolio: 394 400 + 197 500 + 0 = 591 900 €; 2 eligible of 3. 7 ETP in all.
PORTFOLIO_TOTAL = "591 900,00 €"
ETP_IN_PORTFOLIO = 4 + 3
EXPECTED_CENTS = {
    "centre-a": (18_000_000, 12_800_000, 2_640_000, 6_000_000),
    "msp-b": (13_500_000, 6_250_000, 0, 0),
    "outside-c": (0, 0, 0, 0),
}


def portfolio_frame() -> pd.DataFrame:
    """The three structures as a DataFrame (columns of ``allocate_frame``)."""
    return pd.DataFrame(
        {
            "structure_id": ["centre-a", "msp-b", "outside-c"],
            "kind": ["centre_de_sante", "msp", "msp"],
            "location": ["in_qpv", "in_qpv", "outside_qpv"],
            "file_active_mg": [3200, 2500, 2000],
            "poverty_rate": [0.31, 0.20, 0.25],
            "interpreting_hours_in_person": [300, 0, 0],
            "interpreting_hours_phone": [200, 0, 0],
            "psychologist_cost_requested": [70000, 0, 0],
            "segur_psychologist_funding": [10000, 0, 0],
            "ars_psychology_agreement": [True, False, False],
        }
    )


def portfolio_copies(copies: int) -> pd.DataFrame:
    """``copies`` times the three structures, ids suffixed ``-<copy>``, rows numbered from 0
    (row ``3 * copy + k`` is structure ``k`` of copy ``copy``)."""
    frames = []
    for copy in range(copies):
        frame = portfolio_frame()
        frame["structure_id"] = [f"{sid}-{copy}" for sid in frame["structure_id"]]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def write_portfolio(directory: Path, name: str = "portfolio.csv") -> Path:
    """Write the portfolio to ``directory / name`` (CSV) and return the path."""
    path = directory / name
    portfolio_frame().to_csv(path, index=False)
    return path


WHOLE = 10**6
"""Rows per piece that hold any test file whole: ``run_batch`` then allocates it in one
``allocate_frame`` call, as before it read files in pieces."""


def batch_outputs(source: Path, folder: Path, suffix: str, **options: Any) -> dict[str, Any]:
    """Run :func:`~secpa_model.io.batch.run_batch` on ``source`` into a new ``folder``
    (``out`` + ``suffix``, and ``out.errors.csv`` or ``.jsonl`` with ``errors="report"``)
    and return what it wrote, by file name: the bytes, or for Parquet the table and its
    schema's metadata (the row groups follow the pieces). ``options`` go to ``run_batch``
    (``rows``, ``errors``, ...), with ``period`` 2022 unless given."""
    folder.mkdir()
    out = folder / f"out{suffix}"
    if options.get("errors") == "report":
        lines = suffix == ".jsonl"
        options["problems"] = folder / f"out.errors{'.jsonl' if lines else '.csv'}"
    run_batch(source, out, options.pop("period", 2022), **options)
    found: dict[str, Any] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            found[path.name] = (table, table.schema.metadata)
        else:
            found[path.name] = path.read_bytes()
    return found
