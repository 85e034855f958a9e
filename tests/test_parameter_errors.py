"""Every defect of a parameter file is a ParameterError naming the file, the key and the
reason. Each case edits the shipped reference file in one place."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from secpa_model import ParameterError, load_parameters
from tests.helpers import parse_parameters

ORIGIN = "my/params.toml"
REFERENCE = (
    resources.files("secpa_model.models.experimentation")
    .joinpath("reference.toml")
    .read_text("utf-8")
)

CAP_VALUE = (
    "effective_from = 2021-08-01\n"
    "value = 40000\n"
    'status = "assumption"\n'
    'rationale = "Not public; a cap of about 10 % of an average structure\'s allocation."\n'
    'source = "calibration"\n'
    "range.low = 25000\n"
    "range.high = 60000\n"
    'range.distribution = "uniform"\n'
    'range.rationale = "The cap is not public; from about 6 % to 15 % of an average '
    "structure's allocation, no value favoured within that span.\"\n"
)
IN_PERSON_RATE = (
    "value = 60\n"
    'status = "assumption"\n'
    'rationale = "Not public; a usual hourly rate of community interpreting associations."\n'
    'source = "calibration"\n'
)
POVERTY_BRACKETS = "    { threshold = 0.15, value = 25 },\n    { threshold = 0.25, value = 40 },\n"
SCALE_HEAD = 'value.mode = "step"\nvalue.brackets = [\n    { threshold = 0, value = 0 },\n'
CAP_PARAMETER = (
    "[interpreting.annual_cap]\n"
    'unit = "EUR/year"\n'
    'description = "Annual cap of the interpreting dotation."\n'
    "\n"
    "[[interpreting.annual_cap.values]]\n" + CAP_VALUE
)
PHONE_UNIT = 'unit = "EUR/hour"\ndescription = "Hourly rate of telephone'

CAP = "interpreting.annual_cap"
RATE = "interpreting.hourly_rate_in_person"
POVERTY = "practitioner_participation.amount_per_patient"

# (name, text replaced, replacement, key the message must name, words of the reason)
CASES: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (
        "missing source",
        CAP_VALUE,
        CAP_VALUE.replace('source = "calibration"\n', ""),
        f"{CAP}.values[0].source",
        ("required key is missing", "source"),
    ),
    (
        "missing status",
        IN_PERSON_RATE,
        IN_PERSON_RATE.replace('status = "assumption"\n', ""),
        f"{RATE}.values[0].status",
        ("required key is missing", "status"),
    ),
    (
        "unknown top group",
        "[meta]",
        '[colour.red]\nunit = "x"\n\n[meta]',
        "colour",
        ("unknown group",),
    ),
    (
        "unknown parameter in a known group",
        "[meta]",
        '[interpreting.colour]\nunit = "x"\n\n[meta]',
        "interpreting.colour",
        ("unknown parameter",),
    ),
    (
        "unknown key of a parameter",
        PHONE_UNIT,
        PHONE_UNIT.replace("\n", "\ncolour = 1\n", 1),
        "interpreting.hourly_rate_phone.colour",
        ("unknown key", "allowed: unit"),
    ),
    (
        "unknown key of a dated value",
        IN_PERSON_RATE,
        IN_PERSON_RATE + "colour = 2\n",
        f"{RATE}.values[0].colour",
        ("unknown key", "effective_from"),
    ),
    (
        "unknown key of a scale",
        SCALE_HEAD,
        SCALE_HEAD.replace("value.brackets", "value.colour = 1\nvalue.brackets"),
        f"{POVERTY}.values[0].value.colour",
        ("unknown key", "mode, brackets"),
    ),
    (
        "unknown key of a bracket",
        "{ threshold = 0.15, value = 25 }",
        "{ threshold = 0.15, value = 25, colour = 1 }",
        f"{POVERTY}.values[0].value.brackets[1].colour",
        ("unknown key", "threshold, value"),
    ),
    (
        "unknown key of a source",
        'title = "Ministère',
        'colour = "red"\ntitle = "Ministère',
        "sources.project_page.colour",
        ("unknown key", "title"),
    ),
    (
        "wrong unit",
        PHONE_UNIT,
        PHONE_UNIT.replace("EUR/hour", "EUR/day"),
        "interpreting.hourly_rate_phone.unit",
        ("'EUR/day' is wrong", "'EUR/hour'"),
    ),
    (
        "wrong threshold unit",
        'threshold_unit = "fraction"',
        'threshold_unit = "percent"',
        f"{POVERTY}.threshold_unit",
        ("'percent' is wrong", "'fraction'"),
    ),
    (
        "negative amount",
        CAP_VALUE,
        CAP_VALUE.replace("value = 40000", "value = -40000"),
        f"{CAP}.values[0].value",
        ("-40000", "negative"),
    ),
    (
        "negative bracket value",
        "{ threshold = 0.15, value = 25 }",
        "{ threshold = 0.15, value = -25 }",
        f"{POVERTY}.values[0].value.brackets[1].value",
        ("greater than or equal to 0", "-25"),
    ),
    (
        "unsorted brackets",
        POVERTY_BRACKETS,
        "    { threshold = 0.25, value = 40 },\n    { threshold = 0.15, value = 25 },\n",
        f"{POVERTY}.values[0].value.brackets[2].threshold",
        ("not sorted",),
    ),
    (
        "overlapping brackets",
        POVERTY_BRACKETS,
        "    { threshold = 0.15, value = 25 },\n    { threshold = 0.15, value = 40 },\n",
        f"{POVERTY}.values[0].value.brackets[2].threshold",
        ("overlap",),
    ),
    (
        "a dated value before the first date",
        CAP_VALUE,
        CAP_VALUE
        + "\n[[interpreting.annual_cap.values]]\n"
        + CAP_VALUE.replace("2021-08-01", "2021-07-01"),
        f"{CAP}.values[1].effective_from",
        ("2021-07-01", "not after", "increasing order of date"),
    ),
    (
        "malformed date (not valid TOML)",
        CAP_VALUE,
        CAP_VALUE.replace("2021-08-01", "2021-13-01"),
        f"{CAP}.values[0].effective_from",
        ("not valid TOML", "malformed date", "2021-13-01", "YYYY-MM-DD"),
    ),
    (
        "malformed date (a string that is no date)",
        CAP_VALUE,
        CAP_VALUE.replace("2021-08-01", '"soon"'),
        f"{CAP}.values[0].effective_from",
        ("not a date", "'soon'", "YYYY-MM-DD"),
    ),
    (
        "impossible date in a string",
        CAP_VALUE,
        CAP_VALUE.replace("2021-08-01", '"2021-02-30"'),
        f"{CAP}.values[0].effective_from",
        ("not a date", "'2021-02-30'"),
    ),
    (
        "missing parameter",
        CAP_PARAMETER,
        "",
        CAP,
        ("missing parameter",),
    ),
    (
        "unknown source id",
        CAP_VALUE,
        CAP_VALUE.replace('"calibration"', '"nowhere"'),
        f"{CAP}.values[0].source",
        ("unknown source id 'nowhere'", "calibration, project_page"),
    ),
    (
        "assumption without rationale",
        IN_PERSON_RATE,
        IN_PERSON_RATE.replace(IN_PERSON_RATE.splitlines()[2] + "\n", ""),
        f"{RATE}.values[0].rationale",
        ("'assumption' needs", "rationale"),
    ),
    (
        "unknown status",
        IN_PERSON_RATE,
        IN_PERSON_RATE.replace('"assumption"', '"guess"'),
        f"{RATE}.values[0].status",
        ("'published'", "'guess'"),
    ),
    (
        "a number that is not a number",
        CAP_VALUE,
        CAP_VALUE.replace("value = 40000", 'value = "lots"'),
        f"{CAP}.values[0].value",
        ("decimal", "'lots'"),
    ),
    (
        "a number where a scale is expected",
        SCALE_HEAD + POVERTY_BRACKETS + "    { threshold = 0.35, value = 55 },\n]",
        "value = 3",
        f"{POVERTY}.values[0].value",
        ("is a scale", "mode and brackets", "got 3"),
    ),
    (
        "a scale where a number is expected",
        "value = 40000",
        'value = { mode = "step", brackets = [{ threshold = 0, value = 1 }] }',
        f"{CAP}.values[0].value",
        ("is an amount", "EUR/year"),
    ),
    (
        "an amount finer than a cent",
        "value = 40000",
        "value = 40000.001",
        f"{CAP}.values[0].value",
        ("finer than a cent",),
    ),
    (
        "a count that is not whole",
        "value = 6000\nstatus",
        "value = 6000.5\nstatus",
        "participatory_activities.max_file_active.values[0].value",
        ("not a whole number",),
    ),
    (
        "a source without url or reference",
        CAP_VALUE,
        CAP_VALUE.replace('source = "calibration"', 'source = { title = "a title" }'),
        f"{CAP}.values[0].source",
        ("'url' or a 'reference'",),
    ),
    (
        "unknown meta key",
        'name = "reference"',
        'name = "reference"\nauthor = 2',
        "meta.author",
        ("unknown key (allowed: description, name, version)",),
    ),
    (
        "a version that is not text",
        'name = "reference"',
        'name = "reference"\nversion = 2',
        "meta.version",
        ("expected a string, got 2",),
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_defect_names_file_key_and_reason(
    old: str, new: str, key: str, reason: tuple[str, ...]
) -> None:
    assert REFERENCE.count(old) >= 1, "the case must edit the reference file"
    text = REFERENCE.replace(old, new, 1)
    with pytest.raises(ParameterError) as caught:
        parse_parameters(text, ORIGIN)
    message = str(caught.value)
    assert message.startswith(f"{ORIGIN}: "), message
    problems = [line.removeprefix("  - ") for line in message.splitlines()[1:]]
    assert len(problems) == 1, f"one defect, one problem (no pydantic noise): {message}"
    assert problems[0].startswith(f"{key}: "), message
    for words in reason:
        assert words in problems[0], (words, message)


def test_the_unedited_reference_file_loads() -> None:
    assert parse_parameters(REFERENCE, ORIGIN).origin == ORIGIN


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = REFERENCE.replace(CAP_PARAMETER, "").replace('unit = "EUR/hour"', 'unit = "EUR/day"', 1)
    with pytest.raises(ParameterError) as caught:
        parse_parameters(text, ORIGIN)
    message = str(caught.value)
    assert "2 problems" in message
    assert f"  - {CAP}: missing parameter" in message
    assert f"  - {RATE}.unit: unit 'EUR/day' is wrong" in message


def test_load_parameters_names_the_file_on_disk(tmp_path: Path) -> None:
    file = tmp_path / "official.toml"
    file.write_text(REFERENCE.replace("value = 40000", "value = -1"), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"(?s)official\.toml: .*interpreting\.annual_cap"):
        load_parameters(file)


def test_a_missing_file_is_a_parameter_error(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="cannot read the parameter file"):
        load_parameters(tmp_path / "absent.toml")


def test_a_file_that_is_not_toml_names_its_line() -> None:
    with pytest.raises(ParameterError, match=r"(?s)my/params\.toml: .*line 1") as caught:
        parse_parameters("this is not toml", ORIGIN)
    assert "not valid TOML" in str(caught.value)


def test_odd_keys_are_quoted_so_the_message_stays_one_line_per_problem() -> None:
    text = REFERENCE.replace("[meta]", '["bad\\rgroup"]\nx = 1\n\n[meta]', 1)
    with pytest.raises(ParameterError) as caught:
        parse_parameters(text, ORIGIN)
    lines = str(caught.value).split("\n")
    assert lines[1] == '  - "bad\\rgroup": ' + lines[1].split(": ", 1)[1]
    assert "unknown group" in lines[1]
