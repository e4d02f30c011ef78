"""The ways a container dies that are not its own memory model reaching its limit.

memtui tells three kinds of kill apart (memtui.state.oom_ledger), so the simulator makes each
happen the way a kubelet shows it:

* **a failed liveness probe** (``fail_liveness``): three ``Unhealthy`` events ("Liveness probe
  failed: …"), a ``Killing`` event ("… failed liveness probe, will be restarted"), the container
  terminated with exit code 137 and reason ``Error``, restarted after the back-off;
* **node memory pressure** (``node_pressure``): the node's ``MemoryPressure`` condition turns True
  with an ``EvictionThresholdMet`` event, the kubelet records ``SystemOOM`` on the Node; then either
  a pod is evicted (phase ``Failed``, reason ``Evicted``, a ``DisruptionTarget`` condition, an
  ``Evicted`` event, its ReplicaSet replaces it) or the kernel's system-wide OOM killer takes a
  container far below its own limit (``OOMKilled``, no cgroup OOM line);
* **a sidecar at its own limit** (``sidecar_oom``, with ``SimConfig.sidecar``): the small
  ``log-shipper`` container climbs to its 256Mi limit over a ramp and is OOMKilled, while the model
  server next to it is fine.

Node events go to the ``default`` namespace, where a kubelet records events about Nodes.
"""

from __future__ import annotations

import heapq

from .events import pod_ref
from .lifecycle import BACKOFF_RESET, MAX_BACKOFF, PodLifecycle
from .noise import hkey
from .quantity import format_ki
from .records import PodRecord
from .sidecar import SIDECAR_BACKOFF, sidecar_of

NODE_EVENTS_NAMESPACE = "default"
EVICTION_THRESHOLD = "100Mi"


def eviction_message(rec: PodRecord, working_set: int) -> str:
    request = rec.spec["containers"][0].get("resources", {}).get("requests", {}).get("memory", "0")
    return (f"The node was low on resource: memory. Threshold quantity: {EVICTION_THRESHOLD}, available: 61220Ki. "
            f"Container {rec.container} was using {format_ki(working_set)}, request is {request}, "
            f"has larger consumption of memory. ")


