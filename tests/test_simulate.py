"""Monte Carlo over the assumptions (issue 12, items 2 and 7): ``simulate`` draws parameter
sets from the ranges (or a user's distributions), computes all the draws of a chunk in one
engine pass, and gives the same cents as the point engine under each draw."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import secpa_model
from secpa_model import InputError, ParameterError, Period, allocate_frame, get_model, simulate
from secpa_model.analysis.simulation import Simulation
from secpa_model.datasets import illustrative_portfolio
from secpa_model.model.parameters import Parameters

BENCH = Path(__file__).resolve().parent.parent / "bench"
PERIOD = "2024-01-01..2025-04-30"
COST = "participatory_activities.cost_per_etp"
ETP = "participatory_activities.etp_schedule"
POVERTY = "practitioner_participation.amount_per_patient"


def _degenerate(parameters: Parameters) -> Parameters:
    """Every range reduced to its centre (the value; a scale's factor 1)."""
    changed = {}
    for path, parameter in parameters.parameters.items():
        values = [
            dated.model_copy(
                update={
                    "range": dated.range.model_copy(
                        update={"low": dated.center, "high": dated.center, "mode": None}
                    )
                }
            )
            if dated.range is not None
            else dated
            for dated in parameter.values
        ]
        changed[path] = parameter.model_copy(update={"values": values})
    return parameters.model_copy(update={"parameters": changed})


@pytest.mark.parametrize("name", ["experimentation", "five_pillars"])
def test_a_degenerate_range_gives_the_point_result_to_the_cent(name: str) -> None:
    model = get_model(name)
    frame = illustrative_portfolio()
    point = allocate_frame(secpa_model.portfolio(frame, model=model), PERIOD)
    result = simulate(
        secpa_model.portfolio(frame, model=model),
        PERIOD,
        _degenerate(model.reference_parameters()),
        draws=3,
    )
    assert result.cents is not None
    for key_index, key in enumerate(model.line_keys):
        expected = point[f"{key}_cents"].to_numpy()
        for draw in range(3):
            assert np.array_equal(result.cents[draw, :, key_index], expected), (key, draw)
    total = int(point["total_cents"].sum())
    assert result.totals["total_cents"].tolist() == [total] * 3
    assert result.summary.loc["total", "std"] == 0
    assert result.summary.loc["total", "p50"] == total / 100


@pytest.fixture(scope="module")
def scenario_of_draw() -> Any:
    """The bench's point scenario of one draw (its loop of compare computes the same)."""
    sys.path.insert(0, str(BENCH))
    try:
        from simulate import scenario_of_draw

        yield scenario_of_draw
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize("name", ["experimentation", "five_pillars"])
def test_each_draw_equals_the_point_engine_under_that_draw(
    name: str, scenario_of_draw: Any
) -> None:
    # the point engine under a scenario of each draw's values (amounts to the cent, a
    # scale's values times its factor): the vectorised pass computes exactly that
    model = get_model(name)
    parameters = model.reference_parameters()
    frame = illustrative_portfolio()
    result = simulate(secpa_model.portfolio(frame, model=model), PERIOD, draws=6, seed=7)
    assert result.cents is not None
    assert set(result.parameter_draws.columns) == {
        path
        for path, p in parameters.parameters.items()
        if any(v.range is not None for v in p.values)
    }
    for draw, row in result.parameter_draws.iterrows():
        values = {str(path): float(value) for path, value in row.items()}
        scenario = scenario_of_draw(parameters, values, f"draw {draw}")
        point = allocate_frame(secpa_model.portfolio(frame, model=model), PERIOD, scenario)
        for index, key in enumerate(model.line_keys):
            assert np.array_equal(
                result.cents[int(draw), :, index], point[f"{key}_cents"].to_numpy()
            ), (draw, key)


def test_a_worked_example_by_hand() -> None:
    # one structure of 2 500 patients: 3 ETP (bracket from 2 000), over 2024 (a whole year):
    # the participatory line is 3 × the cost per ETP drawn
    frame = illustrative_portfolio().iloc[[0]].assign(file_active_mg=2500)
    result = simulate(
        frame,
        2024,
        draws=3,
        distributions={COST: np.array([40_000.0, 50_000.004, 45_000.005])},
    )
    assert result.cents is not None
    cents = result.cents[:, 0, 0].tolist()
    # 50 000.004 € rounds down to 50 000.00 €, 45 000.005 € half up to 45 000.01 €
    assert cents == [3 * 4_000_000, 3 * 5_000_000, 3 * 4_500_001]
    assert result.parameter_draws[COST].tolist() == [40_000.0, 50_000.0, 45_000.01]


def test_the_same_seed_gives_the_same_numbers_whatever_the_chunks() -> None:
    frame = illustrative_portfolio()
    whole = simulate(frame, PERIOD, draws=2100, seed=11)
    pieces = simulate(frame, PERIOD, draws=2100, seed=11, chunk_size=333)
    single = simulate(frame, PERIOD, draws=2100, seed=11, chunk_size=1)
    assert whole.cents is not None and pieces.cents is not None and single.cents is not None
    assert np.array_equal(whole.cents, pieces.cents)
    assert np.array_equal(whole.cents, single.cents)
    pd.testing.assert_frame_equal(whole.parameter_draws, pieces.parameter_draws)
    pd.testing.assert_frame_equal(whole.summary, pieces.summary)
    # the first draws do not depend on how many follow
    fewer = simulate(frame, PERIOD, draws=5, seed=11)
    assert fewer.cents is not None
    assert np.array_equal(fewer.cents, whole.cents[:5])
    other = simulate(frame, PERIOD, draws=5, seed=12)
    assert not np.array_equal(other.line_totals_cents, fewer.line_totals_cents)


def test_the_summary_is_computed_from_the_draws() -> None:
    result = simulate(illustrative_portfolio(), PERIOD, draws=401, seed=3, envelope=14_000_000)
    totals = result.totals["total_cents"].to_numpy()
    euros = sorted(int(t) for t in totals)
    summary = result.summary
    assert list(summary.columns) == ["mean", "std", "p5", "p25", "p50", "p75", "p95", "prob_exceed"]
    assert list(summary.index) == [*result.line_keys, "total"]
    assert summary.loc["total", "mean"] == pytest.approx(sum(euros) / 401 / 100)
    # with 401 draws the median is the 201st value and p25 the 101st (linear interpolation
    # lands on a draw)
    assert summary.loc["total", "p50"] == euros[200] / 100
    assert summary.loc["total", "p25"] == euros[100] / 100
    above = sum(total > 1_400_000_000 for total in euros)
    assert summary.loc["total", "prob_exceed"] == above / 401
    assert np.isnan(summary.loc["interpreting", "prob_exceed"])
    # the total of a draw is the exact sum of its lines
    lines = result.totals.drop(columns="total_cents").sum(axis=1)
    assert lines.tolist() == totals.tolist()
    low, high = result.interval()
    assert Decimal(euros[20]) / 100 <= low <= high <= Decimal(euros[381]) / 100


def test_an_interval_bound_on_an_exact_half_cent_rounds_up() -> None:
    # three draws of 4, 59 and 494 cents: p95 = 59 + (494 - 59) × 0.9 = 450.5 cents exactly,
    # which float64 computes as 450.49999999999994; half up to the cent gives 4.51 €;
    # p5 = 4 + (59 - 4) × 0.1 = 9.5 cents gives 0.10 €
    totals = np.array([[4, 4], [59, 59], [494, 494]], dtype=np.int64)
    result = Simulation(
        get_model("experimentation"),
        Period.parse(2022),
        0,
        ("a",),
        ("line",),
        totals,
        None,
        pd.DataFrame(index=range(3)),
        {},
    )
    assert result.interval() == (Decimal("0.10"), Decimal("4.51"))


def test_drawn_values_stay_in_their_ranges_and_units() -> None:
    parameters = get_model("experimentation").reference_parameters()
    result = simulate(illustrative_portfolio(), PERIOD, draws=3000, seed=5, keep="totals")
    for path, values in result.parameter_draws.items():
        spread = parameters.parameters[str(path)].values[0].range
        assert spread is not None
        assert values.min() >= float(spread.low) and values.max() <= float(spread.high)
        assert values.std() > 0
    # whole cents (as float euros: to the micro-cent)
    cents = result.parameter_draws[COST].to_numpy() * 100
    assert np.allclose(cents, np.round(cents), rtol=0, atol=1e-6)
    # a truncated normal around 45 000 € (sd 4 000 €): its mean near the value
    assert abs(result.parameter_draws[COST].mean() - 45_000) < 400
    patients = result.parameter_draws["practitioner_participation.max_patients"]
    assert (patients == patients.round()).all()
    with pytest.raises(ValueError, match="keep='totals'"):
        _ = result.draws


def test_the_tidy_draws() -> None:
    frame = illustrative_portfolio()
    result = simulate(frame, PERIOD, draws=4, seed=1)
    tidy = result.draws
    lines = len(result.line_keys) + 1
    assert len(tidy) == 4 * 26 * lines
    assert list(tidy.columns) == ["draw", "structure_id", "line", "amount_cents"]
    assert tidy["amount_cents"].dtype == np.int64
    one = tidy[(tidy["draw"] == 2) & (tidy["structure_id"] == frame["structure_id"].iloc[3])]
    assert one.set_index("line")["amount_cents"].loc["total"] == one["amount_cents"].iloc[:-1].sum()
    by_draw = tidy[tidy["line"] == "total"].groupby("draw")["amount_cents"].sum()
    assert by_draw.tolist() == result.totals["total_cents"].tolist()


def test_a_users_distributions_samples_and_the_files_range() -> None:
    frame = illustrative_portfolio()
    result = simulate(
        frame,
        PERIOD,
        draws=500,
        seed=2,
        distributions={
            COST: stats.uniform(40_000, 10_000),
            "interpreting.hourly_rate_phone": np.linspace(30, 50, 500),
            ETP: "range",
        },
    )
    drawn = result.parameter_draws
    assert list(drawn.columns) == [ETP, COST, "interpreting.hourly_rate_phone"]
    assert drawn[COST].min() >= 40_000 and drawn[COST].max() <= 50_000
    assert drawn["interpreting.hourly_rate_phone"].iloc[-1] == 50
    assert drawn[ETP].min() >= 0.8 and drawn[ETP].max() <= 1.2


@pytest.mark.parametrize(
    ("distributions", "error", "words"),
    [
        ({"colour.red": stats.uniform()}, ParameterError, "unknown parameters"),
        ({COST: stats.norm(0, 1)}, ParameterError, "draw"),
        ({COST: np.ones(3)}, ParameterError, "expected 10 samples"),
        ({COST: "lots"}, ParameterError, "expected a distribution"),
        ({"eligibility.min_file_active": "range"}, ParameterError, "has no range"),
        ({"interpreting.annual_cap": stats.uniform(0, 1e16)}, ParameterError, "beyond"),
        (
            {"participatory_activities.min_file_active": stats.uniform(5_000, 3_000)},
            ParameterError,
            "is above participatory_activities.max_file_active",
        ),
    ],
)
def test_bad_distributions_are_refused_by_name(
    distributions: dict[str, Any], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        simulate(illustrative_portfolio(), PERIOD, draws=10, distributions=distributions)


def test_uncertain_inputs() -> None:
    frame = illustrative_portfolio()
    samples = np.tile(frame["file_active_mg"].to_numpy(), (3, 1)) + np.array([[0], [500], [1000]])
    result = simulate(
        frame,
        2024,
        draws=3,
        distributions={},
        inputs={"file_active_mg": samples},
    )
    assert result.cents is not None
    for draw in range(3):
        point = allocate_frame(frame.assign(file_active_mg=samples[draw]), 2024)
        assert np.array_equal(result.cents[draw, :, 0], point["participatory_activities_cents"])
    drawn, again = (
        simulate(
            frame,
            2024,
            draws=200,
            seed=4,
            distributions={},
            inputs={"file_active_mg": stats.randint(1_000, 6_001)},
            chunk_size=size,
        )
        for size in (None, 17)
    )
    assert np.array_equal(drawn.line_totals_cents, again.line_totals_cents)
    assert drawn.summary.loc["participatory_activities", "std"] > 0
    with pytest.raises(InputError, match=r"inputs\['file_active_mg'\]: draw \d+, structure \d+"):
        simulate(frame, 2024, draws=5, inputs={"file_active_mg": stats.norm(0, 1_000)})
    with pytest.raises(InputError, match="kind"):
        simulate(frame, 2024, draws=5, inputs={"kind": stats.uniform()})


def test_arguments_are_checked() -> None:
    frame = illustrative_portfolio()
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="draws"):
            simulate(frame, PERIOD, draws=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        simulate(frame, PERIOD, seed=-1)
    with pytest.raises(ValueError, match="chunk_size"):
        simulate(frame, PERIOD, draws=3, chunk_size=0)
    with pytest.raises(ValueError, match="is not a line"):
        simulate(frame, PERIOD, draws=3, envelope={"colour": 1})
    with pytest.raises(ValueError, match="more than two decimals"):
        simulate(frame, PERIOD, draws=3, envelope="1.001")
    with pytest.raises(ValueError, match="envelope of total: -1 € is negative"):
        simulate(frame, PERIOD, draws=3, envelope=-1)
    with pytest.raises(InputError, match="file_active_mg"):
        simulate(frame.assign(file_active_mg=-5), PERIOD, draws=3)


def test_progress_is_reported_per_chunk() -> None:
    calls: list[tuple[int, int]] = []
    simulate(
        illustrative_portfolio(),
        PERIOD,
        draws=25,
        chunk_size=10,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(10, 25), (20, 25), (25, 25)]


def test_dask_gives_the_local_numbers() -> None:
    from distributed import Client, LocalCluster

    frame = illustrative_portfolio()
    local = simulate(frame, PERIOD, draws=300, seed=9, chunk_size=64)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        remote = simulate(frame, PERIOD, draws=300, seed=9, chunk_size=50, client=client)
    assert remote.cents is not None and local.cents is not None
    assert np.array_equal(remote.cents, local.cents)
    pd.testing.assert_frame_equal(remote.summary, local.summary)
