"""A model's own code (its rules and conditions) cannot corrupt what it is given, and its
errors name it: a rule writing into an input is refused (inputs are read-only views), so
no other line, piece, scenario or caller's frame changes; a rule or condition that
raises, or returns text, is a ModelError naming it (one line, exit 2 on the command line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from secpa_model import (
    Condition,
    ModelError,
    RuleInputs,
    RuleParameters,
    Scenario,
    allocate_frame,
    compare,
    experimentation,
    portfolio,
    rule,
    simulate,
)
from secpa_model.datasets import illustrative_portfolio
from secpa_model.model.model import Model

HOURS = "interpreting_hours_in_person"


def _model(
    formula: Callable[[RuleInputs, RuleParameters], Any], parameters: tuple[str, ...] = ()
) -> Model:
    """The experimentation plus a line ``extra`` computed by ``formula`` from the in-person
    interpreting hours (and ``parameters``)."""
    extra = rule(
        key="extra",
        label="Extra",
        legal_basis_fr="Ligne d'essai.",
        legal_basis_en="A test line.",
        formula="test",
        inputs=(HOURS,),
        parameters=parameters,
    )(formula)
    return experimentation().extend(name="with_extra", rules=[extra])


def _doubling(inputs: RuleInputs, params: RuleParameters) -> Any:
    hours = inputs[HOURS]
    hours *= 2  # writes into its input
    return hours * 100.0


def test_a_rule_writing_into_an_input_is_refused_and_changes_nothing() -> None:
    frame = illustrative_portfolio()
    before = frame.copy()
    plain = allocate_frame(frame, 2024)
    checked = portfolio(frame, model=_model(_doubling))
    with pytest.raises(ModelError, match=r"rule 'extra' failed: ValueError: .*read-only"):
        checked.allocate(2024)
    with pytest.raises(ModelError, match="rule 'extra'"):
        compare(checked, 2024, checked.model.reference_parameters(), Scenario("same", {}))
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched
    # and the portfolio's own columns too: the experimentation's lines are as before
    honest = portfolio(frame, model=_model(lambda i, p: i[HOURS] * 2 * 100.0))
    again = honest.allocate(2024)
    for key in experimentation().line_keys:
        assert list(again[f"{key}_cents"]) == list(plain[f"{key}_cents"])
    # 2 × hours × 100 cents, over the whole (leap) year: 2 € an hour
    hours = frame[HOURS].to_numpy(dtype=np.float64)
    assert list(again["extra_cents"]) == [round(2 * h * 100) for h in hours]


def test_drawn_values_are_read_only_too() -> None:
    def writes_a_draw(inputs: RuleInputs, params: RuleParameters) -> Any:
        cost = params.amount_cents("participatory_activities.cost_per_etp")
        if isinstance(cost, np.ndarray):
            cost[:] = 0
        return inputs[HOURS] * 0.0

    model = _model(writes_a_draw, ("participatory_activities.cost_per_etp",))
    checked = portfolio(illustrative_portfolio().head(3), model=model)
    with pytest.raises(ModelError, match="rule 'extra' failed: ValueError"):
        simulate(checked, 2024, draws=4, seed=1)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (lambda i, p: i[HOURS] * (1 // 0), r"ZeroDivisionError: integer division"),
        (lambda i, p: np.array(["a"] * i.size), r"ValueError: could not convert string"),
        (lambda i, p: i.no_such_input, r"does not declare"),
    ],
    ids=["raises", "returns text", "undeclared input"],
)
def test_a_failing_rule_is_named(formula: Any, expected: str) -> None:
    checked = portfolio(illustrative_portfolio().head(2), model=_model(formula))
    with pytest.raises(ModelError, match=expected) as caught:
        checked.allocate(2024)
    assert "'extra'" in str(caught.value)


def test_a_failing_condition_is_named() -> None:
    def broken(inputs: RuleInputs, params: RuleParameters) -> Any:
        raise KeyError("oops")

    condition = Condition("my_check", "a test", "un test", inputs=(HOURS,), fails=broken)
    model = experimentation().extend(name="broken_condition", conditions=[condition])
    checked = portfolio(illustrative_portfolio().head(2), model=model)
    with pytest.raises(ModelError, match=r"condition 'my_check' failed: KeyError: 'oops'"):
        checked.allocate(2024)


def test_the_command_line_names_the_rule_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from secpa_model.presentation.cli import main

    (tmp_path / "my_model.py").write_text(
        "from secpa_model import experimentation, rule\n"
        "@rule(key='extra', label='Extra', legal_basis_fr='x', legal_basis_en='x',\n"
        "      formula='x', inputs=('interpreting_hours_in_person',))\n"
        "def extra(inputs, params):\n"
        "    return 1 / 0\n"
        "MODEL = experimentation().extend(name='my_model', rules=[extra])\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    source = tmp_path / "structures.csv"
    illustrative_portfolio().head(2).to_csv(source, index=False)
    code = main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--year", "2024",
                 "--model", "my_model:MODEL"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "rule 'extra' failed: ZeroDivisionError" in err


def test_extend_refuses_two_rules_of_one_key_as_model_does() -> None:
    """``extend`` used to keep the last of two rules with one key, silently."""
    first = _model(lambda i, p: i[HOURS] * 1.0).rules[-1]
    second = _model(lambda i, p: i[HOURS] * 2.0).rules[-1]
    with pytest.raises(ModelError, match=r"^model 'twice': rule declared twice: extra$"):
        experimentation().extend(name="twice", rules=[first, second])
    one = experimentation().extend(name="once", rules=[second])
    assert one.line_keys[-1] == "extra"  # one rule of a key: added as before
