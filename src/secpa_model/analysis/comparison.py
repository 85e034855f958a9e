"""Compare parameter sets over a portfolio, and sweep one or two parameters.

Everything here validates the structures once (:class:`~secpa_model.Portfolio`) and allocates
it with the one engine once per parameter set; amounts stay integer cents, with exact
:class:`~decimal.Decimal` euros beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from secpa_model.analysis.scenarios import Scenario, as_parameters
from secpa_model.analysis.views import comparison_html
from secpa_model.core.errors import ParameterError
from secpa_model.core.money import cents_to_euros, exact_sum
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.distributed import map_chunks
from secpa_model.io.portfolio import Portfolio, as_portfolio
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters

TOTAL_LINE: Final = "total"
"""The ``line`` label of the sum of a model's lines."""
ALL_STRUCTURES_LABEL: Final = "(all structures)"
"""The ``structure_id`` of the portfolio-total rows of :func:`compare`."""

DETAIL_COLUMNS: Final[tuple[str, ...]] = (
    "scenario",
    "level",
    "row",
    "structure_id",
    "line",
    "amount_cents",
    "amount_eur",
    "baseline_cents",
    "difference_cents",
    "difference_eur",
)


class Comparison(NamedTuple):
    """What :func:`compare` returns.

    ``detail``: tidy, one row per scenario × structure × line (the model's lines and
    ``total``), then per scenario × line the portfolio totals (``level == "portfolio"``,
    ``structure_id == ALL_STRUCTURES_LABEL``). Columns: :data:`DETAIL_COLUMNS`; ``row`` is the
    input row label; amounts in int64 cents and Decimal euros; ``difference`` is
    scenario − baseline.

    ``summary``: one row per scenario (baseline first): the portfolio total per line and in
    all (cents), the total in euros, the difference to the baseline in cents, euros and
    percent, the number of eligible structures and of structures whose total changed.

    ``errors``: the invalid input rows (a portfolio made with ``valid()``; empty otherwise).
    ``parameters``: the parameter set used for each scenario label (for provenance).
    ``model``: the model computed; ``period``: the period (None: each row's year).

    In a notebook it shows as a table of the summary in euros, with the assumptions
    (:func:`~secpa_model.analysis.views.comparison_html`).
    """

    detail: pd.DataFrame
    summary: pd.DataFrame
    errors: pd.DataFrame
    parameters: dict[str, Parameters]
    model: Model
    period: Period | None

    def _repr_html_(self) -> str:
        return comparison_html(self)


def compare(
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike | None,
    baseline: Parameters | Scenario,
    *scenarios: Parameters | Scenario,
    client: Any = None,
) -> Comparison:
    """Allocate ``structures`` (a :class:`~secpa_model.Portfolio`, or a DataFrame for the
    experimentation) over ``period`` under the baseline and each scenario, and compare.

    ``baseline`` and each scenario are a :class:`~secpa_model.model.parameters.Parameters` or a
    :class:`~secpa_model.Scenario` (applied to its own base); they are labelled by name,
    and names must be distinct; all are parameters of the portfolio's model. Invalid rows
    behave as in :func:`~secpa_model.allocate_frame`: refused, or with
    :meth:`~secpa_model.Portfolio.valid` the valid rows compared and the problems of the
    others in ``Comparison.errors``. ``client``: a ``dask.distributed.Client`` whose
    workers allocate the scenarios (the same numbers).
    """
    items = [baseline, *scenarios]
    prepared = as_portfolio(structures)
    resolved = prepared.model
    applied = [as_parameters(item, resolved) for item in items]  # a TypeError names a bad one
    labels = [item.name for item in items]
    duplicated = sorted({label for label in labels if labels.count(label) > 1})
    if duplicated:
        raise ValueError(
            f"scenario names must be distinct to compare them; repeated: {', '.join(duplicated)}"
        )
    parameters = dict(zip(labels, applied, strict=True))
    # the structures validated once, allocated under each parameter set
    problems = prepared.problems
    allocated = map_chunks(_allocated, (prepared, period), applied, client=client, model=resolved)
    results = dict(zip(labels, allocated, strict=True))

    keys = resolved.line_keys
    base = results[labels[0]]
    base_totals = _totals(base, resolved)
    reference = tidy_lines(base, resolved)["amount_cents"].to_numpy()
    parts: list[pd.DataFrame] = []
    summary_rows: list[dict[str, Any]] = []
    for label, result in results.items():
        each = tidy_lines(result, resolved, {"scenario": label, "level": "structure"})
        totals = _totals(result, resolved)
        parts += [
            each.assign(baseline_cents=reference),
            pd.DataFrame(
                {
                    "scenario": label,
                    "level": "portfolio",
                    "row": None,
                    "structure_id": ALL_STRUCTURES_LABEL,
                    "line": [*keys, TOTAL_LINE],
                    "amount_cents": [totals[f"{key}_cents"] for key in (*keys, TOTAL_LINE)],
                    "baseline_cents": [base_totals[f"{key}_cents"] for key in (*keys, TOTAL_LINE)],
                }
            ),
        ]
        changed = result["total_cents"].to_numpy() != base["total_cents"].to_numpy()
        summary_rows.append(
            {
                "scenario": label,
                **{f"{key}_cents": totals[f"{key}_cents"] for key in keys},
                **summary_columns(result, base, int(changed.sum())),
            }
        )
    detail = pd.concat(parts, ignore_index=True).astype(
        {"amount_cents": np.int64, "baseline_cents": np.int64}
    )
    detail["difference_cents"] = detail["amount_cents"] - detail["baseline_cents"]
    detail["amount_eur"] = euros_column(detail["amount_cents"])
    detail["difference_eur"] = euros_column(detail["difference_cents"])
    span = Period.parse(period) if period is not None else None
    return Comparison(
        detail[list(DETAIL_COLUMNS)],
        pd.DataFrame(summary_rows),
        problems,
        parameters,
        resolved,
        span,
    )


