"""Nodes (core/v1, cluster-scoped), the namespace's ResourceQuota and LimitRange.

A Node is published the first time a pod is placed on it (``gpu-node-NN`` hold eight GPUs each,
``cpu-node-NN`` the CPU workloads), with capacity and allocatable (memory, cpu, ``nvidia.com/gpu``,
pods) and the four conditions a kubelet reports.  Conditions live in ``node_conditions`` and are
changed through ``set_node_condition`` (MemoryPressure, for instance), which republishes the Node
with the transition time, as the kubelet's status update does.

The ResourceQuota's ``status.used`` is what the quota controller keeps: the sums over the
namespace's pods that are not Succeeded or Failed (requests default to limits on pod creation, see
``manifests.pod_spec``), recomputed once per sync after a pod changed.  The simulator does not
enforce the quota or the LimitRange on pod creation; memtui checks them before it sends anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .cluster_core import ClusterCore
from .policy import stable_uid
from .quantity import format_binary, parse_bytes, parse_quantity
from .store import WatchEvent

DAY = 86400.0
KUBELET_VERSION = "v1.32.4"

GPU_PRODUCT = "NVIDIA-H100-80GB-HBM3"


@dataclass(frozen=True)
class NodeShape:
    cpu: int
    memory: int
    gpu: int
    instance: str


GPU_NODE = NodeShape(cpu=192, memory=2048 * 1024**3, gpu=8, instance="p5.48xlarge")
CPU_NODE = NodeShape(cpu=64, memory=256 * 1024**3, gpu=0, instance="m7i.16xlarge")
RESERVED_CPU_M = 2000  # kube-reserved + system-reserved cpu, in millicores
RESERVED_MEMORY = 6 * 1024**3 + 100 * 1024**2  # kube/system reserved + the 100Mi hard eviction threshold

QUOTA_NAME = "sap-llm-quota"
LIMITRANGE_NAME = "sap-llm-limits"
QUOTA_NAMESPACE = "sap-llm"

_HEALTHY: dict[str, tuple[str, str, str]] = {
    "MemoryPressure": ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    "DiskPressure": ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    "PIDPressure": ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    "Ready": ("True", "KubeletReady", "kubelet is posting ready status"),
}


@dataclass
class NodeCondition:
    """One entry of ``status.conditions``; times are simulated seconds."""

    status: str
    reason: str
    message: str
    transition: float
    heartbeat: float


@dataclass
class NodeRecord:
    name: str
    ip: str
    gpu: bool
    created: float
    memory: int
    """Capacity in bytes (allocatable is this less ``RESERVED_MEMORY``)."""


def _cpu_text(millis: int) -> str:
    return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"


def _mem_text(n: int) -> str:
    return format_binary(n)


class NodeController(ClusterCore):
    """Mixin for Cluster: the Node objects, their conditions, and the sap-llm quota's status."""

    nodes: dict[str, NodeRecord]
    node_conditions: dict[str, dict[str, NodeCondition]]
    _quota_dirty: bool

    # -- nodes ------------------------------------------------------------------------------
    def ensure_node(self, name: str, ip: str, gpu: bool) -> NodeRecord:
        """The Node a pod was placed on, published the first time a pod lands there."""
        rec = self.nodes.get(name)
        if rec is not None:
            return rec
        shape = GPU_NODE if gpu else CPU_NODE
        memory = parse_bytes(self.config.gpu_node_memory) if gpu else shape.memory
        rec = NodeRecord(name, ip, gpu, -90 * DAY, memory)
        self.nodes[name] = rec
        self.node_conditions[name] = {t: NodeCondition(s, r, m, rec.created, 0.0)
                                      for t, (s, r, m) in _HEALTHY.items()}
        self.publish_node(rec)
        return rec

    def set_node_condition(self, name: str, ctype: str, status: str, reason: str, message: str, t: float) -> None:
        """Change one condition (e.g. ``MemoryPressure`` to ``True``, ``KubeletHasInsufficientMemory``) at t."""
        rec = self.nodes[name]
        conds = self.node_conditions[name]
        old = conds.get(ctype)
        transition = old.transition if old is not None and old.status == status else t
        conds[ctype] = NodeCondition(status, reason, message, transition, t)
        self.publish_node(rec)

    def node_allocatable_memory(self, name: str) -> int:
        return self.nodes[name].memory - RESERVED_MEMORY

    def publish_node(self, rec: NodeRecord) -> None:
        self.store.put("nodes", self.node_manifest(rec))

    def node_manifest(self, rec: NodeRecord) -> dict[str, Any]:
        shape = GPU_NODE if rec.gpu else CPU_NODE
        clk = self.clock
        cpu_m = shape.cpu * 1000
        capacity = {"cpu": _cpu_text(cpu_m), "ephemeral-storage": "1966788Mi", "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0", "memory": _mem_text(rec.memory), "pods": "110"}
        allocatable = {"cpu": _cpu_text(cpu_m - RESERVED_CPU_M), "ephemeral-storage": "1812564Mi",
                       "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                       "memory": _mem_text(rec.memory - RESERVED_MEMORY), "pods": "110"}
        labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": rec.name, "kubernetes.io/os": "linux",
                  "node.kubernetes.io/instance-type": shape.instance,
                  "topology.kubernetes.io/region": "eu-central-1", "topology.kubernetes.io/zone": "eu-central-1a"}
        spec: dict[str, Any] = {"podCIDR": f"10.{rec.ip.split('.')[2]}.{rec.ip.split('.')[3]}.0/24",
                                "providerID": f"aws:///eu-central-1a/i-{stable_uid(rec.name).replace('-', '')[:17]}"}
        if rec.gpu:
            capacity["nvidia.com/gpu"] = allocatable["nvidia.com/gpu"] = str(shape.gpu)
            labels.update({"nvidia.com/gpu.count": str(shape.gpu), "nvidia.com/gpu.product": GPU_PRODUCT,
                           "nvidia.com/gpu.present": "true"})
            spec["taints"] = [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
        spec["podCIDRs"] = [spec["podCIDR"]]
        conditions = [{"type": t, "status": c.status, "lastHeartbeatTime": clk.iso(c.heartbeat),
                       "lastTransitionTime": clk.iso(c.transition), "reason": c.reason, "message": c.message}
                      for t, c in self.node_conditions[rec.name].items()]
        return {
            "kind": "Node", "apiVersion": "v1",
            "metadata": {"name": rec.name, "uid": stable_uid(self.config.seed, "node", rec.name),
                         "resourceVersion": "0", "creationTimestamp": clk.iso(rec.created), "labels": labels,
                         "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                         "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": spec,
            "status": {
                "capacity": capacity, "allocatable": allocatable, "conditions": conditions,
                "addresses": [{"type": "InternalIP", "address": rec.ip}, {"type": "Hostname", "address": rec.name}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"machineID": stable_uid("machine", rec.name).replace("-", ""),
                             "systemUUID": stable_uid("system", rec.name),
                             "bootID": stable_uid("boot", rec.name), "kernelVersion": "6.1.0-31-cloud-amd64",
                             "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "containerRuntimeVersion": "containerd://1.7.24", "kubeletVersion": KUBELET_VERSION,
                             "kubeProxyVersion": KUBELET_VERSION, "operatingSystem": "linux",
                             "architecture": "amd64"},
            },
        }

    # -- quota and limit range ------------------------------------------------------------------
    def add_quota_and_limits(self, created: float) -> None:
        """The sap-llm ResourceQuota and LimitRange the SimConfig asks for (either may be off)."""
        cfg = self.config
        if cfg.quota_limits_memory or cfg.quota_requests_memory:
            hard: dict[str, str] = {}
            if cfg.quota_limits_memory:
                hard["limits.memory"] = cfg.quota_limits_memory
            if cfg.quota_requests_memory:
                hard["requests.memory"] = cfg.quota_requests_memory
            hard.update({"requests.cpu": "64", "requests.nvidia.com/gpu": "16", "pods": "50"})
            self._quota_obj = {
                "kind": "ResourceQuota", "apiVersion": "v1",
                "metadata": {"name": QUOTA_NAME, "namespace": QUOTA_NAMESPACE,
                             "uid": stable_uid(cfg.seed, "quota", QUOTA_NAME), "resourceVersion": "0",
                             "creationTimestamp": self.clock.iso(created), "labels": {"app": "sap-llm"}},
                "spec": {"hard": hard},
            }
            self._quota_dirty = True
            self.refresh_quota(0.0)
        if cfg.container_max_memory:
            item: dict[str, Any] = {"type": "Container", "max": {"memory": cfg.container_max_memory},
                                    "min": {"memory": "64Mi"}}
            self.store.put("limitranges", {
                "kind": "LimitRange", "apiVersion": "v1",
                "metadata": {"name": LIMITRANGE_NAME, "namespace": QUOTA_NAMESPACE,
                             "uid": stable_uid(cfg.seed, "limitrange", LIMITRANGE_NAME), "resourceVersion": "0",
                             "creationTimestamp": self.clock.iso(created), "labels": {"app": "sap-llm"}},
                "spec": {"limits": [item]},
            })

    def _quota_watch(self, ev: WatchEvent) -> None:
        if ev.resource == "pods" and ev.namespace == QUOTA_NAMESPACE:
            self._quota_dirty = True

    def refresh_quota(self, t: float) -> None:
        """Recompute ``status.used`` as the quota controller does; republish only when it changed."""
        obj = getattr(self, "_quota_obj", None)
        self._quota_dirty = False
        if obj is None:
            return
        sums = {"limits.memory": 0, "requests.memory": 0, "requests.cpu": 0, "requests.nvidia.com/gpu": 0, "pods": 0}
        for st in self.store.list("pods", QUOTA_NAMESPACE):
            pod = st.obj
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            sums["pods"] += 1
            for c in pod["spec"].get("containers", []):
                res = c.get("resources") or {}
                lim, req = res.get("limits") or {}, res.get("requests") or {}
                sums["limits.memory"] += parse_bytes(lim.get("memory", 0))
                sums["requests.memory"] += parse_bytes(req.get("memory", lim.get("memory", 0)))
                sums["requests.cpu"] += int(parse_quantity(req.get("cpu", lim.get("cpu", 0))) * 1000)
                sums["requests.nvidia.com/gpu"] += int(parse_quantity(req.get("nvidia.com/gpu",
                                                                              lim.get("nvidia.com/gpu", 0))))
        hard = obj["spec"]["hard"]
        used = {}
        for key in hard:
            v = sums.get(key, 0)
            used[key] = (_mem_text(v) if key.endswith("memory") else _cpu_text(v) if key == "requests.cpu" else str(v))
        status = {"hard": dict(hard), "used": used}
        prev = self.store.get("resourcequotas", QUOTA_NAMESPACE, QUOTA_NAME)
        if prev is not None and prev.obj.get("status") == status:
            return
        self._quota_obj = {**obj, "status": status}
        self.store.put("resourcequotas", self._quota_obj)
