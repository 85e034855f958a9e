"""Results cached by the identity of their arguments: frozen values (a model, a parameter
set, a snapshot) whose hash would cost more than the work, or that have none."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def by_identity(size: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache a function's results by the identity of its arguments, given by position. Each
    entry keeps its arguments alive, so their ids cannot be reused; the cache empties when
    it holds ``size`` entries."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        found: dict[tuple[int, ...], tuple[tuple[Any, ...], R]] = {}

        @wraps(function)
        def cached(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs:
                raise TypeError(f"{function.__name__} takes its arguments by position")
            key = tuple(map(id, args))
            hit = found.get(key)
            if hit is None:
                if len(found) >= size:
                    found.clear()
                hit = found[key] = (args, function(*args, **kwargs))
            return hit[1]

        return cached

    return decorate
