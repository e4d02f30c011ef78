"""A fold's steps, timed one by one: the benches' one wrapper of ``MemtuiApp._fold_steps``.

Each step's wall time (what a key pressed meanwhile waits for) and its main-thread CPU (wall
minus that is other threads holding the GIL: a worker's decode, a collection they set off)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator


def timed_steps(steps: Iterator[None], took: Callable[[float, float], None]) -> Iterator[None]:
    """``steps``, with ``took(wall, cpu)`` called after each one."""
    while True:
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        try:
            next(steps)
        except StopIteration:
            return
        finally:
            took(time.perf_counter() - wall0, time.thread_time() - cpu0)
        yield
