"""Bounded history: fixed-size ring buffers per series, so memtui's own memory stays flat.

An incident can last hours and a namespace can churn through thousands of pods; a dashboard
that grows with either is itself a memory incident.  Values live in ``array`` buffers (4 bytes
a sample), series of pods that disappeared are dropped after a grace period, and the store
belongs to the main thread: workers hand over immutable snapshots, never touch these buffers.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping


class RingSeries:
    """The last ``capacity`` (time, value) samples of one series."""

    __slots__ = ("capacity", "_times", "_values", "_next", "_count")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._times = array("d", bytes(8 * capacity))
        self._values = array("f", bytes(4 * capacity))
        self._next = 0
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, t: float, value: float) -> None:
        if self._count and t <= self._times[(self._next - 1) % self.capacity]:
            return  # same or older sample (a repeated metrics window): keep time monotonic
        self._times[self._next] = t
        self._values[self._next] = value
        self._next = (self._next + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)

    def _indices(self) -> Iterable[int]:
        start = (self._next - self._count) % self.capacity
        return ((start + i) % self.capacity for i in range(self._count))

    def values(self) -> tuple[float, ...]:
        return tuple(self._values[i] for i in self._indices())

    def samples(self) -> tuple[tuple[float, float], ...]:
        return tuple((self._times[i], self._values[i]) for i in self._indices())

    def last(self) -> float | None:
        return self._values[(self._next - 1) % self.capacity] if self._count else None

    def slope(self, *, window: float, since: float | None = None) -> float | None:
        """Least-squares slope (units per second) over the last ``window`` seconds.

        ``since`` cuts the window at a container start, so a restart's drop to the base line
        does not turn a leak's growth into a "decrease".  Needs three samples spanning at
        least a fifth of the window to say anything.
        """
        if self._count < 3:
            return None
        newest = self._times[(self._next - 1) % self.capacity]
        cutoff = newest - window
        if since is not None:
            cutoff = max(cutoff, since)
        points = [(t, v) for t, v in self.samples() if t >= cutoff]
        if len(points) < 3 or points[-1][0] - points[0][0] < window / 5:
            return None
        n = len(points)
        mean_t = sum(t for t, _ in points) / n
        mean_v = sum(v for _, v in points) / n
        var = sum((t - mean_t) ** 2 for t, _ in points)
        if var == 0:
            return None
        cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
        slope = cov / var
        return slope if math.isfinite(slope) else None


class HistoryStore:
    """Ring series keyed by name, with departed series dropped after ``grace`` refreshes."""

    def __init__(self, capacity: int = 180, grace: int = 30) -> None:
        self.capacity = capacity
        self.grace = grace
        self._series: dict[str, RingSeries] = {}
        self._missing: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._series)

    def __contains__(self, key: str) -> bool:
        return key in self._series

    def get(self, key: str) -> RingSeries | None:
        return self._series.get(key)

    def record(self, samples: Mapping[str, tuple[float, float]]) -> None:
        """Append one refresh of ``{key: (time, value)}``; absent series age towards removal."""
        for key, (t, value) in samples.items():
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = RingSeries(self.capacity)
            series.append(t, value)
            self._missing.pop(key, None)
        for key in list(self._series):
            if key in samples:
                continue
            misses = self._missing.get(key, 0) + 1
            if misses > self.grace:
                del self._series[key]
                self._missing.pop(key, None)
            else:
                self._missing[key] = misses

    def backfill(self, key: str, points: Iterable[tuple[float, float]]) -> None:
        """Load older samples (e.g. from Prometheus) before live ones arrive."""
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = RingSeries(self.capacity)
        existing = series.samples()
        merged = sorted({t: v for t, v in [*points, *existing]}.items())[-self.capacity :]
        fresh = RingSeries(self.capacity)
        for t, v in merged:
            fresh.append(t, v)
        self._series[key] = fresh
