"""What a fix did to the forecast: growth and time to OOM before the action, next to the same
figures measured after it once enough points exist ("+171 → +9 MiB/min, OOM ~32 min → none in 24 h").

"Before" is what the operator was looking at when the action ran (the pods rows: growth and
forecast of the pods the action touches).  "After" is a slope over memtui's own samples of those
pods taken after the action, and only of each container's current life (a restart's drop to the
base line is no trend).  *Enough* is ``MIN_POINTS_AFTER`` samples spanning ``MIN_SPAN_AFTER_S``:
metrics-server refreshes a working set every 15 s, so two minutes is eight fresh readings, and a
slope over less is noise (a GC's drop or a new pod's first load would read as the new trend).
Until then the change says it is measuring, and how far it has got.

The pods an action is about: the pods it names, and every pod of the deployments it acts on
as a whole (a rollout renames the pods: the new ones are measured).  The worst of them counts:
the fastest growth and the soonest OOM, as in the header.  Pure: no I/O, no Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from memtui.state.history import linear_slope
from memtui.state.snapshots import PodState
from memtui.state.units import format_rate

MIN_POINTS_AFTER = 5
"""Samples after the action (of one pod's current container) before its new trend is shown."""
MIN_SPAN_AFTER_S = 120.0
"""...and how long those samples must span."""
HORIZON_S = 24 * 3600.0
"""An OOM further away than this (or no growth at all) is "none in 24 h"."""

Samples = Sequence[tuple[float, float]]
"""(unix time, working set bytes), oldest first."""


@dataclass(frozen=True, slots=True)
class Trend:
    growth_per_minute: float | None
    """Bytes per minute, the fastest-growing pod; None: not known."""
    seconds_to_oom: float | None
    """Seconds until the first pod reaches its limit; None: none within ``HORIZON_S``."""


@dataclass(frozen=True, slots=True)
class ForecastWatch:
    """An action whose effect on the forecast is being watched (kept from when it ran)."""

    label: str
    """How the operator knows it: "Force GC in selected pod (G)"."""
    at: datetime
    before: Trend
    pods: frozenset[str] = frozenset()
    """The pods it names."""
    deployments: frozenset[str] = frozenset()
    """Deployments it acts on as a whole: their pods now (new ones included) are measured."""
    owners: frozenset[str] = frozenset()
    """Deployments of the pods it names: a pod of theirs created after the action stands in for a
    named pod that was replaced ("delete the worst pod": its replacement is what the fix gave)."""

    def covers(self, pod: PodState) -> bool:
        if pod.name in self.pods or (pod.owner is not None and pod.owner in self.deployments):
            return True
        return (pod.owner is not None and pod.owner in self.owners and pod.created_at is not None
                and pod.created_at > self.at)


@dataclass(frozen=True, slots=True)
class ForecastChange:
    label: str
    at: datetime
    before: Trend
    after: Trend | None
    """None until ``MIN_POINTS_AFTER`` samples spanning ``MIN_SPAN_AFTER_S`` exist."""
    points_after: int
    span_after_s: float

    @property
    def measured(self) -> bool:
        return self.after is not None

    def text(self) -> str:
        """``+171 → +9 MiB/min, OOM ~32 min → none in 24 h`` (or what is still being measured)."""
        before = self.before
        if self.after is None:
            return (f"{format_rate(before.growth_per_minute)}, OOM {describe_oom(before.seconds_to_oom)} → measuring "
                    f"({min(self.points_after, MIN_POINTS_AFTER)}/{MIN_POINTS_AFTER} points, "
                    f"{min(self.span_after_s, MIN_SPAN_AFTER_S):.0f}/{MIN_SPAN_AFTER_S:.0f} s)")
        return (f"{rate_pair(before.growth_per_minute, self.after.growth_per_minute)}, "
                f"OOM {describe_oom(before.seconds_to_oom)} → {describe_oom(self.after.seconds_to_oom)}")


def describe_oom(seconds: float | None) -> str:
    """``~32 min``, ``~3.5 h``, or ``none in 24 h`` (no growth, or further than the horizon)."""
    if seconds is None or seconds > HORIZON_S:
        return "none in 24 h"
    minutes = seconds / 60
    if minutes < 120:
        return f"~{max(1, round(minutes))} min"
    return f"~{minutes / 60:.1f} h"


def rate_pair(before: float | None, after: float | None) -> str:
    """``+171 → +9 MiB/min``: the unit once when both sides share it."""
    a, b = format_rate(before), format_rate(after)
    unit = " " + b.split(" ", 1)[1] if " " in b else ""
    if unit and a.endswith(unit):
        a = a[: -len(unit)]
    return f"{a} → {b}"


def trend_before(rows: Sequence[object], watch_pods: Callable[[str], bool]) -> Trend:
    """The trend the operator saw for the pods an action is about: the fastest growth and the
    soonest OOM among those rows (``PodRow``-like: ``name``, ``growth_per_minute``, ``seconds_to_oom``)."""
    chosen = [r for r in rows if watch_pods(r.name)]  # type: ignore[attr-defined]
    growths = [r.growth_per_minute for r in chosen if r.growth_per_minute is not None]  # type: ignore[attr-defined]
    ooms = [r.seconds_to_oom for r in chosen if r.seconds_to_oom is not None]  # type: ignore[attr-defined]
    return Trend(max(growths) if growths else None, min(ooms) if ooms else None)


def forecast_change(watch: ForecastWatch, pods: Sequence[PodState], samples: Mapping[str, Samples],
                    ) -> ForecastChange:
    """``watch``'s action's before and after, from the pods listed now and memtui's samples of them."""
    at = watch.at.timestamp()
    growths: list[float] = []
    ooms: list[float] = []
    best_points, best_span = 0, 0.0
    for pod in pods:
        if not watch.covers(pod) or pod.status_text == "Terminating":
            continue
        started = pod.container_started_at.timestamp() if pod.container_started_at else None
        since = max(at, started) if started is not None else at
        points = [(t, v) for t, v in samples.get(pod.name, ()) if t > since]
        span = points[-1][0] - points[0][0] if len(points) > 1 else 0.0
        if (len(points), span) > (best_points, best_span):
            best_points, best_span = len(points), span
        if len(points) < MIN_POINTS_AFTER or span < MIN_SPAN_AFTER_S:
            continue
        slope = linear_slope(points)  # bytes per second
        if slope is None:
            continue
        growths.append(slope * 60.0)
        limit = pod.memory_limit_bytes
        if slope > 0 and limit:
            oom = max(0.0, (limit - points[-1][1]) / slope)
            if oom <= HORIZON_S:
                ooms.append(oom)
    after = Trend(max(growths), min(ooms) if ooms else None) if growths else None
    return ForecastChange(watch.label, watch.at, watch.before, after, best_points, best_span)
