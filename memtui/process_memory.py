"""Fewer glibc malloc arenas for the cockpit's process, before its threads start.

glibc gives each thread that allocates under contention an arena of its own, up to eight per
core, and memory freed in one arena serves only that arena.  The cockpit's threads each decode
big answers once (the informers' first LISTs, the Prometheus queries and backfill, the recorder's
keyframes) and then little: each arena keeps the peak it once had.  At 5,000 pods that was 33 MiB
of the RSS (260 → 227 MiB, ``bench/app.py``); two arenas is glibc's own advice for such
processes (``mallopt(3)``, ``M_ARENA_MAX``), and what ``MALLOC_ARENA_MAX=2`` sets from outside.
A setting the operator made in the environment wins; elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_ARENA_MAX = -8
"""mallopt's parameter number for the arena limit (glibc's malloc.h)."""
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """True when glibc took the limit; call before the cockpit starts its threads."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt, nothing to tune
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))
