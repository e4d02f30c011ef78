"""Pod lifecycle: container start, readiness, OOM kill, CrashLoopBackOff, restart, deletion.

Each pod has exactly one pending transition in the scheduler heap (tagged with
the pod's version so a rescheduled pod's stale entry is ignored). Transitions
are processed in simulated-time order, lazily up to "now" on every request and
by the background tick, so an OOM kill happens at its analytic crossing time
however late someone looks.
"""

from __future__ import annotations

import heapq

from .cluster_core import ClusterCore
from .events import oom_message, pod_ref
from .models import Life
from .noise import hkey
from .records import PodRecord

MAX_BACKOFF = 300.0
BACKOFF_RESET = 600.0


def container_id(seed: int, uid: str, index: int) -> str:
    h = "".join(f"{hkey(seed, uid, index, i):016x}" for i in range(4))
    return "containerd://" + h


class PodLifecycle(ClusterCore):
    """Mixin for Cluster: everything that happens to one pod over time."""

    def _schedule(self, rec: PodRecord) -> None:
        rec.version += 1
        nxt = self._next_transition(rec)
        if nxt is not None:
            self._seq += 1
            heapq.heappush(self.heap, (nxt, self._seq, "pod", rec.uid, rec.version))

    def _next_transition(self, rec: PodRecord) -> float | None:
        if rec.deleted_at is not None:
            return None
        if not rec.lives:
            return rec.created + rec.start_delay
        cur = rec.lives[-1]
        if cur.end is None:
            cands = []
            if rec.ready_at is None:
                cands.append(cur.start + rec.model.ready_delay)
            if cur.oom_at is not None:
                cands.append(cur.oom_at)
            return min(cands) if cands else None
        return cur.end + rec.last_backoff

    def _pod_transition(self, rec: PodRecord, t: float) -> None:
        if rec.deleted_at is not None:
            return
        if not rec.lives:
            self._start_life(rec, t)
            return
        cur = rec.lives[-1]
        if cur.end is None:
            if cur.oom_at is not None and cur.oom_at <= t and (
                    rec.ready_at is not None or cur.oom_at <= cur.start + rec.model.ready_delay):
                self._oom_kill(rec, cur, cur.oom_at)
                return
            if rec.ready_at is None and cur.start + rec.model.ready_delay <= t:
                rec.ready_at = cur.start + rec.model.ready_delay
                rec.status_changed = rec.ready_at
                self._publish_pod(rec, rec.ready_at)
                self._schedule(rec)
                self._pod_ready_changed(rec, rec.ready_at)
                return
            self._schedule(rec)
            return
        self._start_life(rec, cur.end + rec.last_backoff)

    def _config_for(self, rec: PodRecord):
        from .models import AppConfig
        if rec.labels.get("app") == "sap-llm" and rec.namespace == "sap-llm":
            st = self.store.get("configmaps", "sap-llm", "sap-llm-config")
            return AppConfig.from_data(st.obj.get("data") if st else None)
        return AppConfig()

    def new_life(self, rec: PodRecord, t: float) -> Life:
        index = len(rec.lives)
        life = Life(index=index, start=t, limit=rec.limit, config=self._config_for(rec), weight=rec.weight,
                    key=rec.key, container_id=container_id(self.config.seed, rec.uid, index))
        if rec.redis_conf:
            life.state.update(rec.redis_conf)
        return life

    def _start_life(self, rec: PodRecord, t: float) -> None:
        life = self.new_life(rec, t)
        life.oom_at = rec.model.next_oom(life, t)
        rec.lives.append(life)
        rec.ready_at = None
        rec.status_changed = t
        c = rec.container
        ref = pod_ref(rec.namespace, rec.name, rec.uid, c)
        self.recorder.emit(rec.namespace, ref, "Pulled",
                           f'Container image "{rec.image}" already present on machine', t, host=rec.node)
        self.recorder.emit(rec.namespace, ref, "Created", f"Created container {c}", t, host=rec.node)
        self.recorder.emit(rec.namespace, ref, "Started", f"Started container {c}", t, host=rec.node)
        self._publish_pod(rec, t)
        self._schedule(rec)

    def _oom_kill(self, rec: PodRecord, life: Life, t: float) -> None:
        life.end = t
        life.end_reason = "OOMKilled"
        life.exit_code = 137
        ran = t - life.start
        rec.last_backoff = 10.0 if ran >= BACKOFF_RESET or rec.last_backoff <= 0 else min(
            MAX_BACKOFF, rec.last_backoff * 2)
        was_ready = rec.ready_at is not None
        rec.ready_at = None
        rec.status_changed = t
        msg = oom_message(rec, rec.model.sample(life, max(life.start, t - 0.001)))
        self.recorder.emit(rec.namespace, pod_ref(rec.namespace, rec.name, rec.uid), "OOMKilling", msg, t,
                           etype="Warning", component="kernel-monitor", host=rec.node, aggregate=False)
        self.recorder.emit(rec.namespace, pod_ref(rec.namespace, rec.name, rec.uid, rec.container), "BackOff",
                           f"Back-off restarting failed container {rec.container} in pod "
                           f"{rec.name}_{rec.namespace}({rec.uid})", t + 1, etype="Warning", host=rec.node)
        self._publish_pod(rec, t)
        self._schedule(rec)
        if was_ready:
            self._pod_ready_changed(rec, t)

    def reschedule_oom(self, rec: PodRecord, t: float) -> None:
        """After an intervention or a load change the crossing time moves."""
        cur = rec.current()
        if cur is None or cur.end is not None or rec.deleted_at is not None:
            return
        cur.oom_at = rec.model.next_oom(cur, t)
        self._schedule(rec)

    def _publish_pod(self, rec: PodRecord, t: float) -> None:
        from . import manifests
        if rec.deleted_at is not None:
            return
        self.store.put("pods", manifests.pod(rec, t, self.clock))

    def _kill_pod(self, rec: PodRecord, t: float, reason: str = "Killing") -> dict:
        """Delete a pod now (graceful deletion is instantaneous in the simulator)."""
        from . import manifests
        cur = rec.current()
        if cur is not None and cur.end is None:
            cur.end = t
            cur.end_reason = "Completed"
            cur.exit_code = 0
        obj = manifests.pod(rec, t, self.clock, deleting=True)
        self.recorder.emit(rec.namespace, pod_ref(rec.namespace, rec.name, rec.uid, rec.container), "Killing",
                           f"Stopping container {rec.container}", t, host=rec.node)
        rec.deleted_at = t
        rec.ready_at = None
        rec.version += 1
        st = self.store.delete("pods", rec.namespace, rec.name)
        self.pods.pop(rec.uid, None)
        self._release_slot(rec)
        if st is not None:
            obj["metadata"]["resourceVersion"] = st.obj["metadata"]["resourceVersion"]
        return obj
