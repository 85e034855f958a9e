"""The short repr of a parameter set: only what differs from its model's reference values.

A set is a few dozen dated values, each with a source, a status and a rationale, and the
declarations it was checked against: pydantic's repr of it fills a screen, which is what a
failing hypothesis example printed. :func:`short_repr` says instead which reference it is
compared with and lists only the parameters whose dated values (dates and values) differ
from it; a set equal to the reference says so, and a set whose model is not known (no
loaded reference has its declarations) says that too and lists its values, shortly.

The references are those the models have loaded (:func:`register_reference`, called by
:meth:`~secpa_model.Model.reference_parameters`): a set is compared with the one whose
declarations are its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final, Protocol

from secpa_model.model.parameters.models import Parameter, Scale
from secpa_model.model.parameters.spec import ParameterSpec


class Parameters(Protocol):
    """What a short repr reads of a :class:`~secpa_model.Parameters`, which imports this
    module for its ``__repr__``: named here as a protocol, so that data flows one way."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def specs(self) -> Mapping[str, ParameterSpec]: ...
    @property
    def parameters(self) -> Mapping[str, Parameter]: ...


_REFERENCES: Final[dict[str, Parameters]] = {}
"""Each model's reference values, by model name (the last loaded under a name)."""


def register_reference(model: str, parameters: Parameters) -> None:
    """Record ``parameters`` as the reference values of the model called ``model``."""
    _REFERENCES[model] = parameters


def known_reference(parameters: Parameters) -> tuple[str, Parameters] | None:
    """The model name and reference values that ``parameters`` is a set of (the same
    declarations), or None when no such reference is loaded or several disagree."""
    found = [(name, ref) for name, ref in _REFERENCES.items() if ref.specs == parameters.specs]
    if not found or any(ref.parameters != found[0][1].parameters for _, ref in found[1:]):
        return None
    return found[0]


def _value(value: Decimal | Scale) -> str:
    if isinstance(value, Scale):
        points = ", ".join(f"{b.threshold}: {b.value}" for b in value.brackets)
        return f"{value.mode}({points})"
    return str(value)


def _dated(parameter: Parameter) -> str:
    return ", ".join(f"{_value(v.value)} from {v.effective_from}" for v in parameter.values)


def _values(parameter: Parameter) -> list[tuple[object, object]]:
    return [(v.effective_from, v.value) for v in parameter.values]


def short_repr(parameters: Parameters) -> str:
    """``Parameters(name: ...)``, or ``Parameters(name version 'v': ...)`` for a set whose
    file gave a ``[meta] version``: what differs from the model's reference values (see the
    module docstring)."""
    head = f"Parameters({parameters.name!r}"
    if parameters.version:
        head += f" version {parameters.version!r}"
    count = len(parameters.parameters)
    reference = known_reference(parameters)
    if reference is None:
        listed = "; ".join(
            f"{path} = {_dated(parameter)}"
            for path, parameter in sorted(parameters.parameters.items())
        )
        return f"{head}: {count} parameters, no known reference to compare with: {listed})"
    model, values = reference
    differing = [
        path
        for path, parameter in sorted(parameters.parameters.items())
        if _values(parameter) != _values(values.parameters[path])
    ]
    if not differing:
        provenance = sorted(
            path
            for path, parameter in parameters.parameters.items()
            if parameter != values.parameters[path]
        )
        same = f"{head}: the reference values of the model {model!r} ({count} parameters)"
        if provenance:
            return f"{same}, with another provenance for {', '.join(provenance)})"
        return f"{same})"
    changes = "; ".join(f"{path} = {_dated(parameters.parameters[path])}" for path in differing)
    return (
        f"{head}: {len(differing)} of {count} parameters differ from the reference values "
        f"of the model {model!r}: {changes})"
    )
