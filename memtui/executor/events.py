"""A Kubernetes Event per action (reason ``MemtuiAction``), so teammates see it in
``kubectl get events`` and ``kubectl describe`` without reading memtui's audit log.

Best-effort by design: an operator without ``create events`` must still be able to apply a fix,
so a failure here is reported in the outcome and never fails the action.  The Event is a
core/v1 Event, the shape ``kubectl get events`` and ``describe`` show (``involvedObject``,
``source.component``), created with ``generateName`` so two actions never collide.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any

from memtui.executor.kubeapi import JSON, ApiFailure, KubeApi, write_call
from memtui.executor.model import Plan, Target

REASON = "MemtuiAction"
COMPONENT = "memtui"
MESSAGE_MAX = 1024

_API_VERSIONS = {"Pod": "v1", "ConfigMap": "v1", "Deployment": "apps/v1"}


def event_target(plan: Plan) -> Target:
    """The object the Event is attached to: the first Kubernetes object the plan targets.

    Several pods (an exec on all pods) and Redis are recorded on their Deployment.
    """
    kube = [t for t in plan.targets if t.kind in _API_VERSIONS]
    if len(kube) == 1 or (kube and kube[0].kind != "Pod"):
        return kube[0]
    deployment = getattr(plan.operation, "deployment", None)
    if deployment:
        return Target("Deployment", deployment, plan.namespace, "")
    return kube[0] if kube else Target("Namespace", plan.namespace, plan.namespace, "")


def event_body(plan: Plan, *, who: str, outcome: str, now: datetime, uid: str | None = None) -> dict[str, Any]:
    target = event_target(plan)
    uid = uid or target.uid
    reason = f"; reason: {plan.reason}" if plan.reason else ""
    message = f"{plan.audit_action} by {who}: {outcome}{reason}"
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    involved: dict[str, Any] = {"kind": target.kind, "name": target.name, "namespace": plan.namespace,
                                "apiVersion": _API_VERSIONS.get(target.kind, "v1")}
    if uid:
        involved["uid"] = uid
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"generateName": f"{target.name}.memtui-", "namespace": plan.namespace},
        "involvedObject": involved,
        "reason": REASON, "message": message[:MESSAGE_MAX], "type": "Normal",
        "source": {"component": COMPONENT, "host": socket.gethostname()},
        "reportingComponent": COMPONENT, "reportingInstance": socket.gethostname(),
        "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1,
    }


def _lookup_uid(api: KubeApi, target: Target) -> str | None:
    """The uid ``kubectl describe`` matches Events on, when the plan did not already have it."""
    if target.uid or target.kind not in _API_VERSIONS:
        return target.uid
    group = "apps" if target.kind == "Deployment" else ""
    resource = {"Pod": "pods", "ConfigMap": "configmaps", "Deployment": "deployments"}[target.kind]
    try:
        return (api.get(api.path(resource, target.name, group=group)).get("metadata") or {}).get("uid")
    except ApiFailure:
        return None


def record(api: KubeApi, plan: Plan, *, who: str, outcome: str, now: datetime) -> str:
    """Create the Event; returns a note for the outcome ("recorded as Event x" or why not)."""
    uid = _lookup_uid(api, event_target(plan))
    body = event_body(plan, who=who, outcome=outcome, now=now, uid=uid)
    try:
        created = api.send(write_call("POST", api.path("events"), content_type=JSON, body=body))
    except ApiFailure as exc:
        return f"not recorded as a Kubernetes Event ({exc})"
    return f"recorded as Event {(created.get('metadata') or {}).get('name', '?')}"
