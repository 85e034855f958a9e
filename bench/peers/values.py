"""The reference values in force on one day, read once from secpa-model, for the peers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

import secpa_model
from secpa_model.core.rounding import SNAP_DECIMALS
from secpa_model.models.experimentation.eligibility import ELIGIBLE_LOCATIONS


@dataclass(frozen=True)
class Values:
    """What the experimentation's four rules read, in the units the peers compute in."""

    year: int
    year_days: int
    eligible_locations: tuple[str, ...]
    eligibility_min_file_active: int
    min_file_active: int
    max_file_active: int
    etp_thresholds: NDArray[np.float64]
    etp_values: NDArray[np.float64]
    cost_per_etp_cents: int
    poverty_thresholds: NDArray[np.float64]
    amount_per_patient_euros: NDArray[np.float64]
    max_patients: int
    in_person_cents: int
    phone_cents: int
    interpreting_cap_cents: int
    psychology_cap_cents: int
    snap_decimals: int = SNAP_DECIMALS


def reference_values(year: int) -> Values:
    """The values in force on 1 January of ``year`` (the bench's years have no change inside
    the year: checked here, so a peer never computes with a value that stops mid-year)."""
    parameters = secpa_model.reference_parameters()
    start, end = date(year, 1, 1), date(year, 12, 31)
    if any(start < day <= end for day in parameters.change_dates()):
        raise SystemExit(f"the reference parameters change inside {year}: pick another year")
    snap = parameters.at(start)
    etp = snap.scale("participatory_activities.etp_schedule")
    poverty = snap.scale("practitioner_participation.amount_per_patient")
    if etp.mode != "step" or poverty.mode != "step":
        raise SystemExit("the peers implement step scales only")
    return Values(
        year=year,
        year_days=(end - start).days + 1,
        eligible_locations=tuple(ELIGIBLE_LOCATIONS),
        eligibility_min_file_active=snap.count("eligibility.min_file_active"),
        min_file_active=snap.count("participatory_activities.min_file_active"),
        max_file_active=snap.count("participatory_activities.max_file_active"),
        etp_thresholds=etp.thresholds,
        etp_values=etp.values,
        cost_per_etp_cents=snap.amount_cents("participatory_activities.cost_per_etp"),
        poverty_thresholds=poverty.thresholds,
        amount_per_patient_euros=poverty.values,
        max_patients=snap.count("practitioner_participation.max_patients"),
        in_person_cents=snap.amount_cents("interpreting.hourly_rate_in_person"),
        phone_cents=snap.amount_cents("interpreting.hourly_rate_phone"),
        interpreting_cap_cents=snap.amount_cents("interpreting.annual_cap"),
        psychology_cap_cents=snap.amount_cents("psychological_support.annual_cap"),
    )
