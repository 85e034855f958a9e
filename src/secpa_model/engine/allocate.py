"""One structure over one period: :func:`allocate`, a batch of one through the engine."""

from __future__ import annotations

from typing import Any

from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.allocation import Allocation
from secpa_model.engine.build import build_allocation
from secpa_model.engine.compute import compute, windows
from secpa_model.engine.parameters import parameters_for
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.models import resolve_model


def allocate(
    structure: Any,
    period: PeriodLike,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
) -> Allocation:
    """The itemised, fungible allocation of one structure over ``period``.

    ``structure``: a ``Structure`` of the model (another model's structure, or a mapping
    of inputs, is validated into it). ``period`` is required: a year (``2022``), a
    :class:`~secpa_model.Period` (inclusive) or ``"YYYY-MM-DD..YYYY-MM-DD"``.
    ``parameters``: a :class:`~secpa_model.Parameters` or a :class:`~secpa_model.Scenario`
    of the model (default: its reference values). ``model``: a
    :class:`~secpa_model.Model` or a model's name (default: the experimentation).
    The one-structure path is a batch of one through the engine.
    """
    resolved = resolve_model(model)
    checked = resolved.parse_structure(structure)
    span = Period.parse(period)
    params: Parameters = parameters_for(resolved, parameters)
    columns = resolved.columns([checked])
    starts, ends = windows(resolved, columns, span)
    batch = compute(resolved, columns, starts, ends, span, params)
    return build_allocation(checked, batch, 0, params.name)
