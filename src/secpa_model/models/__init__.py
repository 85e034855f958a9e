"""The shipped models and how to find a model by name.

* :func:`experimentation`: the SECPA experimentation's four dotations (the default
  everywhere);
* :func:`five_pillars`: a PROPOSAL for the successor, around the five pillars recommended in
  2025 (every value an assumption: no official schedule exists).

:func:`get_model` finds a model by name: a shipped one, one that an installed package
declares in the entry point group :data:`ENTRY_POINT_GROUP` (``name = "package.module:
attribute"``, the attribute a :class:`~secpa_model.Model` or a function returning one),
``package.module:attribute`` directly (importable from the current directory too), or
``path/to/file.py:attribute``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
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
    """The model called ``name``: shipped, declared by an installed package's entry point,
    ``package.module:attribute`` (a module importable from the current directory too) or
    ``path/to/file.py:attribute``; the attribute is a :class:`~secpa_model.Model` or a
    function of no argument returning one. Anything else, or an import that fails, is one
    :class:`~secpa_model.ModelError` naming what was asked and why."""
    if name in SHIPPED:
        return SHIPPED[name]()
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            return _as_model(entry.load(), f"entry point {name!r} ({entry.value})")
    if ":" not in name:
        known = ", ".join(available_models())
        raise ModelError(
            f"unknown model {name!r} (models: {known}; or give package.module:attribute or "
            "path/to/file.py:attribute)"
        )
    where, _, attribute = name.rpartition(":")  # the last colon: a drive keeps its own
    if not where or not attribute:
        raise ModelError(
            f"model {name!r}: give package.module:attribute or path/to/file.py:attribute"
        )
    module = _module_of(name, where)
    target: Any = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ModelError(f"model {name!r}: {where} has no attribute {attribute!r}")
        target = getattr(target, part)
    return _as_model(target, f"model {name!r}")


def _module_of(name: str, where: str) -> ModuleType:
    """The module ``where`` names: a Python file (``.py``, or a path with a separator) or a
    module importable from ``sys.path`` or the current directory; a failure of its import,
    whatever it raises, is a :class:`~secpa_model.ModelError`."""
    path = Path(where)
    is_file = where.endswith(".py") or any(sep in where for sep in ("/", os.sep))
    if is_file and not path.is_file():
        raise ModelError(f"model {name!r}: no file {where!r}")
    try:
        if is_file:
            return _module_from_file(path)
        with _current_directory_importable():
            return importlib.import_module(where)
    except ModuleNotFoundError as exc:
        raise ModelError(f"model {name!r}: cannot import it: {_one_line(exc)}") from exc
    except (Exception, SystemExit) as exc:  # the user's module failed: say how, one line
        raise ModelError(
            f"model {name!r}: importing {where} raised {type(exc).__name__}: {_one_line(exc)}"
        ) from exc


def _module_from_file(path: Path) -> ModuleType:
    """The module of the Python file ``path``, run on each call under a name of its own
    (in ``sys.modules`` once it ran, as an imported module is)."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"secpa_model_user_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
        raise ImportError(f"{str(path)!r} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # a dataclass or pydantic model of the file looks it up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


@contextmanager
def _current_directory_importable() -> Iterator[None]:
    """While open, the current directory is on ``sys.path`` (as it is for ``python -m``,
    not for an installed command)."""
    here = os.getcwd()
    added = here not in sys.path and "" not in sys.path
    if added:
        sys.path.insert(0, here)
    try:
        yield
    finally:
        if added and here in sys.path:
            sys.path.remove(here)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or "no detail"


def _as_model(target: Any, where: str) -> Model:
    if callable(target) and not isinstance(target, Model):
        try:
            target = target()
        except (Exception, SystemExit) as exc:
            raise ModelError(
                f"{where}: calling it (a model or a function of no argument returning one) "
                f"raised {type(exc).__name__}: {_one_line(exc)}"
            ) from exc
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
