"""The structure JSON Schema accepts exactly what the validation accepts, for each shipped
model: every value of the shared corpus of input values (tests/test_inputs_agree.py) that
JSON can hold, given as one line of a JSON Lines file, is computed by the portfolio of
that file if and only if the schema accepts the line. Numbers are read exactly, as the
reader reads them (JSON decimals as Decimal), in the line and in the schema."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from secpa_model import json_schema, portfolio
from secpa_model.model.model import Model
from secpa_model.models import SHIPPED
from tests.test_inputs_agree import BASE, CORPUS

_DIGITS = 1_000
# the text numbers the schema leaves out though the validation reads them: a negative zero,
# an exponent with decimals or a negative one, and 14 digits or more (the schema keeps text
# counts and euros below 2^53, the exact limit, by their number of digits)
RARE_NUMBER = re.compile(
    r'": "(-0|[0-9.]+[eE]-[0-9]+|[0-9]*\.[0-9]+[eE][0-9]+|[0-9]{14,}(\.[0-9]+)?)"'
)
EXTRA: dict[str, list[Any]] = {
    # a model's inputs when they are not this model's (kept as other columns), other keys
    "team_size": [3, "three", None],
    "colour": ["blue", [1], {"a": 1}],
    "year": [2022, "2022", 2022.0, 2022.5, 0, 10000, "next", None, True, " 2022 "],
    "kind": ["centre_de_sante", "msp\t", "Msp"],
    "psychologist_cost_requested": [0.07, "0.10", "1.5e2", "1e3", "12.345", 1.234, "1E2"],
    "file_active_mg": ["1.0e3", 0, "0", "+12", "-0", "-12"],
    "poverty_rate": ["1.0", ".5", "1.5", "0.", "1e-1", "01"],
    "entry_date": [
        "2024-02-29",
        "2023-02-29",
        "2000-02-29",
        "1900-02-29",
        "2022-04-31",
        "0000-01-01",
    ],
    "ars_psychology_agreement": ["OUI", "Non", "vRaI", "2", 0.0, "1.0"],
}


def _json_value(value: Any) -> Any:
    """The corpus value as JSON holds it, or ``None`` a TypeError when JSON cannot hold it."""
    if isinstance(value, bool | str | int | Decimal | list | dict) or value is None:
        return value
    if type(value) is float and math.isfinite(value):
        return Decimal(repr(value))  # the number as a JSON file writes it
    raise TypeError  # NaN, inf, numpy and pandas values, dates: not JSON


def _lines(model: Model) -> list[dict[str, Any]]:
    base = {**BASE, **({"team_size": 4} if "team_size" in {i.name for i in model.inputs} else {})}
    objects = [base]
    for field, values in [*CORPUS.items(), *EXTRA.items()]:
        for value in values:
            try:
                objects.append({**base, field: _json_value(value)})
            except TypeError:
                continue
    return objects


def _dump(value: Any) -> str:
    """JSON text, a Decimal as its digits (a JSON number)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    return json.dumps(value)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_the_structure_schema_accepts_what_the_validation_accepts(
    tmp_path: Path, name: str
) -> None:
    model = SHIPPED[name]()
    schema = json.loads(json.dumps(json_schema("structure", model=model)), parse_float=Decimal)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    verdicts = []
    for number, obj in enumerate(_lines(model)):
        text = _dump(obj)
        path = tmp_path / f"{number}.jsonl"
        path.write_text(text + "\n", encoding="utf-8")
        computed = len(portfolio(path, model=model, allow_duplicates=True).problems) == 0
        with localcontext(prec=_DIGITS):  # the remainder of 1E+300 by 0.01, exactly
            accepted = validator.is_valid(json.loads(text, parse_float=Decimal))
        verdicts.append((text, computed, accepted))
    assert verdicts[0][1:] == (True, True)  # the base line
    assert sum(not computed for _, computed, _ in verdicts) > 50  # many values refused
    # the schema never accepts what the validation refuses
    assert [case for case in verdicts if case[2] and not case[1]] == []
    # and refuses nothing the validation accepts but the rare forms of text numbers that it
    # leaves out (an exponent with decimals or a negative one, a negative zero)
    refused = [case[0] for case in verdicts if case[1] and not case[2]]
    assert all(RARE_NUMBER.search(text) for text in refused), refused


def test_the_schema_refuses_what_the_issue_found_and_accepts_what_batch_accepts() -> None:
    schema = json.loads(json.dumps(json_schema("structure")), parse_float=Decimal)
    validator = Draft202012Validator(schema)

    def accepts(**change: Any) -> bool:
        return validator.is_valid({**BASE, **change})

    assert not accepts(psychologist_cost_requested=Decimal("1.234"))  # finer than a cent
    assert not accepts(entry_date="2022-06")  # a partial date
    assert accepts(ars_psychology_agreement="oui")
    assert accepts(team_size=3)  # another model's input: kept as a column
    assert accepts(psychologist_cost_requested=Decimal("0.07"))
