"""Calibration (calage): fit free assumption values to aggregate targets by bounded least
squares (scipy), and say which values the targets identify.

docs/uncertainty.md ("Calibration") gives the residuals, the derivatives and the
identifiability rules. Needs scipy (the optional extra uncertainty).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.analysis.free_parameters import (
    FACTOR_UNIT,
    Bounds,
    FreeParameter,
    ValueLabel,
    free_parameters,
    rounded_value,
    with_free_values,
)
from secpa_model.analysis.outputs import (
    Output,
    one_row_per_structure,
    output_cents,
    per_structure,
    structure_years,
)
from secpa_model.analysis.scenarios import Scenario
from secpa_model.analysis.targets import BUDGET_COLUMN, Target, check_frame
from secpa_model.core.errors import InputError
from secpa_model.core.money import cents_to_euros
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.output import atomic_path
from secpa_model.io.portfolio import Portfolio, as_portfolio, portfolio
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters, Source
from secpa_model.model.parameters.writer import parameters_to_toml

EXTRA_HINT: Final = (
    "calibration and sensitivity analysis need scipy and SALib, the optional extra "
    "'uncertainty': pip install 'secpa-model[uncertainty]'"
)
MIN_TOLERANCE: Final = 0.01
"""The smallest relative tolerance a residual is scaled by (a ceiling with tolerance 0)."""
DIFFERENCE_STEP: Final = 0.01
"""The finite-difference step of the derivatives (the optimiser's and identifiability's),
as a share of each range (large enough to step over the rounding of amounts to the
cent)."""
SINGULAR_RTOL: Final = 1e-3
"""A singular value below this share of the largest counts as zero (a direction of the free
values that the targets do not see)."""
CALIBRATED_STATUS: Final = "calibrated"
_LOADING: Final = 0.1  # a free value takes part in a blind direction above this loading
_AT_BOUND: Final = 1e-3  # within this share of its range from a bound: "at a bound"


@dataclass(frozen=True)
class Calibration:
    """What :func:`calibrate` returns.

    ``parameters``: the base set with each free value at its fitted value, status
    ``calibrated``, the targets as its source (write it with :meth:`write`).
    ``fitted``: one row per free parameter: ``path``, ``unit``, ``base`` and ``fitted``
    (exact, after rounding), ``low``, ``high``, ``at_bound`` (within 0.1 % of the
    range from a bound: the bound, not the targets, decided), ``identified`` and ``note``
    (``identified``, ``not identified...``, ``not separately identified...``, or ``cannot
    represent the targets...`` when a target it moves is missed at the fit).
    ``residuals``: one row per target: ``target``, ``kind``, ``unit``, ``target_value``,
    ``model_value`` (under the rounded fitted values), ``residual`` (model − target),
    ``relative`` (residual / target), ``tolerance`` and ``met`` (within the tolerance, or
    the inequality holds within it). ``singular_values``: of the scaled Jacobian, largest
    first. ``success``: the optimiser converged **and** every target is met; ``message``:
    the optimiser's, then the targets missed, if any.
    """

    parameters: Parameters
    fitted: pd.DataFrame
    residuals: pd.DataFrame
    singular_values: tuple[float, ...]
    success: bool
    message: str

    def to_toml(self) -> str:
        """The calibrated set as a parameter file (the model's loader reads it back)."""
        header = (
            "secpa-model calibrated parameters: the values with status 'calibrated' were\n"
            "fitted by secpa_model.calibrate to the targets named in their source.\n"
            "Residuals of the targets under these values:\n"
            + "\n".join(
                f"  {row.target}: model {row.model_value} vs target {row.target_value} "
                f"{row.unit} ({row.relative:+.2%}, {'met' if row.met else 'MISSED'})"
                for row in self.residuals.itertuples()
            )
        )
        return parameters_to_toml(self.parameters, header=header)

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path``, whole or not at all; returns the path."""
        target = Path(path)
        with atomic_path(target) as temporary:
            temporary.write_text(self.to_toml(), encoding="utf-8")
        return target


def calibrate(
    structures: Portfolio | pd.DataFrame,
    targets: Sequence[Target],
    free: Sequence[str],
    *,
    parameters: Parameters | Scenario | None = None,
    bounds: Bounds | None = None,
    name: str = "calibrated",
    max_evaluations: int = 200,
) -> Calibration:
    """Fit the ``free`` assumption values of ``parameters`` (default: the model's reference
    values) so that ``structures`` (a :class:`~secpa_model.Portfolio` of one row per
    structure, or a DataFrame for the experimentation) meet ``targets``. A target on
    budget shares reads the rows' annual budget column, which the portfolio keeps as given.

    The bounds of each free value are its plausible range (the parameter file's ``range``)
    or ``bounds``: ``path -> (low, high)`` in the parameter's unit (a factor for a scale,
    see :mod:`secpa_model.analysis.free_parameters`), which take precedence. A calibrated
    value carries no range: the targets fixed it. ``max_evaluations``: of the model, per
    free value and target set, by the optimiser. Returns a :class:`Calibration`.

    Raises :class:`~secpa_model.ParameterError` for a bad free parameter or bounds,
    :class:`~secpa_model.InputError` for an invalid frame or a target it cannot answer.
    """
    solver = _least_squares()
    checked = one_row_per_structure(as_portfolio(structures))
    resolved = checked.model
    base = parameters_for(resolved, parameters)
    if not targets:
        raise InputError("calibrate needs at least one target")
    check_frame(targets, checked.frame)
    chosen = free_parameters(base, free, bounds)
    fixed = [item.path for item in chosen if item.high == item.low]
    if fixed:
        raise InputError(f"free parameters with low == high cannot be fitted: {fixed}")
    evaluators = [_evaluator(t, checked) for t in targets]
    low = np.array([item.low for item in chosen])
    span = np.array([item.high - item.low for item in chosen])
    source = _source(targets)
    fitting = ValueLabel(CALIBRATED_STATUS, source, "fitted to the targets")

    def parameters_at(x: NDArray[np.float64]) -> Parameters:
        values = low + np.clip(x, 0.0, 1.0) * span
        return with_free_values(base, chosen, values, fitting, name)

    def relative(x: NDArray[np.float64]) -> NDArray[np.float64]:
        params = parameters_at(x)
        return np.array([evaluate(params) / float(t.value) - 1.0 for t, evaluate in evaluators])

    scales = np.array([max(float(t.tolerance), MIN_TOLERANCE) for t in targets])
    kinds = [t.kind for t in targets]

    def residuals(x: NDArray[np.float64]) -> NDArray[np.float64]:
        scaled: NDArray[np.float64] = _misses(relative(x), kinds) / scales
        return scaled

    # a start on a bound is moved one difference step inside: the optimiser's first trust
    # region is as wide as the start's distance from 0, too narrow there to see a cent move
    start = np.clip(
        [(item.base - item.low) / (item.high - item.low) for item in chosen],
        DIFFERENCE_STEP,
        1 - DIFFERENCE_STEP,
    )
    result = solver(
        residuals,
        start,
        jac=lambda x: _jacobian(residuals, x),  # absolute steps: a start on a bound moves
        bounds=(0.0, 1.0),
        method="trf",
        max_nfev=max_evaluations * len(chosen),
        ftol=1e-12,
        xtol=1e-12,
        gtol=1e-12,
    )
    x = np.clip(np.asarray(result.x, dtype=np.float64), 0.0, 1.0)
    misses = relative(x)
    informative = [
        index
        for index, kind in enumerate(kinds)
        if kind == "equality" or _misses(misses[index : index + 1], [kind])[0] != 0.0
    ]
    jacobian = _jacobian(relative, x)[informative] / scales[informative, None]
    identified, notes, singular = _identifiability(jacobian, chosen)
    fitted_values = low + x * span
    table = _residual_table(targets, evaluators, parameters_at(x))
    missed = [str(name) for name, met in zip(table["target"], table["met"], strict=True) if not met]
    names = [targets[index].name for index in informative]
    for index in range(len(chosen)):
        moved = [n for n, d in zip(names, jacobian[:, index], strict=True) if d and n in missed]
        if moved:
            identified[index] = False
            notes[index] = f"cannot represent the targets: {', '.join(moved)} missed"
    unidentified = [item.path for item, ok in zip(chosen, identified, strict=True) if not ok]
    label = ValueLabel(CALIBRATED_STATUS, source, _rationale(targets, unidentified))
    final = with_free_values(base, chosen, fitted_values, label, name)
    fitted = _fitted_table(base, final, chosen, x, identified, notes)
    message = str(result.message) + (f"; targets missed: {', '.join(missed)}" if missed else "")
    return Calibration(
        final, fitted, table, tuple(singular), bool(result.success) and not missed, message
    )


def _least_squares() -> Callable[..., Any]:
    try:
        from scipy.optimize import least_squares
    except ImportError as exc:
        raise ImportError(EXTRA_HINT) from exc
    solver: Callable[..., Any] = least_squares
    return solver


def _misses(relative: NDArray[np.float64], kinds: Sequence[str]) -> NDArray[np.float64]:
    """Each target's relative miss: the whole gap for an equality, the excess (over an
    ``at_most``) or the shortfall (under an ``at_least``) for an inequality."""
    out = np.array(relative, dtype=np.float64)
    for index, kind in enumerate(kinds):
        if kind == "at_most":
            out[index] = max(out[index], 0.0)
        elif kind == "at_least":
            out[index] = min(out[index], 0.0)
    return out


def _jacobian(
    function: Callable[[NDArray[np.float64]], NDArray[np.float64]], x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Central differences (one-sided at a bound) of ``function`` at ``x`` in [0, 1]."""
    columns = []
    for index in range(len(x)):
        up, down = x.copy(), x.copy()
        up[index] = min(1.0, x[index] + DIFFERENCE_STEP)
        down[index] = max(0.0, x[index] - DIFFERENCE_STEP)
        columns.append((function(up) - function(down)) / (up[index] - down[index]))
    return np.column_stack(columns) if columns else np.zeros((0, 0))


