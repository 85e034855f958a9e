"""Every portfolio analysis on a Dask cluster of worker processes, with a user's model from a
module the workers do not have: the numbers of a local run, bit for bit."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import cloudpickle
import dask
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest

import secpa_model as sm
from secpa_model.datasets import illustrative_portfolio
from secpa_model.engine.distributed import ByValue, ship_code
from secpa_model.model.rules import RuleInputs
from secpa_model.model.structure import Columns
from secpa_model.presentation.cli import main

NAME = "secpa_user_coordination"  # the user's module: imported here, absent on the workers
TOML = """
[meta]
name = "coordination"

[coordination.cost_per_etp]
unit = "EUR/ETP/year"
description = "Annual cost of one ETP of coordination."

[[coordination.cost_per_etp.values]]
effective_from = 2021-08-01
value = 52000
status = "assumption"
rationale = "An example value."
source = { title = "A user's assumption", reference = "a test" }
range = { low = 40000, high = 60000, rationale = "a guess" }
"""
SOURCE = '''
"""A user's own model: a coordination dotation, and a condition, over the experimentation."""

from pathlib import Path

import numpy as np

from secpa_model import Condition, Input, ParameterSpec, experimentation, rule


def _per_etp(etp, cost):
    return {formula}


def _too_many(inputs, params):
    return inputs["coordination_etp"] > 2.5


@rule(
    key="coordination",
    label="Coordination",
    legal_basis_fr="Coordination : ETP × coût d'un ETP.",
    legal_basis_en="Coordination: ETP × the cost of an ETP.",
    formula="{formula}",
    inputs=("coordination_etp",),
    parameters=("coordination.cost_per_etp",),
)
def coordination(inputs, params):
    return _per_etp(inputs["coordination_etp"], params.amount_cents("coordination.cost_per_etp"))


def build():
    return experimentation().extend(
        name="with_coordination",
        inputs=[Input("coordination_etp", "quantity", "ETP of coordination.", default=0.0)],
        parameters=[ParameterSpec("coordination.cost_per_etp", "amount", "EUR/ETP/year")],
        rules=[coordination],
        conditions=[
            Condition(
                "too_much_coordination",
                "more than 2.5 ETP of coordination",
                "plus de 2,5 ETP de coordination",
                inputs=("coordination_etp",),
                fails=_too_many,
            )
        ],
        parameter_files=[Path(__file__).with_name("coordination.toml")],
    )


