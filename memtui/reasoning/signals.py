"""The shape of a pod's memory history, as the runbook's causes leave it.

* model loading: steps up of about one model's size that stay (a copy loaded, never unloaded);
* large batches: spikes that rise and fall back within a sample or two;
* leak: steady growth of the baseline (the troughs between spikes) over the container's life,
  resuming after each restart: a sawtooth of OOM kills, each life growing alike;
* cache bloat grows steadily too: it is told apart by where the bytes are (``du``, page cache),
  not by the shape.

Pure functions over (unix time, bytes) samples, oldest first; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from memtui.state.history import linear_slope, pearson

MiB = 1024 * 1024
GiB = 1024 * MiB

Samples = Sequence[tuple[float, float]]


@dataclass(frozen=True, slots=True)
class Fit:
    """A least-squares line through samples: slope (bytes/s), how well it fits, over how long."""

    slope: float
    r2: float
    span: float
    points: int
    rise: float
    """Fitted growth over the span (slope x span), bytes."""


def fit_line(samples: Samples) -> Fit | None:
    """The least-squares line through ``samples`` (``state.history``'s slope) and its r²."""
    n = len(samples)
    if n < 3:
        return None
    slope = linear_slope(samples)
    if slope is None:
        return None
    r = pearson(samples)
    r2 = r * r if r is not None else 0.0
    span = samples[-1][0] - samples[0][0]
    return Fit(slope, r2, span, n, slope * span)


def jump_threshold(limit: float | None) -> float:
    """A rise counts as a step or a spike from this size: well above noise (tens of MiB)."""
    return max(512 * MiB, 0.05 * limit) if limit else 512 * MiB


@dataclass(frozen=True, slots=True)
class Jumps:
    steps: tuple[float, ...]
    """Rises that stayed (bytes each)."""
    spikes: tuple[float, ...]
    """Rises that fell back within two samples (bytes each)."""


def jumps(samples: Samples, *, threshold: float) -> Jumps:
    """Rises of at least ``threshold`` between neighbours, sorted into steps (the level stays for
    the next two samples) and spikes (it falls back at least halfway within two samples).  A rise
    with fewer than two samples after it is not judged yet."""
    values = [v for _, v in samples]
    steps: list[float] = []
    spikes: list[float] = []
    for i in range(1, len(values) - 2):
        before, rise = values[i - 1], values[i] - values[i - 1]
        if rise < threshold:
            continue
        after = values[i + 1 : i + 3]
        if min(after) < before + 0.5 * rise:
            spikes.append(rise)
        elif min(after) >= before + 0.7 * rise:
            steps.append(rise)
    return Jumps(tuple(steps), tuple(spikes))


def baseline(samples: Samples, *, radius: int = 2) -> list[tuple[float, float]]:
    """The troughs: each sample replaced by the least of its neighbourhood, so a spike lasting a
    sample or two does not lift the line a leak draws underneath."""
    values = [v for _, v in samples]
    n = len(values)
    return [(samples[i][0], min(values[max(0, i - radius) : min(n, i + radius + 1)])) for i in range(n)]


def lives(samples: Samples, *, drop: float = 0.3) -> list[list[tuple[float, float]]]:
    """Split a history at restarts: a fall of more than ``drop`` below the recent troughs (or to
    nothing) is an OOM kill and a new container; a spike falling back only returns to the troughs."""
    out: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for t, v in samples:
        if current and (v <= 0 or v < (1.0 - drop) * min(value for _, value in current[-3:])):
            out.append(current)
            current = []
        if v > 0:
            current.append((t, v))
    if current:
        out.append(current)
    return out


@dataclass(frozen=True, slots=True)
class Shape:
    """What a pod's history says, over its current life and the lives before it in the window."""

    span: float
    """Seconds of history in the current life."""
    points: int
    steps: tuple[float, ...]
    spikes: tuple[float, ...]
    growth: Fit | None
    """The baseline's line over the current life."""
    growing_lives: int
    """Earlier lives in the window whose baseline grew steadily too (a leak's sawtooth)."""
    earlier_lives: int


def steady(fit: Fit | None, *, min_rate: float = 20 * MiB / 60.0, min_r2: float = 0.8, min_span: float = 60.0) -> bool:
    return fit is not None and fit.slope >= min_rate and fit.r2 >= min_r2 and fit.span >= min_span


def shape(samples: Samples, *, since: float | None, limit: float | None) -> Shape:
    """The shape of one pod's history; ``since`` is the current container's start (unix time)."""
    threshold = jump_threshold(limit)
    parts = lives(samples)
    # the last life by the samples themselves, not only by ``since``: a backfill's dead container
    # lingers for Prometheus's lookback (5 min) after its restart, at the level it died at
    current = parts[-1] if parts else []
    if since is not None:
        current = [p for p in current if p[0] >= since]
    earlier = [part for part in parts[:-1] if len(part) >= 2]
    found = jumps(current, threshold=threshold)
    growth = fit_line(baseline(current)) if len(current) >= 3 else None
    growing = sum(1 for part in earlier if len(part) >= 6 and steady(fit_line(baseline(part)), min_span=300.0)
                  and not jumps(part, threshold=threshold).steps)
    span = current[-1][0] - current[0][0] if len(current) >= 2 else 0.0
    return Shape(span, len(current), found.steps, found.spikes, growth, growing, len(earlier))
