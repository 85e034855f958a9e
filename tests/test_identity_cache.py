"""core.identity_cache.by_identity: results cached by the identity of the arguments."""

from __future__ import annotations

import pytest

from secpa_model.core.identity_cache import by_identity


def test_the_same_objects_are_computed_once_and_equal_copies_again() -> None:
    calls: list[tuple[int, ...]] = []

    @by_identity(8)
    def total(values: list[int]) -> int:
        calls.append(tuple(values))
        return sum(values)

    first, copy = [1, 2], [1, 2]
    assert total(first) == 3
    assert total(first) == 3
    assert calls == [(1, 2)]  # the second call was served from the cache
    assert total(copy) == 3  # equal but another object: computed again
    assert calls == [(1, 2), (1, 2)]


def test_a_full_cache_empties_before_it_holds_more() -> None:
    calls: list[int] = []

    @by_identity(2)
    def size(values: list[int]) -> int:
        calls.append(len(values))
        return len(values)

    a, b, c = [1], [1, 2], [1, 2, 3]
    assert [size(a), size(b), size(c)] == [1, 2, 3]  # the third empties the cache first
    assert size(c) == 3
    assert calls == [1, 2, 3]  # c was kept
    assert size(a) == 1
    assert calls == [1, 2, 3, 1]  # a was emptied out with b, computed again


def test_arguments_by_keyword_are_refused() -> None:
    @by_identity(2)
    def first(values: list[int]) -> int:
        return values[0]

    with pytest.raises(TypeError, match="first takes its arguments by position"):
        first(values=[1])
