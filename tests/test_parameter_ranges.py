"""Plausible ranges of assumptions (issue 12, item 1): read from the parameter file,
validated at load like every value, carried by every shipped assumption, shown by
``secpa-model params``."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from secpa_model import ParameterError, get_model
from secpa_model.model.parameters import Range, Scale
from secpa_model.presentation.cli import main
from tests.helpers import parse_parameters, reference_text

COST = "participatory_activities.cost_per_etp"
COST_VALUE = 'value = 45000\nstatus = "assumption"\n'
CAP_PATIENTS = 'value = 6000\nstatus = "assumption"\n'
POVERTY = "practitioner_participation.amount_per_patient"
POVERTY_RATIONALE = 'rationale = "The poverty-rate brackets'


def _with(old: str, new: str) -> str:
    """The reference file without its ranges, ``old`` replaced by ``new``."""
    lines = reference_text().splitlines(keepends=True)
    text = "".join(line for line in lines if not line.startswith("range."))
    assert old in text
    return text.replace(old, new, 1)


def _cost_range(fields: str) -> str:
    """The reference file with ``fields`` (TOML keys) as the cost per ETP's range."""
    lines = "".join(f"range.{line.strip()}\n" for line in fields.split(";"))
    return _with(COST_VALUE, COST_VALUE + lines)


def test_a_range_is_read_with_its_distribution_and_rationale() -> None:
    text = _cost_range(
        'low = 40000; high = 52000.50; distribution = "triangular"; mode = 44000; '
        'rationale = "Wages of the staff funded."'
    )
    dated = parse_parameters(text).parameters[COST].values[0]
    assert dated.range == Range(
        low=Decimal("40000"),
        high=Decimal("52000.50"),
        distribution="triangular",
        mode=Decimal("44000"),
        rationale="Wages of the staff funded.",
    )
    # the value in force carries it too (what the engine and the CLI read)
    in_force = parse_parameters(text).at(dated.effective_from)[COST]
    assert in_force.range == dated.range


def test_defaults_triangular_peaked_at_the_value_and_normal_sd_a_quarter() -> None:
    spread = Range(low=Decimal(40), high=Decimal(60), rationale="r")
    assert spread.distribution == "triangular"
    assert spread.mode_for(Decimal(45)) == 45
    normal = Range(low=Decimal(40), high=Decimal(60), distribution="normal", rationale="r")
    assert normal.spread == Decimal(20) / 4


# (fields of the range, key named, words of the reason)
BAD_RANGES = [
    ('low = 46000; high = 55000; rationale = "r"', "range", "does not contain the value (45000)"),
    ('low = 38000; high = 44000; rationale = "r"', "range", "does not contain the value"),
    ('low = 50000; high = 40000; rationale = "r"', "range.high", "below low"),
    ('low = -1; high = 55000; rationale = "r"', "range.low", "greater than or equal to 0"),
    ('low = 38000.001; high = 55000; rationale = "r"', "range.low", "more than two decimals"),
    ("low = 38000; high = 55000", "range.rationale", "required key is missing"),
    ('low = 38000; high = 55000; rationale = ""', "range.rationale", "at least 1 character"),
    ('low = 38000; high = inf; rationale = "r"', "range.high", "finite"),
    # a TOML decimal is read exactly: 1e400 is not an infinity, but beyond the limit
    ('low = 38000; high = 1e400; rationale = "r"', "range.high", "beyond 2^53 cents"),
    (
        'low = 38000; high = 1e14; rationale = "r"',
        "range.high",
        "beyond 2^53 cents (90 071 992 547 409,92 €)",
    ),
    (
        'low = 38000; high = 55000; distribution = "poisson"; rationale = "r"',
        "range.distribution",
        "'uniform', 'triangular' or 'normal'",
    ),
    (
        'low = 38000; high = 55000; distribution = "uniform"; mode = 40000; rationale = "r"',
        "range.mode",
        "for a triangular distribution",
    ),
    ('low = 38000; high = 55000; mode = 60000; rationale = "r"', "range.mode", "outside"),
    (
        'low = 38000; high = 55000; sd = 1000; rationale = "r"',
        "range.sd",
        "for a normal distribution",
    ),
    (
        'low = 38000; high = 55000; distribution = "normal"; sd = 0; rationale = "r"',
        "range.sd",
        "greater than 0",
    ),
    ('low = 38000; high = 55000; rationale = "r"; colour = 1', "range.colour", "unknown key"),
    ("low = 38000; high = 55000; rationale = " + '"' + "x" * 2001 + '"', "range.rationale", "2000"),
]


