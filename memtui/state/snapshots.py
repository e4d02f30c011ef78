"""Immutable snapshots handed from collector workers to the UI.

Workers build these off the event loop and post them; widgets only read them.  Keeping them
frozen (and made of tuples) is what lets a thread hand them over without locks.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from memtui.state.records import UntrackedRecord


class ContainerState(UntrackedRecord, frozen=True):
    """One container of a pod, as the pod list reports it."""

    name: str
    ready: bool
    restarts: int
    state: str
    """``running``, ``waiting`` or ``terminated``."""
    state_reason: str | None
    """e.g. ``CrashLoopBackOff`` or ``ContainerCreating`` while waiting."""
    last_termination_reason: str | None
    """``OOMKilled``, ``Error``, ``Completed``… from ``lastState.terminated``."""
    last_terminated_at: datetime | None
    started_at: datetime | None
    memory_limit_bytes: int | None
    memory_request_bytes: int | None
    gpu_limit: int = 0
    """``nvidia.com/gpu`` in the container's limits."""
    last_exit_code: int | None = None
    """``lastState.terminated.exitCode``: 137 is SIGKILL (an OOM kill, a failed liveness probe, an eviction)."""
    terminated_exit_code: int | None = None
    """``state.terminated.exitCode`` while the container is terminated now (an evicted pod's containers)."""
    terminated_at: datetime | None = None
    """``state.terminated.finishedAt``."""


class PodState(UntrackedRecord, frozen=True):
    """A pod as the pods LIST returned it: identity, health and memory limits."""

    name: str
    namespace: str
    uid: str
    phase: str
    status_text: str
    """What ``kubectl get pods`` prints in STATUS (Running, OOMKilled, CrashLoopBackOff, Terminating…)."""
    created_at: datetime | None
    node: str | None
    owner: str | None
    """The owning workload (Deployment name when owned through a ReplicaSet)."""
    containers: tuple[ContainerState, ...]
    reason: str | None = None
    """``status.reason``: ``Evicted`` when the kubelet evicted the pod (kubectl may print ``Error``)."""
    message: str | None = None
    """``status.message``: for an eviction, which resource ran low and what each container used."""

    @property
    def ready_count(self) -> int:
        return sum(1 for c in self.containers if c.ready)

    @property
    def ready_text(self) -> str:
        return f"{self.ready_count}/{len(self.containers)}"

    @property
    def restarts(self) -> int:
        return sum(c.restarts for c in self.containers)

    @property
    def memory_limit_bytes(self) -> int | None:
        """The pod's memory limit: the sum of its containers', or None if any is unlimited."""
        limits = [c.memory_limit_bytes for c in self.containers]
        if not limits or any(limit is None for limit in limits):
            return None
        return sum(limits)  # type: ignore[arg-type]

    @property
    def last_termination(self) -> tuple[str | None, datetime | None]:
        """The most recent termination among the containers (reason, time)."""
        best: tuple[str | None, datetime | None] = (None, None)
        for c in self.containers:
            if c.last_termination_reason is None:
                continue
            if best[1] is None or (c.last_terminated_at and c.last_terminated_at > best[1]):
                best = (c.last_termination_reason, c.last_terminated_at)
        return best

    @property
    def gpus(self) -> int:
        return sum(c.gpu_limit for c in self.containers)

    @property
    def container_started_at(self) -> datetime | None:
        """When the current life of the pod's containers began (the latest container start)."""
        starts = [c.started_at for c in self.containers if c.started_at is not None]
        return max(starts) if starts else None


class ContainerUsage(UntrackedRecord, frozen=True, array_like=True):
    """One container's working set in a pod's metrics.

    A record, not a (name, bytes) pair: the collector untracks a tuple only once what it holds is
    untracked, and a pod's pairs were found so only after their pod's tuple had been looked at, so
    every pod's tuple of pairs went on to the middle generation at each metrics refresh (20,000 at
    20,000 pods).  ``array_like``: it is written as the pair was, ``[name, bytes]``, so recordings
    made before read the same."""

    name: str
    working_set_bytes: int