MODEL = build()  # for the command line: --model module:MODEL
'''
FIRST, EDITED = "etp * cost", "np.minimum(etp, 1.0) * cost"  # the edit caps at one ETP
PERIOD = "2024-01-01..2025-04-30"


def _computed(client: Any, lazy: Any) -> Any:
    # a timeout: a worker that cannot unpickle a graph is restarted by Dask, again and again
    return client.compute(lazy).result(timeout=60)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two workers, each its own process, started before the user's module exists."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as started,
    ):
        yield started


@pytest.fixture(scope="module")
def user_module(client: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("user_model")
    (folder / "coordination.toml").write_text(TOML, encoding="utf-8")
    (folder / f"{NAME}.py").write_text(SOURCE.format(formula=FIRST), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(NAME)
    finally:
        sys.path.remove(str(folder))
        if NAME in cloudpickle.list_registry_pickle_by_value():
            cloudpickle.unregister_pickle_by_value(sys.modules[NAME])
        sys.modules.pop(NAME, None)


@pytest.fixture(scope="module")
def model(user_module: ModuleType) -> sm.Model:
    built: sm.Model = user_module.build()
    return built


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    portfolio = illustrative_portfolio()
    portfolio["coordination_etp"] = np.arange(len(portfolio)) % 7 * 0.5  # 0 to 3 ETP
    return portfolio


def test_the_workers_are_other_processes_without_the_users_module(
    client: Any, user_module: ModuleType
) -> None:
    assert importlib.util.find_spec(NAME) is not None  # here it is importable
    found = client.run(lambda: importlib.util.find_spec(NAME) is None)
    assert list(found.values()) == [True, True]  # the workers cannot import it
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_only_the_users_package_is_shipped_by_value(model: sm.Model) -> None:
    assert ship_code(model) == [NAME]
    assert ship_code(sm.experimentation()) == []  # secpa_model's own rules: installed


def test_a_function_importable_by_name_still_travels_as_code(
    user_module: ModuleType, model: sm.Model
) -> None:
    # a plain pickler (Dask's first try) would name it by its module; ByValue sends its code
    ship_code(model)
    by_name = pickle.dumps(user_module._too_many)
    as_code = pickle.dumps(ByValue(user_module._too_many))
    folder = str(Path(user_module.__file__ or "").parent)
    sys.path.remove(folder)
    saved = sys.modules.pop(NAME)
    try:
        with pytest.raises(ModuleNotFoundError, match=NAME):
            pickle.loads(by_name)
        test = pickle.loads(as_code)
    finally:
        sys.modules[NAME] = saved
        sys.path.insert(0, folder)
    fails = test(
        RuleInputs(
            "test",
            Columns({"coordination_etp": np.array([2.5, 3.0])}, 2),
            ["coordination_etp"],
            None,
        ),
        None,
    )
    assert fails.tolist() == [False, True]


def test_every_analysis_on_the_workers_gives_the_local_numbers(
    client: Any, model: sm.Model, frame: pd.DataFrame
) -> None:
    local = sm.simulate(sm.portfolio(frame, model=model), PERIOD, draws=120, seed=5, chunk_size=40)
    spread = sm.simulate(
        sm.portfolio(frame, model=model), PERIOD, draws=120, seed=5, chunk_size=40, client=client
    )
    assert local.cents is not None and spread.cents is not None
    assert np.array_equal(spread.cents, local.cents)
    assert np.array_equal(spread.line_totals_cents, local.line_totals_cents)
    pd.testing.assert_frame_equal(spread.parameter_draws, local.parameter_draws)
    assert "coordination.cost_per_etp" in local.parameter_draws.columns  # the user's range

    structures = sm.portfolio(frame, model=model)
    drivers = {"samples": 16, "seed": 2}
    alone = sm.sensitivity(structures, PERIOD, **drivers)
    together = sm.sensitivity(structures, PERIOD, **drivers, client=client)
    assert alone.tornado is not None and together.tornado is not None
    pd.testing.assert_frame_equal(together.tornado, alone.tornado)
    assert alone.sobol is not None and together.sobol is not None
    pd.testing.assert_frame_equal(together.sobol, alone.sobol)

    opening = {"schedule": {2026: 10, 2027: 20}, "draws": 40, "seed": 3}
    projected = sm.project_cohort(structures, **opening)
    projected_there = sm.project_cohort(structures, **opening, client=client)
    assert projected.draws is not None and projected_there.draws is not None
    assert len(projected.draws) == 80  # 40 draws × 2 years, in 3 chunks of at most 16
    pd.testing.assert_frame_equal(projected_there.draws, projected.draws)
    pd.testing.assert_frame_equal(projected_there.by_year, projected.by_year)

    path, values = "coordination.cost_per_etp", [40_000, 50_000, 60_000]
    swept = sm.sweep(sm.portfolio(frame, model=model), PERIOD, path, values)
    pd.testing.assert_frame_equal(
        sm.sweep(sm.portfolio(frame, model=model), PERIOD, path, values, client=client), swept
    )
    grid = (path, [45_000, 55_000]), ("interpreting.annual_cap", [10_000, 20_000])
    pd.testing.assert_frame_equal(
        sm.sweep_grid(sm.portfolio(frame, model=model), PERIOD, *grid, client=client),
        sm.sweep_grid(sm.portfolio(frame, model=model), PERIOD, *grid),
    )

    base = model.reference_parameters()
    scenarios = [sm.Scenario(f"cost {v}", {path: v}, base=base) for v in values]
    compared = sm.compare(sm.portfolio(frame, model=model), PERIOD, base, *scenarios)
    compared_there = sm.compare(
        sm.portfolio(frame, model=model), PERIOD, base, *scenarios, client=client
    )
    pd.testing.assert_frame_equal(compared_there.detail, compared.detail)
    pd.testing.assert_frame_equal(compared_there.summary, compared.summary)


def test_a_dask_frame_gives_a_lazy_result_computed_on_the_workers(
    client: Any, model: sm.Model, frame: pd.DataFrame
) -> None:
    lazy = sm.allocate_frame(
        sm.portfolio(dd.from_pandas(frame, npartitions=3), model=model), PERIOD
    )
    assert dask.is_dask_collection(lazy) and lazy.npartitions == 3
    computed = _computed(client, lazy)
    local = sm.allocate_frame(sm.portfolio(frame, model=model), PERIOD)
    pd.testing.assert_frame_equal(computed, local)
    pd.testing.assert_series_equal(lazy.dtypes, computed.dtypes)  # the meta is the result's
    assert "too_much_coordination" in set(local["reasons"])  # the user's condition ran

    with pytest.raises(sm.InputError, match="missing required columns: kind"):  # at the call
        sm.allocate_frame(dd.from_pandas(frame.drop(columns="kind"), npartitions=2), PERIOD)
    with pytest.raises(sm.InputError, match="the other analyses take a pandas DataFrame"):
        sm.compare(dd.from_pandas(frame, npartitions=2), PERIOD, model.reference_parameters())

    years = pd.concat([frame.assign(year=2024), frame.assign(year=2025)], ignore_index=True)
    by_year = sm.allocate_frame(
        sm.portfolio(dd.from_pandas(years, npartitions=4), model=model), None
    )
    pd.testing.assert_frame_equal(
        _computed(client, by_year), sm.allocate_frame(sm.portfolio(years, model=model), None)
    )


def test_an_id_repeated_across_partitions_is_refused_as_in_one_frame(
    client: Any, model: sm.Model, frame: pd.DataFrame
) -> None:
    twice = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)  # rows 0 and 26
    parts = dd.from_pandas(twice, npartitions=3)
    first = parts.get_partition(0).compute().index
    assert 0 in first and 26 not in first  # the two rows in different partitions
    with pytest.raises(sm.InputError) as one_frame:
        sm.allocate_frame(sm.portfolio(twice, model=model), PERIOD)
    with pytest.raises(sm.InputError) as on_workers:
        _computed(client, sm.allocate_frame(sm.portfolio(parts, model=model), PERIOD))
    assert str(on_workers.value) == str(one_frame.value)
    assert "is in 2 rows (0, 26)" in str(on_workers.value)

    allowed = sm.allocate_frame(sm.portfolio(parts, model=model, allow_duplicates=True), PERIOD)
    pd.testing.assert_frame_equal(
        _computed(client, allowed),
        sm.allocate_frame(sm.portfolio(twice, model=model, allow_duplicates=True), PERIOD),
    )

    years = pd.concat([frame.assign(year=2024), frame.iloc[[3]].assign(year=2024)])
    years = years.reset_index(drop=True)  # the id-year pair of row 3 again in row 26
    with pytest.raises(sm.InputError, match=r"with year 2024 is in 2 rows \(3, 26\)"):
        _computed(
            client,
            sm.allocate_frame(
                sm.portfolio(dd.from_pandas(years, npartitions=3), model=model), None
            ),
        )


def test_the_command_line_computes_on_the_scheduler(
    client: Any,
    user_module: ModuleType,
    frame: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "portfolio.csv"
    frame.to_csv(path, index=False)
    given = [str(path), "--period", PERIOD, "--model", f"{NAME}:MODEL"]
    commands = [
        ["simulate", *given, "--draws", "60", "--chunk-size", "20"],
        ["sensitivity", *given, "--method", "oat"],
    ]
    for command in commands:
        assert main(command) == 0
        here = capsys.readouterr().out
        assert main([*command, "--scheduler", client.scheduler.address]) == 0
        assert capsys.readouterr().out == here
        assert "coordination.cost_per_etp" in here  # the user's parameter, drawn or varied
    assert main([*commands[0], "--scheduler", "nonsense"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--scheduler 'nonsense': no Dask scheduler reached" in error


def test_an_edited_module_is_what_the_workers_run_next(
    client: Any, user_module: ModuleType
) -> None:
    two = pd.DataFrame(
        {
            "structure_id": ["a", "b"],
            "kind": "msp",
            "location": "in_qpv",
            "file_active_mg": 2500,
            "poverty_rate": 0.3,
            "coordination_etp": [2.0, 0.5],
        }
    )
    parts = dd.from_pandas(two, npartitions=2)
    before = _computed(
        client, sm.allocate_frame(sm.portfolio(parts, model=user_module.build()), 2024)
    )
    # 2 ETP × 52 000 € and 0.5 × 52 000 €, over the whole of 2024
    assert before["coordination_cents"].tolist() == [10_400_000, 2_600_000]

    source = Path(user_module.__file__ or "")
    source.write_text(SOURCE.format(formula=EDITED), encoding="utf-8")
    edited = importlib.reload(user_module).build()
    after = _computed(client, sm.allocate_frame(sm.portfolio(parts, model=edited), 2024))
    # capped at one ETP: 1 × 52 000 € and 0.5 × 52 000 €
    assert after["coordination_cents"].tolist() == [5_200_000, 2_600_000]
    base = edited.reference_parameters()
    cheaper = sm.Scenario("cheaper", {"coordination.cost_per_etp": 40_000}, base=base)
    compared = sm.compare(sm.portfolio(two, model=edited), 2024, base, cheaper, client=client)
    totals = compared.summary.set_index("scenario")["coordination_cents"]
    assert totals.tolist() == [7_800_000, 6_000_000]  # 1.5 ETP × 52 000 €, then × 40 000 €
