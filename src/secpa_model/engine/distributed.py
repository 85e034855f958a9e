"""Where an analysis's work runs: here, or on the workers of a Dask cluster.

:func:`map_chunks` is the one place an analysis hands its chunks to a ``dask.distributed``
client; without one it computes them here, in order, by the same code: a cluster gives the
local numbers bit for bit. A model defined in the user's own module is pickled by value
(:func:`ship_code`, :class:`ByValue`): docs/uncertainty.md says what travels and why.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

from secpa_model.model.model import Model

Shared = TypeVar("Shared")
Chunk = TypeVar("Chunk")
Result = TypeVar("Result")
Value = TypeVar("Value")

_INSTALLED = ("site-packages", "dist-packages")
_OWN = "secpa_model"


def map_chunks(
    function: Callable[[Shared, Chunk], Result],
    shared: Shared,
    chunks: Sequence[Chunk],
    *,
    client: Any,
    model: Model,
) -> Iterator[Result]:
    """``function(shared, chunk)`` for each chunk, in the chunks' order: here (``client``
    None), or on the workers of ``client`` (a ``dask.distributed.Client``), ``shared``
    sent once to each worker. ``model``: the model whose code the work runs, shipped by
    value to the workers (docs/uncertainty.md). ``function`` must be importable
    (a module-level function of secpa_model). A chunk's exception is raised here, as it
    would be locally."""
    if client is None:
        for chunk in chunks:
            yield function(shared, chunk)
        return
    ship_code(model)
    sent = client.scatter(ByValue(shared), broadcast=True, hash=False)
    futures = client.map(
        partial(_call, function), [sent] * len(chunks), [ByValue(c) for c in chunks], pure=False
    )
    try:
        for future in futures:
            yield future.result()
    finally:
        client.cancel(futures)  # nothing left running after an error or an early stop


def _call(function: Callable[[Shared, Chunk], Result], shared: Any, chunk: Any) -> Result:
    return function(unwrap(shared), unwrap(chunk))


class ByValue(Generic[Value]):
    """``value`` that pickles through cloudpickle, so that the functions of the modules
    :func:`ship_code` registered travel as code (a plain pickler, which Dask tries first,
    would name them by module, which a worker may not have). Unpickled, it is ``value``
    itself; on one process (threads) it is not pickled: :func:`unwrap` it."""

    __slots__ = ("_pickled", "value")

    def __init__(self, value: Value) -> None:
        self.value = value
        self._pickled: bytes | None = None

    def pickled(self) -> bytes:
        """The value pickled by cloudpickle (once per wrapper)."""
        if self._pickled is None:
            import cloudpickle

            self._pickled = cloudpickle.dumps(self.value)
        return self._pickled

    def __reduce__(self) -> tuple[Any, ...]:
        return pickle.loads, (self.pickled(),)

    def __dask_tokenize__(self) -> str:
        # from the code itself: an edited rule is a new task, never an old result reused
        return hashlib.sha256(self.pickled()).hexdigest()


def unwrap(value: Any) -> Any:
    """What a :class:`ByValue` wraps (a value that was pickled is already itself)."""
    return value.value if isinstance(value, ByValue) else value


def ship_code(model: Model) -> list[str]:
    """Register with cloudpickle, by value, the packages of ``model``'s rules and conditions
    that the workers may lack (docs/uncertainty.md); the names registered."""
    import cloudpickle

    registered = []
    for name in sorted(_user_packages(model)):
        if name not in cloudpickle.list_registry_pickle_by_value():
            cloudpickle.register_pickle_by_value(sys.modules[name])
        registered.append(name)
    return registered


def _user_packages(model: Model) -> set[str]:
    functions: list[Any] = [v.compute for r in model.rules for v in r.versions]
    functions += [f for c in model.conditions for f in (c.fails, c.detail) if f is not None]
    found = set()
    for function in functions:
        while isinstance(function, partial):
            function = function.func
        module = getattr(function, "__module__", None) or type(function).__module__
        top = module.partition(".")[0]
        package = sys.modules.get(top)
        if package is not None and _users(package):
            found.add(top)
    return found


def _users(package: ModuleType) -> bool:
    """Whether ``package`` is the user's code (not secpa_model, the standard library, an
    installed distribution or ``__main__``)."""
    name = package.__name__
    if name in (_OWN, "__main__") or name in sys.stdlib_module_names:
        return False
    places = [getattr(package, "__file__", None), *getattr(package, "__path__", ())]
    paths = [Path(place) for place in places if place]
    return bool(paths) and not any(part in _INSTALLED for p in paths for part in p.parts)


def is_dask_frame(frame: object) -> bool:
    """Whether ``frame`` is a ``dask.dataframe.DataFrame`` (without importing dask)."""
    package = type(frame).__module__.partition(".")[0]  # dask_expr: dask 2024.3 to 2024.12
    return package in ("dask", "dask_expr") and hasattr(frame, "map_partitions")
