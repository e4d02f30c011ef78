"""Textual's ``Strip.divide`` without the strip's reference to itself.

``Strip.divide(cuts)`` caches its answer on the strip.  When the only cut is the strip's own
length, which is every line of a widget that nothing overlaps (nearly every line the compositor
paints, ``_compositor.py`` ``render_strips``), the answer is ``[self]``, and the strip then holds
itself: strip → ``_divide_cache`` → its dict → the list → strip.  Reference counting never frees
such a strip, nor its seven ``FIFOCache``s and its segments.  Only the cyclic collector does,
after the strip, alive for a refresh in its widget's line cache, has aged into generation 1.
Headless at 5,000 pods those strips were about 13,000 of the 15,000 objects the collector freed in
17 s, and at 20,000 pods a middle collection that freed 31,902 objects held a key for 118 ms
(``bench/app.py``, run G of issue 11).

The whole-strip answer is a one-item list, cheaper to make than to look up, so it is not cached.
Textual 8.2.8 has the cycle (``textual/strip.py``, unchanged on its main branch in 2026-06);
``install`` checks for it and leaves a Textual without it alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence

from rich.segment import Segment
from textual.strip import Strip

from memtui.ui.textual_replaced import replace

_textual_divide = Strip.divide


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    """``Strip.divide``, answering the whole-strip case without caching it on the strip."""
    cell_length = self.cell_length
    within = [cut for cut in cuts if cut <= cell_length]
    if within == [cell_length]:
        return [self]
    return _textual_divide(self, within)


def holds_itself(strip: Strip, depth: int = 5) -> bool:
    """Whether ``strip`` reaches itself within ``depth`` references (it cannot be freed by its
    reference count alone)."""
    seen: set[int] = set()
    frontier: list[object] = [strip]
    for _ in range(depth):
        following: list[object] = []
        for obj in frontier:
            for referent in gc.get_referents(obj):
                if referent is strip:
                    return True
                if id(referent) not in seen and gc.is_tracked(referent):
                    seen.add(id(referent))
                    following.append(referent)
        frontier = following
    return False


def textual_divide_holds_the_strip() -> bool:
    """Textual's own ``divide``, asked for the whole strip, leaves the strip holding itself."""
    strip = Strip([Segment("memtui")], 6)
    _textual_divide(strip, [6])
    return holds_itself(strip)


def install() -> bool:
    """Replace ``Strip.divide`` where Textual's makes the cycle; True when it is (or was) replaced."""
    return replace(Strip, "divide", _divide, textual_divide_holds_the_strip)