class PodUsage(UntrackedRecord, frozen=True):
    """Memory usage of one pod from the metrics API (metrics-server reports the working set)."""

    pod: str
    working_set_bytes: int
    containers: tuple[ContainerUsage, ...] = ()
    window_seconds: float | None = None
    timestamp: datetime | None = None


class KubeEvent(UntrackedRecord, frozen=True):
    """A namespace event, as ``kubectl get events`` shows it."""

    last_seen: datetime | None
    type: str
    reason: str
    object_kind: str
    object_name: str
    message: str
    count: int
    uid: str = ""
    field_path: str = ""
    """``involvedObject.fieldPath``: ``spec.containers{name}`` when the event is about one container."""


@dataclass(frozen=True, slots=True)
class ListProgress:
    """How far a paged LIST has come: at 20,000 pods the first one takes seconds, and a pane that
    says "page 12, 6,000 pods" is not mistaken for a hung cockpit."""

    resource: str
    """``pods``, ``events``…"""
    pages: int
    items: int
    """Items received so far (all of them once ``done``)."""
    seconds: float
    """Since the LIST's first request."""
    done: bool = False


@dataclass(frozen=True, slots=True)
class KubeSnapshot:
    """Everything one Kubernetes refresh produced, with what could not be read."""

    taken_at: datetime
    pods: tuple[PodState, ...]
    usage: dict[str, PodUsage]
    events: tuple[KubeEvent, ...]
    metrics_error: str | None = None
    """Set when the metrics API failed while the pod list succeeded."""
    events_error: str | None = None
    request_count: int = 0
    duration_seconds: float = 0.0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    loading: ListProgress | None = None
    """Set while the first LIST of pods is still under way: then ``pods``, ``usage`` and ``events``
    are empty, and this is all there is to show (the cockpit folds nothing from it)."""

    @property
    def partial(self) -> bool:
        """A loading snapshot: the poller asks again at once (``ui/polling``)."""
        return self.loading is not None


class NodeState(UntrackedRecord, frozen=True):
    """One node the namespace's pods run on: its memory condition and size.  Untracked: one per
    node per nodes refresh, 2,500 of them in the middle generation's census at 20,000 pods."""

    name: str
    memory_pressure: bool | None
    """The ``MemoryPressure`` condition: True, False, or None when the node does not report it."""
    pressure_since: datetime | None = None
    """The condition's ``lastTransitionTime``."""
    allocatable_memory: int | None = None
    capacity_memory: int | None = None


@dataclass(frozen=True, slots=True)
class NodeSnapshot:
    """The pods' nodes' conditions and their ``SystemOOM`` events, or why they cannot be read.

    Nodes are cluster-scoped: an on-call Role bound in one namespace often may not read them, and
    that is a fact to show ("node conditions: forbidden"), not a failure of the pods pane."""

    taken_at: datetime
    nodes: dict[str, NodeState]
    system_ooms: tuple[KubeEvent, ...] = ()
    nodes_error: str | None = None
    events_error: str | None = None
    request_count: int = 0


@dataclass(frozen=True, slots=True)
class RedisKeyspace:
    db: str
    keys: int
    expires: int
    avg_ttl_ms: int = 0


@dataclass(frozen=True, slots=True)
class RedisStats:
    """What ``INFO`` says about Redis memory and eviction, from redis-py or ``redis-cli`` via exec."""

    taken_at: datetime
    source: str
    """``redis://host:port/db`` (password redacted) or ``exec redis-cli in pod/x``."""
    used_memory: int
    used_memory_rss: int
    used_memory_peak: int
    fragmentation_ratio: float | None
    maxmemory: int
    maxmemory_policy: str
    evicted_keys: int
    expired_keys: int
    keyspace_hits: int
    keyspace_misses: int
    keyspace: tuple[RedisKeyspace, ...]
    version: str = ""

    @property
    def hit_rate(self) -> float | None:
        total = self.keyspace_hits + self.keyspace_misses
        return None if total == 0 else self.keyspace_hits / total

    @property
    def total_keys(self) -> int:
        return sum(db.keys for db in self.keyspace)

    @property
    def warnings(self) -> tuple[str, ...]:
        """The runbook's cache-bloat cause, spelt out: nothing will ever be evicted."""
        notes = []
        if self.maxmemory == 0:
            notes.append("maxmemory 0: no bound, grows until OOMKilled")
        if self.maxmemory_policy == "noeviction":
            notes.append("noeviction: writes fail at maxmemory")
        return tuple(notes)