def _identifiability(
    jacobian: NDArray[np.float64], free: Sequence[FreeParameter]
) -> tuple[list[bool], list[str], list[float]]:
    """Per free value: identified or not, and why (docs/uncertainty.md)."""
    count = len(free)
    if jacobian.size == 0:
        return [False] * count, ["no equality or binding target"] * count, []
    _, singular, vt = np.linalg.svd(jacobian, full_matrices=True)
    largest = float(singular[0]) if len(singular) else 0.0
    seen = int((singular > SINGULAR_RTOL * largest).sum()) if largest > 0 else 0
    blind = vt[seen:]  # directions the targets do not see (near-zero or missing rows)
    identified: list[bool] = []
    notes: list[str] = []
    column_norms = np.linalg.norm(jacobian, axis=0)
    for index, _item in enumerate(free):
        if column_norms[index] <= SINGULAR_RTOL * max(largest, 1e-300) or largest == 0:
            identified.append(False)
            notes.append("not identified: no equality or binding target depends on it")
            continue
        involved = blind[np.abs(blind[:, index]) > _LOADING] if len(blind) else blind
        if len(involved) == 0:
            identified.append(True)
            notes.append("identified")
            continue
        partners = sorted(
            {
                other.path
                for row in involved
                for position, other in enumerate(free)
                if position != index and abs(row[position]) > _LOADING
            }
        )
        identified.append(False)
        notes.append(
            "not separately identified"
            + (f" (moves the targets only together with {', '.join(partners)})" if partners else "")
        )
    return identified, notes, [float(s) for s in singular]


