"""Built-in example structures. SYNTHETIC: invented figures, no real structure's name."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from secpa_model.model.structure import StructureBase
from secpa_model.models.experimentation import experimentation
from secpa_model.models.experimentation.inputs import INPUTS


def example_structures() -> list[StructureBase]:
    """Four synthetic structures for the demo and the docs (labelled ``synthetic-…``).

    They show a typical centre de santé, a large MSP above every cap, a structure that
    entered mid-year, and an ineligible one.
    """
    Structure = experimentation().structure  # noqa: N806 - the model's Structure class
    return [
        Structure(**dict(zip(_FIELDS, row, strict=True)), entry_date=_EXAMPLE_ENTRIES.get(row[0]))
        for row in _EXAMPLES
    ]


_CDS: Final = "centre_de_sante"
_EXAMPLES: Final = (  # the columns of _FIELDS, as the waves below
    ("synthetic-cds-typical", _CDS, "in_qpv", 3200, 0.31, 300, 200, 70000, 10000, True),
    ("synthetic-msp-large", "msp", "near_qpv", 7400, 0.42, 800, 300, 90000, 0, True),
    ("synthetic-cds-mid-year-entry", _CDS, "in_qpv", 1350, 0.22, 120, 60, 30000, 0, False),
    ("synthetic-msp-ineligible", "msp", "outside_qpv", 800, 0.12, 0, 0, 0, 0, False),
)
_EXAMPLE_ENTRIES: Final = {"synthetic-cds-mid-year-entry": date(2022, 3, 1)}


# --------------------------------------------------------------------------------------
# The illustrative portfolio: SYNTHETIC structures shaped like the experimentation.
# --------------------------------------------------------------------------------------

WAVE_1_ENTRY: Final = date(2021, 8, 1)
"""First day of wave 1 (6 structures: 5 centres de santé, 1 MSP), public date."""
WAVE_2_ENTRY: Final = date(2022, 3, 1)
"""First day of wave 2 (20 more structures, 26 in all), public date."""
EXTENSION_ENTRY: Final = date(2024, 1, 1)
"""Default entry of the extra synthetic structures of :func:`synthetic_portfolio`
(the government's target was 60 such structures in 2024): an assumption of the examples."""
SYNTHETIC_NOTE: Final = (
    "SYNTHETIC portfolio: invented structures and figures shaped like the SECPA "
    "experimentation (waves, sizes, poverty rates); no real structure is described."
)

# id, kind, location, file active, poverty rate, interpreting hours (in person, phone),
# psychological support requested (€), Ségur psychologist funding (€), ARS agreement.
# All invented; file actives spread over 1 000-6 000, poverty rates over 21-45 %.
_WAVE_1: Final = (
    ("synthetic-w1-01", "centre_de_sante", "in_qpv", 3100, 0.38, 420, 180, 70000, 10000, True),
    ("synthetic-w1-02", "centre_de_sante", "in_qpv", 4700, 0.43, 650, 250, 80000, 15000, True),
    ("synthetic-w1-03", "centre_de_sante", "near_qpv", 2400, 0.29, 260, 120, 45000, 0, True),
    ("synthetic-w1-04", "centre_de_sante", "in_qpv", 5600, 0.41, 380, 300, 90000, 20000, True),
    ("synthetic-w1-05", "centre_de_sante", "in_qpv", 1350, 0.34, 150, 90, 30000, 0, False),
    ("synthetic-w1-06", "msp", "near_qpv", 3900, 0.24, 120, 60, 40000, 12000, True),
)
_WAVE_2: Final = (
    ("synthetic-w2-01", "centre_de_sante", "in_qpv", 1100, 0.27, 90, 40, 25000, 0, False),
    ("synthetic-w2-02", "msp", "near_qpv", 1500, 0.21, 60, 30, 20000, 0, True),
    ("synthetic-w2-03", "centre_de_sante", "in_qpv", 1800, 0.36, 200, 110, 35000, 5000, True),
    ("synthetic-w2-04", "msp", "in_qpv", 2050, 0.31, 140, 80, 30000, 0, True),
    ("synthetic-w2-05", "centre_de_sante", "in_qpv", 2300, 0.44, 310, 150, 50000, 10000, True),
    ("synthetic-w2-06", "msp", "near_qpv", 2600, 0.23, 80, 50, 25000, 8000, False),
    ("synthetic-w2-07", "centre_de_sante", "in_qpv", 2850, 0.39, 350, 160, 60000, 12000, True),
    ("synthetic-w2-08", "msp", "near_qpv", 3050, 0.26, 110, 70, 30000, 0, True),
    ("synthetic-w2-09", "centre_de_sante", "in_qpv", 3300, 0.42, 480, 200, 70000, 15000, True),
    ("synthetic-w2-10", "msp", "in_qpv", 3550, 0.33, 190, 100, 45000, 10000, True),
    ("synthetic-w2-11", "centre_de_sante", "near_qpv", 3800, 0.28, 220, 130, 50000, 0, True),
    ("synthetic-w2-12", "msp", "in_qpv", 4050, 0.37, 260, 140, 55000, 18000, True),
    ("synthetic-w2-13", "centre_de_sante", "in_qpv", 4300, 0.45, 560, 260, 85000, 20000, True),
    ("synthetic-w2-14", "msp", "near_qpv", 4550, 0.22, 90, 60, 30000, 10000, False),
    ("synthetic-w2-15", "centre_de_sante", "in_qpv", 4800, 0.40, 500, 220, 75000, 15000, True),
    ("synthetic-w2-16", "msp", "in_qpv", 5050, 0.32, 170, 90, 40000, 0, True),
    ("synthetic-w2-17", "centre_de_sante", "in_qpv", 5300, 0.35, 400, 180, 66000, 6000, True),
    ("synthetic-w2-18", "msp", "near_qpv", 5550, 0.25, 100, 80, 35000, 10000, True),
    ("synthetic-w2-19", "centre_de_sante", "in_qpv", 5800, 0.43, 600, 280, 90000, 20000, True),
    ("synthetic-w2-20", "msp", "in_qpv", 1250, 0.30, 70, 40, 20000, 0, False),
)
_FIELDS: Final = tuple(item.name for item in INPUTS if item.kind != "date")
"""The columns of the rows above: the experimentation's inputs but its dates."""
PORTFOLIO_SEED: Final = 2021
"""The fixed seed of the extra structures of :func:`synthetic_portfolio` (deterministic)."""


def illustrative_portfolio() -> pd.DataFrame:
    """The 26 SYNTHETIC structures of the illustrative portfolio, as a DataFrame.

    Shaped like the experimentation: 6 structures of wave 1 (5 centres de santé, 1 MSP)
    entering on 2021-08-01 (:data:`WAVE_1_ENTRY`) and 20 of wave 2 entering on 2022-03-01
    (:data:`WAVE_2_ENTRY`); file actives spread over 1 000-6 000 patients, poverty rates
    typical of QPV territories (21-45 %), interpreting hours and psychologist requests that
    grow with size and poverty. Every figure is INVENTED (ids ``synthetic-w1-01`` …
    ``synthetic-w2-20``); no real structure is described.

    Columns: the :class:`~secpa_model.Structure` fields (``allocate_frame`` input), the
    five-pillar proposal's ``team_size`` (:func:`team_sizes`), ``wave`` (1 or 2) and
    ``synthetic`` (always True); ``frame.attrs["note"]`` says it is
    synthetic. A new frame is built at each call (no randomness).
    """
    rows = [
        {**dict(zip(_FIELDS, row, strict=True)), "entry_date": entry, "wave": wave}
        for wave, entry, table in ((1, WAVE_1_ENTRY, _WAVE_1), (2, WAVE_2_ENTRY, _WAVE_2))
        for row in table
    ]
    frame = pd.DataFrame(rows)
    hours = ["interpreting_hours_in_person", "interpreting_hours_phone"]
    frame[hours] = frame[hours].astype(np.float64)  # hours may be fractional
    frame["team_size"] = team_sizes(frame["file_active_mg"].to_numpy())
    return _finish(frame)


def team_sizes(file_active: np.ndarray[Any, np.dtype[np.int64]]) -> np.ndarray[Any, Any]:
    """INVENTED team sizes (professionals) for the five-pillar proposal's ``team_size``
    input: a base of 6 and one professional per 250 patients of file active."""
    return (6 + np.asarray(file_active, dtype=np.int64) // 250).astype(np.int64)


def synthetic_portfolio(
    size: int, *, extra_entry_date: date = EXTENSION_ENTRY, seed: int = PORTFOLIO_SEED
) -> pd.DataFrame:
    """A SYNTHETIC portfolio of ``size`` structures for budget projections (e.g. 60, 100).

    The first structures are those of :func:`illustrative_portfolio` (all 26 when ``size``
    ≥ 26); the extra ones (ids ``synthetic-x-027`` …, ``wave`` 3) enter on
    ``extra_entry_date`` (default 2024-01-01, an assumption of the examples) and are drawn
    from a fixed-seed generator (``seed``) over the same ranges: file active 1 000-6 000,
    poverty rate 20-45 %, interpreting hours and psychologist requests scaled as in the
    illustrative portfolio, ARS agreement for about four in five. Deterministic for a given
    ``size`` and ``seed``; every figure is INVENTED.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive whole number of structures, got {size!r}")
    base = illustrative_portfolio()
    if size <= len(base):
        return _finish(base.iloc[:size].reset_index(drop=True))
    extra = size - len(base)
    rng = np.random.default_rng(seed)
    file_active = (rng.integers(20, 121, extra) * 50).astype(np.int64)  # 1 000-6 000 by 50
    poverty = np.round(rng.uniform(0.20, 0.45, extra), 2)
    weight = file_active / 6000 * (0.5 + poverty)  # larger and poorer: more interpreting
    rows = pd.DataFrame(
        {
            "structure_id": [f"synthetic-x-{len(base) + i + 1:03d}" for i in range(extra)],
            "kind": np.where(rng.random(extra) < 0.5, "centre_de_sante", "msp"),
            "location": np.where(rng.random(extra) < 0.7, "in_qpv", "near_qpv"),
            "file_active_mg": file_active,
            "poverty_rate": poverty,
            "interpreting_hours_in_person": np.round(weight * rng.uniform(300, 800, extra)),
            "interpreting_hours_phone": np.round(weight * rng.uniform(100, 300, extra)),
            "psychologist_cost_requested": (rng.integers(20, 91, extra) * 1000).astype(np.int64),
            "segur_psychologist_funding": (rng.integers(0, 21, extra) * 1000).astype(np.int64),
            "ars_psychology_agreement": rng.random(extra) < 0.8,
            "entry_date": extra_entry_date,
            "wave": 3,
            "team_size": team_sizes(file_active),
        }
    )
    return _finish(pd.concat([base, rows], ignore_index=True))


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame["synthetic"] = True
    frame.attrs["note"] = SYNTHETIC_NOTE
    return frame
