"""What an export reads out of a recording, without folding a whole ``CockpitState``.

A postmortem wants a few series from an hour of frames (the team's changes, a pod's working
set), not the cockpit's state at each frame: each function here walks the frames once and keeps
only what it is about.  It takes a ``RecordingReader`` or any iterable of frames (a test's list,
frames already read for another purpose).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from memtui.recording.model import Frame
from memtui.recording.store import RecordingReader
from memtui.state.snapshots import (
    BackfillSnapshot,
    GpuSnapshot,
    GpuUsage,
    KubeSnapshot,
    PrometheusSnapshot,
    RedisStats,
    TeamChange,
    TeamSnapshot,
)


def _frames(source: RecordingReader | Iterable[Frame]) -> Iterable[Frame]:
    return source.frames() if isinstance(source, RecordingReader) else source


def team_changes(source: RecordingReader | Iterable[Frame]) -> tuple[TeamChange, ...]:
    """The team's changes the session saw, oldest first, each once (by ``key``, as the cockpit
    keeps them: a re-listed watch may deliver one again)."""
    seen: set[str] = set()
    out: list[TeamChange] = []
    for frame in _frames(source):
        if frame.kind != "apply" or not isinstance(frame.payload, TeamSnapshot):
            continue
        for change in frame.payload.changes:
            if change.key and change.key in seen:
                continue
            seen.add(change.key)
            out.append(change)
    return tuple(sorted(out, key=lambda c: c.at))


# -- the postmortem's series ------------------------------------------------------------------------

Series = dict[str, list[tuple[datetime, float]]]


@dataclass(frozen=True)
class RecordedSeries:
    """What the cockpit saw of memory, per pod and for Redis and the GPUs, as (time, value) samples.

    Working set: metrics-server's figure from the Kubernetes polls (what the pods pane showed);
    for a pod those never measured, Prometheus' figure; before the first live sample, the hour
    Prometheus backfilled at start.  Limits: the pod's containers' limits summed (all of them
    limited), else Prometheus' figure.  GPU in MiB, as DCGM and NVML report it.  Times are the
    frames' (the cockpit's clock, the cluster's in the demo), not the snapshots' ``taken_at`` (the
    poller's wall clock), except a metrics sample's own timestamp."""

    working_set: Series = field(default_factory=dict)
    limit: Series = field(default_factory=dict)
    redis_used: list[tuple[datetime, float]] = field(default_factory=list)
    redis_max: list[tuple[datetime, float]] = field(default_factory=list)
    gpu_used_mib: Series = field(default_factory=dict)
    gpu_total_mib: Series = field(default_factory=dict)


def memory_series(source: RecordingReader | Iterable[Frame]) -> RecordedSeries:
    """The recording's memory figures in one walk over its frames (``RecordedSeries``)."""
    kube: Series = {}
    prom: Series = {}
    backfill: Series = {}
    limit: Series = {}
    prom_limit: Series = {}
    out = RecordedSeries()
    for frame in _frames(source):
        if frame.kind != "apply":
            continue
        snap = frame.payload
        if isinstance(snap, KubeSnapshot):
            for usage in snap.usage.values():
                kube.setdefault(usage.pod, []).append((usage.timestamp or frame.at, float(usage.working_set_bytes)))
            for pod in snap.pods:
                limits = [c.memory_limit_bytes for c in pod.containers]
                if limits and all(v is not None for v in limits):
                    limit.setdefault(pod.name, []).append((frame.at, float(sum(v or 0 for v in limits))))
        elif isinstance(snap, PrometheusSnapshot):
            for name, trend in snap.pods.items():
                if trend.working_set is not None:
                    prom.setdefault(name, []).append((frame.at, float(trend.working_set)))
                if trend.limit is not None:
                    prom_limit.setdefault(name, []).append((frame.at, float(trend.limit)))
            _gpu(out, snap.gpu, frame.at)
        elif isinstance(snap, BackfillSnapshot):
            for name, points in snap.memory.items():
                backfill.setdefault(name, []).extend((datetime.fromtimestamp(t, timezone.utc), v) for t, v in points)
        elif isinstance(snap, GpuSnapshot):
            _gpu(out, snap.usage, frame.at)
        elif isinstance(snap, RedisStats):
            out.redis_used.append((frame.at, float(snap.used_memory)))
            out.redis_max.append((frame.at, float(snap.maxmemory)))
    for name in set(kube) | set(prom) | set(backfill):
        live = kube.get(name) or prom.get(name) or []
        first = min((t for t, _ in live), default=None)
        early = [p for p in backfill.get(name, []) if first is None or p[0] < first]
        out.working_set[name] = _deduped(early + live)
    for name in set(limit) | set(prom_limit):
        out.limit[name] = _deduped(limit.get(name) or prom_limit.get(name) or [])
    for series in (out.gpu_used_mib, out.gpu_total_mib):
        for name in series:
            series[name] = _deduped(series[name])
    out.redis_used[:] = _deduped(out.redis_used)
    out.redis_max[:] = _deduped(out.redis_max)
    return out


def _gpu(out: RecordedSeries, usage: dict[str, GpuUsage], at: datetime) -> None:
    for name, gpu in usage.items():
        out.gpu_used_mib.setdefault(name, []).append((at, float(gpu.used_mib)))
        out.gpu_total_mib.setdefault(name, []).append((at, float(gpu.total_mib)))


def _deduped(points: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    """Sorted by time, one sample per instant (a snapshot folded twice, or a poll that saw no new metrics)."""
    by_time: dict[datetime, float] = {}
    for t, v in points:
        by_time[t.astimezone(timezone.utc)] = v
    return sorted(by_time.items())


def audit_payloads(source: RecordingReader | Iterable[Frame]) -> list[Mapping[str, Any]]:
    """The audit entries the session wrote, as recorded (``AuditEntry.to_json()`` mappings)."""
    return [frame.payload for frame in _frames(source) if frame.kind == "audit" and isinstance(frame.payload, Mapping)]


def rankings(source: RecordingReader | Iterable[Frame]) -> list[tuple[datetime, Mapping[str, Any]]]:
    """The cause ranking each time it changed: (when, ``CauseRanking.to_record()``)."""
    return [(frame.at, frame.payload) for frame in _frames(source)
            if frame.kind == "ranking" and isinstance(frame.payload, Mapping)]
