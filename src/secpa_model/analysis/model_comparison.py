"""Compare funding models structure by structure: who gains, who loses, by how much.

:func:`compare_models` allocates one portfolio under several models (the first is the
baseline), each with its own inputs, lines and parameters, through the one engine; every
amount stays integer cents, with exact Decimal euros beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

import numpy as np
import pandas as pd

from secpa_model.analysis.comparison import euros_column, summary_columns, tidy_lines
from secpa_model.analysis.scenarios import Scenario, as_parameters
from secpa_model.analysis.views import model_comparison_html
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.io.portfolio import Portfolio, portfolio
from secpa_model.io.validation import ERROR_COLUMNS
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.models import resolve_model

__all__ = ["OUTCOMES", "ModelComparison", "compare_models"]

OUTCOMES: Final[tuple[str, str, str]] = ("gains", "loses", "unchanged")
"""A structure's outcome under a model against the baseline."""


class ModelComparison(NamedTuple):
    """What :func:`compare_models` returns (the first model is the baseline).

    ``by_structure``: one row per structure (the input's index): ``structure_id``, then
    ``year`` (a structure-year table) and the input's identifying columns (a name, a
    region: those :func:`~secpa_model.allocate_frame` keeps by default), the
    total under each model (``<model>_cents``), and for each other model its difference to
    the baseline (``<model>_difference_cents``, ``<model>_difference_eur``) and the outcome
    (``<model>_outcome``: gains, loses or unchanged).

    ``lines``: tidy, one row per model × structure × line of that model (and ``total``):
    ``model``, ``row``, ``structure_id``, ``line``, ``amount_cents``, ``amount_eur``. The
    models' lines differ: this is where each is seen.

    ``summary``: one row per model: its lines (``lines``, ``;``-joined), portfolio total
    (cents, euros), difference to the baseline (cents, euros, percent), eligible
    structures, and how many structures gain, lose or are unchanged.

    ``errors``: the rows invalid under any model (a portfolio made with ``valid()``), left
    out of every model's results so that all compare the same rows. ``parameters``: the
    parameter set used for each model, by name. ``models``: the models, by name.
    ``period``: the period (None: each row's year).

    In a notebook it shows as tables in euros, with each model's note and the assumptions
    (:func:`~secpa_model.analysis.views.model_comparison_html`).
    """

    by_structure: pd.DataFrame
    lines: pd.DataFrame
    summary: pd.DataFrame
    errors: pd.DataFrame
    parameters: dict[str, Parameters]
    models: dict[str, Model]
    period: Period | None

    def _repr_html_(self) -> str:
        return model_comparison_html(self)


def compare_models(
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike | None,
    *models: Model | str,
    parameters: Mapping[str, Parameters | Scenario] | None = None,
) -> ModelComparison:
    """Allocate ``structures`` over ``period`` under each of ``models`` (two or more;
    models or names; the first is the baseline) and compare them structure by structure.

    ``structures``: a :class:`~secpa_model.Portfolio` (its rows are validated again for
    each model, with its ``keep`` and ``allow_duplicates``), or a DataFrame; it carries the
    inputs of every model (a model's optional inputs may be left out). ``parameters`` maps
    a model's name to its parameters or a scenario of it (default: each model's reference
    values). Rows invalid under any model raise :class:`~secpa_model.InputError`, as in
    :func:`~secpa_model.allocate_frame`; with :meth:`~secpa_model.Portfolio.valid` the rows
    valid under every model are compared and the problems of the others are in ``errors``.
    """
    resolved = [resolve_model(model) for model in models]
    if len(resolved) < 2:
        raise ValueError("compare_models needs at least two models")
    names = [model.name for model in resolved]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"model names must be distinct to compare them; repeated: {repeated}")
    chosen = dict(parameters or {})
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise ValueError(f"parameters given for models not compared: {', '.join(unknown)}")
    params = {model.name: as_parameters(chosen.get(model.name), model) for model in resolved}
    given = (
        structures
        if isinstance(structures, Portfolio)
        else portfolio(structures, model=resolved[0])
    )
    checked = [given.for_model(m).check() for m in resolved]  # refused, unless valid()
    found = [p.problems for p in checked if len(p.problems)]
    results = {p.model.name: p.allocate(period, params[p.model.name]) for p in checked}
    if found:  # the rows valid under every model (each row is allocated on its own)
        common = checked[0].index
        for each in checked[1:]:
            common = common[common.isin(each.index)]
        results = {name: result.loc[common] for name, result in results.items()}
    errors_frame = (
        pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True)
        if found
        else pd.DataFrame({name: pd.Series(dtype=object) for name in ERROR_COLUMNS})
    )
    by_structure = _by_structure(resolved, results)
    return ModelComparison(
        by_structure=by_structure,
        lines=_lines(resolved, results),
        summary=_summary(resolved, results, by_structure),
        errors=errors_frame,
        parameters=params,
        models={m.name: m for m in resolved},
        period=Period.parse(period) if period is not None else None,
    )


def _by_structure(models: list[Model], results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    baseline = models[0]
    base = results[baseline.name]
    out = pd.DataFrame({"structure_id": base[baseline.id_input].to_numpy(dtype=object)})
    out.index = base.index
    columns = [str(name) for name in base.columns]
    carried = columns[columns.index(baseline.id_input) + 1 : columns.index("eligible")]
    for name in carried:  # the year and the kept columns (a name, a region), as allocated
        out[name] = base[name].array
    base_total = base["total_cents"].to_numpy(dtype=np.int64)
    for model in models:
        out[f"{model.name}_cents"] = results[model.name]["total_cents"].to_numpy(dtype=np.int64)
    for model in models[1:]:
        difference = out[f"{model.name}_cents"].to_numpy(dtype=np.int64) - base_total
        out[f"{model.name}_difference_cents"] = difference
        out[f"{model.name}_difference_eur"] = euros_column(difference).to_numpy(dtype=object)
        out[f"{model.name}_outcome"] = np.select(
            [difference > 0, difference < 0], OUTCOMES[:2], OUTCOMES[2]
        )
    return out


def _lines(models: list[Model], results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = [tidy_lines(results[m.name], m, {"model": m.name}) for m in models]
    lines = pd.concat(parts, ignore_index=True)
    lines["amount_cents"] = lines["amount_cents"].astype(np.int64)
    lines["amount_eur"] = euros_column(lines["amount_cents"]).to_numpy(dtype=object)
    return lines


def _summary(
    models: list[Model], results: dict[str, pd.DataFrame], by_structure: pd.DataFrame
) -> pd.DataFrame:
    rows = []
    for number, model in enumerate(models):
        outcome = (
            by_structure[f"{model.name}_outcome"]
            if number
            else pd.Series(OUTCOMES[2], index=by_structure.index)
        )
        rows.append(
            {
                "model": model.name,
                "lines": ";".join(model.line_keys),
                **summary_columns(results[model.name], results[models[0].name]),
                **{name: int((outcome == name).sum()) for name in OUTCOMES},
            }
        )
    return pd.DataFrame(rows)