def _allocated(job: tuple[Portfolio, PeriodLike | None], params: Parameters) -> pd.DataFrame:
    structures, period = job
    return structures.allocate(period, params)


def euros_column(cents: Any) -> pd.Series:
    """Integer cents (a Series keeps its index) as exact Decimal euros, an object column."""
    series = pd.Series(cents)
    return pd.Series([cents_to_euros(int(c)) for c in series], index=series.index, dtype=object)


def tidy_lines(
    result: pd.DataFrame, model: Model, first: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """One row per structure × line (``model``'s lines, then the total) of an
    :func:`~secpa_model.allocate_frame` result: the ``first`` columns, then ``row`` (the
    input row label), ``structure_id``, ``line`` and ``amount_cents``."""
    names = [*model.line_keys, TOTAL_LINE]
    amounts = result[[f"{key}_cents" for key in names]].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            **(first or {}),
            "row": np.repeat(result.index.to_numpy(dtype=object), len(names)),
            "structure_id": np.repeat(result[model.id_input].to_numpy(dtype=object), len(names)),
            "line": np.tile(np.array(names, dtype=object), len(result)),
            "amount_cents": amounts.reshape(-1),
        }
    )


def summary_columns(
    result: pd.DataFrame, base: pd.DataFrame, changed: int | None = None
) -> dict[str, Any]:
    """A summary row's portfolio total of ``result`` (cents, euros), its difference to
    ``base``'s (cents, euros, percent; NaN when the base's is zero), its eligible structures
    and (given) the number of ``structures_changed``."""
    total, base_total = exact_sum(result["total_cents"]), exact_sum(base["total_cents"])
    difference = total - base_total
    return {
        "total_cents": total,
        "total_eur": cents_to_euros(total),
        "difference_cents": difference,
        "difference_eur": cents_to_euros(difference),
        "difference_pct": 100.0 * difference / base_total if base_total else float("nan"),
        "eligible_structures": int(result["eligible"].sum()),
        **({} if changed is None else {"structures_changed": changed}),
    }


def _totals(result: pd.DataFrame, model: Model) -> dict[str, Any]:
    total = exact_sum(result["total_cents"])
    return {
        **{f"{key}_cents": exact_sum(result[f"{key}_cents"]) for key in model.line_keys},
        "total_cents": total,
        "total_eur": cents_to_euros(total),
        "eligible_structures": int(result["eligible"].sum()),
    }


