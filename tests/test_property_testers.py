"""What a property tester meets: parameter sets that cover the period asked for, pairs of
(parameters, period) that always fit, and a short repr of a parameter set in a failing
example."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings

from secpa_model import Parameters, Period, Scenario, allocate, get_model, reference_parameters
from secpa_model.model.parameters import Scale, references
from secpa_model.testing import (
    parameter_sets,
    parameters_and_periods,
    structures,
)
from tests.profiles import examples

FEW = settings(max_examples=examples(25), deadline=None)
COST = "participatory_activities.cost_per_etp"


def test_a_random_set_may_start_after_a_fixed_year() -> None:
    # why the strategies below exist: parameter_sets() draws its first date in 2021-2023
    quick = settings(database=None, phases=[Phase.generate])  # the first found, not shrunk
    late = find(
        parameter_sets(), lambda params: params.coverage_start > date(2022, 1, 1), settings=quick
    )
    assert late.coverage_start > date(2022, 1, 1)


@FEW
@given(params=parameter_sets(covering=2022), structure=structures())
def test_a_set_covering_a_year_allocates_it(params: Parameters, structure: object) -> None:
    assert params.coverage_start <= date(2022, 1, 1)
    allocation = allocate(structure, 2022, params)  # never a CoverageError
    assert allocation.period == Period.year(2022)


@FEW
@given(params=parameter_sets(covering="2020-03-01..2020-04-30"))
def test_a_set_covering_a_period_before_2021_starts_on_its_first_day(params: Parameters) -> None:
    assert params.coverage_start == date(2020, 3, 1)


@FEW
@given(pair=parameters_and_periods(dated_change=True, max_days=400), structure=structures())
def test_pairs_of_parameters_and_periods_always_fit(
    pair: tuple[Parameters, Period], structure: object
) -> None:
    params, period = pair
    assert params.coverage_start <= period.start
    assert 1 <= (period.end - period.start).days + 1 <= 400
    allocation = allocate(structure, period, params)  # never a CoverageError
    assert allocation.period == period


def test_pairs_refuse_an_empty_period() -> None:
    with pytest.raises(ValueError, match="max_days must be at least 1"):
        parameters_and_periods(max_days=0)


# ------------------------------------------------------------------------- short repr


@pytest.fixture(autouse=True)
def only_the_shipped_references(monkeypatch: pytest.MonkeyPatch) -> None:
    """The references the shipped models load, and no other (another test's model with the
    same declarations and other values would make every repr say it cannot compare)."""
    monkeypatch.setattr(
        references,
        "_REFERENCES",
        {name: reference_parameters(name) for name in ("experimentation", "five_pillars")},
    )


def test_the_reference_says_it_is_the_reference() -> None:
    assert repr(reference_parameters()) == (
        "Parameters('reference': the reference values of the model 'experimentation' "
        "(11 parameters))"
    )


def test_a_scenario_shows_only_what_it_changes() -> None:
    dear = Scenario("dear", {COST: 50000}).apply(reference_parameters())
    shown = repr(dear)
    assert shown.startswith(
        "Parameters('dear': 1 of 11 parameters differ from the reference values of the model "
        f"'experimentation': {COST} = 50000 from "
    )
    assert shown.count(" from ") == 1 + 1  # "differ from the reference" and one dated value
    assert len(shown) < 200


def test_the_same_values_with_another_provenance_say_so() -> None:
    reference = reference_parameters()
    parameter = reference.parameters["interpreting.annual_cap"]
    relabelled = parameter.model_copy(
        update={
            "values": [v.model_copy(update={"rationale": "relabelled"}) for v in parameter.values]
        }
    )
    copy = reference.model_copy(
        update={"name": "copy", "parameters": {**reference.parameters, parameter.path: relabelled}}
    )
    assert repr(copy) == (
        "Parameters('copy': the reference values of the model 'experimentation' "
        "(11 parameters), with another provenance for interpreting.annual_cap)"
    )


def test_without_a_known_reference_the_values_are_listed_not_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = reference_parameters()
    monkeypatch.setattr(references, "_REFERENCES", {})
    shown = repr(reference)
    assert shown.startswith(
        "Parameters('reference': 11 parameters, no known reference to compare with: "
    )
    assert "differ" not in shown
    assert all(path in shown for path in reference.parameters)


def test_two_models_with_the_same_declarations_but_other_values_are_not_guessed() -> None:
    experimentation = get_model("experimentation")
    dear_file = Scenario("dear", {COST: 50000}).apply(reference_parameters())
    assert "no known reference" not in repr(reference_parameters())
    twin = experimentation.extend(name="twin")
    references.register_reference(twin.name, dear_file)
    assert "no known reference" in repr(reference_parameters())


def test_a_failing_example_prints_a_short_parameter_set() -> None:
    @settings(max_examples=3, database=None, deadline=None, phases=[Phase.generate])
    @given(params=parameter_sets())  # not shrunk: the example as drawn
    def always_fails(params: Parameters) -> None:
        raise AssertionError("on purpose")

    with pytest.raises(AssertionError) as caught:
        always_fails()
    printed = "\n".join(getattr(caught.value, "__notes__", []))
    assert (
        "Parameters('hypothesis': 11 of 11 parameters differ from the reference values" in printed
    )
    assert "rationale" not in printed and "source" not in printed
    assert len(printed) < 1500  # pydantic's repr of one set is about 12 000 characters


def test_equal_scales_compare_after_they_have_been_evaluated() -> None:
    schedule = reference_parameters().parameters["participatory_activities.etp_schedule"]
    first = schedule.values[0].value
    assert isinstance(first, Scale)
    twin = Scale.model_validate(first.model_dump())
    first.evaluate(np.array([1500.0]))
    twin.evaluate(np.array([1500.0]))  # both now hold their cached float arrays
    assert first == twin
    assert first != Scale.model_validate({**first.model_dump(), "mode": "linear"})