@pytest.mark.parametrize(("fields", "key", "reason"), BAD_RANGES)
def test_a_bad_range_names_its_key_and_reason(fields: str, key: str, reason: str) -> None:
    with pytest.raises(ParameterError) as caught:
        parse_parameters(_cost_range(fields), "my/params.toml")
    message = str(caught.value)
    assert f"{COST}.values[0].{key}:" in message
    assert reason in message
    assert message.startswith("my/params.toml:")


def test_a_count_range_must_be_whole_patients() -> None:
    text = _with(
        CAP_PATIENTS, CAP_PATIENTS + 'range = { low = 5000.5, high = 7000, rationale = "r" }\n'
    )
    with pytest.raises(
        ParameterError, match=r"max_patients\.values\[0\]\.range\.low: .*not a whole"
    ):
        parse_parameters(text)


def test_a_published_value_has_no_range() -> None:
    published = 'value = 66000\nstatus = "published"\n'
    text = _with(published, published + 'range = { low = 60000, high = 70000, rationale = "r" }\n')
    with pytest.raises(ParameterError) as caught:
        parse_parameters(text)
    assert "psychological_support.annual_cap.values[0].range:" in str(caught.value)
    assert "status 'published' has no range" in str(caught.value)


def test_a_scale_range_is_a_factor_containing_one() -> None:
    ok = _with(
        POVERTY_RATIONALE,
        'range = { low = 0.5, high = 1.5, distribution = "uniform", rationale = "r" }\n'
        + POVERTY_RATIONALE,
    )
    dated = parse_parameters(ok).parameters[POVERTY].values[0]
    assert isinstance(dated.value, Scale)
    assert dated.range is not None and dated.range.high == Decimal("1.5")
    without_one = _with(
        POVERTY_RATIONALE,
        'range = { low = 1.1, high = 1.5, rationale = "r" }\n' + POVERTY_RATIONALE,
    )
    with pytest.raises(ParameterError, match=r"does not contain the factor 1 of a scale"):
        parse_parameters(without_one)


def test_a_scale_at_its_highest_factor_stays_within_its_units() -> None:
    # a scale of fractions may not exceed 1 at the top of its range; here its values are euros
    # and the top factor makes the last bracket (55 €) beyond exact cents
    text = _with(
        POVERTY_RATIONALE,
        'range = { low = 0.5, high = 1e15, rationale = "r" }\n' + POVERTY_RATIONALE,
    )
    with pytest.raises(ParameterError, match=r"amount_per_patient\.values\[0\]\.range\.high: .*"):
        parse_parameters(text)


def test_ranges_keep_the_relations_between_parameters() -> None:
    # min_file_active ≤ max_file_active must hold for every value the ranges allow: a
    # published value has no range, so give the relation's lower end a calibrated one
    lower = (
        'value = 1000\nstatus = "published"\nsource = "project_page"\n\n'
        "[participatory_activities.max"
    )
    text = _with(
        lower,
        'value = 1000\nstatus = "calibrated"\nsource = "project_page"\n'
        'range = { low = 900, high = 6500, rationale = "r" }\n\n[participatory_activities.max',
    )
    with pytest.raises(ParameterError, match=r"the ranges allow .*min_file_active \(6500\) above"):
        parse_parameters(text)


@pytest.mark.parametrize("name", ["experimentation", "five_pillars"])
def test_every_shipped_assumption_has_a_range_with_a_reason(name: str) -> None:
    parameters = get_model(name).reference_parameters()
    checked = 0
    for parameter in parameters.parameters.values():
        for dated in parameter.values:
            if dated.status == "assumption":
                assert dated.range is not None, parameter.path
                assert len(dated.range.rationale) > 40, parameter.path
                checked += 1
            else:
                assert dated.range is None
    assert checked >= 7


def test_params_shows_the_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--date", "2024-01-01"]) == 0
    out = capsys.readouterr().out
    cost_row = next(line for line in out.splitlines() if line.startswith(COST))
    assert "38000 to 55000, normal (sd 4000)" in cost_row
    scale_row = next(line for line in out.splitlines() if line.startswith(POVERTY))
    assert "×0.7 to ×1.3, uniform" in scale_row
    published = next(line for line in out.splitlines() if line.startswith("eligibility."))
    assert " - " in published


def test_params_json_gives_each_range_with_its_rationale(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["params", "--date", "2024-01-01", "--json", "--model", "five_pillars"]) == 0
    rows = {row["path"]: row for row in json.loads(capsys.readouterr().out)["parameters"]}
    spread = rows["training.annual_cap"]["range"]
    assert spread["low"] == "10000" and spread["high"] == "30000"
    assert spread["distribution"] == "triangular"
    assert "teams" in spread["rationale"]
