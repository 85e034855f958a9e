"""Parameters: provenance on every value, dated lookups, scales, load errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from secpa_model import CoverageError, ParameterError, Parameters, Scenario, load_parameters
from secpa_model.model.parameters import Scale
from tests.helpers import PARAMETER_SPECS, reference_text


def test_reference_set_is_complete_sourced_and_starts_in_august_2021(
    reference: Parameters,
) -> None:
    assert set(reference.parameters) == set(PARAMETER_SPECS)
    assert reference.coverage_start == date(2021, 8, 1)
    for parameter in reference.parameters.values():
        for value in parameter.values:
            assert value.status in ("published", "assumption")
            assert value.source.title and (value.source.url or value.source.reference)
            if value.status == "assumption":
                assert value.rationale


def test_published_values_are_the_public_figures(reference: Parameters) -> None:
    snapshot = reference.at(date(2022, 6, 1))
    assert snapshot["eligibility.min_file_active"].value == 1000
    assert snapshot["eligibility.min_file_active"].status == "published"
    assert snapshot["psychological_support.annual_cap"].value == 66000
    assert snapshot["participatory_activities.max_file_active"].value == 6000


def test_values_change_on_their_date(changed_parameters: Parameters) -> None:
    path = "participatory_activities.cost_per_etp"
    assert changed_parameters.at(date(2022, 2, 28))[path].value == 45000
    assert changed_parameters.at(date(2022, 3, 1))[path].value == 54750
    assert date(2022, 3, 1) in changed_parameters.change_dates()


def test_before_the_first_value_is_an_error_naming_parameter_and_coverage(
    reference: Parameters,
) -> None:
    with pytest.raises(CoverageError, match=r"interpreting\.annual_cap covers 2021-08-01 onwards"):
        reference.at(date(2021, 7, 31))


def test_step_and_linear_scales() -> None:
    brackets = [{"threshold": t, "value": v} for t, v in [(1000, 2), (2000, 3), (5000, 6)]]
    x = np.array([999, 1000, 1500, 2000, 3500, 5000, 9000], dtype=np.float64)
    step = Scale(mode="step", brackets=brackets).evaluate(x)
    linear = Scale(mode="linear", brackets=brackets).evaluate(x)
    assert step.tolist() == [0, 2, 2, 3, 3, 6, 6]
    # linear: 1500 is half-way from (1000, 2) to (2000, 3);
    # 3500 is half-way from (2000, 3) to (5000, 6)
    assert linear.tolist() == [0, 2, 2.5, 3, 4.5, 6, 6]


@pytest.mark.parametrize("copies", [1, 100])
def test_step_scale_by_search_and_by_comparison(copies: int) -> None:
    # one copy goes through a binary search per value, a hundred through one comparison per
    # threshold: the same brackets either way; NaN is in the last bracket, -0.0 equals 0
    brackets = [{"threshold": t, "value": v} for t, v in [(0, 1), (1000, 2), (2000, 3)]]
    x = np.array([-1, -0.0, 0, 999, 1000, 1999.5, 2000, 9e300, np.nan] * copies)
    step = Scale(mode="step", brackets=brackets).evaluate(x)
    assert step.tolist() == [0, 1, 1, 1, 2, 2, 3, 3, 3] * copies


@pytest.mark.parametrize(
    ("thresholds", "message"), [((2000, 1000), "not sorted"), ((1000, 1000), "overlap")]
)
def test_scale_brackets_must_be_sorted_and_disjoint(
    thresholds: tuple[int, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Scale(brackets=[{"threshold": t, "value": 1} for t in thresholds])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "official.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_users_file_loads_the_same_way(tmp_path: Path) -> None:
    text = reference_text().replace("value = 45000", "value = 47500")
    loaded = load_parameters(write(tmp_path, text))
    snapshot = loaded.at(date(2022, 1, 1))
    assert snapshot["participatory_activities.cost_per_etp"].value == Decimal(47500)
    assert loaded.origin.endswith("official.toml")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('status = "published"\nsource = "project_page"', 'source = "project_page"', "status"),
        ('unit = "EUR/hour"', 'unit = "EUR/day"', "interpreting.hourly_rate_in_person"),
        ("value = 45000", "value = -45000", "participatory_activities.cost_per_etp"),
        ("value = 40000", 'value = "forty"', "interpreting.annual_cap"),
    ],
)
def test_load_errors_name_the_file_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    text = reference_text()
    assert old in text
    with pytest.raises(ParameterError) as caught:
        load_parameters(write(tmp_path, text.replace(old, new, 1)))
    assert "official.toml" in str(caught.value)
    assert expected in str(caught.value)


def test_values_over_a_span_are_those_in_force_on_some_day_of_it(
    changed_parameters: Parameters,
) -> None:
    # 45 000 from 2021-08-01, then 54 750 from 2022-03-01 (tests/helpers.py)
    parameter = changed_parameters.parameters["participatory_activities.cost_per_etp"]

    def over(start: date, end: date) -> list[object]:
        return [dated.value for dated in parameter.values_over(start, end)]

    assert over(date(2021, 8, 1), date(2022, 2, 28)) == [45000]
    assert over(date(2022, 2, 28), date(2022, 3, 1)) == [45000, 54750]
    assert over(date(2022, 3, 1), date(2030, 12, 31)) == [54750]
    assert over(date(2020, 1, 1), date(2021, 7, 31)) == []


def test_paths_with_a_status(reference: Parameters, changed_parameters: Parameters) -> None:
    path = "participatory_activities.cost_per_etp"
    assert path in changed_parameters.paths_with("assumption")
    assert "eligibility.min_file_active" in reference.paths_with("published")
    assert "eligibility.min_file_active" not in reference.paths_with("assumption")
    assert reference.paths_with("scenario") == set()
    overridden = Scenario("cap", {"interpreting.annual_cap": 1}).apply(reference)
    assert overridden.paths_with("scenario") == {"interpreting.annual_cap"}


def test_map_values_changes_each_bracket_value_and_keeps_the_thresholds() -> None:
    brackets = [{"threshold": 0, "value": 2}, {"threshold": 10, "value": 3}]
    scale = Scale.model_validate({"mode": "linear", "brackets": brackets})
    doubled = scale.map_values(lambda value: value * 2)
    assert doubled.mode == "linear"
    assert [(b.threshold, b.value) for b in doubled.brackets] == [(0, 4), (10, 6)]
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        scale.map_values(lambda value: -value)  # validated as any scale: no negative value