class PodTrend(UntrackedRecord, frozen=True):
    """Per-pod figures from Prometheus: the working set split, its growth and the OOM forecast.
    One per pod per Prometheus refresh: 20,000 of them were in every middle collection's walk."""

    pod: str
    working_set: float | None = None
    rss: float | None = None
    cache: float | None = None
    usage: float | None = None
    """``container_memory_usage_bytes``: includes page cache, so it overstates pressure."""
    limit: float | None = None
    growth_per_second: float | None = None
    """``deriv()`` of the working set over the current container's life."""
    seconds_to_oom: float | None = None
    """When the current linear trend reaches the limit (``predict_linear`` solved for the limit)."""
    restarts_2h: int | None = None
    oom_within_2h: bool = False


class GpuUsage(UntrackedRecord, frozen=True):
    """GPU framebuffer memory of one pod (or of the local GPU for NVML), in MiB as DCGM reports it.
    One per pod per refresh, as ``PodTrend``."""

    pod: str
    used_mib: float
    total_mib: float
    source: str
    """``DCGM``, ``nvidia-smi`` (exec in the pod) or ``NVML`` (this machine)."""
    gpus: int = 1

    @property
    def percent(self) -> float | None:
        return None if not self.total_mib else 100.0 * self.used_mib / self.total_mib


@dataclass(frozen=True, slots=True)
class PrometheusSnapshot:
    taken_at: datetime
    pods: dict[str, PodTrend]
    gpu: dict[str, GpuUsage]
    query_count: int
    duration_seconds: float
    gpu_error: str | None = None
    alerts_for_state: tuple[FiringAlert, ...] = ()
    """The firing ``MemoryUsageHigh`` alerts Prometheus holds (``ALERTS_FOR_STATE``: active since)."""
    alerts_error: str | None = None
    """Why ``ALERTS_FOR_STATE`` could not be read this time (the other figures still were)."""
    read_at: dict[str, datetime] = field(default_factory=dict)
    """When each family read on the slow schedule (``limit``, ``restarts``, ``oom``, ``gpu_count``)
    was last read: its figures are as of then, the others as of ``taken_at``."""
    errors: dict[str, str] = field(default_factory=dict)
    """Families that could not be read this time, with why (``growth``, a slow family): their
    figures are missing (growth) or as of ``read_at``; the others are fresh."""

    @property
    def summary(self) -> str:
        """The health line: queries and time, how old the slow figures are, what failed."""
        parts = [f"{self.query_count} queries, {self.duration_seconds * 1000:.0f} ms"]
        if self.read_at:
            oldest = min(self.read_at.values())
            age = max(0.0, (self.taken_at - oldest).total_seconds())
            parts.append(f"limits, restarts, OOM {age:.0f} s old")
        parts += [f"{family}: {reason}" for family, reason in sorted(self.errors.items())]
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class GpuSnapshot:
    """GPU memory from a GPU poll (NVML or ``nvidia-smi`` via exec), with which of them read it.

    DCGM's figures come inside the ``PrometheusSnapshot`` instead: they are as fresh as Prometheus."""

    usage: dict[str, GpuUsage]
    source: str
    """What the GPU pane's title names: ``NVML (this machine)`` or ``nvidia-smi via exec``."""


