"""The reasoning's one remembered result: computed again only when an input moved.

The ranking, its pick of representative pods and its sawtooth search are asked at every refresh
of any source (Redis every 2 s), mostly with the same inputs.  Those inputs are immutable
snapshots, compared by identity (a new poll is a new object; a refresh that changed nothing hands
over the very same ones), and plain values (history versions, names), compared by equality.  The
objects are held with the result, so their ids cannot be reused by others meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LastResult(Generic[T]):
    """The result for the last inputs asked (one entry: the inputs of one cockpit move together)."""

    def __init__(self) -> None:
        self._last: tuple[tuple[object, ...], tuple[object, ...], T] | None = None

    def get(self, objects: tuple[object, ...], values: tuple[object, ...], compute: Callable[[], T]) -> tuple[T, bool]:
        """(the result, whether it was remembered): ``compute()`` unless ``objects`` are the very
        objects and ``values`` equal to last time."""
        last = self._last
        if last is not None and len(last[0]) == len(objects) and all(a is b for a, b in zip(last[0], objects)) \
                and last[1] == values:
            return last[2], True
        result = compute()
        self._last = (objects, values, result)
        return result, False
