"""The cockpit's state on the main thread: history, OOM ledger, incident clock, and the rows.

Workers deliver snapshots (Kubernetes, Prometheus, Redis, GPU); ``CockpitState`` folds each into
bounded history and derives what the widgets draw.  No Textual import here, so the logic is
tested without a screen.  The pods LIST is the backbone: a pod exists when the API says so;
Prometheus adds the working-set split, the ``deriv()`` growth and the OOM forecast.

A fold can be taken in steps (``apply_steps``): at 20,000 pods one is 0.3-1.6 s of the main
thread, and the app answers keys between its steps.  What the widgets read (the listing, the
rows) is swapped in at the last step, so between steps they see the last fold's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, ClassVar, TypeVar

from memtui.state.history import HistoryStore, RingSeries
from memtui.state.incident import IncidentClock, IncidentStatus, current_run_start, earliest_start
from memtui.state.oom_ledger import OomKill, OomLedger
from memtui.state.records import UntrackedRecord
from memtui.state.steps import Steps, exhaust, step_due
from memtui.state.snapshots import (
    AlertSnapshot,
    BackfillSnapshot,
    EvidenceSnapshot,
    FiringAlert,
    GpuSnapshot,
    GpuUsage,
    KubeEvent,
    KubeSnapshot,
    ListProgress,
    NodeSnapshot,
    PodState,
    PodTrend,
    PodUsage,
    PrometheusSnapshot,
    RedisStats,
    TeamChange,
    TeamSnapshot,
)

T = TypeVar("T")

GROWTH_WINDOW_SECONDS = 120.0
"""Local growth (without Prometheus) is the least-squares slope over this window."""

SORT_KEYS = ("memory", "percent", "forecast", "growth", "restarts", "name", "age")

SOURCES = ("kubernetes", "metrics API", "prometheus", "redis", "gpu")
"""The health entries every cockpit has, in the header's order (a new source's is added by ``expect``)."""

DCGM_VIA_PROMETHEUS = "DCGM via Prometheus"
"""The GPU source label when GPU figures are DCGM series read from Prometheus."""
TEAM_CHANGES_KEPT = 200
"""The team's changes kept on the state (newest): an incident's worth, bounded like the history."""
DISK_READINGS = 6
"""``du`` readings kept per sampled pod: enough to tell a cache that grows from one that holds still."""


class PodRow(UntrackedRecord, frozen=True, eq=False):
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
    growth_per_minute: float | None
    growth_source: str
    """``deriv`` (Prometheus, current container life) or ``local`` (memtui's own samples)."""
    seconds_to_oom: float | None
    created_at: datetime | None
    node: str | None
    rss: float | None = None
    cache: float | None = None
    usage: float | None = None
    """Working set plus inactive page cache (``container_memory_usage_bytes``)."""
    oom_within_2h: bool = False
    gpu: GpuUsage | None = None
    series: RingSeries | None = None
    """The pod's history ring; read on the main thread at render time, only for visible rows.
    Not part of a row's equality: two rows that say the same are equal whichever ring they read."""

    def __eq__(self, other: object) -> bool:
        return type(other) is PodRow and self._said() == other._said()

    def __hash__(self) -> int:
        return hash(self._said())

    def _said(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _ROW_SAYS)

    @property
    def percent(self) -> float | None:
        if self.working_set is None or not self.limit:
            return None
        return 100.0 * self.working_set / self.limit

    @property
    def trend(self) -> tuple[float, ...]:
        return self.series.values() if self.series is not None else ()


_ROW_SAYS = tuple(name for name in PodRow.__struct_fields__ if name != "series")
"""The fields a row's equality compares: all but the ring it reads its trend from."""


class OomSummary(UntrackedRecord, frozen=True):
    """OOM kills of one pod this incident, including pods a rollout has since replaced."""

    pod: str
    kills: int
    last: datetime | None
    gone: bool
    sources: tuple[str, ...]
    latest: OomKill | None = None
    """The pod's latest kill (its container and classification)."""


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """How one source is doing: fine since ``last_ok``, stale since then with ``error``, or off."""

    name: str
    last_ok: datetime | None = None
    error: str | None = None
    detail: str = ""
    enabled: bool = True

    @property
    def stale(self) -> bool:
        return self.enabled and self.error is not None


@dataclass(frozen=True, slots=True)
class ConfigPatch:
    """A ConfigMap patch whose keys ``deployment``'s pods read only at start (env from the ConfigMap)."""

    configmap: str
    deployment: str
    keys: tuple[str, ...]
    patched_at: datetime


@dataclass(frozen=True, slots=True)
class RestartPending:
    """Keys patched into a ConfigMap that some running pods have not read yet: they started before
    the patch, so they still run with the old values until a rollout (or a restart) replaces them."""

    deployment: str
    keys: tuple[str, ...]
    pods_waiting: int
    pods_total: int


@dataclass(slots=True)
class CockpitState:
    threshold_bytes: int
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    history: HistoryStore = field(default_factory=HistoryStore)
    gpu_history: HistoryStore = field(default_factory=HistoryStore)
    redis_history: RingSeries = field(default_factory=lambda: RingSeries(180))
    ledger: OomLedger = field(default_factory=OomLedger)
    incident_clock: IncidentClock = field(default_factory=IncidentClock)
    snapshot: KubeSnapshot | None = None
    pods_loading: ListProgress | None = None
    """The first LIST of pods while it is under way (a ``loading`` snapshot's progress); None once
    the pods are known."""
    prometheus: PrometheusSnapshot | None = None
    redis: RedisStats | None = None
    alerts: AlertSnapshot | None = None
    """Alertmanager's last answer: the firing MemoryUsageHigh alerts of the namespace."""
    gpu: dict[str, GpuUsage] = field(default_factory=dict)
    gpu_source: str = ""
    incident: IncidentStatus = field(default_factory=lambda: IncidentStatus(None, "", 0, 0))
    health: dict[str, SourceHealth] = field(default_factory=lambda: {name: SourceHealth(name) for name in SOURCES})
    config_patches: list[ConfigPatch] = field(default_factory=list)
    """Patches of start-read keys not yet picked up by every pod (dropped once they are)."""
    evidence: EvidenceSnapshot | None = None
    """The last evidence gathering (logs and ``du`` of the representative pods), for the ranking."""
    disk_readings: dict[str, tuple[tuple[float, tuple[tuple[str, int], ...]], ...]] = field(default_factory=dict)
    """Per sampled pod, its last ``DISK_READINGS`` ``du`` readings as (unix time, (path, bytes)…)."""
    team_changes: tuple[TeamChange, ...] = ()
    """The namespace's changes this memtui did not make, oldest first, de-duplicated, the last
    ``TEAM_CHANGES_KEPT``."""
    team_error: str | None = None
    """Why some of the team's changes cannot be seen (e.g. "configmaps: forbidden (RBAC)")."""
    own_intents: frozenset[str] = frozenset()
    """This session's own actions (audit intent ids): the team source leaves their Events out."""
    _rows: tuple[PodRow, ...] = ()
    _row_inputs: dict[str, tuple[Any, ...]] = field(default_factory=dict, repr=False)
    """Per pod, what its row was derived from (``_row_of`` holds the row): an unchanged pod keeps
    its row object.  Two flat maps, not a (inputs, row) pair per pod: a tuple inside a tuple stays
    tracked by the cyclic collector one collection longer than the inner one (CPython untracks the
    inner first), so 20,000 such pairs a refresh went through a middle collection."""
    _row_of: dict[str, PodRow] = field(default_factory=dict, repr=False)
    _noted_trends: dict[str, PodTrend] | None = field(default=None, repr=False)
    """The Prometheus trends whose "OOMKilled within 2 h" pods the ledger has noted."""
    _derived: dict[str, tuple[Any, Any]] = field(default_factory=dict, repr=False)
    """Derived views (OOM summary, events newest first) by what they were derived from."""
    _run_starts: dict[str, tuple[RingSeries, int, float, float | None]] = field(default_factory=dict, repr=False)
    """Per pod over the threshold: its series, the series' version, the threshold, its current run start."""

    def __post_init__(self) -> None:
        self.ledger.pod_history = self.history.get  # "working set just before" a kill memtui missed

    # -- sources ----------------------------------------------------------------------------

    def expect(self, source: str) -> None:
        """A source this session reads (or shows as off): it gets a health entry from the start."""
        self.health.setdefault(source, SourceHealth(source))

    def disable(self, source: str, why: str) -> None:
        """A source that is not configured: shown as off, with how to turn it on."""
        self.health[source] = SourceHealth(source, error=None, detail=why, enabled=False)

    def ok(self, source: str, detail: str = "") -> None:
        self.health[source] = SourceHealth(source, last_ok=self.clock(), detail=detail)

    def fail(self, source: str, reason: str) -> None:
        """A refresh failed: keep the last data, mark the source stale with the reason.

        Health follows where figures come from: GPU figures read from Prometheus (DCGM) are as
        stale as Prometheus is, whatever the GPU poller says."""
        previous = self.health.get(source, SourceHealth(source))
        self.health[source] = SourceHealth(source, last_ok=previous.last_ok, error=reason, detail=previous.detail)
        if source == "prometheus" and self.gpu_source == DCGM_VIA_PROMETHEUS:
            self.fail("gpu", f"Prometheus: {reason}")
        if source in ("alertmanager", "prometheus"):
            self._observe_incident()  # a stale alert source no longer dates the incident

    def health_with_notes(self, source: str, *others: str) -> SourceHealth:
        """``source``'s health with what is stale among ``others`` added to its detail.

        For a pane whose own source is live while some of its figures come from elsewhere (the
        pods pane's RSS, cache, growth and forecast columns come from Prometheus): the pane is not
        stale, but the reason those columns are old is on it, one key-free glance away."""
        health = self.health[source]
        notes = [f"{other.name} stale: {other.error}" for other in (self.health[n] for n in others) if other.stale]
        if not notes:
            return health
        return replace(health, detail=" · ".join(([health.detail] if health.detail else []) + notes))

    _APPLY: ClassVar[dict[type, str]] = {
        KubeSnapshot: "_kube_steps",
        PrometheusSnapshot: "_prometheus_steps",
        BackfillSnapshot: "_backfill_steps",
        RedisStats: "apply_redis",
        GpuSnapshot: "_gpu_steps",
        NodeSnapshot: "_nodes_steps",
        EvidenceSnapshot: "apply_evidence",
        AlertSnapshot: "apply_alerts",
        TeamSnapshot: "apply_team",
    }
    """Which method folds each snapshot type (one entry per source's snapshot); a method that
    returns steps (an iterator) folds in steps."""

    def apply(self, snapshot: Any) -> None:
        """Fold one successful poll's snapshot, whichever source it came from (by its type)."""
        exhaust(self.apply_steps(snapshot))

    def apply_steps(self, snapshot: Any) -> Steps:
        """``apply`` in steps: it yields after each ``FOLD_STEP_PODS`` pods of its long loops.

        Between two steps the caller may let other main-thread code run (a key), which reads the
        last fold's rows and listing; it must not fold another snapshot before this one's last
        step (the app queues them, ``ui/folding.py``)."""
        method = self._APPLY.get(type(snapshot))
        if method is None:
            raise TypeError(f"no CockpitState method folds a {type(snapshot).__name__}")
        steps = getattr(self, method)(snapshot)
        if steps is None:
            return
        stepped = False
        for _ in steps:
            stepped = True
            yield
        if stepped:
            # a view the side panel draws, derived here as a step of its own: at 20,000 pods
            # with 18,000 of them killed the OOM summary is 0.13-0.15 s (cached until it moves)
            yield from self._oom_summary_steps()

    def apply_kube(self, snapshot: KubeSnapshot) -> None:
        """Fold one successful Kubernetes refresh into history and derived rows."""
        exhaust(self._kube_steps(snapshot))

    def _kube_steps(self, snapshot: KubeSnapshot) -> Steps:
        if snapshot.loading is not None:  # the first LIST still under way: its progress, nothing to fold
            self.pods_loading = snapshot.loading
            return
        previous = self.snapshot
        if snapshot.metrics_error and previous is not None:
            # keep the last known figures on screen (the pane says they are stale) rather than
            # blanking every pod's memory because one API hiccuped
            snapshot = replace(snapshot, usage=previous.usage)
        plural = "" if snapshot.request_count == 1 else "s"
        detail = f"{snapshot.request_count} request{plural}, {snapshot.duration_seconds * 1000:.0f} ms"
        self.ok("kubernetes", detail)
        if snapshot.events_error:
            self.fail("kubernetes", snapshot.events_error)
        if snapshot.metrics_error:
            self.fail("metrics API", snapshot.metrics_error)
        else:
            self.ok("metrics API")
        if (previous is not None and snapshot.pods is previous.pods and snapshot.usage is previous.usage
                and snapshot.events is previous.events):
            # the source hands over the very same pods, figures and events when nothing changed
            # (most refreshes: metrics-server scrapes every 15-60 s): nothing to fold, no row to
            # derive again (at 5,000 pods that walk cost 150 ms per refresh); only the clock moves
            self.snapshot, self.pods_loading = snapshot, None
            self._observe_incident()
            return
        # Samples carry the metrics API's own timestamps (metrics-server refreshes every
        # 15-60 s); the ring skips repeats, so polling faster adds no fake points.
        yield from self.history.record_steps(
            {
                name: ((usage.timestamp or snapshot.taken_at).timestamp(), float(usage.working_set_bytes))
                for name, usage in snapshot.usage.items()
            }
        )
        yield from self.ledger.observe_steps(snapshot.pods, snapshot.events, snapshot.usage, snapshot.taken_at)
        yield from self._rebuild_steps(snapshot)  # the listing goes in with its rows
        self.pods_loading = None
        self._forget_picked_up_patches()

    def apply_prometheus(self, snapshot: PrometheusSnapshot) -> None:
        exhaust(self._prometheus_steps(snapshot))

    def _prometheus_steps(self, snapshot: PrometheusSnapshot) -> Steps:
        previous, gpu = self.prometheus, self.gpu
        self.prometheus = snapshot
        self.ok("prometheus", snapshot.summary)
        if snapshot.gpu:
            yield from self._take_gpu_steps(snapshot.gpu, DCGM_VIA_PROMETHEUS)
        elif self.gpu_source == DCGM_VIA_PROMETHEUS:
            self.fail("gpu", f"{DCGM_VIA_PROMETHEUS}: {snapshot.gpu_error or 'no DCGM_FI_DEV_FB_USED series any more'}")
        if previous is not None and snapshot.pods is previous.pods and self.gpu is gpu:
            # the source hands over the very same trends and GPU figures while Prometheus has not
            # scraped since: no row to derive again, only the incident clock (its alerts) moves
            self._observe_incident()
            return
        yield from self._rebuild_steps()

    def backfill(self, snapshot: BackfillSnapshot) -> None:
        """Older samples from Prometheus, put before the live ones."""
        exhaust(self._backfill_steps(snapshot))

    def _backfill_steps(self, snapshot: BackfillSnapshot) -> Steps:
        for history, series in ((self.history, snapshot.memory), (self.gpu_history, snapshot.gpu)):
            for done, (pod, points) in enumerate(series.items(), 1):
                history.backfill(pod, points)
                if step_due(done):
                    yield
        yield from self._rebuild_steps()

    def apply_nodes(self, snapshot: NodeSnapshot) -> None:
        """The pods' nodes' MemoryPressure and SystemOOM events: evidence for the OOM ledger's classes.

        No health entry of its own: what it may not read (a 403) is a fact the details screen
        shows, not a stale source (``NodeSource.fetch`` never fails)."""
        exhaust(self._nodes_steps(snapshot))

    def _nodes_steps(self, snapshot: NodeSnapshot) -> Steps:
        before = self.ledger.version
        yield from self.ledger.observe_nodes_steps(snapshot)
        if self.ledger.version != before:  # a kill classified again: its pod's count may move
            yield from self._rebuild_steps()

    def apply_alerts(self, snapshot: AlertSnapshot) -> None:
        self.alerts = snapshot
        count = len(snapshot.alerts)
        self.ok("alertmanager", f"{count} firing alert{'' if count == 1 else 's'}, {snapshot.duration_seconds * 1000:.0f} ms")
        self._observe_incident()

    def apply_redis(self, stats: RedisStats) -> None:
        self.redis = stats
        self.redis_history.append(stats.taken_at.timestamp(), float(stats.used_memory))
        self.ok("redis", stats.source)

    def apply_evidence(self, snapshot: EvidenceSnapshot) -> None:
        """Keep the gathering; its failures are the ranking's gaps, not a pane's staleness."""
        self.evidence = snapshot
        at = snapshot.taken_at.timestamp()
        sampled = {pod.pod for pod in snapshot.pods}
        readings = {pod: kept for pod, kept in self.disk_readings.items() if pod in sampled}
        for pod in snapshot.pods:
            if pod.disk:
                readings[pod.pod] = (readings.get(pod.pod, ()) + ((at, pod.disk),))[-DISK_READINGS:]
        self.disk_readings = readings

    def apply_gpu(self, snapshot: GpuSnapshot) -> None:
        exhaust(self._gpu_steps(snapshot))

    def _gpu_steps(self, snapshot: GpuSnapshot) -> Steps:
        yield from self._take_gpu_steps(snapshot.usage, snapshot.source)

    def note_own_action(self, intent_id: str) -> None:
        """An action this session ran: its ``MemtuiAction`` Event is not the team's."""
        self.own_intents = self.own_intents | {intent_id}

    def apply_team(self, snapshot: TeamSnapshot) -> None:
        """Add the team's new changes (a change already kept, by ``key``, is not added twice: a
        re-listed watch or a replayed frame may deliver it again)."""
        self.team_error = snapshot.error
        if not snapshot.changes:
            return
        seen = {c.key for c in self.team_changes if c.key}
        fresh = []
        for change in snapshot.changes:
            if change.key and change.key in seen:
                continue
            seen.add(change.key)
            fresh.append(change)
        if fresh:
            merged = sorted((*self.team_changes, *fresh), key=lambda c: c.at)
            self.team_changes = tuple(merged[-TEAM_CHANGES_KEPT:])

    def _take_gpu_steps(self, usage: dict[str, GpuUsage], source: str) -> Steps:
        """The GPUs' figures (DCGM's come with Prometheus's answer: 20,000 at 20,000 pods)."""
        now = self.clock().timestamp()
        yield from self.gpu_history.record_steps({key: (now, value.used_mib) for key, value in usage.items()})
        self.gpu = usage
        self.gpu_source = source
        self.ok("gpu", source)

    def note_config_patch(self, configmap: str, deployment: str, keys: tuple[str, ...], at: datetime) -> None:
        """A ConfigMap patch of keys that ``deployment``'s pods read only at start was applied at ``at``."""
        if keys:
            self.config_patches.append(ConfigPatch(configmap, deployment, tuple(keys), at))

    def restart_pending(self) -> tuple[RestartPending, ...]:
        """Per deployment, the patched start-read keys its live pods have not all picked up.

        A pod has picked a patch up when its containers started after it (a rollout replaced it,
        or a container restarted: env is resolved at every container start).  Patches every pod
        has picked up are forgotten when the next snapshot is applied, so a later restart of old
        pods cannot bring them back.
        """
        if self.snapshot is None:
            return tuple(RestartPending(p.deployment, p.keys, 0, 0) for p in self.config_patches)
        pending: dict[str, tuple[set[str], set[str], int]] = {}
        for patch in self.config_patches:
            live, waiting = self._waiting_for(patch)
            if not waiting and live:
                continue
            keys, names, _ = pending.get(patch.deployment, (set(), set(), 0))
            pending[patch.deployment] = (keys | set(patch.keys), names | waiting, len(live))
        return tuple(RestartPending(dep, tuple(sorted(keys)), len(names), total)
                     for dep, (keys, names, total) in sorted(pending.items()))

    def _waiting_for(self, patch: ConfigPatch) -> tuple[list, set[str]]:
        """The deployment's live pods, and the names of those whose containers started before ``patch``."""
        assert self.snapshot is not None
        live = [p for p in self.snapshot.pods if p.owner == patch.deployment and p.status_text != "Terminating"]
        waiting = {p.name for p in live if p.container_started_at is None or p.container_started_at < patch.patched_at}
        return live, waiting

    def _forget_picked_up_patches(self) -> None:
        """Drop patches every live pod has picked up, once per snapshot (not at each render)."""
        kept = []
        for patch in self.config_patches:
            live, waiting = self._waiting_for(patch)
            if waiting or not live:
                kept.append(patch)
        self.config_patches = kept

    # -- derived ----------------------------------------------------------------------------

    def _rebuild_steps(self, listing: KubeSnapshot | None = None) -> Steps:
        """The rows again, from ``listing`` (a new one, which goes in with them) or the last one.

        Yields after each ``FOLD_STEP_PODS`` pods; ``rows`` and ``snapshot`` change together at the
        end, so what is read between two steps is the last fold's."""
        snapshot = listing if listing is not None else self.snapshot
        if snapshot is None:
            return
        trends = self.prometheus.pods if self.prometheus is not None else {}
        if trends is not self._noted_trends:
            # once per new set of trends, and only with a listing: before it, every pod Prometheus
            # saw killed would be summed up as gone (``_oom_summary``) for the first second
            self._noted_trends = trends
            for pod, seen in trends.items():
                if seen.oom_within_2h:
                    self.ledger.note_pod(pod, "prometheus")
        usage, history, count_for, gpu = snapshot.usage, self.history, self.ledger.count_for, self.gpu
        known, known_rows, inputs, row_of = self._row_inputs, self._row_of, {}, {}
        rows = []
        for done, listed in enumerate(snapshot.pods, 1):
            # every input of ``_row``: a pod whose inputs are the same keeps its row object
            name = listed.name
            series, trend = history.get(name), trends.get(name)
            kills = count_for(name)
            key = (listed, usage.get(name), trend, series, series.version if series is not None else -1,
                   kills, gpu.get(name))
            old = known.get(name)
            if old is not None and old == key:
                row = known_rows[name]
            else:  # the same pod object (only its figures moved): its listing's facts from its last row
                row = self._row(listed, usage.get(name), trend, kills,
                                known_rows[name] if old is not None and old[0] is listed else None)
            inputs[name], row_of[name] = key, row
            rows.append(row)
            if step_due(done):
                yield
        self.snapshot = snapshot
        self._row_inputs, self._row_of = inputs, row_of
        if len(rows) != len(self._rows) or any(a is not b for a, b in zip(rows, self._rows)):
            self._rows = tuple(rows)  # else the same tuple: what is derived from it is kept
        self._observe_incident()

    def _fresh(self, source: str) -> bool:
        health = self.health.get(source)
        return health is not None and health.enabled and not health.stale and health.last_ok is not None

    def firing_alerts(self) -> tuple[tuple[FiringAlert, ...], str]:
        """(the firing alerts, where from): Alertmanager's while it answers, else Prometheus's
        ``ALERTS_FOR_STATE`` while it answers, else none."""
        if self.alerts is not None and self._fresh("alertmanager") and self.alerts.alerts:
            return self.alerts.alerts, "alertmanager"
        prometheus = self.prometheus
        if prometheus is not None and self._fresh("prometheus") and not prometheus.alerts_error and prometheus.alerts_for_state:
            return prometheus.alerts_for_state, "prometheus"
        return (), ""

    def _observe_incident(self) -> None:
        """The incident clock on the strongest basis there is now (``memtui.state.incident``)."""
        rows, threshold = self._rows, self.threshold_bytes
        cached = self._derived.get("crossing")
        if cached is not None and cached[0][0] is rows and cached[0][1] == threshold:
            pods_over, crossing = cached[1]
        else:
            over_rows = [row for row in rows if row.over_threshold]
            pods_over, crossing = len(over_rows), earliest_start(self._run_start(row) for row in over_rows)
            self._derived["crossing"] = ((rows, threshold), (pods_over, crossing))
        alerts, where = self.firing_alerts()
        starts = [a.starts_at for a in alerts if a.starts_at is not None]
        earliest = min(starts) if starts else None
        self.incident = self.incident_clock.observe(
            self.clock(), pods_over=pods_over, pods_total=len(rows),
            alertmanager=earliest if where == "alertmanager" else None,
            alerts_for_state=earliest if where == "prometheus" else None,
            crossing=crossing, alerts=tuple(sorted(alerts, key=_alert_order)),
        )

    def _run_start(self, row: PodRow) -> float | None:
        """When ``row``'s pod went over the threshold this time, read again only when its history
        changed (thousands of pods over it at every refresh otherwise read their whole history)."""
        series = row.series
        if series is None:
            return None
        threshold = float(self.threshold_bytes)
        cached = self._run_starts.get(row.name)
        if cached is not None and cached[0] is series and cached[1:3] == (series.version, threshold):
            return cached[3]
        start = current_run_start(series, threshold)
        self._run_starts[row.name] = (series, series.version, threshold, start)
        if len(self._run_starts) > 2 * len(self._rows) + 100:  # pods that went: forget them
            self._run_starts = {r.name: self._run_starts[r.name] for r in self._rows if r.name in self._run_starts}
        return start

    def _row(self, pod: PodState, usage: PodUsage | None, trend: PodTrend | None, kills: int,
             listed: PodRow | None = None) -> PodRow:
        """``listed``: the pod's last row when it was derived from this very ``pod`` object: what
        comes from the listing alone is taken from it (at 20,000 pods every metrics scrape moves
        every row, while their listing stays the same objects)."""
        working_set = usage.working_set_bytes if usage else None
        if working_set is None and trend is not None and trend.working_set is not None:
            working_set = int(trend.working_set)
        limit = pod.memory_limit_bytes if listed is None else listed.limit
        series = self.history.get(pod.name)
        growth, source, to_oom = None, "local", None
        if trend is not None and trend.growth_per_second is not None:
            growth, source = trend.growth_per_second * 60.0, "deriv"
            to_oom = trend.seconds_to_oom
        elif series is not None:
            started = pod.container_started_at
            slope = series.slope(window=GROWTH_WINDOW_SECONDS, since=started.timestamp() if started else None)
            growth = None if slope is None else slope * 60.0
        if to_oom is None and growth and growth > 0 and limit and working_set is not None:
            to_oom = max(0.0, (limit - working_set) / (growth / 60.0))
        if listed is None:
            ready_text, restarts, (reason, when) = pod.ready_text, pod.restarts, pod.last_termination
        else:
            ready_text, restarts, reason, when = listed.ready_text, listed.restarts, listed.last_reason, listed.last_terminated_at
        return PodRow(
            name=pod.name,
            status_text=pod.status_text,
            ready_text=ready_text,
            restarts=restarts,
            last_reason=reason,
            last_terminated_at=when,
            oom_kills_seen=kills,
            working_set=working_set,
            limit=limit,
            over_threshold=working_set is not None and working_set > self.threshold_bytes,
            growth_per_minute=growth,
            growth_source=source,
            seconds_to_oom=to_oom,
            created_at=pod.created_at,
            node=pod.node,
            rss=trend.rss if trend else None,
            cache=trend.cache if trend else None,
            usage=trend.usage if trend else None,
            oom_within_2h=bool(trend and trend.oom_within_2h),
            gpu=self.gpu.get(pod.name),
            series=series,
        )

    @property
    def rows(self) -> tuple[PodRow, ...]:
        return self._rows

    def _derive(self, name: str, key: object, derive: Callable[[], T], version: int = 0) -> T:
        """``derive()`` again only when ``key`` is not the very object it was derived from last
        (or ``version``, a history's, moved): the header and the GPU pane are drawn at every
        source's refresh (Redis every 2 s), and walking 5,000 rows or GPUs for each draw cost
        20 ms of the main thread while nothing changed."""
        cached = self._derived.get(name)
        if cached is not None and cached[0][0] is key and cached[0][1] == version:
            return cached[1]
        value = derive()
        self._derived[name] = ((key, version), value)
        return value

    def rows_by_name(self) -> Mapping[str, PodRow]:
        """The rows by pod name (built once per rebuild, not per question)."""
        rows = self._rows
        return self._derive("rows_by_name", rows, lambda: {row.name: row for row in rows})

    def pods_by_name(self) -> Mapping[str, PodState]:
        """The listing's pods by name (built once per listing)."""
        pods = self.snapshot.pods if self.snapshot is not None else ()
        return self._derive("pods_by_name", pods, lambda: {pod.name: pod for pod in pods})

    def next_oom(self) -> PodRow | None:
        """The pod whose forecast OOM comes first, if any is within the hour."""
        def first() -> PodRow | None:
            soon = [(r.seconds_to_oom, r) for r in self._rows
                    if r.seconds_to_oom is not None and r.seconds_to_oom <= 3600]
            return min(soon, key=lambda pair: pair[0])[1] if soon else None
        return self._derive("next_oom", self._rows, first)

    def oom_summary(self) -> tuple[OomSummary, ...]:
        """Every pod memtui knows was OOMKilled, most recent first; survives rollouts and event expiry.

        Derived again only when the ledger or the pods listing changed (it is drawn at every refresh)."""
        exhaust(self._oom_summary_steps())
        return self._derived["oom_summary"][1]

    def _oom_summary_steps(self) -> Steps:
        """The summary derived again if it moved, in steps (at 20,000 pods with 18,000 of them
        killed it is 0.13-0.15 s): a fold in steps derives it as its last steps."""
        pods, version = (self.snapshot.pods if self.snapshot else None), self.ledger.version
        cached = self._derived.get("oom_summary")
        if cached is not None and cached[0][0] is pods and cached[0][1] == version:
            return
        live = {pod.name for pod in pods} if pods is not None else set()
        grouped: dict[str, list] = {}
        for kill in self.ledger.kills():
            grouped.setdefault(kill.pod, []).append(kill)
        yield
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        summaries = []
        for done, (pod, kills) in enumerate(grouped.items(), 1):
            if step_due(done):
                yield
            times = [k.finished_at for k in kills if k.finished_at is not None]
            summaries.append(
                OomSummary(
                    pod=pod,
                    kills=len(kills),
                    last=max(times) if times else None,
                    gone=pod not in live,
                    sources=tuple(sorted({k.source for k in kills})),
                    latest=max(kills, key=lambda k: k.finished_at or epoch),
                )
            )
        self._derived["oom_summary"] = ((pods, version), tuple(sorted(summaries, key=lambda s: s.last or epoch, reverse=True)))

    def events(self) -> tuple[KubeEvent, ...]:
        """Events newest first (sorted again only when the listing changed)."""
        if self.snapshot is None:
            return ()
        events = self.snapshot.events
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        return self._derive("events", events, lambda: tuple(sorted(events, key=lambda e: e.last_seen or epoch, reverse=True)))

    def gpu_rows(self) -> tuple[GpuUsage, ...]:
        gpu = self.gpu
        return self._derive("gpu_rows", gpu, lambda: tuple(sorted(gpu.values(), key=lambda g: -(g.percent or 0.0))))

    def gpu_trends(self) -> Mapping[str, tuple[float, ...]]:
        """The GPU pane's sparklines: history of each GPU shown now, read for the GPUs the pane
        draws (a few lines) when it draws them, not for every GPU at every refresh; the same
        object while neither the GPUs nor their history changed."""
        gpu, history = self.gpu, self.gpu_history
        return self._derive("gpu_trends", gpu, lambda: _Trends(history, frozenset(k for k in gpu if k in history)),
                            version=history.version)


class _Trends(Mapping[str, tuple[float, ...]]):
    """Series values by key, read from the history when looked up."""

    def __init__(self, history: HistoryStore, keys: frozenset[str]) -> None:
        self._history, self._keys = history, keys

    def __getitem__(self, key: str) -> tuple[float, ...]:
        series = self._history.get(key) if key in self._keys else None
        if series is None:
            raise KeyError(key)
        return series.values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _alert_order(alert: FiringAlert) -> tuple[bool, float, str]:
    """Earliest first, alerts without a start last, then by pod."""
    return (alert.starts_at is None, alert.starts_at.timestamp() if alert.starts_at else 0.0, alert.pod or "")


def sort_rows(rows: tuple[PodRow, ...], key: str) -> tuple[PodRow, ...]:
    """Highest first for figures, soonest first for forecasts, A–Z for names, oldest first for age.

    Each order is one key function reading the row's fields once (20,000 rows are sorted per
    refresh: a generic key that looked each figure up twice through a lambda cost twice as much)."""
    return tuple(sorted(rows, key=_SORT_KEY_FUNCTIONS[key]))


_FAR = datetime.max.replace(tzinfo=timezone.utc)


def _by_name(r: PodRow) -> str:
    return r.name


def _by_age(r: PodRow) -> tuple[datetime, str]:
    return (r.created_at or _FAR, r.name)


def _by_forecast(r: PodRow) -> tuple[bool, float, str]:
    seconds = r.seconds_to_oom
    return (seconds is None, seconds or 0.0, r.name)


def _by_memory(r: PodRow) -> tuple[bool, float, str]:
    value = r.working_set
    return (value is None, -(value or 0.0), r.name)


def _by_percent(r: PodRow) -> tuple[bool, float, str]:
    value = r.percent
    return (value is None, -(value or 0.0), r.name)


def _by_growth(r: PodRow) -> tuple[bool, float, str]:
    value = r.growth_per_minute
    return (value is None, -(value or 0.0), r.name)


def _by_restarts(r: PodRow) -> tuple[bool, float, str]:
    return (False, -r.restarts, r.name)


_SORT_KEY_FUNCTIONS: dict[str, Callable[[PodRow], Any]] = {
    "memory": _by_memory, "percent": _by_percent, "forecast": _by_forecast, "growth": _by_growth,
    "restarts": _by_restarts, "name": _by_name, "age": _by_age,
}


def filter_rows(rows: tuple[PodRow, ...], text: str) -> tuple[PodRow, ...]:
    """k9s-style filter: a case-insensitive regular expression on name, status and last exit.

    Text that is not a valid expression is matched literally, so typing ``[`` never errors.
    """
    if not text:
        return rows
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error:
        pattern = re.compile(re.escape(text), re.IGNORECASE)
    return tuple(
        r
        for r in rows
        if pattern.search(r.name) or pattern.search(r.status_text) or (r.last_reason and pattern.search(r.last_reason))
    )
