"""sensitivity: Sobol indices of a model whose answer is known by hand, the tornado's swings,
reproducibility by seed, progress, refusals."""

from __future__ import annotations

import pandas as pd
import pytest

from secpa_model import InputError, Output, sensitivity

IN_PERSON = "interpreting.hourly_rate_in_person"
PHONE = "interpreting.hourly_rate_phone"
BOUNDS = {IN_PERSON: (40, 80), PHONE: (20, 60)}
YEAR = "2024-01-01..2024-12-31"


def one_structure(in_person: float = 100.0, phone: float = 50.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "structure_id": ["a"],
            "kind": ["centre_de_sante"],
            "location": ["in_qpv"],
            "file_active_mg": [3100],
            "poverty_rate": [0.30],
            "interpreting_hours_in_person": [in_person],
            "interpreting_hours_phone": [phone],
            "entry_date": ["2021-08-01"],
        }
    )


def test_sobol_indices_of_an_additive_output_are_its_shares_of_variance() -> None:
    # interpreting over 2024 = 100 h × r1 + 50 h × r2 (below the 40 000 € cap), with r1
    # uniform on [40, 80] and r2 on [20, 60]: Var_i = hours_i² × 40² / 12, so
    # S1 = ST = 100² / (100² + 50²) = 0.8 for r1 and 0.2 for r2 (no interaction)
    var_1, var_2 = 100**2 * 40**2 / 12, 50**2 * 40**2 / 12
    expected = {IN_PERSON: var_1 / (var_1 + var_2), PHONE: var_2 / (var_1 + var_2)}
    assert expected == pytest.approx({IN_PERSON: 0.8, PHONE: 0.2})
    result = sensitivity(
        one_structure(),
        Output(YEAR, line="interpreting"),
        [IN_PERSON, PHONE],
        bounds=BOUNDS,
        method="sobol",
        samples=1024,
        seed=3,
    )
    table = result.sobol.set_index("path")  # type: ignore[union-attr]
    for path, share in expected.items():
        assert table.loc[path, "S1"] == pytest.approx(share, abs=0.03)
        assert table.loc[path, "ST"] == pytest.approx(share, abs=0.03)
        assert 0 < table.loc[path, "S1_conf"] < 0.1
    assert result.drivers(1) == [IN_PERSON]
    assert result.evaluations == 1024 * (2 + 2)


def test_the_total_of_the_same_model_has_the_same_indices() -> None:
    # the other lines do not depend on the interpreting rates: the same shares
    result = sensitivity(
        one_structure(), YEAR, [IN_PERSON, PHONE], bounds=BOUNDS, method="sobol", samples=512
    )
    table = result.sobol.set_index("path")  # type: ignore[union-attr]
    assert table.loc[IN_PERSON, "ST"] == pytest.approx(0.8, abs=0.04)


def test_the_tornado_swings_are_the_hours_times_the_range() -> None:
    result = sensitivity(one_structure(), YEAR, [IN_PERSON, PHONE], bounds=BOUNDS, method="oat")
    assert result.sobol is None
    rows = result.tornado.set_index("path")  # type: ignore[union-attr]
    # 100 h × (80 − 40) € = 4 000 €; 50 h × (60 − 20) € = 2 000 €, in cents
    assert rows.loc[IN_PERSON, "swing_cents"] == 100 * 40 * 100
    assert rows.loc[PHONE, "swing_cents"] == 50 * 40 * 100
    # low end of r1 with r2 at its base 42 €: interpreting 100 × 40 + 50 × 42 = 6 100 €
    low = rows.loc[IN_PERSON, "output_low_cents"]
    assert rows.loc[IN_PERSON, "output_high_cents"] - low == 400000
    assert result.base_cents - low == 100 * (60 - 40) * 100
    assert list(result.tornado["path"]) == [IN_PERSON, PHONE]  # type: ignore[index]


def test_the_same_seed_gives_the_same_indices_and_progress_is_reported() -> None:
    seen: list[tuple[int, int]] = []

    def run(seed: int) -> pd.DataFrame:
        return sensitivity(
            one_structure(),
            YEAR,
            [IN_PERSON, PHONE],
            bounds=BOUNDS,
            samples=64,
            seed=seed,
            progress=lambda done, total: seen.append((done, total)),
        ).sobol  # type: ignore[return-value]

    first, again = run(7), run(7)
    pd.testing.assert_frame_equal(first, again)
    total = 2 * 2 + 64 * 4  # the tornado's runs, then Saltelli's N × (D + 2)
    first_run = seen[: len(seen) // 2]
    assert first_run[-1] == (total, total)
    assert [done for done, _ in first_run] == sorted({done for done, _ in first_run})
    # the default seed, 0, too: its confidence intervals are not left to numpy's global
    # generator (SALib skips a falsy seed), which moves between the two runs
    pd.testing.assert_frame_equal(run(0), run(0))


def test_a_value_that_moves_nothing_has_zero_indices() -> None:
    result = sensitivity(
        one_structure(phone=0.0), YEAR, [IN_PERSON, PHONE], bounds=BOUNDS, samples=256
    )
    table = result.sobol.set_index("path")  # type: ignore[union-attr]
    assert table.loc[PHONE, "ST"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc[IN_PERSON, "ST"] == pytest.approx(1.0, abs=0.05)
    assert result.tornado.set_index("path").loc[PHONE, "swing_cents"] == 0  # type: ignore[union-attr]


def test_bad_requests_are_refused() -> None:
    with pytest.raises(InputError, match="power of 2"):
        sensitivity(one_structure(), YEAR, [IN_PERSON], bounds={IN_PERSON: (40, 80)}, samples=100)
    with pytest.raises(InputError, match="method"):
        sensitivity(one_structure(), YEAR, [IN_PERSON], bounds={IN_PERSON: (40, 80)}, method="x")
    with pytest.raises(InputError, match="unknown output line 'nope'"):
        sensitivity(
            one_structure(), Output(YEAR, "nope"), [IN_PERSON], bounds={IN_PERSON: (40, 80)}
        )


def test_without_salib_nothing_runs_before_the_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    # the extra is checked first: no tornado is computed and then thrown away
    from secpa_model.analysis import sensitivity as module

    def missing() -> None:
        raise ImportError(module.EXTRA_HINT)

    runs: list[object] = []
    monkeypatch.setattr(module, "_salib", missing)
    monkeypatch.setattr(module, "simulate", lambda *a, **k: runs.append(a))
    with pytest.raises(ImportError, match="secpa-model\\[uncertainty\\]"):
        sensitivity(one_structure(), Output(YEAR), bounds=BOUNDS, method="both")
    assert runs == []
