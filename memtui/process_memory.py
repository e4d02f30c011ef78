"""Fewer glibc malloc arenas for the cockpit's process, before its threads start, and the free
heap handed back after the one-off big folds.

glibc gives each thread that allocates under contention an arena of its own, up to eight per
core, and memory freed in one arena serves only that arena.  The cockpit's threads each decode
big answers once (the informers' first LISTs, the Prometheus queries and backfill, the recorder's
keyframes) and then little: each arena keeps the peak it once had.  At 5,000 pods that was 33 MiB
of the RSS (260 → 227 MiB, ``bench/app.py``); two arenas is glibc's own advice for such
processes (``mallopt(3)``, ``M_ARENA_MAX``), and what ``MALLOC_ARENA_MAX=2`` sets from outside.
A setting the operator made in the environment wins; elsewhere than glibc this does nothing.

The first full listing and the hour's backfill are decoded once, into objects most of which are
dropped right after the fold; glibc keeps the freed pages for later allocations that never come
in that size.  ``malloc_trim(0)`` after each hands them back (22 MiB at 5,000 pods: 208 → 186 MiB
when the bench's census called it); it walks the heap once, a few milliseconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_ARENA_MAX = -8
"""mallopt's parameter number for the arena limit (glibc's malloc.h)."""
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def release_free_heap() -> bool:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``); True if any were."""
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    return bool(trim(0)) if trim is not None else False


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """True when glibc took the limit; call before the cockpit starts its threads."""
    libc = _libc() if "MALLOC_ARENA_MAX" not in os.environ else None
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None  # musl and others: none
    return bool(mallopt(M_ARENA_MAX, arenas)) if mallopt is not None else False
