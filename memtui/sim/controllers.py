"""The deployment and ReplicaSet controllers, reduced to what an incident needs.

A pod-template change (rollout restart, a limit patch, `kubectl set env`)
creates a new ReplicaSet revision (or reuses the one with the same
pod-template-hash, as a rollback does), surges all its pods at once and
removes one old pod for each new pod that becomes Ready. Scaling changes the
newest ReplicaSet's replicas; a ReplicaSet replaces a deleted pod at once.
"""

from __future__ import annotations

import copy
from typing import Any

from . import manifests
from .cluster_core import ClusterCore
from .events import obj_ref
from .names import template_hash
from .records import DeploymentRecord, PodRecord, ReplicaSetRecord


class DeploymentController(ClusterCore):
    """Mixin for Cluster."""

    # -- ReplicaSets ---------------------------------------------------------------
    def _rs_pods(self, rs: ReplicaSetRecord) -> list[PodRecord]:
        return [self.pods[u] for u in rs.pods if u in self.pods]

    def new_replicaset(self, dep: DeploymentRecord, template: dict[str, Any], t: float,
                       replicas: int, revision: int | None = None, change_cause: str | None = None
                       ) -> ReplicaSetRecord:
        h = template_hash(template)
        rev = revision if revision is not None else (max((r.revision for r in dep.rs), default=0) + 1)
        rs = ReplicaSetRecord(namespace=dep.namespace, name=f"{dep.name}-{h}", uid=self.names.uid(), hash=h,
                              revision=rev, template=copy.deepcopy(template), created=t, replicas=replicas,
                              change_cause=change_cause)
        dep.rs.append(rs)
        return rs

    def reconcile_rs(self, dep: DeploymentRecord, rs: ReplicaSetRecord, t: float) -> None:
        live = self._rs_pods(rs)
        rs.pods = [p.uid for p in live]
        if len(live) < rs.replicas:
            for _ in range(rs.replicas - len(live)):
                rec = self.create_pod(dep, rs, t)
                self.recorder.emit(rs.namespace, obj_ref("ReplicaSet", "apps/v1", rs.namespace, rs.name, rs.uid),
                                   "SuccessfulCreate", f"Created pod: {rec.name}", t,
                                   component="replicaset-controller", aggregate=False)
        elif len(live) > rs.replicas:
            # the ReplicaSet controller removes unready pods first, then the youngest
            victims = sorted(live, key=lambda p: (p.ready(t), -p.created))[: len(live) - rs.replicas]
            for rec in victims:
                self._kill_pod(rec, t)
                rs.pods.remove(rec.uid)
                self.recorder.emit(rs.namespace, obj_ref("ReplicaSet", "apps/v1", rs.namespace, rs.name, rs.uid),
                                   "SuccessfulDelete", f"Deleted pod: {rec.name}", t,
                                   component="replicaset-controller", aggregate=False)
        self._dirty.add((dep.namespace, dep.name))

    # -- Deployments -----------------------------------------------------------------
    def _scaled_event(self, dep: DeploymentRecord, rs: ReplicaSetRecord, old: int, new: int,
                      t: float) -> None:
        verb = "up" if new > old else "down"
        self.recorder.emit(dep.namespace, obj_ref("Deployment", "apps/v1", dep.namespace, dep.name, dep.uid),
                           "ScalingReplicaSet", f"Scaled {verb} replica set {rs.name} to {new} from {old}", t,
                           component="deployment-controller", aggregate=False)

    def update_deployment(self, dep: DeploymentRecord, new_obj: dict[str, Any], t: float) -> None:
        """Apply an accepted spec/metadata change and let the controllers react."""
        old_spec = dep.obj["spec"]
        new_spec = new_obj["spec"]
        if new_spec != old_spec:
            dep.generation += 1
        template_changed = new_spec.get("template") != old_spec.get("template")
        replicas_changed = new_spec.get("replicas", 1) != old_spec.get("replicas", 1)
        dep.obj = new_obj
        if template_changed:
            self._rollout(dep, t)
        elif replicas_changed:
            self._scale(dep, t)
        self._on_deployment_scaled(dep, t)
        self._dirty.add((dep.namespace, dep.name))
        self.flush_dirty(t)

    def _rollout(self, dep: DeploymentRecord, t: float) -> None:
        template = copy.deepcopy(dep.obj["spec"]["template"])
        h = template_hash(template)
        cause = dep.obj["metadata"].get("annotations", {}).get("kubernetes.io/change-cause")
        top = max(r.revision for r in dep.rs)
        same = [r for r in dep.rs if r.hash == h]
        if same:
            rs = same[0]
            if rs.revision != top:
                rs.revision = top + 1
            rs.change_cause = cause
        else:
            rs = self.new_replicaset(dep, template, t, 0, change_cause=cause)
        old = rs.replicas
        rs.replicas = dep.replicas
        rs.generation += 1
        if old != rs.replicas:
            self._scaled_event(dep, rs, old, rs.replicas, t)
        self.reconcile_rs(dep, rs, t)
        self._progress(dep, t)

    def _scale(self, dep: DeploymentRecord, t: float) -> None:
        newest = dep.newest()
        old_rs_total = sum(r.replicas for r in dep.rs if r is not newest)
        target = dep.replicas
        if old_rs_total:  # mid-rollout: old ReplicaSets only shrink
            self._progress(dep, t)
        old = newest.replicas
        newest.replicas = target
        newest.generation += 1
        if old != target:
            self._scaled_event(dep, newest, old, target, t)
        self.reconcile_rs(dep, newest, t)

    def _progress(self, dep: DeploymentRecord, t: float) -> None:
        """Remove old pods as new ones become Ready (maxUnavailable 0, surge all)."""
        newest = dep.newest()
        new_ready = sum(1 for p in self._rs_pods(newest) if p.ready(t))
        allowed_old = max(0, dep.replicas - new_ready)
        for rs in sorted((r for r in dep.rs if r is not newest), key=lambda r: r.revision):
            keep = min(rs.replicas, allowed_old)
            if keep != rs.replicas:
                old = rs.replicas
                rs.replicas = keep
                rs.generation += 1
                self._scaled_event(dep, rs, old, keep, t)
                self.reconcile_rs(dep, rs, t)
            allowed_old -= keep
        self._dirty.add((dep.namespace, dep.name))

    def _pod_ready_changed(self, rec: PodRecord, t: float) -> None:
        dep = self._owner_deployment(rec)
        if dep is None:
            return
        if any(r.replicas for r in dep.rs if r is not dep.newest()):
            self._progress(dep, t)
        self._dirty.add((dep.namespace, dep.name))

    def _owner_deployment(self, rec: PodRecord) -> DeploymentRecord | None:
        if not rec.rs_name:
            return None
        for dep in self.deployments.values():
            if dep.namespace == rec.namespace and any(r.name == rec.rs_name for r in dep.rs):
                return dep
        return None

    def flush_dirty(self, t: float) -> None:
        """Publish status of Deployments/ReplicaSets touched since the last flush (once per sync)."""
        dirty, self._dirty = self._dirty, set()
        for key in dirty:
            dep = self.deployments.get(key)
            if dep is not None:
                self.publish_deployment(dep, t)
        if self._pdb_dirty:
            self.refresh_pdbs(t)

    def publish_deployment(self, dep: DeploymentRecord, t: float) -> None:
        total = ready = updated = 0
        newest = dep.newest()
        for rs in dep.rs:
            pods = self._rs_pods(rs)
            r = sum(1 for p in pods if p.ready(t))
            total += len(pods)
            ready += r
            if rs is newest:
                updated = len(pods)
            obj = manifests.replicaset(dep, rs, r, len(pods), self.clock)
            prev = self.store.get("replicasets", rs.namespace, rs.name)
            if prev is None or _differs(prev.obj, obj):
                self.store.put("replicasets", obj)
        progressing = any(r.replicas for r in dep.rs if r is not newest) or updated < dep.replicas
        prev = self.store.get("deployments", dep.namespace, dep.name)
        last_change = t
        obj = manifests.deployment(dep, total, updated, ready, progressing, t, self.clock, last_change)
        if prev is not None and not _differs(prev.obj, obj, ignore_times=True):
            return
        self.store.put("deployments", obj)


def _differs(a: dict[str, Any], b: dict[str, Any], ignore_times: bool = False) -> bool:
    def strip(o: dict[str, Any]) -> dict[str, Any]:
        o = dict(o)
        o["metadata"] = {k: v for k, v in o["metadata"].items() if k != "resourceVersion"}
        if ignore_times and "status" in o:
            st = dict(o["status"])
            st["conditions"] = [{k: v for k, v in c.items() if not k.endswith("Time")}
                                for c in st.get("conditions", [])]
            o["status"] = st
        return o
    return strip(a) != strip(b)
