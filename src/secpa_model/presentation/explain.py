"""Explanations of an allocation (traçabilité du calcul) as text, Markdown or JSON, all three
rendered from one versioned :class:`~secpa_model.engine.trace.Trace` (docs/quickstart.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from secpa_model.engine.allocation import Allocation
from secpa_model.engine.build import used_parameter
from secpa_model.engine.trace import Trace, render_json, render_markdown, render_text
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters

__all__ = ["build_trace", "explain_json", "explain_markdown", "explain_text", "parameters_record"]


def build_trace(allocation: Allocation | Trace) -> Trace:
    """The :class:`~secpa_model.engine.trace.Trace` of an allocation (a trace as it is)."""
    if isinstance(allocation, Trace):
        return allocation
    if not isinstance(allocation, Allocation):
        raise TypeError(f"expected an Allocation, got {type(allocation).__name__}")
    return allocation.trace()


def explain_json(allocation: Allocation | Trace, *, indent: int | None = 2) -> str:
    """The JSON trace of an allocation (or of a trace)."""
    return render_json(build_trace(allocation), indent=indent)


def explain_text(allocation: Allocation | Trace) -> str:
    """A plain-text explanation of every line, its pieces and parameters, and the total."""
    return render_text(build_trace(allocation))


def explain_markdown(allocation: Allocation | Trace, *, level: int = 2) -> str:
    """A Markdown explanation: a summary table, then per line its formula, legal wording,
    inputs, parameters (status and source) and proration pieces. ``level`` is the heading
    level of the allocation's title (its lines get ``level + 1``)."""
    return render_markdown(build_trace(allocation), level=level)


def parameters_record(
    parameters: Parameters, model: Model, day: date, *, assumptions_only: bool = False
) -> dict[str, Any]:
    """The values of ``parameters`` (of ``model``) in force on ``day``, JSON-ready: the
    set's name and origin, then each value with path, text, raw value, unit, status,
    source, rationale, date and plausible range (``params --json``, ``GET /parameters``);
    ``assumptions_only`` keeps the assumptions."""
    in_force = list(parameters.at(day).values.values())
    if assumptions_only:
        in_force = [value for value in in_force if value.status == "assumption"]
    return {
        "model": model.name,
        "model_note": model.note,
        "parameters_name": parameters.name,
        "origin": parameters.origin,
        "date": day.isoformat(),
        "parameters": [
            {
                **used_parameter(held).model_dump(mode="json"),
                "range": None if held.range is None else held.range.model_dump(mode="json"),
            }
            for held in in_force
        ],
    }
