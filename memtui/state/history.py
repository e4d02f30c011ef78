"""Bounded history: fixed-size ring buffers per series, so memtui's own memory stays flat.

An incident can last hours and a namespace can churn through thousands of pods; a dashboard
that grows with either is itself a memory incident.  Each series holds at most ``capacity``
samples in ``array`` buffers (12 bytes a sample).  While a series is young it keeps every
sample; when it fills up before covering ``window`` seconds it halves its resolution (pairs
merged, keeping the peak: for memory the peak is what matters), so a sparkline shows the last
hour at a steady cost.  Series of pods that disappeared are dropped after a grace period.  The
store belongs to the main thread: workers hand over immutable snapshots, never touch it.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from operator import mul, sub
from typing import Protocol, cast

import msgspec

from memtui.state.steps import Steps, exhaust, step_due

REBASE_AFTER = 65536.0
"""Seconds after its base at which a series takes its oldest sample as the new base: the offsets'
resolution stays under 8 ms (a series that never compacts again would keep its first base)."""


class Columns(Protocol):
    """Samples held as two columns, oldest first (``snapshots.Samples``)."""

    def columns(self) -> tuple[Sequence[float], Sequence[float]]: ...


_NO_SAMPLES = array("f")
"""The rings' default before ``__post_init__`` gives each its own pair of buffers."""


