"""Which sources a session reads, chosen once from the settings: one ``SourceSpec`` per poll.

This is the list to extend when adding a source: its spec says how it is polled, which snapshot
type it yields and why it is off when it is not configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from memtui.clients.kube.connection import KubeConnection
from memtui.clients.prometheus import AccessError
from memtui.config.prometheus_access import prometheus_access
from memtui.config.settings import Settings
from memtui.sources.alerts import AlertSource
from memtui.sources.backfill import PrometheusBackfill
from memtui.sources import evidence
from memtui.sources.gpu import dcgm_wanted, gpu_specs
from memtui.sources.kube import PROGRESS_SECONDS, KubeSource
from memtui.sources.nodes import NODE_INTERVAL, NodeSource, pod_nodes
from memtui.sources.prometheus import PrometheusSource
from memtui.sources.redis_source import RedisExecSource, RedisSource
from memtui.sources.spec import SourceSpec
from memtui.sources.team import TeamSource, team_inputs
from memtui.state.snapshots import (
    AlertSnapshot,
    BackfillSnapshot,
    EvidenceSnapshot,
    KubeSnapshot,
    NodeSnapshot,
    PrometheusSnapshot,
    RedisStats,
    TeamSnapshot,
)

SLOW_SOURCE_MIN_INTERVAL = 5.0
"""Prometheus and ``redis-cli`` via exec are not asked more often than this, whatever ``--refresh`` says."""
BACKFILL_RETRY = 30.0


@dataclass
class SourceBundle:
    """The session's source specs, and what must be stopped when it ends."""

    specs: tuple[SourceSpec, ...]
    kube: KubeSource | None = None
    """Read in every live session; its informers' watch threads are stopped with the session (NVML
    shuts down at exit on its own, memtui.clients.nvml).  None: no source at all (``memtui replay``
    is fed from a recording)."""
    team: TeamSource | None = None
    """The team's changes (Deployments, ConfigMaps, HPAs, other memtuis' Events): watches too."""

    def spec(self, name: str) -> SourceSpec:
        return next(s for s in self.specs if s.name == name)

    @property
    def polled(self) -> tuple[SourceSpec, ...]:
        """The specs that get a poller: not those that are off (their pane says why).  The app
        starts these and sizes its worker pool by them, so both count the same ones."""
        return tuple(s for s in self.specs if s.off is None)

    def stop(self) -> None:
        if self.kube is not None:
            self.kube.stop()
        if self.team is not None:
            self.team.stop()


def build_sources(settings: Settings, connection: KubeConnection) -> SourceBundle:
    timeout, refresh = settings.request_timeout, settings.refresh
    kube = KubeSource(connection, timeout=timeout, progress_every=PROGRESS_SECONDS)
    specs = [SourceSpec("kubernetes", KubeSnapshot, kube.fetch, refresh)]
    # never fails (it reports what it may not read): its health is the Kubernetes source's
    specs.append(SourceSpec("nodes", NodeSnapshot, NodeSource(connection, timeout=timeout).fetch,
                            max(refresh, NODE_INTERVAL), health="kubernetes", inputs=pod_nodes))
    access = prometheus_access(settings)
    try:
        prometheus = PrometheusSource(access, connection.namespace, timeout=timeout) if access else None
    except AccessError as exc:  # a credential file gone since the settings checked it
        prometheus, off = None, f"off: {exc}"
    else:
        off = "no --prometheus-url: history since start only"
    if prometheus is not None:
        backfill = PrometheusBackfill(prometheus, with_gpu=dcgm_wanted(settings))
        specs += [
            SourceSpec("prometheus", PrometheusSnapshot, prometheus.fetch, max(refresh, SLOW_SOURCE_MIN_INTERVAL)),
            SourceSpec("backfill", BackfillSnapshot, backfill.fetch, 3600.0, retry_interval=BACKFILL_RETRY,
                       one_shot=True, health="prometheus", inputs=lambda state: state.history.capacity,
                       after="kubernetes"),
        ]
    else:
        specs.append(SourceSpec.turned_off("prometheus", PrometheusSnapshot, off))
    specs.append(_alert_spec(settings, connection))
    specs.append(_redis_spec(settings, connection))
    specs += gpu_specs(settings, connection, prometheus=bool(settings.prometheus_url))
    specs.append(_evidence_spec(settings, connection))
    # the namespace's changes memtui did not make: watched (no per-poll LIST), never failing the
    # pods pane (a 403 is a note on the events pane); its health is the Kubernetes source's
    team = TeamSource(connection, timeout=timeout)
    specs.append(SourceSpec("team", TeamSnapshot, team.fetch, refresh, health="kubernetes", inputs=team_inputs))
    return SourceBundle(tuple(specs), kube, team)


def _evidence_spec(settings: Settings, connection: KubeConnection) -> SourceSpec:
    """Logs and ``du`` of the representative pods for the ranking, once a minute.  Its health is the
    Kubernetes source's (the reads go to the same API server); a read it could not make is a gap
    in the ranking (logs forbidden, exec off under --read-only), not a stale pane."""
    source = evidence.EvidenceSource(connection, read_only=settings.read_only, timeout=settings.request_timeout)
    return SourceSpec(evidence.NAME, EvidenceSnapshot, source.fetch, evidence.INTERVAL, retry_interval=evidence.RETRY,
                      health="kubernetes", inputs=evidence.evidence_inputs, after="kubernetes")


def _alert_spec(settings: Settings, connection: KubeConnection) -> SourceSpec:
    """The firing MemoryUsageHigh alerts, from Alertmanager (no exec: allowed under --read-only)."""
    if not settings.alertmanager_url:
        return SourceSpec.turned_off("alertmanager", AlertSnapshot,
                                     "no --alertmanager-url: the clock starts at Prometheus ALERTS_FOR_STATE "
                                     "or the first threshold crossing")
    source = AlertSource(settings.alertmanager_url, connection.namespace, timeout=min(settings.request_timeout, 5.0))
    return SourceSpec("alertmanager", AlertSnapshot, source.fetch, settings.refresh)  # one cheap GET


def _redis_spec(settings: Settings, connection: KubeConnection) -> SourceSpec:
    # --read-only runs nothing in a container (executor/read_only.py): no redis-cli
    if settings.redis_url:
        source = RedisSource(settings.redis_url, timeout=min(settings.request_timeout, 3.0))
        return SourceSpec("redis", RedisStats, source.fetch, settings.refresh)
    if settings.redis_deployment and settings.read_only:
        return SourceSpec.turned_off("redis", RedisStats,
                                     "off under --read-only: redis-cli would run in a container (give --redis-url)")
    if settings.redis_deployment:
        exec_source = RedisExecSource(connection, deployment=settings.redis_deployment, timeout=settings.request_timeout)
        return SourceSpec("redis", RedisStats, exec_source.fetch, max(settings.refresh, SLOW_SOURCE_MIN_INTERVAL))
    return SourceSpec.turned_off("redis", RedisStats, "off (set --redis-url, or --redis-deployment)")
