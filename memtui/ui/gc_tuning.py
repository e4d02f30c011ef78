"""Python's cyclic garbage collector, tuned for a cockpit that holds a big namespace in memory.

At 5,000 pods the cockpit's long-lived state (the pods' rows and histories, the ledger, the
widgets, Textual's own tree) is hundreds of thousands of tracked objects, and each refresh
allocates tens of thousands more.  With CPython's default thresholds (700, 10, 10) a young
collection ran every few hundred allocations and a full one every few refreshes, each full one
traversing all of that state again: about 140 ms of the main thread per refresh
(``bench/main_thread.py`` prints it as "GC ms/refresh").

Four levers, the first two the ones large Python services use (Instagram's ``gc.freeze``,
CPython docs):

* higher thresholds: a young collection per ``YOUNG_THRESHOLD`` allocations, and fewer older
  ones; most of memtui's garbage has no cycles and is freed by reference counting anyway;
* ``gc.freeze()`` once the first full listing is folded: what exists then (modules, widgets, the
  first listing's state) moves to the permanent generation and no later collection walks it.
  A ``gc.collect()`` just before it frees what is already garbage, so nothing dead is frozen.
  Once more, without a collection, after the backfill: the histories the first metrics made
  (``after_backfill``).
  Frozen objects are still freed by reference counting when the next snapshot replaces them;
  only a cycle among them that dies later stays (a bounded, one-off amount);
* less cyclic garbage: Textual's ``Strip.divide`` made nearly every painted line a strip that holds
  itself, so only a middle collection freed it (``strip_cycles``); each restyle (``/``, a modal)
  dropped a node per component class, a cycle of 40 objects (``component_styles``);
* fewer tracked objects: each painted line made seven caches, most never used (``strip_caches``).
"""

from __future__ import annotations

import gc
import time

from memtui.process_memory import release_free_heap
from memtui.ui import component_styles, strip_caches, strip_cycles

YOUNG_THRESHOLD = 50_000
"""Allocations (minus deallocations) of tracked objects between two young collections.  20,000
was tried: headless at 20,000 pods the longest young pause fell from 51 to 32 ms
(``bench/main_thread.py --young``), but in the whole app middle collections came 3-5 times
while keys were timed instead of once, and at 5,000 pods the first refresh took 0.33-0.39× kubectl
(goal 0.35×) and the launch 0.57-0.58× (goal 0.5×), against 0.25× and 0.45× at 50,000 in the
same hour."""
OLDER_THRESHOLDS = (20, 20)
"""Young collections per middle one, middle ones per full one (CPython's default: 10, 10)."""
TRIM_EVERY_SECONDS = 20.0
"""The steady refreshes' free heap handed back at most this often.  Each refresh decodes a full
answer and drops the last; glibc keeps the freed pages, so the RSS crept back by 22 MiB within a
minute of the first trim at 5,000 pods (186 → 208 MiB).  A trim costs a few milliseconds."""


class CollectorTuning:
    """Raises the thresholds when the app starts, freezes the heap after the first full load and
    again after the backfill; hands the free heap back after each of them and then now and then
    (``process_memory``)."""

    def __init__(self, trim_every: float = TRIM_EVERY_SECONDS) -> None:
        self.frozen = False
        self._before: tuple[int, int, int] | None = None
        self.trim_every = trim_every
        self.heap_trims = 0
        """Times the free heap was handed back (``process_memory.release_free_heap``)."""
        self.heap_trim_seconds = 0.0
        """What those trims cost, all together (the bench prints it per trim)."""
        self._last_trim = 0.0

    def start(self) -> None:
        strip_cycles.install()
        strip_caches.install()
        component_styles.install()
        self._before = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)

    def stop(self) -> None:
        """The app quit: the collector as it was (a process that runs several apps, as tests do)."""
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
        if self._before is not None:
            gc.set_threshold(*self._before)
            self._before = None

    def after_fold(self, still_loading: bool) -> None:
        """Called after each fold: the first one that is not a partial listing freezes the heap;
        later ones hand the free heap back every ``trim_every`` seconds."""
        if still_loading:
            return
        if self.frozen:
            if time.monotonic() - self._last_trim >= self.trim_every:
                self._release_heap()
            return
        self.frozen = True
        gc.collect()
        gc.freeze()
        self._release_heap()  # what decoding the first listing freed

    def after_backfill(self) -> None:
        """The hour's backfill is folded: its decoded samples are freed, hand their pages back;
        and freeze again what the first metrics made after the first freeze.

        At 20,000 pods the first full listing is folded before its metrics, so the histories'
        rings (two tracked ``array``s a pod: 39,982) were made after the freeze, and the first
        middle collection among keys walked them (run H of issue 11: 104,210 objects, 56-100 ms).
        A freeze costs microseconds; the ``gc.collect()`` before the first one would cost a full
        collection here (74-88 ms), so this one goes without: what it keeps of the cyclic garbage
        alive now stays for the session, 264 objects at 5,000 pods (``DEBUG_SAVEALL``), once."""
        if self.frozen:
            gc.freeze()
        self._release_heap()

    def _release_heap(self) -> None:
        started = time.perf_counter()
        release_free_heap()
        self._last_trim = time.monotonic()
        self.heap_trims += 1
        self.heap_trim_seconds += time.perf_counter() - started
