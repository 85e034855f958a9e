"""The engine's checks on what rules return, and the rounding in place, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from secpa_model import ModelError
from secpa_model.core.rounding import CENT_HALF_UP, Rounding
from secpa_model.model.rules import check_amounts
from secpa_model.models import experimentation

RULES = experimentation().rules


@pytest.mark.parametrize("bad", [-1.0, -1e-300, np.nan, -np.nan, np.inf, -np.inf])
def test_a_negative_or_non_finite_amount_names_its_rule(bad: float) -> None:
    annual = np.full((len(RULES), 3), 100.0)
    annual[2, 1] = bad
    with pytest.raises(ModelError, match=f"rule {RULES[2].key!r} returned a negative"):
        check_amounts(RULES, annual)


def test_zero_either_sign_and_large_finite_amounts_pass() -> None:
    annual = np.array([[0.0, -0.0, 1.7e308]] * len(RULES))
    check_amounts(RULES, annual)  # -0.0 is not negative: no error
    check_amounts(RULES, np.zeros((len(RULES), 0)))


def test_rounding_in_place_gives_the_same_cents_and_uses_the_array() -> None:
    # 0.5 and 2.4999995 snap to the micro-cent (0.5, 2.5) then round half up: 1 and 3
    cents = np.array([[0.5, 2.4999995, 0.4999994], [1.5, -0.0, 10.0]])
    expected = [[1, 3, 0], [2, 0, 10]]
    kept = cents.copy()
    assert CENT_HALF_UP.round(cents).tolist() == expected
    assert np.array_equal(cents, kept)  # not overwritten unless asked
    assert CENT_HALF_UP.round(cents, overwrite=True).tolist() == expected
    euro_down = Rounding(100, "down").round(np.array([199.9999999, 250.0]), overwrite=True)
    assert euro_down.tolist() == [200, 200]  # 199.9999999 snaps to 200.000000 first
    one = CENT_HALF_UP.round(2.5)
    assert isinstance(one, np.int64) and one == 3