@dataclass(frozen=True, slots=True)
class Samples:
    """(unix time, value) samples oldest first, packed as little-endian float64 in two byte strings.

    A backfill is an hour of every pod: 5,000 pods × 181 samples.  As tuples of float pairs that
    is about 100 bytes a sample (95 MB), built while the answer is decoded and then kept, since the
    recorder holds each source's last snapshot to write the next as a patch; packed it is 16 bytes
    a sample, and msgspec writes the two fields as two binary strings.  Iterating yields the pairs."""

    times: bytes = b""
    values: bytes = b""

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, float]]) -> Samples:
        """Packed from (time, value) pairs, oldest first (swapped to little-endian on a big-endian machine)."""
        times, values = array("d"), array("d")
        for t, v in pairs:
            times.append(t)
            values.append(v)
        if sys.byteorder == "big":
            times.byteswap()
            values.byteswap()
        return cls(times.tobytes(), values.tobytes())

    def __len__(self) -> int:
        return len(self.times) // 8

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return zip(_floats(self.times), _floats(self.values))

    def columns(self) -> tuple[Sequence[float], Sequence[float]]:
        """The times and the values, oldest first, without a pair per sample (``RingSeries.backfill``)."""
        return _floats(self.times), _floats(self.values)


def _floats(packed: bytes) -> Sequence[float]:
    if sys.byteorder == "little":
        return memoryview(packed).cast("d")
    numbers = array("d", packed)
    numbers.byteswap()
    return numbers


@dataclass(frozen=True, slots=True)
class BackfillSnapshot:
    """The last hour from Prometheus, read once at start so sparklines are full at once."""

    memory: dict[str, Samples]
    """Working set per pod."""
    gpu: dict[str, Samples] = field(default_factory=dict)
    """GPU framebuffer memory per pod (DCGM); empty when DCGM has no series or is not used."""


@dataclass(frozen=True, slots=True)
class LogEvidence:
    """What one container's log says since its start, counted by the worker (raw lines stay there).

    Counted per container start (the current container's log only): "model loaded" twice in one
    life is a second copy of the model, not a restart.  ``from_start`` is False when the bounded
    read (tail, ``sinceSeconds``) did not reach the start: the counts are then a lower bound."""

    container: str
    started_at: datetime | None
    lines: int
    from_start: bool
    models_loaded: int = 0
    models_cached: int = 0
    model_step_bytes: int | None = None
    """The largest ``rss_delta=`` a "model loaded" line reported (about one model's size)."""
    config: tuple[tuple[str, str], ...] = ()
    """The app's ``config:`` boot line as key/value pairs (the values this container runs with)."""
    batch_lines: int = 0
    batch_size_max: int | None = None
    activation_max_bytes: int | None = None
    batch_load_r: float | None = None
    """Correlation of each batch's memory (``activation_mem=``) with its load (``requests=``), over
    the batch lines that give both: near 1 when the spikes follow the load."""
    leak_lines: int = 0
    """Lines saying "memory leak" or "circular reference"."""
    gc_lines: int = 0
    gc_freed_bytes: float = 0.0
    gc_allocated_bytes: float = 0.0
    alive_first: int | None = None
    """Objects the GC line reports alive (``alive=N``), first and last seen: growth is a leak's trace."""
    alive_last: int | None = None
    matches: tuple[str, ...] = ()
    """The last few lines that matched a runbook pattern (outside text: draw with ``outside_text``)."""

    def config_int(self, key: str) -> int | None:
        value = dict(self.config).get(key)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class PodEvidence:
    """The evidence gathered in one representative pod (the worst of its deployment)."""

    pod: str
    deployment: str | None
    logs: tuple[LogEvidence, ...] = ()
    logs_error: str | None = None
    """Why the logs could not be read ("forbidden (RBAC)", "timed out"); None when they were."""
    disk: tuple[tuple[str, int], ...] = ()
    """``du -sk`` of /models/*, /tmp/cache and /tmp/model_cache, in bytes (paths that exist only)."""
    disk_error: str | None = None
    """Why ``du`` did not run (``off under --read-only``, forbidden, timed out)."""

    def disk_bytes(self, prefix: str) -> int | None:
        """Bytes under ``prefix`` (an exact path, or a directory whose entries were listed)."""
        hits = [size for path, size in self.disk if path == prefix or path.startswith(prefix.rstrip("/") + "/")]
        return sum(hits) if hits else None