def _evaluator(
    target: Target, structures: Portfolio
) -> tuple[Target, Callable[[Parameters], float]]:
    """The target with the function giving the model's value of it (euros or a fraction)."""
    output = Output(target.period)
    frame, model = structures.frame, structures.model
    if target.measure == "structure_annual":
        one = one_row_per_structure(portfolio(_reference_row(target, frame, model), model=model))
        return target, lambda params: output_cents(one, params, output) / 100
    participation = structure_years(structures, target.period)
    taking_part = participation > 0
    if target.participating is not None and int(taking_part.sum()) != target.participating:
        raise InputError(
            f"target {target.name}: is for {target.participating} structures participating "
            f"in {target.period}, the frame has {int(taking_part.sum())}"
        )
    if target.measure == "portfolio_total":
        return target, lambda params: output_cents(structures, params, output) / 100
    budget = pd.to_numeric(frame[BUDGET_COLUMN], errors="coerce").to_numpy(dtype=np.float64)
    bad = taking_part & ~(np.isfinite(budget) & (budget > 0))
    if bad.any():
        rows = ", ".join(map(str, frame.index[bad][:5]))
        raise InputError(f"{BUDGET_COLUMN}: rows {rows} have no positive annual budget")

    def share(params: Parameters) -> float:
        cents = per_structure(structures, params, output)[taking_part]
        return float(np.mean(cents / 100 / (budget[taking_part] * participation[taking_part])))

    return target, share


