"""calibrate: recovery of known values from synthetic targets, identifiability, residuals,
inequalities, exact money, the calibrated file read back; the public targets dataset."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from secpa_model import (
    InputError,
    ParameterError,
    Scenario,
    Target,
    calibrate,
    load_parameters,
    load_targets,
    public_targets,
    reference_parameters,
)
from secpa_model.analysis.targets import targets_from_mapping
from secpa_model.model.parameters import Source

SOURCE = Source(title="synthetic target of the test", reference="tests/test_calibration.py")
COST = "participatory_activities.cost_per_etp"
PER_PATIENT = "practitioner_participation.amount_per_patient"
SCHEDULE = "participatory_activities.etp_schedule"
PHONE = "interpreting.hourly_rate_phone"
BOUNDS = {COST: (30000, 70000), PER_PATIENT: (0.5, 2.0)}


def two_structures() -> pd.DataFrame:
    """A: 3 100 patients (4 ETP in the reference schedule), poverty 0.30 (40 €/patient);
    B: 1 500 patients (2 ETP), poverty 0.40 (55 €/patient). No interpreting, no
    psychologist: the total is 6 ETP × cost + factor × (3 100 × 40 + 1 500 × 55)."""
    return pd.DataFrame(
        {
            "structure_id": ["a", "b"],
            "kind": ["centre_de_sante", "msp"],
            "location": ["in_qpv", "in_qpv"],
            "file_active_mg": [3100, 1500],
            "poverty_rate": [0.30, 0.40],
            "entry_date": ["2021-08-01", "2021-08-01"],
        }
    )


def target(name: str, measure: str, value: int, **extra: object) -> Target:
    return Target(
        name=name,
        description=f"synthetic {name}",
        measure=measure,  # type: ignore[arg-type]
        kind=extra.pop("kind", "equality"),  # type: ignore[arg-type]
        value=Decimal(value),
        unit="EUR",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        tolerance=Decimal("0.01"),
        tolerance_rationale="synthetic: exact",
        source=SOURCE,
        **extra,  # type: ignore[arg-type]
    )


def synthetic_targets(cost: int, factor: Decimal) -> list[Target]:
    # computed by hand for 2024 (a whole year: annual amounts)
    total = 6 * cost + factor * (3100 * 40 + 1500 * 55)
    structure_b = 2 * cost + factor * (1500 * 55)
    return [
        target("total_2024", "portfolio_total", int(total)),
        target(
            "b_2024",
            "structure_annual",
            int(structure_b),
            inputs={"file_active_mg": Decimal(1500)},
        ),
    ]


def test_calibration_recovers_the_values_behind_synthetic_targets() -> None:
    # true values 52 000 €/ETP and amounts per patient × 1.2: total 559 800, B 203 000
    targets = synthetic_targets(52000, Decimal("1.2"))
    assert [t.value for t in targets] == [Decimal(559800), Decimal(203000)]
    result = calibrate(two_structures(), targets, [COST, PER_PATIENT], bounds=BOUNDS)
    fitted = dict(zip(result.fitted["path"], result.fitted["fitted"], strict=True))
    # within 0.05 %: the amounts per patient are whole cents, so the factor moves the
    # totals by steps (a cent on 55 € is 15 € on B's 1 500 patients)
    assert abs(fitted[COST] - 52000) <= 26
    assert abs(fitted[PER_PATIENT] - Decimal("1.2")) <= Decimal("0.0006")
    assert result.fitted["identified"].all()
    assert (result.residuals["relative"].abs() < 1e-4).all()
    assert result.residuals["met"].all()
    assert result.success


def test_fitted_amounts_are_exact_to_the_cent_and_labelled_calibrated() -> None:
    targets = synthetic_targets(52000, Decimal("1.2"))
    result = calibrate(two_structures(), targets, [COST, PER_PATIENT], bounds=BOUNDS)
    cost = result.parameters.parameters[COST].values[0]
    assert cost.status == "calibrated"
    assert cost.value == cost.value.quantize(Decimal("0.01"))
    assert "total_2024" in cost.source.title and "b_2024" in cost.source.title
    schedule = result.parameters.parameters[PER_PATIENT].values[0]
    assert schedule.status == "calibrated"
    amounts = [b.value for b in schedule.value.brackets]  # type: ignore[union-attr]
    assert all(a == a.quantize(Decimal("0.01")) for a in amounts)
    factor = result.fitted.set_index("path").loc[PER_PATIENT, "fitted"]
    # the brackets 0, 25, 40, 55 € times the fitted factor, to the cent
    assert amounts == [(v * factor).quantize(Decimal("0.01")) for v in (0, 25, 40, 55)]
    # values not free keep their status
    assert result.parameters.parameters[SCHEDULE].values[0].status == "assumption"


def test_the_calibrated_file_reads_back_to_the_same_parameters(tmp_path: Path) -> None:
    targets = synthetic_targets(52000, Decimal("1.2"))
    result = calibrate(two_structures(), targets, [COST, PER_PATIENT], bounds=BOUNDS)
    path = result.write(tmp_path / "calibrated.toml")
    read = load_parameters(path)
    assert read.parameters == result.parameters.parameters
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# secpa-model calibrated parameters")
    assert "total_2024: model" in text


def test_one_target_does_not_separate_a_cost_from_a_count_of_etp() -> None:
    # the participatory line is ETP × cost: one total fixes only the product
    targets = synthetic_targets(52000, Decimal(1))[:1]
    result = calibrate(
        two_structures(),
        targets,
        [COST, SCHEDULE],
        bounds={COST: (30000, 70000), SCHEDULE: (0.5, 2)},
    )
    assert not result.fitted["identified"].any()
    notes = dict(zip(result.fitted["path"], result.fitted["note"], strict=True))
    assert SCHEDULE in notes[COST] and COST in notes[SCHEDULE]
    assert "NOT identified" in result.parameters.parameters[COST].values[0].rationale  # type: ignore[operator]
    assert result.residuals["met"].all()


def test_a_value_no_target_depends_on_is_not_identified() -> None:
    # no structure has telephone interpreting hours: its rate moves nothing
    targets = synthetic_targets(52000, Decimal(1))[:1]
    result = calibrate(
        two_structures(), targets, [COST, PHONE], bounds={COST: (30000, 70000), PHONE: (20, 60)}
    )
    table = result.fitted.set_index("path")
    assert bool(table.loc[COST, "identified"])
    assert not bool(table.loc[PHONE, "identified"])
    assert "no equality or binding target" in table.loc[PHONE, "note"]
    assert table.loc[PHONE, "fitted"] == Decimal(42)  # left at its base value


def test_an_inequality_that_holds_costs_nothing_and_is_reported_met() -> None:
    # reference: 6 × 45 000 + 3 100 × 40 + 1 500 × 55 = 476 500 € in 2024
    ceiling = target("ceiling", "portfolio_total", 500000, kind="at_most")
    exact = target("total", "portfolio_total", 476500)
    result = calibrate(two_structures(), [exact, ceiling], [COST], bounds={COST: (30000, 70000)})
    rows = result.residuals.set_index("target")
    assert rows.loc["ceiling", "model_value"] == Decimal(476500)
    assert rows.loc["ceiling", "residual"] == Decimal(476500 - 500000)
    assert bool(rows.loc["ceiling", "met"])
    assert result.fitted.set_index("path").loc[COST, "fitted"] == Decimal(45000)


def test_an_exceeded_ceiling_pulls_the_value_down_to_it() -> None:
    # at most 6 × 40 000 + 206 500 = 446 500 €: the cost per ETP must fall to 40 000
    ceiling = target("ceiling", "portfolio_total", 446500, kind="at_most")
    result = calibrate(two_structures(), [ceiling], [COST], bounds={COST: (30000, 70000)})
    fitted = result.fitted.set_index("path").loc[COST, "fitted"]
    assert Decimal(39900) <= fitted <= Decimal(40050)
    assert bool(result.residuals.set_index("target").loc["ceiling", "met"])


def test_bounds_come_from_the_plausible_range_else_must_be_given() -> None:
    targets = synthetic_targets(52000, Decimal(1))[:1]
    result = calibrate(two_structures(), targets, [COST])
    row = result.fitted.set_index("path").loc[COST]
    reference = reference_parameters().parameters[COST].values[0].range
    assert reference is not None
    assert (row["low"], row["high"]) == (float(reference.low), float(reference.high))
    # 52 000 is inside the shipped range: recovered from the total alone
    assert abs(row["fitted"] - 52000) <= 5
    # the range dropped: a calibrated value carries none
    assert result.parameters.parameters[COST].values[0].range is None
    base = reference_parameters()
    cost = base.parameters[COST]
    bare = cost.model_copy(update={"values": [cost.values[0].model_copy(update={"range": None})]})
    without = base.model_copy(update={"parameters": {**base.parameters, COST: bare}})
    with pytest.raises(ParameterError) as caught:
        calibrate(
            two_structures(), targets, ["eligibility.min_file_active", COST], parameters=without
        )
    message = str(caught.value)
    assert "eligibility.min_file_active: has published values" in message
    assert f"{COST}: no range in the parameters and no bounds given" in message
    with pytest.raises(ParameterError, match="do not contain the base value 45000"):
        calibrate(two_structures(), targets, [COST], bounds={COST: (50000, 60000)})


def test_a_target_for_26_structures_refuses_a_frame_of_two() -> None:
    envelope = next(t for t in public_targets() if t.name == "envelope_2024_2025")
    with pytest.raises(InputError, match="is for 26 structures participating"):
        calibrate(two_structures(), [envelope], [COST], bounds={COST: (30000, 70000)})


def test_a_budget_share_target_needs_the_budgets() -> None:
    share = next(t for t in public_targets() if t.measure == "budget_share")
    with pytest.raises(InputError, match="annual_budget_eur"):
        calibrate(two_structures(), [share], [COST], bounds={COST: (30000, 70000)})
    frame = two_structures()
    # reference 2024: A 4 × 45 000 + 3 100 × 40 = 304 000; B 2 × 45 000 + 1 500 × 55 = 172 500
    frame["annual_budget_eur"] = [912000, 517500]  # each exactly a third
    result = calibrate(frame, [share], [COST], bounds={COST: (30000, 70000)})
    row = result.residuals.iloc[0]
    assert row["model_value"] == Decimal("0.3333")
    assert bool(row["met"])


def test_the_public_targets_name_their_sources() -> None:
    targets = {t.name: t for t in public_targets()}
    assert set(targets) == {
        "envelope_2024_2025",
        "budget_2021_2023",
        "centre_2500_patients",
        "budget_share_third",
    }
    envelope = targets["envelope_2024_2025"]
    assert (envelope.value, envelope.kind, envelope.participating) == (
        Decimal(14000000),
        "equality",
        26,
    )
    assert (envelope.start, envelope.end) == (date(2024, 1, 1), date(2025, 4, 30))
    assert "NOR SPRS2335802A" in (envelope.source.reference or "")
    ceiling = targets["budget_2021_2023"]
    assert (ceiling.value, ceiling.kind) == (Decimal(30000000), "at_most")
    assert (ceiling.start, ceiling.end) == (date(2021, 8, 1), date(2023, 12, 31))
    centre = targets["centre_2500_patients"]
    assert centre.inputs == {"file_active_mg": Decimal(2500)} and centre.value == Decimal(500000)
    assert all(t.tolerance_rationale and t.source.title for t in targets.values())


def test_a_targets_file_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        '[[targets]]\nname = "x"\ndescription = "d"\nmeasure = "portfolio_total"\n'
        'kind = "maybe"\nvalue = -3\nunit = "EUR"\nstart = 2024-01-01\nend = 2023-01-01\n'
        'tolerance = 0.1\ntolerance_rationale = "r"\nsource = "nowhere"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="unknown source id 'nowhere'"):
        load_targets(path)
    data = {
        "targets": [
            {
                "name": "x",
                "description": "d",
                "measure": "portfolio_total",
                "kind": "maybe",
                "value": -3,
                "unit": "EUR",
                "start": date(2024, 1, 1),
                "end": date(2024, 12, 31),
                "tolerance": 0.1,
                "tolerance_rationale": "r",
                "source": {"title": "t", "reference": "r"},
            }
        ]
    }
    with pytest.raises(InputError) as caught:
        targets_from_mapping(data, "mine.toml")
    assert "kind" in str(caught.value) and "value" in str(caught.value)


# -------------------------------------------------- a start on a bound, a wrong form

BOUND_TRUTH_TOTAL = 6 * 50000 + 3100 * 40 + 1500 * 55  # 506 500 €: 50 000 €/ETP, factor 1


@pytest.mark.parametrize("start", [45000, 55000])
def test_a_value_starting_on_a_bound_of_its_range_still_moves(start: int) -> None:
    """Bounds (45 000, 55 000), the base on one of them, the truth 50 000 €: the two
    structures' 2024 total is 6 ETP × 50 000 + 3 100 × 40 + 1 500 × 55 = 506 500 €
    (the docstring of two_structures); a finite-difference step relative to a start of 0
    in [0, 1] used to leave the value on its bound, the target missed by 3.6 %, and say
    success."""
    assert BOUND_TRUTH_TOTAL == 506500
    base = Scenario("start", {COST: start}).apply(reference_parameters())
    result = calibrate(
        two_structures(),
        [target("total_2024", "portfolio_total", BOUND_TRUTH_TOTAL)],
        [COST],
        parameters=base,
        bounds={COST: (45000, 55000)},
    )
    row = result.fitted.iloc[0]
    assert row["base"] == start
    assert row["fitted"] == Decimal("50000.00")
    assert not row["at_bound"] and row["identified"] and row["note"] == "identified"
    assert result.residuals.iloc[0]["model_value"] == Decimal("506500.00")
    assert result.success


def _bracket_fit() -> Fraction:
    """The least-squares factor on the ETP schedule when the truth changed one bracket.

    Truth: the 3 000-patient bracket at 5 ETP instead of 4 (the other brackets, 45 000 €
    per ETP and the amounts per patient as in the reference). A (3 100 patients) is then
    5 × 45 000 + 3 100 × 40 = 349 000 €, B (1 500 patients) 2 × 45 000 + 1 500 × 55 =
    172 500 €, the total 521 500 €. A factor f on every bracket gives a total of
    270 000 f + 206 500 and B 90 000 f + 82 500: the two relative misses (same tolerance)
    are a_i f + b_i, least squares at f = -(a1 b1 + a2 b2) / (a1² + a2²)."""
    a1, b1 = Fraction(270000, 521500), Fraction(206500, 521500) - 1
    a2, b2 = Fraction(90000, 172500), Fraction(82500, 172500) - 1
    return -(a1 * b1 + a2 * b2) / (a1 * a1 + a2 * a2)


def test_a_factor_that_cannot_represent_a_changed_bracket_is_not_called_identified() -> None:
    best = _bracket_fit()
    assert abs(best - Fraction(108269, 100000)) < Fraction(1, 100000)  # about 1.0827
    targets = [
        target("total_2024", "portfolio_total", 521500),
        target("b_2024", "structure_annual", 172500, inputs={"file_active_mg": Decimal(1500)}),
    ]
    result = calibrate(two_structures(), targets, [SCHEDULE], bounds={SCHEDULE: (0.5, 2.0)})
    row = result.fitted.iloc[0]
    # the factor's brackets are rounded to 0.0001 ETP: the misses are flat over such steps
    assert abs(Fraction(row["fitted"]) - best) <= Fraction(2, 10000)
    # at f ≈ 1.0827: total −4.3 %, B +4.3 %, both beyond their 1 % tolerance
    relative = dict(zip(result.residuals["target"], result.residuals["relative"], strict=True))
    assert relative["total_2024"] == pytest.approx(
        float(270000 * best + 206500) / 521500 - 1, abs=2e-4
    )
    assert relative["b_2024"] == pytest.approx(float(90000 * best + 82500) / 172500 - 1, abs=2e-4)
    assert not result.residuals["met"].any()
    assert not row["identified"]
    assert row["note"] == "cannot represent the targets: total_2024, b_2024 missed"
    assert not result.success and "targets missed: total_2024, b_2024" in result.message
    assert "NOT identified" in result.parameters.parameters[SCHEDULE].values[0].rationale


def test_a_factor_that_can_represent_the_truth_is_identified() -> None:
    """The same targets when the truth is the whole schedule × 1.25 (A 5 ETP, B 2.5):
    total 270 000 × 1.25 + 206 500 = 544 000 €, B 90 000 × 1.25 + 82 500 = 195 000 €."""
    targets = [
        target("total_2024", "portfolio_total", 544000),
        target("b_2024", "structure_annual", 195000, inputs={"file_active_mg": Decimal(1500)}),
    ]
    result = calibrate(two_structures(), targets, [SCHEDULE], bounds={SCHEDULE: (0.5, 2.0)})
    row = result.fitted.iloc[0]
    assert row["fitted"] == Decimal("1.25") and row["identified"]
    assert result.residuals["met"].all() and result.success
