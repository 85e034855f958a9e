"""The bare numpy kernel: the experimentation's four rules over arrays, with no validation,
no explanations and no trace (the floor that secpa-model's batch path is measured against).

It performs the same float64 operations in the same order as secpa-model, then rounds each
line once, half up to the cent after snapping to the micro-cent, as the model states."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peers.values import Values

_CENTS_PER_EURO = 100  # a unit conversion, not a value of the model
_NO_DATE = np.iinfo(np.int64).min  # NaT as int64 days


@dataclass(frozen=True)
class Arrays:
    """One structure per element; dates as days since 1970-01-01 (NaT: no date)."""

    location_eligible: NDArray[np.bool_]
    file_active: NDArray[np.int64]
    poverty_rate: NDArray[np.float64]
    hours_in_person: NDArray[np.float64]
    hours_phone: NDArray[np.float64]
    requested_cents: NDArray[np.int64]
    segur_cents: NDArray[np.int64]
    agreement: NDArray[np.bool_]
    entry_days: NDArray[np.int64]
    exit_days: NDArray[np.int64]


def _cents(euros: pd.Series) -> NDArray[np.int64]:
    return np.rint(euros.to_numpy(dtype=np.float64) * _CENTS_PER_EURO).astype(np.int64)


def _days(dates: pd.Series) -> NDArray[np.int64]:
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)


def arrays_of(frame: pd.DataFrame, values: Values) -> Arrays:
    """The kernel's arrays read from a frame of structures, trusting every cell."""
    return Arrays(
        location_eligible=frame["location"].isin(values.eligible_locations).to_numpy(),
        file_active=frame["file_active_mg"].to_numpy(dtype=np.int64),
        poverty_rate=frame["poverty_rate"].to_numpy(dtype=np.float64),
        hours_in_person=frame["interpreting_hours_in_person"].to_numpy(dtype=np.float64),
        hours_phone=frame["interpreting_hours_phone"].to_numpy(dtype=np.float64),
        requested_cents=_cents(frame["psychologist_cost_requested"]),
        segur_cents=_cents(frame["segur_psychologist_funding"]),
        agreement=frame["ars_psychology_agreement"].to_numpy(dtype=np.bool_),
        entry_days=_days(frame["entry_date"]),
        exit_days=_days(frame["exit_date"]),
    )


def _step(thresholds: NDArray[np.float64], levels: NDArray[np.float64], x: NDArray[np.float64]):
    index = np.searchsorted(thresholds, x, side="right") - 1
    return np.where(index >= 0, levels[np.maximum(index, 0)], 0.0)


def _round(cents: NDArray[np.float64], values: Values) -> NDArray[np.int64]:
    return np.floor(np.round(cents, values.snap_decimals) + 0.5).astype(np.int64)


def active_days(a: Arrays, values: Values) -> NDArray[np.int64]:
    """Days of the year inside each structure's [entry, exit] window."""
    first = np.datetime64(f"{values.year}-01-01", "D").astype(np.int64)
    last = first + values.year_days - 1
    low = np.where(a.entry_days == _NO_DATE, first, np.maximum(a.entry_days, first))
    high = np.where(a.exit_days == _NO_DATE, last, np.minimum(a.exit_days, last))
    return np.maximum(high - low + 1, 0)


def kernel(a: Arrays, values: Values) -> dict[str, NDArray[np.int64]]:
    """The four lines and the total, in integer cents, for the whole year ``values.year``."""
    v = values
    eligible = a.location_eligible & (a.file_active >= v.eligibility_min_file_active)
    days = np.where(eligible, active_days(a, v), 0)
    counted = np.minimum(a.file_active, v.max_file_active).astype(np.float64)
    etp = np.where(
        a.file_active >= v.min_file_active, _step(v.etp_thresholds, v.etp_values, counted), 0.0
    )
    patients = np.minimum(a.file_active, v.max_patients).astype(np.float64)
    per_patient = _step(v.poverty_thresholds, v.amount_per_patient_euros, a.poverty_rate)
    uncapped = a.hours_in_person * v.in_person_cents + a.hours_phone * v.phone_cents
    net = np.maximum(a.requested_cents - a.segur_cents, 0).astype(np.float64)
    annual = {
        "participatory_activities": etp * v.cost_per_etp_cents,
        "practitioner_participation": patients * (per_patient * _CENTS_PER_EURO),
        "interpreting": np.minimum(uncapped, v.interpreting_cap_cents),
        "psychological_support": np.where(
            a.agreement, np.minimum(net, v.psychology_cap_cents), 0.0
        ),
    }
    lines = {key: _round(amount * days / v.year_days, v) for key, amount in annual.items()}
    lines["total"] = sum(lines.values(), np.zeros(len(days), dtype=np.int64))
    return lines
