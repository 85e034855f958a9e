"""The experimentation's four rules as an OpenFisca-Core tax-benefit system (a peer for the
benchmarks; needs the ``bench`` extra).

One entity, the structure; one variable per input and per line; the parameters are an
OpenFisca parameter tree dated 1 January of the bench's year, filled from secpa-model's
reference values (:mod:`peers.values`). OpenFisca stores ``float`` variables in float32 by
default: ``precision="float64"`` widens them, so that the two precisions can be compared."""

from __future__ import annotations

from datetime import date
from enum import Enum as PyEnum
from typing import Any, Literal

import numpy as np
import pandas as pd
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from peers.values import Values

Precision = Literal["float32", "float64"]
LINES = (
    "participatory_activities",
    "practitioner_participation",
    "interpreting",
    "psychological_support",
)
_CENTS_PER_EURO = 100  # a unit conversion, not a value of the model
INPUTS: dict[str, type] = {
    "file_active_mg": int,
    "poverty_rate": float,
    "interpreting_hours_in_person": float,
    "interpreting_hours_phone": float,
    "psychologist_cost_requested": float,
    "segur_psychologist_funding": float,
    "ars_psychology_agreement": bool,
    "entry_date": date,
    "exit_date": date,
}


def _parameter_tree(v: Values) -> ParameterNode:
    day = f"{v.year}-01-01"

    def value(x: float) -> dict[str, Any]:
        return {"values": {day: float(x)}}

    def scale(thresholds: np.ndarray, amounts: np.ndarray) -> dict[str, Any]:
        brackets = [
            {"threshold": {day: float(t)}, "amount": {day: float(a)}}
            for t, a in zip(thresholds, amounts, strict=True)
        ]
        return {"metadata": {"type": "single_amount"}, "brackets": brackets}

    return ParameterNode(
        "",
        data={
            "eligibility": {"min_file_active": value(v.eligibility_min_file_active)},
            "participatory_activities": {
                "min_file_active": value(v.min_file_active),
                "max_file_active": value(v.max_file_active),
                "etp_schedule": scale(v.etp_thresholds, v.etp_values),
                "cost_per_etp": value(v.cost_per_etp_cents / _CENTS_PER_EURO),
            },
            "practitioner_participation": {
                "amount_per_patient": scale(v.poverty_thresholds, v.amount_per_patient_euros),
                "max_patients": value(v.max_patients),
            },
            "interpreting": {
                "hourly_rate_in_person": value(v.in_person_cents / _CENTS_PER_EURO),
                "hourly_rate_phone": value(v.phone_cents / _CENTS_PER_EURO),
                "annual_cap": value(v.interpreting_cap_cents / _CENTS_PER_EURO),
            },
            "psychological_support": {
                "annual_cap": value(v.psychology_cap_cents / _CENTS_PER_EURO)
            },
        },
    )


