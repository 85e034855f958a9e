"""The golden cases: fixed inputs whose results under the experimentation model were recorded
before the models redesign (``experimentation.json``), so that every later step can be
checked against them to the cent, reason and explanation.

The frames are built here with numpy's seeded generator only (no library code), so the
inputs cannot change when the library does. Regenerate the file only on purpose, from a
commit whose results are known good::

    python -m tests.golden.cases --write
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

GOLDEN_FILE = Path(__file__).with_name("experimentation.json")
LINES = (
    "participatory_activities",
    "practitioner_participation",
    "interpreting",
    "psychological_support",
)
PERIODS = ("2021-08-01..2021-12-31", "2022", "2023-03-15..2024-06-30", "2024-01-01..2025-04-30")
CHANGES = """
[[participatory_activities.cost_per_etp.values]]
effective_from = 2022-03-01
value = 54750
status = "assumption"
rationale = "Golden test value: a change on 1 March."
source = { title = "secpa-model golden tests", reference = "tests/golden/cases.py" }

[[practitioner_participation.amount_per_patient.values]]
effective_from = 2023-07-01
status = "assumption"
rationale = "Golden test value: a linear scale from 1 July 2023."
source = { title = "secpa-model golden tests", reference = "tests/golden/cases.py" }
value.mode = "linear"
value.brackets = [
    { threshold = 0.1, value = 10 },
    { threshold = 0.3, value = 50 },
    { threshold = 0.5, value = 70 },
]

[[eligibility.min_file_active.values]]
effective_from = 2024-07-01
value = 1200
status = "assumption"
rationale = "Golden test value: a change of an eligibility threshold."
source = { title = "secpa-model golden tests", reference = "tests/golden/cases.py" }
"""


def random_frame(rows: int, seed: int) -> pd.DataFrame:
    """SYNTHETIC structures over every branch of the rules: every kind and location, file
    actives around every threshold, poverty rates on and around the brackets, hours and
    requests in whole cents, entries and exits inside the periods."""
    rng = np.random.default_rng(seed)
    days = np.array(["2021-06-01", "2021-09-15", "2022-03-01", "2022-07-14", "2023-12-31"])
    entry = np.where(rng.random(rows) < 0.3, rng.choice(days, rows), None)
    exit_choices = np.array(["2022-02-28", "2023-06-30", "2024-10-31", "2025-01-15"])
    exit_ = np.where(rng.random(rows) < 0.2, rng.choice(exit_choices, rows), None)
    for i in range(rows):
        if entry[i] is not None and exit_[i] is not None and exit_[i] < entry[i]:
            exit_[i] = None
    rates = np.concatenate([[0.0, 0.15, 0.25, 0.35, 0.1499, 0.3501, 1.0], rng.random(rows)])
    actives = np.concatenate(
        [[0, 999, 1000, 1999, 2000, 6000, 6001, 12000], rng.integers(0, 9000, rows)]
    )
    interprets = rng.random(rows) < 0.85
    return pd.DataFrame(
        {
            "structure_id": [f"g{seed}-{i:03d}" for i in range(rows)],
            "kind": rng.choice(["msp", "centre_de_sante"], rows),
            "location": rng.choice(["in_qpv", "near_qpv", "outside_qpv"], rows, p=[0.5, 0.3, 0.2]),
            "file_active_mg": actives[:rows],
            "poverty_rate": np.round(rates[:rows], 4),
            "interpreting_hours_in_person": rng.integers(0, 100_000, rows) / 100 * interprets,
            "interpreting_hours_phone": rng.integers(0, 40_000, rows) / 4 * interprets,
            "psychologist_cost_requested": rng.integers(0, 12_000_000, rows) / 100,
            "segur_psychologist_funding": rng.integers(0, 4_000_000, rows) / 100,
            "ars_psychology_agreement": rng.random(rows) < 0.7,
            "entry_date": entry,
            "exit_date": exit_,
        }
    )


def structure_of(row: dict[str, Any]) -> dict[str, Any]:
    """A frame row as the keyword arguments of a Structure (Decimal euros, dates)."""
    data = dict(row)
    for name in ("psychologist_cost_requested", "segur_psychologist_funding"):
        data[name] = Decimal(repr(float(data[name])))
    for name in ("entry_date", "exit_date"):
        data[name] = date.fromisoformat(data[name]) if isinstance(data[name], str) else None
    data["file_active_mg"] = int(data["file_active_mg"])
    data["ars_psychology_agreement"] = bool(data["ars_psychology_agreement"])
    return data


def frame_results(result: pd.DataFrame) -> list[list[Any]]:
    """An allocate_frame result as JSON rows: id, eligible, reasons, cents per line."""
    columns = [f"{line}_cents" for line in LINES]
    return [
        [str(r["structure_id"]), bool(r["eligible"]), str(r["reasons"])]
        + [int(r[c]) for c in columns]
        for r in result.to_dict("records")
    ]


def compute(api: Any, changed: Any) -> dict[str, Any]:
    """Every golden result, computed with the library module ``api`` (``secpa_model``) and
    the parameter set ``changed`` (the reference plus :data:`CHANGES`)."""
    out: dict[str, Any] = {"frames": {}, "explanations": {}}
    for seed, rows in ((1, 120), (2, 60)):
        frame = random_frame(rows, seed)
        for period in PERIODS:
            for name, params in (("reference", None), ("changed", changed)):
                result = api.allocate_frame(frame, period, params)
                out["frames"][f"seed{seed}|{period}|{name}"] = frame_results(result)
    portfolio = api.datasets.illustrative_portfolio()
    for period in PERIODS:
        result = api.allocate_frame(portfolio, period)
        out["frames"][f"illustrative|{period}|reference"] = frame_results(result)
    frame = random_frame(40, 3)
    for index, row in enumerate(frame.to_dict("records")):
        structure = api.Structure(**structure_of(row))
        period = PERIODS[index % len(PERIODS)]
        params = changed if index % 2 else None
        allocation = api.allocate(structure, period, params)
        out["explanations"][f"{structure.structure_id}|{period}"] = {
            "text": allocation.explain(),
            "json": json.loads(api.explain_json(allocation)),
            "assumptions_used": list(allocation.assumptions_used),
        }
    return out


def main() -> None:
    """Write the golden file from the installed library (only on purpose)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    import secpa_model
    import secpa_model.datasets
    from secpa_model import load_parameters
    from secpa_model.model.parameters import parse_parameters

    reference_text = (
        Path(secpa_model.__file__).parent / "parameters" / "reference.toml"
    ).read_text(encoding="utf-8")
    assert load_parameters() is not None
    changed = parse_parameters(reference_text + CHANGES, "golden-changes.toml")
    data = compute(secpa_model, changed)
    if args.write:
        GOLDEN_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(data['frames'])} frame cases, {len(data['explanations'])} explanations")


if __name__ == "__main__":
    main()
