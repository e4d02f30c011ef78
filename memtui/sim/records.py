"""The simulator's own records of pods, ReplicaSets and Deployments.

Manifests (the JSON clients see) are derived from these; the records hold
what the JSON cannot: the memory model, a pod's container lives, its traffic
weight, and when it becomes ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import ContainerModel, Life


@dataclass
class PodRecord:
    namespace: str
    name: str
    uid: str
    ordinal: int
    key: int
    labels: dict[str, str]
    annotations: dict[str, str]
    owner: dict[str, Any] | None
    spec: dict[str, Any]  # the pod spec, defaulted, with nodeName
    node: str
    host_ip: str
    ip: str
    created: float
    model: ContainerModel
    weight: float
    limit: int
    image: str
    image_id: str
    gpu_uuid: str | None
    lives: list[Life] = field(default_factory=list)
    start_delay: float = 2.0
    ready_at: float | None = None  # when the current life passed its readiness probe
    deleted_at: float | None = None
    last_backoff: float = 0.0
    redis_conf: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    rs_name: str | None = None
    status_changed: float = 0.0
    sidecar: Any = None
    """The second container's state (kills.SidecarState), made on first use when the spec has one."""
    extra_log: list[tuple[float, str]] = field(default_factory=list)
    """Lines written into the main container's log from outside (SimulatorHandle.write_log)."""
    evicted: tuple[float, str] | None = None
    """(when, the kubelet's message) once evicted for node memory pressure (kills.KillController.evict)."""

    @property
    def container(self) -> str:
        return self.spec["containers"][0]["name"]

    def life_at(self, t: float) -> Life | None:
        """The life whose container was running at t (None while waiting or before start)."""
        for life in reversed(self.lives):
            if life.start <= t:
                return life if (life.end is None or t < life.end) else None
        return None

    def current(self) -> Life | None:
        return self.lives[-1] if self.lives else None

    def exists_at(self, t: float) -> bool:
        return self.created <= t and (self.deleted_at is None or t < self.deleted_at)

    def ready(self, t: float) -> bool:
        life = self.life_at(t)
        return life is not None and self.ready_at is not None and self.ready_at <= t and self.deleted_at is None

    def restarts_at(self, t: float) -> int:
        n = 0
        for life in self.lives:
            if life.start <= t:
                n = life.index
        return n

    def last_terminated_at(self, t: float) -> Life | None:
        """The most recent life that had ended by t."""
        for life in reversed(self.lives):
            if life.end is not None and life.end <= t:
                return life
        return None


@dataclass
class ReplicaSetRecord:
    namespace: str
    name: str
    uid: str
    hash: str
    revision: int
    template: dict[str, Any]
    created: float
    replicas: int
    change_cause: str | None = None
    pods: list[str] = field(default_factory=list)  # pod uids, live ones
    generation: int = 1


@dataclass
class DeploymentRecord:
    namespace: str
    name: str
    uid: str
    created: float
    obj: dict[str, Any]  # metadata + spec as last written (status is derived)
    rs: list[ReplicaSetRecord] = field(default_factory=list)
    kind: str = "flat"  # which model family its pods get: "sap-llm", "redis", "api", "eval", "etl"
    generation: int = 1

    @property
    def replicas(self) -> int:
        return int(self.obj["spec"].get("replicas", 1))

    def newest(self) -> ReplicaSetRecord:
        return max(self.rs, key=lambda r: r.revision)