def build_system(values: Values, precision: Precision) -> TaxBenefitSystem:
    """The tax-benefit system, its ``float`` variables in ``precision``."""
    structure = build_entity(
        key="structure", plural="structures", label="SECPA structure", is_person=True
    )
    location_enum = Enum(
        "Location", {"in_qpv": "in_qpv", "near_qpv": "near_qpv", "outside_qpv": "outside_qpv"}
    )
    dtype = np.float64 if precision == "float64" else np.float32

    class Base(Variable):
        # OpenFisca reads a variable's attributes from its own class only, not from bases
        def __init__(self, baseline_variable: Any = None) -> None:
            super().__init__(baseline_variable)
            if self.value_type is float:
                self.dtype = dtype

    def variable(name: str, value_type: type, formula: Any = None, **extra: Any) -> type:
        body: dict[str, Any] = {
            "value_type": value_type,
            "entity": structure,
            "definition_period": DateUnit.YEAR,
            "label": name,
            **extra,
        }
        if formula is not None:
            body["formula"] = formula
        return type(name, (Base,), body)

    def rounded(cents: np.ndarray) -> np.ndarray:
        # half up to the cent, after snapping to the micro-cent (the model's stated rounding)
        return np.floor(np.round(cents, values.snap_decimals) + 0.5)

    def paid_days(s: Any, period: Any, parameters: Any) -> np.ndarray:
        first = np.datetime64(f"{period.start.year}-01-01", "D")
        last = np.datetime64(f"{period.start.year}-12-31", "D")
        entry = np.maximum(s("entry_date", period), first)
        exit_ = np.minimum(s("exit_date", period), last)
        days = np.maximum((exit_ - entry).astype(np.int64) + 1, 0)
        location = s("location", period)
        in_or_near = np.zeros(len(days), dtype=bool)
        for name in values.eligible_locations:
            in_or_near |= location == location_enum[name]
        p = parameters(period)
        eligible = in_or_near & (s("file_active_mg", period) >= p.eligibility.min_file_active)
        return np.where(eligible, days, 0)

    def prorated(annual: np.ndarray, s: Any, period: Any) -> np.ndarray:
        return rounded(annual * s("paid_days", period) / values.year_days)

    def participatory_activities(s: Any, period: Any, parameters: Any) -> np.ndarray:
        p = parameters(period).participatory_activities
        file_active = s("file_active_mg", period)
        counted = np.minimum(file_active, p.max_file_active)
        etp = np.where(file_active >= p.min_file_active, p.etp_schedule.calc(counted), 0)
        return prorated(etp * (p.cost_per_etp * _CENTS_PER_EURO), s, period)

    def practitioner_participation(s: Any, period: Any, parameters: Any) -> np.ndarray:
        p = parameters(period).practitioner_participation
        patients = np.minimum(s("file_active_mg", period), p.max_patients)
        per_patient = p.amount_per_patient.calc(s("poverty_rate", period)) * _CENTS_PER_EURO
        return prorated(patients * per_patient, s, period)

    def interpreting(s: Any, period: Any, parameters: Any) -> np.ndarray:
        p = parameters(period).interpreting
        uncapped = s("interpreting_hours_in_person", period) * (
            p.hourly_rate_in_person * _CENTS_PER_EURO
        ) + s("interpreting_hours_phone", period) * (p.hourly_rate_phone * _CENTS_PER_EURO)
        return prorated(np.minimum(uncapped, p.annual_cap * _CENTS_PER_EURO), s, period)

    def psychological_support(s: Any, period: Any, parameters: Any) -> np.ndarray:
        p = parameters(period).psychological_support
        net = np.maximum(
            (s("psychologist_cost_requested", period) - s("segur_psychologist_funding", period))
            * _CENTS_PER_EURO,
            0,
        )
        capped = np.minimum(net, p.annual_cap * _CENTS_PER_EURO)
        return prorated(np.where(s("ars_psychology_agreement", period), capped, 0), s, period)

    def total(s: Any, period: Any, parameters: Any) -> np.ndarray:
        return sum(s(line, period) for line in LINES)

    classes = [variable(name, kind) for name, kind in INPUTS.items()]
    classes.append(
        variable(
            "location",
            Enum,
            possible_values=location_enum,
            default_value=location_enum["outside_qpv"],
        )
    )
    classes.append(variable("paid_days", int, paid_days))
    formulas = {
        "participatory_activities": participatory_activities,
        "practitioner_participation": practitioner_participation,
        "interpreting": interpreting,
        "psychological_support": psychological_support,
        "total": total,
    }
    classes += [variable(name, float, formula) for name, formula in formulas.items()]
    system = TaxBenefitSystem([structure])
    system.parameters = _parameter_tree(values)
    system.add_variables(*classes)
    return system


def simulate(
    system: TaxBenefitSystem, frame: pd.DataFrame, values: Values
) -> dict[str, np.ndarray]:
    """Build a simulation of ``frame``'s structures, set its inputs, compute the four lines and
    the total of the year (float cents, in the system's precision)."""
    period = str(values.year)
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("structure", frame["structure_id"].to_numpy())
    simulation = builder.build(system)
    first, last = (
        np.datetime64(f"{values.year}-01-01", "D"),
        np.datetime64(f"{values.year}-12-31", "D"),
    )
    for name in INPUTS:
        column = frame[name]
        if name == "entry_date":
            array = column.to_numpy(dtype="datetime64[D]")
            array = np.where(np.isnat(array), first, array)
        elif name == "exit_date":
            array = column.to_numpy(dtype="datetime64[D]")
            array = np.where(np.isnat(array), last, array)
        else:
            array = column.to_numpy()
        simulation.set_input(name, period, array)
    simulation.set_input("location", period, frame["location"].to_numpy(dtype=str))
    return {line: simulation.calculate(line, period) for line in (*LINES, "total")}


__all__ = ["LINES", "Precision", "PyEnum", "build_system", "simulate"]