class KillController(PodLifecycle):
    """Mixin for Cluster: kills from outside a container's own memory model."""

    def _end_life(self, rec: PodRecord, t: float, reason: str, exit_code: int) -> None:
        cur = rec.current()
        if cur is None or cur.end is not None:
            raise ValueError(f"pod {rec.name}: its container is not running")
        cur.end, cur.end_reason, cur.exit_code = t, reason, exit_code
        ran = t - cur.start
        rec.last_backoff = 10.0 if ran >= BACKOFF_RESET or rec.last_backoff <= 0 else min(
            MAX_BACKOFF, rec.last_backoff * 2)
        was_ready = rec.ready_at is not None
        rec.ready_at = None
        rec.status_changed = t
        self._publish_pod(rec, t)
        self._schedule(rec)
        if was_ready:
            self._pod_ready_changed(rec, t)

    def fail_liveness(self, rec: PodRecord, t: float) -> None:
        """The model server stops answering /healthz: three failed probes, then SIGKILL (exit 137)."""
        probe = rec.spec["containers"][0].get("livenessProbe", {})
        period = float(probe.get("periodSeconds", 10))
        ref = pod_ref(rec.namespace, rec.name, rec.uid, rec.container)
        message = (f'Liveness probe failed: Get "http://{rec.ip}:8080/healthz": context deadline exceeded '
                   f"(Client.Timeout exceeded while awaiting headers)")
        for i in (2, 1, 0):
            self.recorder.emit(rec.namespace, ref, "Unhealthy", message, t - i * period, etype="Warning",
                               host=rec.node)
        self.recorder.emit(rec.namespace, ref, "Killing",
                           f"Container {rec.container} failed liveness probe, will be restarted", t, host=rec.node)
        self._end_life(rec, t, "Error", 137)

    def _node_event(self, node: str, reason: str, message: str, t: float) -> None:
        stored = self.store.get("nodes", None, node)
        uid = stored.obj["metadata"]["uid"] if stored is not None else ""
        ref = {"kind": "Node", "name": node, "uid": uid, "apiVersion": "v1"}
        self.recorder.emit(NODE_EVENTS_NAMESPACE, ref, reason, message, t, etype="Warning", host=node)

    def node_pressure(self, node: str, t: float, *, evict: PodRecord | None = None,
                      system_oom: PodRecord | None = None) -> None:
        """The node runs low on memory: MemoryPressure, SystemOOM, and an eviction or a kernel OOM kill."""
        self.set_node_condition(node, "MemoryPressure", "True", "KubeletHasInsufficientMemory",
                                "kubelet has insufficient memory available", t)
        self._node_event(node, "EvictionThresholdMet", "Attempting to reclaim memory", t)
        victim = system_oom or evict
        proc = "python3" if victim is None or victim.container != "redis" else "redis-server"
        pid = 100_000 + hkey(victim.key if victim else 0, "system-oom") % 3_000_000
        self._node_event(node, "SystemOOM", f"System OOM encountered, victim process: {proc}, pid: {pid}", t)
        if system_oom is not None:
            self._end_life(system_oom, t, "OOMKilled", 137)
        if evict is not None:
            self.evict(evict, t)

    def relieve_node(self, node: str, t: float) -> None:
        self.set_node_condition(node, "MemoryPressure", "False", "KubeletHasSufficientMemory",
                                "kubelet has sufficient memory available", t)

    def evict(self, rec: PodRecord, t: float) -> None:
        """The kubelet evicts the pod for memory: it stays, Failed, and its ReplicaSet replaces it."""
        sample = self.sample(rec, t)
        message = eviction_message(rec, sample.working_set if sample else 0)
        rec.evicted = (t, message)
        self.recorder.emit(rec.namespace, pod_ref(rec.namespace, rec.name, rec.uid), "Evicted", message, t,
                           etype="Warning", host=rec.node)
        self.recorder.emit(rec.namespace, pod_ref(rec.namespace, rec.name, rec.uid, rec.container), "Killing",
                           f"Stopping container {rec.container}", t, host=rec.node)
        self._end_life(rec, t, "Error", 137)
        rec.version += 1  # no transition after an eviction: the pod does not restart
        self.pods.pop(rec.uid, None)
        self._release_slot(rec)
        self._let_owner_replace(rec, t)

    def sidecar_oom(self, rec: PodRecord, t: float, ramp: float = 60.0) -> float:
        """The sidecar climbs to its own limit over ``ramp`` seconds and is OOMKilled; returns the kill time."""
        side = sidecar_of(rec)
        if side is None:
            raise ValueError(f"pod {rec.name} has no sidecar (SimConfig.sidecar)")
        kill = t + max(ramp, 0.001)
        side.ramp = (t, kill)
        for when, kind in ((kill, "sidecar-kill"), (kill + SIDECAR_BACKOFF, "sidecar-start")):
            self._seq += 1
            heapq.heappush(self.heap, (when, self._seq, kind, rec.uid, 0))
        return kill

    def sidecar_transition(self, kind: str, uid: str, t: float) -> None:
        rec = self.pods.get(uid)
        side = sidecar_of(rec) if rec is not None else None
        if rec is None or side is None:
            return
        if kind == "sidecar-kill":
            side.kills.append(t)
            side.ramp = None
            pid = 100_000 + hkey(rec.key, side.name, len(side.kills)) % 3_000_000
            ws = int(0.995 * side.limit)
            self.recorder.emit(rec.namespace, pod_ref(rec.namespace, rec.name, rec.uid), "OOMKilling",
                               f"Memory cgroup out of memory: Killed process {pid} (fluent-bit) "
                               f"total-vm:{ws // 1024 + 90_000}kB, anon-rss:{ws // 1024}kB, file-rss:0kB, "
                               f"shmem-rss:0kB, UID:0 pgtables:600kB oom_score_adj:999",
                               t, etype="Warning", component="kernel-monitor", host=rec.node, aggregate=False)
            self.recorder.emit(rec.namespace, pod_ref(rec.namespace, rec.name, rec.uid, side.name), "BackOff",
                               f"Back-off restarting failed container {side.name} in pod "
                               f"{rec.name}_{rec.namespace}({rec.uid})", t + 1, etype="Warning", host=rec.node)
        else:
            ref = pod_ref(rec.namespace, rec.name, rec.uid, side.name)
            self.recorder.emit(rec.namespace, ref, "Started", f"Started container {side.name}", t, host=rec.node)
        rec.status_changed = t
        self._publish_pod(rec, t)