class RingSeries(msgspec.Struct, gc=False, eq=False):
    """The recent (time, value) samples of one series, at most ``capacity`` of them.

    A Struct the cyclic collector does not track (``gc=False``; it holds only numbers and two
    arrays, which point at nothing): at 20,000 pods the rows' cache keys and the incident's run
    starts hold a ring each, and a tuple that holds a tracked object stays tracked, so ~60,000
    tuples a refresh went through every middle collection.  ``eq=False``: a ring is itself,
    compared and hashed by identity, as the caches that hold it expect."""

    capacity: int
    window: float = 3600.0
    min_interval: float = 0.0
    _base: float = 0.0
    _newest: float = -math.inf
    """The newest sample's time exactly (what a repeated sample is compared with)."""
    _times: array = _NO_SAMPLES
    """Seconds after ``_base``, in single precision: a quarter millisecond's resolution an hour
    out, and half a double's bytes (40,000 series at 20,000 pods: 29 MiB less)."""
    _values: array = _NO_SAMPLES
    _next: int = 0
    _count: int = 0
    version: int = 0
    """Moves at every change of the samples: what is derived from them is derived again only then."""

    def __post_init__(self) -> None:
        # a new ring gets its buffers; a copy (``copy.deepcopy`` rebuilds a Struct through its
        # constructor: the replay's checkpoints) comes with its own, samples and all
        if self._times is _NO_SAMPLES:
            self._times = array("f", bytes(4 * self.capacity))
        if self._values is _NO_SAMPLES:
            self._values = array("f", bytes(4 * self.capacity))

    def __len__(self) -> int:
        return self._count

    def _index(self, i: int) -> int:
        """Physical index of the i-th oldest sample."""
        return (self._next - self._count + i) % self.capacity

    def append(self, t: float, value: float) -> None:
        if self._count:
            last = (self._next - 1) % self.capacity
            if t <= self._newest:
                return  # same or older sample (a repeated metrics window): keep time monotonic
            if t - self._newest < self.min_interval:
                self._values[last] = max(self._values[last], value)  # same bucket: keep the peak
                self.version += 1
                return
            if self._count == self.capacity and t - self._base - self._times[self._index(0)] < self.window:
                self._compact()
        else:
            self._base = t
        if t - self._base > REBASE_AFTER and self._count and self._times[self._index(0)] > 0.0:
            self._load(self.samples(), newest=self._newest)  # the oldest kept becomes the base
        self._times[self._next] = t - self._base
        self._newest = t
        self._values[self._next] = value
        self._next = (self._next + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)
        self.version += 1

    def _compact(self) -> None:
        """Halve the resolution: merge neighbours, keep each pair's peak at the earlier time."""
        samples = self.samples()
        merged = [
            (samples[i][0], max(v for _, v in samples[i : i + 2])) for i in range(0, len(samples), 2)
        ]
        span = samples[-1][0] - samples[0][0]
        self.min_interval = max(self.min_interval * 2, 2 * span / max(1, len(samples) - 1))
        self._load(merged)

    def _load(self, samples: list[tuple[float, float]], newest: float | None = None) -> None:
        """``newest``: the newest sample's exact time when it is among ``samples`` (read back, it
        may differ by the offsets' rounding, and a repeat of it would be taken as a new sample)."""
        self._load_columns([t for t, _ in samples], [v for _, v in samples], newest)

    def _load_columns(self, times: Sequence[float], values: Sequence[float], newest: float | None = None) -> None:
        """The samples as two columns, oldest first: written with two slice assignments, not an
        item assignment per sample (a backfill loads 20,000 series of 181 samples at once)."""
        times, values = times[-self.capacity :], values[-self.capacity :]
        count = len(times)
        base = self._base = times[0] if count else 0.0
        self._newest = newest if newest is not None else times[-1] if count else -math.inf
        self._times[:count] = array("f", [t - base for t in times])
        self._values[:count] = array("f", values)
        self._count = count
        self._next = count % self.capacity
        self.version += 1

    def values(self) -> tuple[float, ...]:
        return tuple(self._values[self._index(i)] for i in range(self._count))

    def samples(self) -> list[tuple[float, float]]:
        base, times, values = self._base, self._times, self._values
        return [(base + times[j], values[j]) for j in map(self._index, range(self._count))]

    def peak(self) -> tuple[float, float] | None:
        """The highest value and the seconds the samples span, without a list of tuples: an action's
        context takes it for every pod on the main thread (20,000 series on one key)."""
        if not self._count:
            return None
        # below capacity the samples sit at [0, count) (a load or a young series); full, everywhere
        values = self._values if self._count == self.capacity else self._values[: self._count]
        newest = self._times[(self._next - 1) % self.capacity]
        return max(values), float(newest - self._times[self._index(0)])

    def run_start_above(self, threshold: float) -> float | None:
        """``incident.current_run_start`` of these samples, by index on the ring: the incident
        crossing asks it of every pod over the threshold whenever its history moved (17,000 pods
        at 20,000, a generator of tuples each cost 0.12 s of the main thread per refresh)."""
        count = self._count
        if not count:
            return None
        values, capacity = self._values, self.capacity
        newest = (self._next - 1) % capacity
        if not values[newest] > threshold:
            return None
        start, back = newest, 1
        while back < count:
            j = newest - back if newest >= back else newest - back + capacity
            if not values[j] > threshold:
                break
            start, back = j, back + 1
        return self._base + self._times[start]

    def __iter__(self) -> Iterator[tuple[float, float]]:
        """(time, value), oldest first (over a copy: the samples as ``samples()`` reads them)."""
        return iter(self.samples())

    def __reversed__(self) -> Iterator[tuple[float, float]]:
        """(time, value), newest first, lazily: a search that stops at the first sample it wants
        reads only the samples it passes."""
        base, times, values = self._base, self._times, self._values
        for i in range(self._count - 1, -1, -1):
            j = self._index(i)
            yield base + times[j], values[j]

    def last(self) -> float | None:
        return self._values[(self._next - 1) % self.capacity] if self._count else None

    def backfill(self, points: Iterable[tuple[float, float]] | Columns) -> None:
        """Put older samples (e.g. a Prometheus range query) before the live ones.  ``points`` with
        ``columns()`` (``Samples``) are taken as they are, oldest first, without a pair per sample."""
        existing = self.samples()
        first_live = existing[0][0] if existing else math.inf
        columns = getattr(points, "columns", None)  # not isinstance: a runtime Protocol check costs 6 µs
        if columns is not None:
            all_times, all_values = columns()
            older = bisect_left(all_times, first_live)
            times, values = list(all_times[:older]), list(all_values[:older])
        else:
            pairs = sorted((t, v) for t, v in cast(Iterable[tuple[float, float]], points) if t < first_live)
            times, values = [t for t, _ in pairs], [v for _, v in pairs]
        if len(times) >= 2:
            spacing = (times[-1] - times[0]) / (len(times) - 1)
            self.min_interval = max(self.min_interval, spacing * 0.9)
        times.extend(t for t, _ in existing)
        values.extend(v for _, v in existing)
        self._load_columns(times, values, newest=self._newest if existing else None)

    def slope(self, *, window: float, since: float | None = None) -> float | None:
        """Least-squares slope (units per second) over the last ``window`` seconds.

        ``since`` cuts the window at a container start, so a restart's drop to the base line
        does not turn a leak's growth into a "decrease".  Needs three samples spanning at
        least a fifth of the window to say anything.
        """
        if self._count < 3:
            return None
        # on the offsets: the slope is the same, and nothing is added back per sample
        newest = self._times[(self._next - 1) % self.capacity]
        cutoff = newest - window
        if since is not None:
            cutoff = max(cutoff, since - self._base)
        times, values = self._columns()
        first = bisect_left(times, cutoff)  # the times only grow: the window is a tail of the columns
        times, values = times[first:], values[first:]
        if len(times) < 3 or times[-1] - times[0] < window / 5:
            return None
        return column_slope(times, values)

    def _columns(self) -> tuple[array, array]:
        """The offsets and values oldest first, as two arrays sliced out of the ring (no pair per sample)."""
        start, end = (self._next - self._count) % self.capacity, self._next
        if self._count and start >= end:  # wrapped (or full with its oldest at _next)
            return self._times[start:] + self._times[:end], self._values[start:] + self._values[:end]
        return self._times[start:start + self._count], self._values[start:start + self._count]


