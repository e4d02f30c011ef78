"""The cockpit's state on the main thread: history, OOM ledger, incident clock, and the rows.

Workers deliver ``KubeSnapshot``s; ``CockpitState.apply`` folds each into bounded history and
derives what the widgets draw (``PodRow``s, the incident status).  No Textual import here, so
the logic is tested without a screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from memtui.history import HistoryStore
from memtui.incident import IncidentClock, IncidentStatus
from memtui.oom_ledger import OomLedger
from memtui.snapshots import KubeEvent, KubeSnapshot, PodState

GROWTH_WINDOW_SECONDS = 120.0
"""Growth is the least-squares slope over this window (of the current container's life)."""

SORT_KEYS = ("memory", "percent", "growth", "restarts", "name", "age")


@dataclass(frozen=True, slots=True)
class PodRow:
    """One line of the pods pane, everything precomputed so rendering is only formatting."""

    name: str
    status_text: str
    ready_text: str
    restarts: int
    last_reason: str | None
    last_terminated_at: datetime | None
    oom_kills_seen: int
    working_set: int | None
    limit: int | None
    over_threshold: bool
    trend: tuple[float, ...]
    growth_per_minute: float | None
    seconds_to_oom: float | None
    created_at: datetime | None
    node: str | None

    @property
    def percent(self) -> float | None:
        if self.working_set is None or not self.limit:
            return None
        return 100.0 * self.working_set / self.limit


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """How one source is doing: fine since ``last_ok``, or stale since then with ``error``."""

    name: str
    last_ok: datetime | None = None
    error: str | None = None
    detail: str = ""

    @property
    def stale(self) -> bool:
        return self.error is not None


@dataclass(slots=True)
class CockpitState:
    threshold_bytes: int
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    history: HistoryStore = field(default_factory=HistoryStore)
    ledger: OomLedger = field(default_factory=OomLedger)
    incident_clock: IncidentClock = field(default_factory=IncidentClock)
    snapshot: KubeSnapshot | None = None
    incident: IncidentStatus = field(default_factory=lambda: IncidentStatus(None, "", 0, 0))
    kube_health: SourceHealth = field(default_factory=lambda: SourceHealth("kubernetes"))
    metrics_health: SourceHealth = field(default_factory=lambda: SourceHealth("metrics API"))
    _rows: tuple[PodRow, ...] = ()

    def apply(self, snapshot: KubeSnapshot) -> None:
        """Fold one successful refresh into history and derived rows."""
        now = self.clock()
        self.snapshot = snapshot
        self.kube_health = SourceHealth(
            "kubernetes",
            last_ok=now,
            error=snapshot.events_error,
            detail=f"{snapshot.request_count} requests, {snapshot.duration_seconds * 1000:.0f} ms",
        )
        if snapshot.metrics_error:
            self.metrics_health = SourceHealth(
                "metrics API", last_ok=self.metrics_health.last_ok, error=snapshot.metrics_error
            )
        else:
            self.metrics_health = SourceHealth("metrics API", last_ok=now)
        # Samples carry the metrics API's own timestamps (metrics-server refreshes every
        # 15-60 s); the ring skips repeats, so polling faster adds no fake points.
        self.history.record(
            {
                name: ((usage.timestamp or snapshot.taken_at).timestamp(), float(usage.working_set_bytes))
                for name, usage in snapshot.usage.items()
            }
        )
        self.ledger.observe(snapshot.pods, snapshot.events)
        self._rows = tuple(self._row(pod) for pod in snapshot.pods)
        over = sum(1 for row in self._rows if row.over_threshold)
        self.incident = self.incident_clock.observe(
            now, pods_over=over, pods_total=len(self._rows), oom_times=self.ledger.times()
        )

    def fail(self, reason: str) -> None:
        """A refresh failed: keep the last data, mark the source stale with the reason."""
        self.kube_health = SourceHealth("kubernetes", last_ok=self.kube_health.last_ok, error=reason)

    def _row(self, pod: PodState) -> PodRow:
        usage = self.snapshot.usage.get(pod.name) if self.snapshot else None
        working_set = usage.working_set_bytes if usage else None
        limit = pod.memory_limit_bytes
        series = self.history.get(pod.name)
        started = pod.container_started_at
        growth = None
        if series is not None:
            slope = series.slope(
                window=GROWTH_WINDOW_SECONDS, since=started.timestamp() if started else None
            )
            growth = None if slope is None else slope * 60.0
        to_oom = None
        if growth and growth > 0 and limit and working_set is not None:
            to_oom = max(0.0, (limit - working_set) / (growth / 60.0))
        reason, when = pod.last_termination
        return PodRow(
            name=pod.name,
            status_text=pod.status_text,
            ready_text=pod.ready_text,
            restarts=pod.restarts,
            last_reason=reason,
            last_terminated_at=when,
            oom_kills_seen=self.ledger.count_for(pod.name),
            working_set=working_set,
            limit=limit,
            over_threshold=working_set is not None and working_set > self.threshold_bytes,
            trend=series.values() if series is not None else (),
            growth_per_minute=growth,
            seconds_to_oom=to_oom,
            created_at=pod.created_at,
            node=pod.node,
        )

    @property
    def rows(self) -> tuple[PodRow, ...]:
        return self._rows

    def events(self) -> tuple[KubeEvent, ...]:
        """Events newest first."""
        if self.snapshot is None:
            return ()
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        return tuple(sorted(self.snapshot.events, key=lambda e: e.last_seen or epoch, reverse=True))


def sort_rows(rows: tuple[PodRow, ...], key: str) -> tuple[PodRow, ...]:
    """Highest first for figures, A–Z for names, oldest first for age; unknowns last."""
    if key == "name":
        return tuple(sorted(rows, key=lambda r: r.name))
    if key == "age":
        far = datetime.max.replace(tzinfo=timezone.utc)
        return tuple(sorted(rows, key=lambda r: (r.created_at or far, r.name)))
    value: Callable[[PodRow], float | None] = {
        "memory": lambda r: r.working_set,
        "percent": lambda r: r.percent,
        "growth": lambda r: r.growth_per_minute,
        "restarts": lambda r: r.restarts,
    }[key]
    return tuple(
        sorted(rows, key=lambda r: (value(r) is None, -(value(r) or 0.0), r.name))
    )


def filter_rows(rows: tuple[PodRow, ...], text: str) -> tuple[PodRow, ...]:
    """k9s-style filter: a case-insensitive regular expression on name and status.

    Text that is not a valid expression is matched literally, so typing ``[`` never errors.
    """
    if not text:
        return rows
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error:
        pattern = re.compile(re.escape(text), re.IGNORECASE)
    return tuple(
        r for r in rows if pattern.search(r.name) or pattern.search(r.status_text) or (r.last_reason and pattern.search(r.last_reason))
    )
