"""Textual's painted lines with their caches made on first use, not seven with every line.

Every ``Strip`` Textual makes (a widget's line, each crop, style or divide of one) starts with
seven ``FIFOCache``s (crop, style, filter, divide, line length, crop-extend, offsets), and most
lines use one or two before they are dropped.  Each cache is a tracked object, so at 20,000 pods
they were the bulk of what a collection walked: 176,627 caches made for 25,199 strips in 40 s
headless, and 22,992 of the 104,210 objects in generation 1 at a middle collection among keys
(the live lines of the widgets' line caches; run H of issue 11).  Textual's own ``Content`` makes
its divide cache when first asked (``content.py``: ``if self._divide_cache is None``); this does
the same for ``Strip``: its ``__init__`` leaves the cache slots empty, and each slot's descriptor
makes the cache, of Textual's own size, the first time the strip's code reads it.

``install`` checks the installed Textual's ``Strip.__init__`` first: it leaves alone one that
fills its slots otherwise than 8.2.8 does (a new slot, a cache that is not a ``FIFOCache``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

_textual_init = Strip.__init__

_PLAIN_SLOTS = {"_segments": [Segment("memtui")], "_cell_length": 6, "_render_cache": None,
                "_link_ids": None, "_cell_count": None}
"""What ``_init`` sets itself, as Textual's ``__init__`` does, for ``Strip([Segment("memtui")], 6)``:
the segments, the length given, and three values first computed when asked (None until then)."""


class _CacheOnFirstUse:
    """A strip's cache slot that holds a ``FIFOCache`` of ``maxsize`` once the strip's code reads it."""

    __slots__ = ("_slot", "_maxsize")

    def __init__(self, slot: Any, maxsize: int) -> None:
        self._slot = slot
        self._maxsize = maxsize

    def __get__(self, strip: Strip | None, owner: type | None = None) -> Any:
        if strip is None:
            return self
        try:
            return self._slot.__get__(strip, owner)
        except AttributeError:
            cache: FIFOCache[Any, Any] = FIFOCache(self._maxsize)
            self._slot.__set__(strip, cache)
            return cache

    def __set__(self, strip: Strip, value: Any) -> None:
        self._slot.__set__(strip, value)


def _init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    """``Strip.__init__`` without its caches (the slots' descriptors make them when used)."""
    self._segments = list(segments)
    self._cell_length = cell_length
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def textual_cache_sizes() -> dict[str, int] | None:
    """The cache slots Textual's own ``__init__`` fills, with their sizes; None when it fills its
    slots otherwise than ``_init`` expects (then nothing is replaced)."""
    strip = Strip.__new__(Strip)
    _textual_init(strip, [Segment("memtui")], 6)
    sizes: dict[str, int] = {}
    plain: dict[str, Any] = {}
    for name in Strip.__slots__:
        try:
            value = getattr(strip, name)
        except AttributeError:
            return None
        if type(value) is FIFOCache:
            sizes[name] = value._maxsize
        else:
            plain[name] = value
    if plain != _PLAIN_SLOTS or not sizes:
        return None
    return sizes


def installed() -> bool:
    return Strip.__init__ is _init


def install() -> bool:
    """Strips make their caches on first use; True when they do (now or already).  Idempotent:
    the cockpit installs it at every start (tests run several apps in one process)."""
    if installed():
        return True
    sizes = textual_cache_sizes()
    if sizes is None:
        return False
    for name, maxsize in sizes.items():
        setattr(Strip, name, _CacheOnFirstUse(Strip.__dict__[name], maxsize))
    Strip.__init__ = _init  # type: ignore[method-assign]
    return True
