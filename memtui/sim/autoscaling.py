"""HorizontalPodAutoscalers (autoscaling/v2) and the controller that acts on them every 15 s.

Reduced from kube-controller-manager's HPA controller to what an incident needs, with its
rules and messages: a scale target below ``minReplicas`` (or above ``maxReplicas``) is put back
at once; otherwise CPU utilisation (usage / request of the target's running pods, as
metrics.k8s.io reports it) gives ``ceil(ratio * ready pods)`` outside a 10% tolerance, scale-downs
take the highest recommendation of the last 5 minutes, scale-ups are limited to
``max(2 * current, current + 4)`` per sync.  A rescale writes the Deployment's replicas (the
deployment controller reacts as to any scale) and records a ``SuccessfulRescale`` Event.
"""

from __future__ import annotations

import copy
import heapq
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import managed
from .cluster_core import ClusterCore
from .events import obj_ref
from .policy import stable_uid
from .quantity import parse_quantity

if TYPE_CHECKING:
    from .records import DeploymentRecord

API_VERSION = "autoscaling/v2"
SYNC_PERIOD = 15.0
TOLERANCE = 0.1
DOWNSCALE_WINDOW = 300.0
METRIC_NAME = "cpu resource utilization (percentage of request)"


@dataclass
class HpaRecord:
    namespace: str
    name: str
    uid: str
    created: float
    obj: dict[str, Any]  # metadata + spec
    recommendations: list[tuple[float, int]] = field(default_factory=list)
    last_scale: float | None = None
    able: tuple[str, str, str] = ("True", "ReadyForNewScale", "recommended size matches current size")
    limited: tuple[str, str, str] = ("False", "DesiredWithinRange", "the desired count is within the acceptable range")
    active: tuple[str, str, str] = ("True", "ValidMetricFound", "the HPA was able to successfully calculate a replica "
                                                                "count from cpu resource utilization (percentage of request)")
    transitions: dict[str, tuple[str, float]] = field(default_factory=dict)
    utilization: int | None = None
    average_millis: int | None = None
    desired: int = 0

    @property
    def spec(self) -> dict[str, Any]:
        return self.obj["spec"]


def autoscaler(namespace: str, name: str, deployment: str, min_replicas: int, max_replicas: int,
               cpu_percent: int) -> dict[str, Any]:
    """An HPA as the API server stores it (behavior defaulted)."""
    return {
        "kind": "HorizontalPodAutoscaler", "apiVersion": API_VERSION,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": deployment, "apiVersion": "apps/v1"},
            "minReplicas": min_replicas, "maxReplicas": max_replicas,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": cpu_percent}}}],
            "behavior": {
                "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                    {"type": "Pods", "value": 4, "periodSeconds": 15},
                    {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [
                    {"type": "Percent", "value": 100, "periodSeconds": 15}]},
            },
        },
    }


