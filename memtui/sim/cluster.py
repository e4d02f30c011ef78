"""The simulated cluster: object store + pod lifecycle + controllers + memory models.

All state lives here and is touched only from the server's event loop thread;
``sync(now)`` first processes every scheduled transition up to now, so each
request sees the cluster as it would be at that simulated instant.
"""

from __future__ import annotations

import heapq
from typing import Any

from .autoscaling import AutoscalerController, HpaRecord
from .clock import SimClock
from .config import SimConfig
from .controllers import DeploymentController
from .events import EventRecorder
from .kills import KillController
from .models import (ContainerModel, FlatModel, FlatProfile, LoadTimeline, MemSample, ModelContext, RedisModel,
                     sap_llm_model)
from .names import NameSource
from .nodes import NodeController, NodeRecord, NodeCondition
from .noise import hkey, unit
from .policy import DisruptionController, PdbRecord
from .quantity import GiB, MiB, parse_bytes
from .scenario_data import redis_bloating
from .records import DeploymentRecord, PodRecord, ReplicaSetRecord
from .store import Store, WatchEvent
from . import manifests

WEIGHTS = (0.85, 0.95, 1.0, 1.05, 1.15)
GPUS_PER_NODE = 8


class Cluster(KillController, DeploymentController, DisruptionController, AutoscalerController, NodeController):
    """An empty cluster for one configuration; ``bootstrap.build_cluster`` makes the scenario's (the
    bootstrap fills it from outside, so this module needs nothing of it)."""

    def __init__(self, config: SimConfig, clock: SimClock) -> None:
        self.config = config
        self.clock = clock
        self.names = NameSource(config.seed)
        self.store = Store()
        self.recorder = EventRecorder(self.store, clock, self.names)
        self.load = LoadTimeline(1.0)
        self.ctx = ModelContext(config.seed, self.load)
        self.models: dict[str, ContainerModel] = {
            "sap-llm": sap_llm_model(config.scenario, self.ctx),
            "redis": RedisModel(self.ctx, bloating=redis_bloating(config.scenario)),
            "api": FlatModel(self.ctx, FlatProfile(rss=900 * MiB, active_file=40 * MiB, inactive_file=100 * MiB,
                                                   cpu_cores=0.4)),
            "eval": FlatModel(self.ctx, FlatProfile(rss=int(9.5 * GiB), active_file=300 * MiB,
                                                    inactive_file=800 * MiB, gpu_mib=30208, cpu_cores=1.5,
                                                    ready_delay=20.0)),
            "etl": FlatModel(self.ctx, FlatProfile(rss=int(2.4 * GiB), cpu_cores=0.8)),
        }
        self.pods: dict[str, PodRecord] = {}
        self.all_pods: list[PodRecord] = []
        self.deployments: dict[tuple[str, str], DeploymentRecord] = {}
        self.heap: list[tuple[float, int, str, str, int]] = []
        self._seq = 0
        self._dirty: set[tuple[str, str]] = set()
        self._ordinal = 0
        self._gpu_used: set[int] = set()
        self._gpu_free: list[int] = []  # released slots, lowest first
        self._gpu_next = 0
        self._gpu_of: dict[str, int] = {}
        self.pdbs: dict[tuple[str, str], PdbRecord] = {}
        self._pdb_dirty = False
        self.hpas: dict[str, HpaRecord] = {}
        self.nodes: dict[str, NodeRecord] = {}
        self.node_conditions: dict[str, dict[str, NodeCondition]] = {}
        self._quota_dirty = False
        self.store.on_change = self._on_store_change
        self.t = 0.0
        self.bootstrapping = False

    def _on_store_change(self, ev: WatchEvent) -> None:
        self._pdb_watch(ev)
        self._quota_watch(ev)

    # -- time --------------------------------------------------------------------------
    def sync(self, now: float) -> float:
        """Process every transition due by `now`; returns the time requests should use."""
        if now < self.t:
            now = self.t
        heap = self.heap
        while heap and heap[0][0] <= now:
            t, _, kind, uid, version = heapq.heappop(heap)
            if kind == "pod":
                rec = self.pods.get(uid)
                if rec is not None and rec.version == version:
                    self._pod_transition(rec, t)
            elif kind == "hpa":
                self.hpa_sync(uid, t)
            elif kind.startswith("sidecar-"):
                self.sidecar_transition(kind, uid, t)
        self.t = now
        if self._dirty or self._pdb_dirty:
            self.flush_dirty(now)
        if self._quota_dirty:
            self.refresh_quota(now)
        return now

    # -- pods --------------------------------------------------------------------------
    def model_for(self, kind: str) -> ContainerModel:
        return self.models[kind]

    def _alloc_node(self, gpu: bool, ordinal: int) -> tuple[str, str, int | None]:
        if gpu:
            if self._gpu_free:
                slot = heapq.heappop(self._gpu_free)
            else:
                slot = self._gpu_next
                self._gpu_next += 1
            self._gpu_used.add(slot)
            name, ip = self.node_named(True, slot // GPUS_PER_NODE + 1)
            return name, ip, slot
        name, ip = self.node_named(False, ordinal % 4 + 1)
        return name, ip, None

    def node_named(self, gpu: bool, n: int) -> tuple[str, str]:
        """The n-th GPU or CPU node's (name, InternalIP), its Node object published if new."""
        name, ip = (f"gpu-node-{n:02d}", f"10.0.1.{n % 250 + 1}") if gpu else (f"cpu-node-{n:02d}", f"10.0.2.{n + 10}")
        self.ensure_node(name, ip, gpu=gpu)
        return name, ip

    def _release_slot(self, rec: PodRecord) -> None:
        slot = self._gpu_of.pop(rec.uid, None)
        if slot is not None:
            self._gpu_used.discard(slot)
            heapq.heappush(self._gpu_free, slot)

    def pick_weight(self, key: int) -> float:
        return WEIGHTS[int(unit(self.config.seed, key, "weight") * len(WEIGHTS))]

    def create_pod(self, dep: DeploymentRecord, rs: ReplicaSetRecord, t: float, weight: float | None = None,
                   publish: bool = True) -> PodRecord:
        self._ordinal += 1
        ordinal = self._ordinal
        key = hkey(self.config.seed, "pod", ordinal) & 0x7FFFFFFF
        tmpl = rs.template
        c0 = tmpl["spec"]["containers"][0]
        gpu = "nvidia.com/gpu" in c0.get("resources", {}).get("limits", {})
        node, host_ip, slot = self._alloc_node(gpu, ordinal)
        name = f"{rs.name}-{self.names.suffix()}"
        uid = self.names.uid()
        spec = manifests.pod_spec(tmpl["spec"], node, f"kube-api-access-{self.names.suffix()}")
        labels = dict(tmpl["metadata"].get("labels", {}))
        labels["pod-template-hash"] = rs.hash
        image = c0["image"]
        repo = image.rsplit(":", 1)[0]
        digest = "".join(f"{hkey(self.config.seed, image, i):016x}" for i in range(4))
        rec = PodRecord(
            namespace=dep.namespace, name=name, uid=uid, ordinal=ordinal, key=key, labels=labels,
            annotations=dict(tmpl["metadata"].get("annotations", {})),
            owner={"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs.name, "uid": rs.uid,
                   "controller": True, "blockOwnerDeletion": True},
            spec=spec, node=node, host_ip=host_ip, ip=f"10.244.{(ordinal // 250) % 256}.{ordinal % 250 + 2}",
            created=t, model=self.model_for(dep.kind),
            weight=weight if weight is not None else self.pick_weight(key),
            limit=parse_bytes(c0.get("resources", {}).get("limits", {}).get("memory", "64Gi")),
            image=image, image_id=f"{repo}@sha256:{digest}",
            gpu_uuid=(f"GPU-{hkey(self.config.seed, 'gpu', slot):016x}-{slot:04d}" if slot is not None else None),
            rs_name=rs.name,
        )
        if slot is not None:
            self._gpu_of[uid] = slot
        if dep.kind == "redis":
            rec.redis_conf = {"maxmemory": 0, "policy": "noeviction"}
        rs.pods.append(uid)
        self.pods[uid] = rec
        self.all_pods.append(rec)
        if publish:
            self.recorder.emit(rec.namespace, {"kind": "Pod", "namespace": rec.namespace, "name": rec.name,
                                               "uid": rec.uid, "apiVersion": "v1"},
                               "Scheduled", f"Successfully assigned {rec.namespace}/{rec.name} to {node}", t,
                               component="default-scheduler")
            self._publish_pod(rec, t)
            self._schedule(rec)
        return rec

    def delete_pod(self, rec: PodRecord, t: float) -> dict[str, Any]:
        """A client deleted the pod: it goes, its ReplicaSet replaces it."""
        obj = self._kill_pod(rec, t)
        self._let_owner_replace(rec, t)
        return obj

    def _let_owner_replace(self, rec: PodRecord, t: float) -> None:
        """A pod of a ReplicaSet is gone (deleted, evicted): its ReplicaSet makes a new one."""
        dep = self._owner_deployment(rec)
        if dep is not None:
            for rs in dep.rs:
                if rec.uid in rs.pods:
                    rs.pods.remove(rec.uid)
                    self.reconcile_rs(dep, rs, t)
            self._dirty.add((dep.namespace, dep.name))

    def pod_by_name(self, namespace: str, name: str) -> PodRecord | None:
        for rec in self.pods.values():
            if rec.namespace == namespace and rec.name == name:
                return rec
        return None

    def sample(self, rec: PodRecord, t: float) -> MemSample | None:
        life = rec.life_at(t)
        if life is None:
            return None
        return rec.model.sample(life, t)

    # -- interventions from exec -----------------------------------------------------------
    def admin_gc(self, rec: PodRecord, t: float) -> tuple[int, MemSample | None, MemSample | None]:
        life = rec.life_at(t)
        if life is None:
            return 0, None, None
        before = rec.model.sample(life, t)
        freed = rec.model.admin_gc(life, t)
        after = rec.model.sample(life, t)
        self.reschedule_oom(rec, t)
        return freed, before, after

    def clear_dir(self, rec: PodRecord, t: float, path: str) -> int:
        life = rec.life_at(t)
        if life is None:
            return 0
        freed = rec.model.clear_dir(life, t, path)
        self.reschedule_oom(rec, t)
        return freed

    def trim_dir(self, rec: PodRecord, t: float, path: str, fraction: float) -> int:
        life = rec.life_at(t)
        if life is None:
            return 0
        freed = rec.model.trim_dir(life, t, path, fraction)
        self.reschedule_oom(rec, t)
        return freed

    def redis_op(self, rec: PodRecord, t: float, kind: str, **args: Any) -> None:
        life = rec.life_at(t)
        if life is None or not isinstance(rec.model, RedisModel):
            return
        rec.model.apply(life, t, kind, **args)
        if kind == "config":
            life.state.update(args)
        self.reschedule_oom(rec, t)

    # -- load --------------------------------------------------------------------------------
    def _on_deployment_scaled(self, dep: DeploymentRecord, t: float) -> None:
        if dep.namespace == "sap-llm" and dep.name == "sap-llm-api":
            level = dep.replicas / 4.0
            if level != self.load.level_at(t):
                self.load.set(t, level)
                for rec in list(self.pods.values()):
                    if rec.model is self.models["sap-llm"] or rec.model is self.models["redis"]:
                        self.reschedule_oom(rec, t)

    # -- views ---------------------------------------------------------------------------------
    def sap_llm_pods(self) -> list[PodRecord]:
        return sorted((p for p in self.pods.values() if p.namespace == "sap-llm" and p.labels.get("app") == "sap-llm"),
                      key=lambda p: p.name)

    def deployment(self, namespace: str, name: str) -> DeploymentRecord | None:
        return self.deployments.get((namespace, name))