def _reference_row(target: Target, frame: pd.DataFrame, model: Model) -> pd.DataFrame:
    """The structure of a ``structure_annual`` target: the row nearest its first input,
    with the target's inputs set (docs/uncertainty.md)."""
    names = list(target.inputs)
    missing = [n for n in names if n not in frame.columns]
    if missing or not len(frame):
        raise InputError(f"target {target.name}: the frame has no column {', '.join(missing)}")
    first = names[0]
    column = pd.to_numeric(frame[first], errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(column).any():
        raise InputError(f"target {target.name}: column {first} holds no number")
    distance = np.abs(np.nan_to_num(column, nan=np.inf) - float(target.inputs[first]))
    row = frame.iloc[[int(np.argmin(distance))]].copy()
    for name, value in target.inputs.items():
        whole = value == value.to_integral_value()
        row[name] = int(value) if whole else float(value)
    if model.entry_input in row.columns:
        row[model.entry_input] = None  # participating over the whole period
    if model.exit_input in row.columns:
        row[model.exit_input] = None
    return row


def _source(targets: Sequence[Target]) -> Source:
    names = ", ".join(t.name for t in targets)
    return Source(
        title=f"secpa-model calibration to the targets {names}",
        reference="; ".join(f"{t.describe()} [{t.source}]" for t in targets),
    )


def _rationale(targets: Sequence[Target], unidentified: Sequence[str]) -> str:
    text = (
        "fitted by least squares (secpa_model.calibrate) to "
        + ", ".join(t.name for t in targets)
        + "; not a published value"
    )
    if unidentified:
        text += f"; NOT identified by these targets: {', '.join(unidentified)}"
    return text


def _fitted_table(
    base: Parameters,
    final: Parameters,
    free: Sequence[FreeParameter],
    x: NDArray[np.float64],
    identified: Sequence[bool],
    notes: Sequence[str],
) -> pd.DataFrame:
    rows = []
    for item, position, ok, note in zip(free, x, identified, notes, strict=True):
        value = final.parameters[item.path].values[0].value
        fitted = (
            rounded_value(item.low + float(position) * (item.high - item.low), FACTOR_UNIT)
            if item.is_scale
            else value
        )
        rows.append(
            {
                "path": item.path,
                "unit": item.unit,
                "base": Decimal(repr(item.base))
                if item.is_scale
                else base.parameters[item.path].values[0].value,
                "fitted": fitted,
                "low": item.low,
                "high": item.high,
                "at_bound": bool(position <= _AT_BOUND or position >= 1 - _AT_BOUND),
                "identified": ok,
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def _residual_table(
    targets: Sequence[Target],
    evaluators: Sequence[tuple[Target, Callable[[Parameters], float]]],
    final: Parameters,
) -> pd.DataFrame:
    rows = []
    for target, evaluate in evaluators:
        value = evaluate(final)
        if target.unit == "fraction":
            model_value = Decimal(repr(value)).quantize(Decimal("0.0001"))
        else:
            model_value = cents_to_euros(round(value * 100))
        residual = model_value - target.value
        relative = float(residual / target.value)
        tolerance = float(target.tolerance)
        met = {
            "equality": abs(relative) <= tolerance,
            "at_most": relative <= tolerance,
            "at_least": relative >= -tolerance,
        }[target.kind]
        rows.append(
            {
                "target": target.name,
                "kind": target.kind,
                "unit": target.unit,
                "target_value": target.value,
                "model_value": model_value,
                "residual": residual,
                "relative": relative,
                "tolerance": tolerance,
                "met": met,
            }
        )
    return pd.DataFrame(rows)
