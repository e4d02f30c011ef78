"""Folds on the main thread one after another, a long one in slices with the event loop between.

At 20,000 pods a fold is 0.3 s (a metrics scrape moves every row) to 1.6 s (the first listing)
of the main thread, and a key pressed meanwhile waited for all of it (bench/app.py: the filter's
p99 was 384 ms).  A fold here is an iterator of steps (``CockpitState.apply_steps`` yields after
each ``FOLD_STEP_PODS`` pods, then the app ranks and draws).  Steps are taken for ``slice_s``;
if the fold is not done, the event loop gets ``rest_s`` before the next slice.  A fold done
within its first slice (every fold of a namespace below ``FOLD_STEP_PODS`` pods: its steps
yield nowhere) ends before ``put`` returns, as it always did.
Folds put while one is in slices wait behind it: snapshots still fold in the order they came,
one at a time, and nobody folds into a state between two steps of another fold.

A key (or a click) makes the next slice wait ``quiet_s``: the key's dispatch and its repaint take
several turns of the loop and 10-40 ms of drawing, and a slice between two of those turns made
the filter's p50 at 20,000 pods 97 ms.  A fold waits at most ``quiet_at_most_s`` in a row, so a
held-down ``j`` does not keep the pods' figures from coming in.

The state stays on the main thread: a worker thread would hold the GIL for the same pure-Python
work, and widgets would read a state another thread writes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator

from textual.timer import Timer

SLICE_SECONDS = 0.025
"""The main thread's time for folds before the event loop gets a turn (a key waits at most this
plus one step, about 15 ms at 20,000 pods)."""
REST_SECONDS = 0.002
"""The event loop's turn between two slices: enough for a key to come in (``note_input`` then
holds the next slice for ``QUIET_SECONDS``); 8 ms made the first 5,000-pod listing 0.2 s later."""
QUIET_SECONDS = 0.06
"""After a key, the time before the next slice (the key's answer is drawn meanwhile)."""
QUIET_AT_MOST_SECONDS = 0.3
"""The longest a fold in slices waits in a row while keys keep coming."""

Later = Callable[[float, Callable[[], None]], Timer]


class FoldQueue:
    """Steps of folds, taken in order, in slices of at most about ``slice_s`` seconds."""

    def __init__(self, later: Later, *, slice_s: float = SLICE_SECONDS, rest_s: float = REST_SECONDS,
                 quiet_s: float = QUIET_SECONDS, quiet_at_most_s: float = QUIET_AT_MOST_SECONDS,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        """``later(delay, callback)``: the app's ``set_timer`` (a failing step reaches the app's
        exception handler, as one in a message handler does)."""
        self._later, self._slice, self._rest, self._clock = later, slice_s, rest_s, clock
        self._quiet, self._quiet_at_most = quiet_s, quiet_at_most_s
        self._quiet_until = -1.0
        self._waiting_since: float | None = None
        """When the fold in slices began to wait for keys (None: it is not waiting)."""
        self._folds: deque[Iterator[None]] = deque()
        self._timer: Timer | None = None
        self._resumed: Iterator[None] | None = None
        """The fold that went on in a later slice (counted once in ``sliced``)."""
        self.longest_slice = 0.0
        """The longest the main thread spent in one slice (what a key may have waited for)."""
        self.sliced = 0
        """Folds that did not end within their first slice."""

    def __len__(self) -> int:
        return len(self._folds)

    @property
    def busy(self) -> bool:
        """A fold is in slices (the state may be between two of its steps)."""
        return bool(self._folds)

    def put(self, steps: Iterator[None]) -> None:
        """Fold ``steps`` now if nothing is in slices, else after what is."""
        self._folds.append(steps)
        if len(self._folds) == 1:
            self._slice_now()

    def note_input(self) -> None:
        """A key or a click came: the next slice waits ``quiet_s`` (not a fold that ``put`` takes
        at once: one that ends within its first slice ends there, as it always did)."""
        self._quiet_until = self._clock() + self._quiet

    def _resume(self) -> None:
        """The timer's: the next slice, unless a key came just now (then a little later)."""
        self._timer = None
        now = self._clock()
        if now < self._quiet_until:
            if self._waiting_since is None:
                self._waiting_since = now
            give_up_at = self._waiting_since + self._quiet_at_most
            if now < give_up_at:
                self._timer = self._later(min(self._quiet_until, give_up_at) - now, self._resume)
                return
        self._waiting_since = None
        self._slice_now()

    def _slice_now(self) -> None:
        started = self._clock()
        deadline = started + self._slice
        try:
            while self._folds:
                steps = self._folds[0]
                for _ in steps:
                    if self._clock() >= deadline:
                        if steps is not self._resumed:
                            self._resumed, self.sliced = steps, self.sliced + 1
                        self._timer = self._later(self._rest, self._resume)
                        return
                self._folds.popleft()
        except BaseException:
            self._folds.popleft()  # a fold that failed is not taken up again
            raise
        finally:
            self.longest_slice = max(self.longest_slice, self._clock() - started)

    def stop(self) -> None:
        """Drop what waits (the app is closing)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._folds.clear()
