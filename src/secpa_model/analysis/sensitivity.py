"""What drives a result (analyse de sensibilité): one-at-a-time swings (the tornado) and
variance-based Sobol indices (SALib) of one :class:`~secpa_model.analysis.outputs.Output`
over the free assumption values, computed by :func:`~secpa_model.simulate` in vectorised
passes (docs/uncertainty.md). Needs SALib and scipy (extra ``uncertainty``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.analysis.calibration import EXTRA_HINT
from secpa_model.analysis.free_parameters import Bounds, FreeParameter, free_parameters
from secpa_model.analysis.outputs import TOTAL, Output, one_row_per_structure, output_cents
from secpa_model.analysis.scenarios import Scenario
from secpa_model.analysis.simulation import Progress, check_memory, simulate
from secpa_model.core.errors import InputError
from secpa_model.core.periods import PeriodLike
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.portfolio import Portfolio, as_portfolio
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters


@dataclass(frozen=True)
class Sensitivity:
    """What :func:`sensitivity` returns.

    ``output``: what was measured; ``base_cents``: its value under the base parameters.
    ``tornado``: one row per free value, largest swing first: ``path``, ``unit``, ``low``,
    ``base``, ``high`` (the free value), ``output_low_cents``, ``output_high_cents``,
    ``swing_cents``. ``sobol``: one row per free value, largest ``ST`` first: ``path``,
    ``unit``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (None without ``method`` sobol).
    ``samples``: Saltelli's base sample size; ``evaluations``: model runs in all.
    ``parameters``: the base set; ``model``: the model computed.
    """

    output: Output
    base_cents: int
    tornado: pd.DataFrame | None
    sobol: pd.DataFrame | None
    samples: int
    evaluations: int
    parameters: Parameters
    model: Model

    @property
    def sobol_evaluations(self) -> int:
        """The model runs of the Sobol indices: ``samples × (D + 2)`` (0 without them)."""
        return 0 if self.sobol is None else self.samples * (len(self.sobol) + 2)

    def drivers(self, count: int = 3) -> list[str]:
        """The ``count`` free values that drive the output most (by Sobol ``ST``, else by
        the tornado's swing)."""
        table = self.sobol if self.sobol is not None else self.tornado
        if table is None:  # pragma: no cover - one of them is always computed
            return []
        return [str(path) for path in table["path"].head(count)]


def sensitivity(
    structures: Portfolio | pd.DataFrame,
    output: Output | PeriodLike,
    free: Sequence[str] | None = None,
    *,
    parameters: Parameters | Scenario | None = None,
    bounds: Bounds | None = None,
    method: str = "both",
    samples: int = 256,
    seed: int = 0,
    confidence: float = 0.95,
    progress: Progress | None = None,
    client: Any = None,
) -> Sensitivity:
    """The sensitivity of ``output`` (an :class:`Output`, or a period: the total over it)
    of ``structures`` (a :class:`~secpa_model.Portfolio` of one row per structure, or a
    DataFrame for the experimentation) to the ``free`` assumption values (see the module
    docstring); default:
    every parameter whose value carries a plausible range, varied over it with its
    distribution.

    ``method``: ``"oat"`` (the tornado), ``"sobol"`` or ``"both"``. ``samples``: Saltelli's
    base sample (a power of 2, at least 16). ``seed``: the same seed gives the same
    indices. ``bounds`` (``path -> (low, high)``, uniform) replace a range or stand in
    for a missing one. ``client``: a ``dask.distributed.Client`` whose workers compute
    the parameter sets (:func:`~secpa_model.simulate`'s chunks; the same numbers).
    ``progress(done, total)``: called with the model runs done and in all, as they run.
    """
    if method not in ("oat", "sobol", "both"):
        raise InputError(f"method must be 'oat', 'sobol' or 'both', got {method!r}")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 16:
        raise InputError(f"samples must be a whole number ≥ 16, got {samples!r}")
    if samples & (samples - 1):
        raise InputError(f"samples must be a power of 2 (Sobol sequences), got {samples}")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1, got {confidence!r}")
    chosen_structures = one_row_per_structure(as_portfolio(structures))
    resolved = chosen_structures.model
    measured = output if isinstance(output, Output) else Output(output)
    measured.check(resolved)
    base = parameters_for(resolved, parameters)
    chosen = free_parameters(base, free, bounds)
    do_oat, do_sobol = method in ("oat", "both"), method in ("sobol", "both")
    if do_sobol:
        _salib()  # the optional extra is checked before any run, not after the tornado
    total = (2 * len(chosen) if do_oat else 0) + (samples * (len(chosen) + 2) if do_sobol else 0)
    # the sample's values and each run's totals, held at once
    check_memory(
        8 * total * (len(chosen) + len(resolved.line_keys) + 1), f"{total:,} runs", "samples"
    )
    done = 0
    column = [*resolved.line_keys, TOTAL].index(measured.line)

    def run(values: NDArray[np.float64]) -> NDArray[np.float64]:
        nonlocal done
        # every parameter set of the batch in one vectorised pass of the engine
        drawn = simulate(
            chosen_structures,
            measured.period,
            base,
            draws=len(values),
            distributions={item.path: values[:, j] for j, item in enumerate(chosen)},
            keep="totals",
            client=client,
        )
        done += len(values)
        if progress is not None:
            progress(done, total)
        return drawn.line_totals_cents[:, column].astype(np.float64)

    base_cents = output_cents(chosen_structures, base, measured)
    tornado = _tornado(chosen, run) if do_oat else None
    sobol = _sobol(chosen, run, samples, seed, confidence) if do_sobol else None
    return Sensitivity(measured, base_cents, tornado, sobol, samples, done, base, resolved)


def _tornado(
    free: Sequence[FreeParameter], run: Callable[[NDArray[np.float64]], NDArray[np.float64]]
) -> pd.DataFrame:
    bases = np.array([item.base for item in free])
    ends = np.repeat(bases[None, :], 2 * len(free), axis=0)
    for index, item in enumerate(free):
        ends[2 * index, index], ends[2 * index + 1, index] = item.low, item.high
    outputs = run(ends)  # all the runs in one pass
    rows = []
    for index, item in enumerate(free):
        output_low, output_high = int(outputs[2 * index]), int(outputs[2 * index + 1])
        rows.append(
            {
                "path": item.path,
                "unit": item.unit,
                "low": item.low,
                "base": item.base,
                "high": item.high,
                "output_low_cents": output_low,
                "output_high_cents": output_high,
                "swing_cents": abs(output_high - output_low),
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values("swing_cents", ascending=False, kind="stable").reset_index(drop=True)


def _sobol(
    free: Sequence[FreeParameter],
    run: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    samples: int,
    seed: int,
    confidence: float,
) -> pd.DataFrame:
    sample, analyze = _salib()
    problem: dict[str, Any] = {
        "num_vars": len(free),
        "names": [item.path for item in free],
        "bounds": [[0.0, 1.0]] * len(free),
    }
    unit = sample(problem, samples, calc_second_order=False, seed=seed)
    # SALib draws uniforms; each value's own distribution by its inverse CDF
    values = np.column_stack([item.frozen().ppf(unit[:, index]) for index, item in enumerate(free)])
    outputs = run(values)
    if np.ptp(outputs) == 0:
        indices = {key: np.zeros(len(free)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        indices = analyze(
            problem,
            outputs,
            calc_second_order=False,
            conf_level=confidence,
            print_to_console=False,
            # SALib leaves a falsy seed (the default 0) to numpy's global generator; a
            # SeedSequence is never falsy and gives any other seed's stream unchanged
            seed=np.random.SeedSequence(seed),
        )
    table = pd.DataFrame(
        {
            "path": [item.path for item in free],
            "unit": [item.unit for item in free],
            **{
                key: np.asarray(indices[key], dtype=np.float64)
                for key in ("S1", "S1_conf", "ST", "ST_conf")
            },
        }
    )
    return table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


def _salib() -> tuple[Callable[..., Any], Callable[..., Any]]:
    try:
        from SALib.analyze.sobol import analyze
        from SALib.sample.sobol import sample
    except ImportError as exc:
        raise ImportError(EXTRA_HINT) from exc
    return sample, analyze