def pearson(points: Iterable[tuple[float, float]]) -> float | None:
    """Pearson's r of (x, y) points; None when either has no spread.  The fit quality beside
    ``linear_slope`` (r² of the line) and the load/memory correlation of the batch evidence."""
    points = list(points)
    n = len(points)
    if n < 2:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    syy = sum((y - my) ** 2 for _, y in points)
    if sxx <= 0 or syy <= 0:
        return None
    r = sum((x - mx) * (y - my) for x, y in points) / (sxx * syy) ** 0.5
    return r if math.isfinite(r) else None


def linear_slope(points: Iterable[tuple[float, float]]) -> float | None:
    """Least-squares slope of (time, value) points, units per second; None if it is undefined.

    One home for the growth arithmetic: the pods pane's local growth and the effect check's
    growth before/after an action both come from here.
    """
    points = list(points)
    return column_slope([t for t, _ in points], [v for _, v in points])


def column_slope(times: Sequence[float], values: Sequence[float]) -> float | None:
    """``linear_slope`` of two columns, each sum a C loop (``map`` over ``operator``), not a
    generator per sample: the pods pane takes the local growth of 20,000 series per refresh."""
    n = len(times)
    if n < 2:
        return None
    mean_t, mean_v = sum(times) / n, sum(values) / n
    dt = list(map(sub, times, repeat(mean_t)))
    var = sum(map(mul, dt, dt))
    if var == 0:
        return None
    cov = sum(map(mul, dt, map(sub, values, repeat(mean_v))))
    slope = cov / var
    return slope if math.isfinite(slope) else None


class HistoryStore:
    """Ring series keyed by name, with departed series dropped after ``grace`` refreshes."""

    def __init__(self, capacity: int = 180, window: float = 3600.0, grace: int = 30) -> None:
        self.capacity = capacity
        self.window = window
        self.grace = grace
        self._series: dict[str, RingSeries] = {}
        self._missing: dict[str, int] = {}
        self.version = 0
        """Moves when any series changes, appears or goes (the ranking is reused while it stays)."""

    def __len__(self) -> int:
        return len(self._series)

    def __contains__(self, key: str) -> bool:
        return key in self._series

    def get(self, key: str) -> RingSeries | None:
        return self._series.get(key)

    def _series_for(self, key: str) -> RingSeries:
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = RingSeries(self.capacity, self.window)
        return series

    def record(self, samples: Mapping[str, tuple[float, float]]) -> None:
        """Append one refresh of ``{key: (time, value)}``; absent series age towards removal."""
        exhaust(self.record_steps(samples))

    def record_steps(self, samples: Mapping[str, tuple[float, float]]) -> Steps:
        """``record`` in steps of ``FOLD_STEP_PODS`` series (the first listing of 20,000 pods
        creates 20,000 rings: 0.2 s); ``version`` moves at the step that changed a series."""
        changed = False
        for done, (key, (t, value)) in enumerate(samples.items(), 1):
            series = self._series.get(key)
            if series is None:
                series, changed = self._series_for(key), True
            before = series.version
            series.append(t, value)
            changed = changed or series.version != before
            self._missing.pop(key, None)
            if step_due(done):
                if changed:
                    self.version, changed = self.version + 1, False
                yield
        if len(samples) < len(self._series) or self._missing:
            for key in list(self._series):
                if key in samples:
                    continue
                misses = self._missing.get(key, 0) + 1
                if misses > self.grace:
                    del self._series[key]
                    self._missing.pop(key, None)
                    changed = True
                else:
                    self._missing[key] = misses
        if changed:
            self.version += 1

    def backfill(self, key: str, points: Iterable[tuple[float, float]] | Columns) -> None:
        self._series_for(key).backfill(points)
        self.version += 1
