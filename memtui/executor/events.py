"""A Kubernetes Event per action (reason ``MemtuiAction``), so teammates see it in
``kubectl get events`` and ``kubectl describe`` without reading memtui's audit log.

Best-effort by design: an operator without ``create events`` must still be able to apply a fix,
so a failure here is reported in the outcome and never fails the action.  The Event is a
core/v1 Event, the shape ``kubectl get events`` and ``describe`` show (``involvedObject``,
``source.component``), created with ``generateName`` so two actions never collide.

Each Event names the action's audit entry (its intent): annotations ``audit.memtui.io/seq``,
``/hash``, ``/entry`` and ``/chain`` (the log's first hash, telling one operator's log from
another's), and "audit #seq hash" at the end of the message for ``kubectl get events`` readers.
``memtui audit verify --against-cluster`` compares them with the log: the cluster keeps a copy of
the chain's positions that someone editing the file on a laptop cannot reach.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any

from memtui.audit.cluster import REASON
from memtui.audit.head import ChainPosition
from memtui.executor.kubeapi import JSON, ApiFailure, KubeApi, write_call
from memtui.executor.model import Plan, Target

COMPONENT = "memtui"
MESSAGE_MAX = 1024
ANNOTATION_PREFIX = "audit.memtui.io/"
SEQ_ANNOTATION = ANNOTATION_PREFIX + "seq"
HASH_ANNOTATION = ANNOTATION_PREFIX + "hash"
ENTRY_ANNOTATION = ANNOTATION_PREFIX + "entry"
CHAIN_ANNOTATION = ANNOTATION_PREFIX + "chain"

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


def event_body(plan: Plan, *, who: str, outcome: str, now: datetime, uid: str | None = None,
               audit: ChainPosition | None = None, entry_id: str | None = None) -> dict[str, Any]:
    target = event_target(plan)
    uid = uid or target.uid
    reason = f"; reason: {plan.reason}" if plan.reason else ""
    where = f" (audit #{audit.seq} {audit.hash[:12]})" if audit is not None else ""
    # The title first: teammates read `kubectl get events`, not the catalogue; the id stays for grep.
    message = f"{plan.title} [{plan.audit_action}] by {who}: {outcome}{reason}"[:MESSAGE_MAX - len(where)] + where
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    involved: dict[str, Any] = {"kind": target.kind, "name": target.name, "namespace": plan.namespace,
                                "apiVersion": _API_VERSIONS.get(target.kind, "v1")}
    if uid:
        involved["uid"] = uid
    metadata: dict[str, Any] = {"generateName": f"{target.name}.memtui-", "namespace": plan.namespace}
    if audit is not None:
        annotations = {SEQ_ANNOTATION: str(audit.seq), HASH_ANNOTATION: audit.hash}
        if entry_id:
            annotations[ENTRY_ANNOTATION] = entry_id
        if audit.chain:
            annotations[CHAIN_ANNOTATION] = audit.chain
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": metadata,
        "involvedObject": involved,
        "reason": REASON, "message": message, "type": "Normal",
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


def record(api: KubeApi, plan: Plan, *, who: str, outcome: str, now: datetime,
           audit: ChainPosition | None = None, entry_id: str | None = None) -> str:
    """Create the Event; returns a note for the outcome ("recorded as Event x" or why not).

    ``audit``/``entry_id``: the action's intent in the audit log, which the Event then names.
    """
    uid = _lookup_uid(api, event_target(plan))
    body = event_body(plan, who=who, outcome=outcome, now=now, uid=uid, audit=audit, entry_id=entry_id)
    try:
        created = api.send(write_call("POST", api.path("events"), content_type=JSON, body=body))
    except ApiFailure as exc:
        return f"not recorded as a Kubernetes Event ({exc})"
    return f"recorded as Event {(created.get('metadata') or {}).get('name', '?')}"
