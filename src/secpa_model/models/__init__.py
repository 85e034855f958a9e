"""The shipped models and how to find a model by name.

* :func:`experimentation`: the SECPA experimentation's four dotations (the default
  everywhere);
* :func:`five_pillars`: a PROPOSAL for the successor, around the five pillars recommended in
  2025 (every value an assumption: no official schedule exists).

:func:`get_model` finds a model by name: a shipped one, one that an installed package
declares in the entry point group :data:`ENTRY_POINT_GROUP` (``name = "package.module:
attribute"``, the attribute a :class:`~secpa_model.Model` or a function returning one), or
``package.module:attribute`` directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Final

from secpa_model.core.errors import ModelError
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.models.experimentation import experimentation
from secpa_model.models.five_pillars import five_pillars

ENTRY_POINT_GROUP: Final = "secpa_model.models"
"""The entry point group in which a package declares the models it ships."""
DEFAULT_MODEL: Final = "experimentation"
"""The model used wherever none is given."""

SHIPPED: Final[dict[str, Callable[[], Model]]] = {
    "experimentation": experimentation,
    "five_pillars": five_pillars,
}
"""The models shipped with secpa-model, by name."""


def resolve_model(model: Model | str | None) -> Model:
    """``model`` itself, the model a name gives (:func:`get_model`), or the default
    (:func:`experimentation`)."""
    if model is None:
        return experimentation()
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        return get_model(model)
    raise TypeError(f"model must be a Model or a model name, got {type(model).__name__}")


def available_models() -> dict[str, str]:
    """Every model found by name, with where it comes from: ``shipped``, or the entry point
    (``package.module:attribute``) of an installed package."""
    found = dict.fromkeys(SHIPPED, "shipped")
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value)
    return found


def get_model(name: str) -> Model:
    """The model called ``name``: shipped, declared by an installed package's entry point, or
    ``package.module:attribute``. A :class:`~secpa_model.ModelError` names the models
    found otherwise."""
    if name in SHIPPED:
        return SHIPPED[name]()
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            return _as_model(entry.load(), f"entry point {name!r} ({entry.value})")
    if ":" in name:
        module_name, _, attribute = name.partition(":")
        try:
            target: Any = importlib.import_module(module_name)
            for part in attribute.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as exc:
            raise ModelError(f"model {name!r}: cannot import it: {exc}") from exc
        return _as_model(target, name)
    known = ", ".join(available_models())
    raise ModelError(f"unknown model {name!r} (models: {known}; or give package.module:attribute)")


def _as_model(target: Any, where: str) -> Model:
    if callable(target) and not isinstance(target, Model):
        target = target()
    if not isinstance(target, Model):
        raise ModelError(f"{where} is not a Model but {type(target).__name__}")
    return target


def load_parameters(
    path: str | Path | None = None, *, model: Model | str | None = None
) -> Parameters:
    """Load a parameter file for ``model`` (default: the experimentation), or its reference
    values when ``path`` is None. Every defect raises one
    :class:`~secpa_model.ParameterError` naming the file, each key and the reason."""
    resolved = resolve_model(model)
    if path is None:
        return resolved.reference_parameters()
    return resolved.load_parameters(path)


def reference_parameters(model: Model | str | None = None) -> Parameters:
    """The reference values of ``model`` (default: the experimentation), loaded once."""
    return resolve_model(model).reference_parameters()


__all__ = [
    "DEFAULT_MODEL",
    "ENTRY_POINT_GROUP",
    "SHIPPED",
    "available_models",
    "experimentation",
    "five_pillars",
    "get_model",
    "load_parameters",
    "reference_parameters",
    "resolve_model",
]
