"""Which objects of a listing are the very objects of the last one.

An informer hands an unchanged object over as the same object, so "not read before" is a question
of identity, not of equality (an event's fields are not hashed, and two equal events that came
twice are still two).  Holding the last listing's tuple is what keeps its ids unique: none of its
objects can be freed and its id reused meanwhile.  The ids are a set built per changed listing and
dropped after it, not a map kept between refreshes (at 20,000 pods, 60,000 events: two maps of
id → event, the OOM ledger's and the recording's masks, held 8 MiB each).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class LastListing(Generic[T]):
    """The last tuple handed over, and which objects of the next one were in it."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: tuple[T, ...] = ()

    def swap(self, items: tuple[T, ...]) -> SeenBefore[T]:
        """Holds ``items`` from now on; the answer tells which of them were in the last listing
        (it holds that listing while it lives, so its ids stay unique as long as it is asked)."""
        before = self.items
        self.items = items
        return SeenBefore(before, items is before)


class SeenBefore(Generic[T]):
    """``x in seen``: whether ``x`` is one of the objects of the last listing."""

    __slots__ = ("_held", "_ids", "same_tuple")

    def __init__(self, before: tuple[T, ...], same_tuple: bool) -> None:
        self._held = before
        self.same_tuple = same_tuple
        """The very same tuple again: every object was there (no set is built)."""
        self._ids = frozenset() if same_tuple else frozenset(map(id, before))

    def __contains__(self, item: object) -> bool:
        return self.same_tuple or id(item) in self._ids

    def new_in(self, items: tuple[T, ...]) -> Iterator[T]:
        """The objects of ``items`` that were not in the last listing, in their order."""
        if self.same_tuple:
            return iter(())
        ids = self._ids
        return (item for item in items if id(item) not in ids)