class AutoscalerController(ClusterCore):
    """Mixin for Cluster."""

    hpas: dict[str, HpaRecord]  # by uid (the heap's key)

    def add_hpa(self, obj: dict[str, Any], created: float, t: float) -> HpaRecord:
        meta = obj["metadata"]
        uid = stable_uid(self.config.seed, "hpa", meta["namespace"], meta["name"])
        meta.update(uid=uid, resourceVersion="0", creationTimestamp=self.clock.iso(created))
        managed.initial(meta, obj, manager="kubectl-client-side-apply", operation="Update", api_version=API_VERSION,
                        when=self.clock.iso(created))
        rec = HpaRecord(meta["namespace"], meta["name"], uid, created, obj)
        self.hpas[uid] = rec
        self.hpa_sync(uid, t, act=False)
        return rec

    def _schedule_hpa(self, rec: HpaRecord, t: float) -> None:
        self._seq += 1
        heapq.heappush(self.heap, (t + SYNC_PERIOD, self._seq, "hpa", rec.uid, 0))

    def _target(self, rec: HpaRecord) -> "DeploymentRecord | None":
        ref = rec.spec["scaleTargetRef"]
        if ref.get("kind") != "Deployment":
            return None
        return self.deployment(rec.namespace, ref.get("name", ""))

    def _cpu(self, dep: "DeploymentRecord", t: float) -> tuple[int, int, int] | None:
        """(utilization %, average usage in millicores, ready pods) over the target's running pods."""
        used = requested = 0
        running = ready = 0
        for rs in dep.rs:
            for pod in self._rs_pods(rs):
                sample = self.sample(pod, t)
                if sample is None:
                    continue
                req = pod.spec["containers"][0].get("resources", {}).get("requests", {}).get("cpu")
                if req is None:
                    return None  # utilisation needs a request on every pod (the real "missing request")
                used += sample.cpu_nanocores // 1_000_000
                requested += int(parse_quantity(req) * 1000)
                running += 1
                ready += 1 if pod.ready(t) else 0
        if not running or not requested:
            return None
        return used * 100 // requested, used // running, ready

    def hpa_sync(self, uid: str, t: float, act: bool = True) -> None:
        rec = self.hpas.get(uid)
        if rec is None:
            return
        dep = self._target(rec)
        spec = rec.spec
        lo, hi = int(spec.get("minReplicas", 1)), int(spec["maxReplicas"])
        if dep is None:
            self._set_conditions(rec, t, ("False", "FailedGetScale", f'the HPA controller was unable to get the '
                                          f'target\'s current scale: deployments/scale.apps "'
                                          f'{spec["scaleTargetRef"].get("name")}" not found'), None, None)
            rec.desired = 0
            self._publish_hpa(rec, t, 0)
            self._schedule_hpa(rec, t)
            return
        current = dep.replicas
        pods = sum(len(self._rs_pods(rs)) for rs in dep.rs)
        desired, reason = current, ""
        active = rec.active
        limited = ("False", "DesiredWithinRange", "the desired count is within the acceptable range")
        able = ("True", "ReadyForNewScale", "recommended size matches current size")
        if current == 0:
            active = ("False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
        elif current > hi:
            desired, reason = hi, "Current number of replicas above Spec.MaxReplicas"
        elif current < lo:
            desired, reason = lo, "Current number of replicas below Spec.MinReplicas"
        else:
            cpu = self._cpu(dep, t)
            target = int(spec["metrics"][0]["resource"]["target"]["averageUtilization"])
            if cpu is None:
                active = ("False", "FailedGetResourceMetric", "the HPA was unable to compute the replica count: "
                          "unable to get metrics for resource cpu: no metrics returned from resource metrics API")
                rec.utilization = rec.average_millis = None
            else:
                util, avg, ready = cpu
                rec.utilization, rec.average_millis = util, avg
                active = ("True", "ValidMetricFound", f"the HPA was able to successfully calculate a replica count "
                                                      f"from {METRIC_NAME}")
                ratio = util / target
                proposal = current if abs(1.0 - ratio) <= TOLERANCE else math.ceil(ratio * max(ready, 1))
                if proposal > current:
                    reason = f"{METRIC_NAME} above target"
                elif proposal < current:
                    reason = "All metrics below target"
                rec.recommendations = [(ts, r) for ts, r in rec.recommendations if ts > t - DOWNSCALE_WINDOW]
                rec.recommendations.append((t, proposal))
                desired = proposal
                if proposal < current:  # scale down: the highest recommendation of the window
                    desired = max(r for _, r in rec.recommendations)
                    if desired != proposal:
                        able = ("True", "ScaleDownStabilized", "recent recommendations were higher than current one, "
                                "applying the highest recent recommendation")
                up_limit = max(2 * current, current + 4)
                if desired > up_limit:
                    desired = up_limit
                    limited = ("True", "ScaleUpLimit", "the desired replica count is increasing faster than the "
                                                       "maximum scale rate")
                if desired < lo:
                    desired = lo
                    limited = ("True", "TooFewReplicas", "the desired replica count is less than the minimum "
                                                         "replica count")
                elif desired > hi:
                    desired = hi
                    limited = ("True", "TooManyReplicas", "the desired replica count is more than the maximum "
                                                          "replica count")
        rec.desired = desired
        if act and desired != current and current != 0:
            obj = copy.deepcopy(dep.obj)
            obj["spec"]["replicas"] = desired
            # the HPA controller writes through the scale subresource, as kube-controller-manager
            managed.record(obj["metadata"], manager="kube-controller-manager", operation="Update",
                           api_version="apps/v1", when=self.clock.iso(t), old=dep.obj, new=obj, subresource="scale")
            self.update_deployment(dep, obj, t)
            rec.last_scale = t
            able = ("True", "SucceededRescale", f"the HPA controller was able to update the target scale to {desired}")
            self.recorder.emit(rec.namespace, obj_ref("HorizontalPodAutoscaler", API_VERSION, rec.namespace, rec.name,
                                                      rec.uid),
                               "SuccessfulRescale", f"New size: {desired}; reason: {reason}", t,
                               component="horizontal-pod-autoscaler", aggregate=False)
            pods = sum(len(self._rs_pods(rs)) for rs in dep.rs)
        self._set_conditions(rec, t, active, able, limited)
        self._publish_hpa(rec, t, pods)
        self._schedule_hpa(rec, t)

    def _set_conditions(self, rec: HpaRecord, t: float, active: tuple[str, str, str],
                        able: tuple[str, str, str] | None, limited: tuple[str, str, str] | None) -> None:
        if able is not None:
            rec.able = able
        if limited is not None:
            rec.limited = limited
        rec.active = active
        for kind, cond in (("AbleToScale", rec.able), ("ScalingActive", rec.active), ("ScalingLimited", rec.limited)):
            prev = rec.transitions.get(kind)
            if prev is None:
                rec.transitions[kind] = (cond[0], rec.created if rec.last_scale is None and t <= 0 else t)
            elif prev[0] != cond[0]:
                rec.transitions[kind] = (cond[0], t)

    def _publish_hpa(self, rec: HpaRecord, t: float, pods: int) -> None:
        status: dict[str, Any] = {}
        if rec.last_scale is not None:
            status["lastScaleTime"] = self.clock.iso(rec.last_scale)
        status["currentReplicas"] = pods
        status["desiredReplicas"] = rec.desired
        if rec.utilization is not None:
            status["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageValue": f"{rec.average_millis}m", "averageUtilization": rec.utilization}}}]
        else:
            status["currentMetrics"] = None
        conds = []
        for kind, cond in (("AbleToScale", rec.able), ("ScalingActive", rec.active), ("ScalingLimited", rec.limited)):
            conds.append({"type": kind, "status": cond[0], "lastTransitionTime": self.clock.iso(rec.transitions[kind][1]),
                          "reason": cond[1], "message": cond[2]})
        status["conditions"] = conds
        stored = self.store.get("horizontalpodautoscalers", rec.namespace, rec.name)
        if stored is not None and stored.obj.get("status") == status:
            return
        self.store.put("horizontalpodautoscalers", {**rec.obj, "metadata": dict(rec.obj["metadata"]), "status": status})
