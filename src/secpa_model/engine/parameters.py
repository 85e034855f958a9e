"""Which parameter values a computation uses: a model's reference values, a
:class:`~secpa_model.Parameters` of the model, or anything that gives one for a model (a
:class:`~secpa_model.Scenario` does)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters


@runtime_checkable
class ParameterSource(Protocol):
    """What gives a parameter set for a model (a :class:`~secpa_model.Scenario`)."""

    def parameters_for(self, model: Model) -> Parameters:
        """The parameter set to compute ``model`` with."""
        ...


def parameters_for(model: Model, given: Any) -> Parameters:
    """The parameters to compute ``model`` with: its reference values (``given`` None), a
    :class:`~secpa_model.Parameters` of the model, or what a :class:`ParameterSource` gives.
    A ParameterError when they are not the model's; a TypeError naming what to pass for
    anything else. Every function that takes parameters resolves them here."""
    if given is None:
        return model.reference_parameters()
    if isinstance(given, Parameters):
        return model.check_parameters(given)
    if isinstance(given, ParameterSource):
        return model.check_parameters(given.parameters_for(model))
    hint = ": for overrides by path, pass Scenario(name, overrides)" * isinstance(given, dict)
    raise TypeError(
        f"parameters must be a Parameters (reference_parameters(), load_parameters(...)) or a "
        f"Scenario, got {type(given).__name__}{hint}"
    )