def sweep(
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike | None,
    path: str,
    values: Iterable[Any],
    base: Parameters | Scenario | None = None,
    *,
    client: Any = None,
) -> pd.DataFrame:
    """The portfolio totals for each value of one parameter.

    Each value is an override of ``path`` (any form :class:`~secpa_model.Scenario` accepts:
    a number, a scale, dated values), applied to ``base`` (default: the reference set).
    Every value is validated before anything is computed; the problems of all values are
    reported together in one :class:`~secpa_model.ParameterError`.

    Returns one row per value: ``value`` (as given), the total per line and overall in
    int64 cents, ``total_eur`` (Decimal), ``eligible_structures`` and ``difference_cents``
    (to the total under ``base``). ``structures``: a :class:`~secpa_model.Portfolio`, or a
    DataFrame for the experimentation; invalid rows are refused, or left out with
    :meth:`~secpa_model.Portfolio.valid` (the portfolio lists their problems).
    ``table.attrs`` records the ``path`` swept, the ``period`` (text; empty for each row's
    year) and the ``model``'s name, which :func:`~secpa_model.presentation.plots.plot_sweep` uses.
    ``client``: a ``dask.distributed.Client`` whose workers compute the values (the same
    numbers).
    """
    values = list(values)
    labels = [{"value": value} for value in values]
    overrides = [{path: value} for value in values]
    table = _sweep_table(structures, period, overrides, labels, base, client)
    table.attrs["path"] = path
    table.attrs["period"] = str(Period.parse(period)) if period is not None else ""
    return table


def sweep_grid(
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike | None,
    first: tuple[str, Sequence[Any]],
    second: tuple[str, Sequence[Any]],
    base: Parameters | Scenario | None = None,
    *,
    client: Any = None,
) -> pd.DataFrame:
    """The portfolio totals over a two-parameter grid: ``first = (path, values)`` and
    ``second = (path, values)``. One row per pair (columns named after the two paths), with
    the same total columns as :func:`sweep` (``difference_cents`` to ``base``). Pivot it
    for a table: ``grid.pivot(index=path1, columns=path2, values="total_cents")``.
    ``structures`` and ``client`` as in :func:`sweep`."""
    (path_x, values_x), (path_y, values_y) = first, second
    if path_x == path_y:
        raise ValueError(f"a grid needs two different parameters, got {path_x!r} twice")
    pairs = [(x, y) for x in values_x for y in values_y]
    grid = [{path_x: x, path_y: y} for x, y in pairs]
    return _sweep_table(structures, period, grid, grid, base, client)


def _sweep_table(
    structures: Portfolio | pd.DataFrame,
    period: PeriodLike | None,
    overrides: list[dict[str, Any]],
    labels: list[dict[str, Any]],
    base: Parameters | Scenario | None,
    client: Any,
) -> pd.DataFrame:
    """One row per override set (its ``labels``, then the totals), every set validated
    before any is computed."""
    prepared = as_portfolio(structures)
    resolved = prepared.model
    params = as_parameters(base, resolved)
    scenarios = _scenarios(params, overrides)
    job = (prepared, period, params)
    reference, *totals = map_chunks(
        _sweep_totals, job, [None, *scenarios], client=client, model=resolved
    )
    base_total = reference["total_cents"]
    table = pd.DataFrame([{**label, **found} for label, found in zip(labels, totals, strict=True)])
    table["difference_cents"] = table["total_cents"] - base_total
    table.attrs["base"] = params.name
    table.attrs["model"] = resolved.name
    return table


def _sweep_totals(
    job: tuple[Portfolio, PeriodLike | None, Parameters], scenario: Scenario | None
) -> dict[str, Any]:
    """The totals under a scenario over the base (None: the base itself)."""
    structures, period, params = job
    values = params if scenario is None else scenario.apply(params)
    return _totals(structures.allocate(period, values), structures.model)


def _scenarios(params: Parameters, overrides: list[dict[str, Any]]) -> list[Scenario]:
    """One scenario per override set, all validated before any is computed."""
    scenarios: list[Scenario] = []
    problems: list[str] = []
    for override in overrides:
        name = ", ".join(f"{path}={value!r}" for path, value in override.items())
        try:
            scenarios.append(Scenario(name, override, base=params))
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError("invalid sweep values:\n" + "\n".join(problems))
    return scenarios