@dataclass(frozen=True, slots=True)
class EvidenceSnapshot:
    """One evidence gathering (at most once a minute): logs and ``du`` of a few representative pods."""

    taken_at: datetime
    pods: tuple[PodEvidence, ...]
    request_count: int = 0
    duration_seconds: float = 0.0
    exec_off: str | None = None
    """Why no exec ran at all this session (``--read-only``), else None."""

    def for_pod(self, pod: str) -> PodEvidence | None:
        return next((p for p in self.pods if p.pod == pod), None)


@dataclass(frozen=True, slots=True)
class FiringAlert:
    """One firing alert: its labels, since when it fires, and whether a silence covers it.

    From Alertmanager (``startsAt``, ``status.silencedBy``) or from Prometheus's
    ``ALERTS_FOR_STATE`` (its value is the active-since time; Prometheus knows no silences)."""

    labels: dict[str, str]
    starts_at: datetime | None
    state: str = "active"
    """``active``, ``suppressed`` (silenced or inhibited) or ``unprocessed`` (Alertmanager's states)."""
    silenced_by: tuple[str, ...] = ()
    fingerprint: str = ""

    @property
    def pod(self) -> str | None:
        return self.labels.get("pod")

    @property
    def silenced(self) -> bool:
        return bool(self.silenced_by)


@dataclass(frozen=True, slots=True)
class AlertSnapshot:
    """The firing ``MemoryUsageHigh`` alerts for the namespace, as Alertmanager answered."""

    taken_at: datetime
    alerts: tuple[FiringAlert, ...]
    url: str
    duration_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of an object that changed: its path and the values as text (already redacted).

    ``before``/``after`` None: the field was absent (added, removed).  Paths read as kubectl's
    ``spec.replicas``, ``data.batch_size``, ``spec.template.spec.containers[llm].resources.limits.memory``."""

    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class TeamChange:
    """A change to the namespace that this memtui did not make: the team's side of the timeline.

    Seen through the watch (Deployments, ConfigMaps, HPAs) or as another memtui's ``MemtuiAction``
    Event.  Who made it is what the API says: the ``managedFields`` entry that owns the changed
    fields (manager and operation: ``kubectl-patch``/``Update``, ``argocd-controller``/``Apply``,
    ``kube-controller-manager`` on the scale subresource for an HPA), and a user only where the API
    names one (another memtui's Event names its operator; objects never record their author)."""

    at: datetime
    """When: the owning ``managedFields`` entry's time, else when the watch saw the change."""
    kind: str
    """``Deployment``, ``ConfigMap``, ``HorizontalPodAutoscaler`` or ``MemtuiAction`` (an Event)."""
    name: str
    what: str
    """``scale``, ``rollout`` (pod template changed or restartedAt), ``config`` (ConfigMap data),
    ``resources``, ``spec`` (any other), ``memtui-action`` (another memtui's action)."""
    summary: str
    """One line for the events pane and the timeline: ``batch_size 64→32``, ``replicas 3→5``."""
    changes: tuple[FieldChange, ...] = ()
    manager: str | None = None
    operation: str | None = None
    subresource: str | None = None
    user: str | None = None
    key: str = ""
    """Identity for de-duplication across polls: object uid and resourceVersion (or Event uid)."""

    @property
    def who(self) -> str:
        """Who, as the API says: ``oncall-2 (memtui)``, ``kubectl-patch (Update)``,
        ``kube-controller-manager (Update scale)``; ``unknown`` where it says nothing."""
        if self.user:
            return f"{self.user} ({self.manager or 'memtui'})"
        if not self.manager:
            return "unknown"
        how = " ".join(p for p in (self.operation, self.subresource) if p)
        return f"{self.manager} ({how})" if how else self.manager


@dataclass(frozen=True, slots=True)
class TeamSnapshot:
    """The team's changes seen since the last poll (only the new ones), or why they cannot be seen."""

    taken_at: datetime
    changes: tuple[TeamChange, ...]
    error: str | None = None
    """e.g. "configmaps: forbidden (RBAC)"; the changes that could be seen are still here."""
