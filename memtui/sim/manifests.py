"""Records -> the JSON objects the API serves (Pod, ReplicaSet, Deployment, Event ...).

Shapes follow what a 1.32 API server returns, including the fields nobody
reads but every payload carries (managedFields, defaulted spec fields,
conditions): the benchmark compares memtui with kubectl on realistic payloads.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .clock import SimClock
from .records import DeploymentRecord, PodRecord, ReplicaSetRecord
from .sidecar import sidecar_status


def _mf(manager: str, op: str, api: str, when: str, fields: dict, sub: str | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {"manager": manager, "operation": op, "apiVersion": api, "time": when,
                         "fieldsType": "FieldsV1", "fieldsV1": fields}
    if sub:
        e["subresource"] = sub
    return e


_POD_CTRL_FIELDS = {
    "f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}},
                   "f:ownerReferences": {".": {}, "k:{\"uid\":\"\"}": {}}},
    "f:spec": {"f:containers": {"k:{\"name\":\"\"}": {".": {}, "f:image": {}, "f:imagePullPolicy": {},
                                                    "f:name": {}, "f:resources": {".": {}, "f:limits": {},
                                                                                  "f:requests": {}},
                                                    "f:terminationMessagePath": {},
                                                    "f:terminationMessagePolicy": {}}},
               "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
               "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}},
}
_POD_KUBELET_FIELDS: dict[str, Any] = {
    "f:status": {"f:conditions": {"k:{\"type\":\"ContainersReady\"}": {".": {}, "f:lastProbeTime": {},
                                                                       "f:lastTransitionTime": {}, "f:status": {},
                                                                       "f:type": {}},
                                  "k:{\"type\":\"Initialized\"}": {".": {}, "f:lastProbeTime": {},
                                                                   "f:lastTransitionTime": {}, "f:status": {},
                                                                   "f:type": {}},
                                  "k:{\"type\":\"PodReadyToStartContainers\"}": {".": {}, "f:lastProbeTime": {},
                                                                                 "f:lastTransitionTime": {},
                                                                                 "f:status": {}, "f:type": {}},
                                  "k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {},
                                                             "f:lastTransitionTime": {}, "f:status": {},
                                                             "f:type": {}}},
                 "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
                 "f:podIPs": {".": {}, "k:{\"ip\":\"\"}": {".": {}, "f:ip": {}}}, "f:startTime": {}},
}


def _terminated(rec: PodRecord, life, clock: SimClock) -> dict[str, Any]:
    return {"terminated": {"exitCode": life.exit_code if life.exit_code is not None else 137,
                           "reason": life.end_reason or "OOMKilled",
                           "startedAt": clock.iso(life.start), "finishedAt": clock.iso(life.end),
                           "containerID": life.container_id}}


def container_status(rec: PodRecord, t: float, clock: SimClock) -> tuple[dict[str, Any], bool, float]:
    """(containerStatus, ready, when readiness last changed)."""
    c = rec.spec["containers"][0]
    mounts = [{"name": m["name"], "mountPath": m["mountPath"], **({"readOnly": True} if m.get("readOnly") else {})}
              for m in c.get("volumeMounts", [])]
    cs: dict[str, Any] = {"name": c["name"], "state": {}, "lastState": {}, "ready": False, "restartCount": 0,
                          "image": rec.image, "imageID": "", "started": False}
    if not rec.lives or rec.lives[0].start > t:
        cs["state"] = {"waiting": {"reason": "ContainerCreating"}}
        cs["volumeMounts"] = mounts
        return cs, False, rec.created
    cur = [lf for lf in rec.lives if lf.start <= t][-1]
    cs["imageID"] = rec.image_id
    cs["restartCount"] = cur.index
    changed = cur.start
    if rec.evicted is not None and cur.end is not None and t >= cur.end:
        # evicted: the container stays terminated, nothing restarts it
        cs["containerID"] = cur.container_id
        cs["state"] = _terminated(rec, cur, clock)
        if cur.index > 0:
            cs["lastState"] = _terminated(rec, rec.lives[cur.index - 1], clock)
        cs["volumeMounts"] = mounts
        return cs, False, cur.end
    if cur.end is None or t < cur.end:
        cs["containerID"] = cur.container_id
        cs["state"] = {"running": {"startedAt": clock.iso(cur.start)}}
        cs["started"] = True
        ready = False
        if rec.ready_at is not None and rec.ready_at <= t:
            ready, changed = True, rec.ready_at
        cs["ready"] = ready
        if cur.index > 0:
            cs["lastState"] = _terminated(rec, rec.lives[cur.index - 1], clock)
    else:
        cs["containerID"] = cur.container_id
        backoff = int(rec.last_backoff or 10)
        cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                   "message": f"back-off {backoff}s restarting failed container={c['name']} "
                                              f"pod={rec.name}_{rec.namespace}({rec.uid})"}}
        cs["lastState"] = _terminated(rec, cur, clock)
        changed = cur.end
        ready = False
    cs["volumeMounts"] = mounts
    return cs, ready, changed


def pod(rec: PodRecord, t: float, clock: SimClock, deleting: bool = False) -> dict[str, Any]:
    created = clock.iso(rec.created)
    started = rec.created + 1.0
    meta: dict[str, Any] = {
        "name": rec.name,
        "namespace": rec.namespace,
        "uid": rec.uid,
        "resourceVersion": "0",
        "creationTimestamp": created,
        "labels": dict(rec.labels),
    }
    if rec.owner:
        meta["generateName"] = rec.owner["name"] + "-"
    if rec.annotations:
        meta["annotations"] = dict(rec.annotations)
    if rec.owner:
        meta["ownerReferences"] = [dict(rec.owner)]
    if deleting:
        meta["deletionTimestamp"] = clock.iso(t + 30)
        meta["deletionGracePeriodSeconds"] = 30
    cs, ready, changed = container_status(rec, t, clock)
    statuses = [cs]
    side = sidecar_status(rec, t, clock)
    if side is not None:
        statuses.append(side[0])
        ready = ready and side[1]
    meta["managedFields"] = [
        _mf("kube-controller-manager", "Update", "v1", created, _POD_CTRL_FIELDS),
        _mf("kubelet", "Update", "v1", clock.iso(max(rec.created, rec.status_changed)), _POD_KUBELET_FIELDS,
            "status"),
    ]
    running = bool(rec.lives) and rec.lives[0].start <= t
    ready_s = "True" if ready else "False"
    conds = [
        {"type": "PodReadyToStartContainers", "status": "True" if t >= started else "False",
         "lastProbeTime": None, "lastTransitionTime": clock.iso(started)},
        {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": clock.iso(rec.created)},
        {"type": "Ready", "status": ready_s, "lastProbeTime": None, "lastTransitionTime": clock.iso(changed)},
        {"type": "ContainersReady", "status": ready_s, "lastProbeTime": None,
         "lastTransitionTime": clock.iso(changed)},
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": created},
    ]
    evicted = rec.evicted is not None and rec.evicted[0] <= t
    if evicted:
        assert rec.evicted is not None
        conds.insert(0, {"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                         "lastTransitionTime": clock.iso(rec.evicted[0]), "reason": "TerminationByKubelet",
                         "message": rec.evicted[1]})
    if not ready:
        reason = "PodFailed" if evicted else "ContainersNotReady"
        unready = " ".join(s["name"] for s in statuses if not s["ready"])
        msg = "" if evicted else f"containers with unready status: [{unready}]"
        for cnd in conds:
            if cnd["type"] in ("Ready", "ContainersReady"):
                cnd["reason"] = reason
                if msg:
                    cnd["message"] = msg
    status: dict[str, Any] = {
        "phase": "Failed" if evicted else "Running" if running else "Pending",
        "conditions": conds,
        "hostIP": rec.host_ip,
        "hostIPs": [{"ip": rec.host_ip}],
        "podIP": rec.ip,
        "podIPs": [{"ip": rec.ip}],
        "startTime": clock.iso(started),
        "containerStatuses": statuses,
        "qosClass": qos_class(rec.spec),
    }
    if evicted:
        assert rec.evicted is not None
        status["reason"] = "Evicted"
        status["message"] = rec.evicted[1]
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta, "spec": rec.spec, "status": status}


def qos_class(spec: dict[str, Any]) -> str:
    guaranteed = True
    any_set = False
    for c in spec.get("containers", []):
        res = c.get("resources", {})
        lim, req = res.get("limits", {}), res.get("requests", {})
        if lim or req:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or req.get(r, lim.get(r)) != lim.get(r):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def pod_spec(template_spec: dict[str, Any], node: str, sa_volume: str) -> dict[str, Any]:
    """Apply the defaulting the API server and admission do on pod creation."""
    spec = json.loads(json.dumps(template_spec))  # a deep copy, several times faster than copy.deepcopy
    for c in spec.get("containers", []):
        res = c.setdefault("resources", {})
        lim = res.get("limits", {})
        req = res.setdefault("requests", {})
        for k, v in lim.items():
            req.setdefault(k, v)  # requests default to limits
        c.setdefault("volumeMounts", []).append(
            {"name": sa_volume, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
    spec.setdefault("volumes", []).append({"name": sa_volume, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                      "fieldPath": "metadata.namespace"}}]}}],
        "defaultMode": 420}})
    spec["serviceAccountName"] = "default"
    spec["serviceAccount"] = "default"
    spec["nodeName"] = node
    tol = spec.setdefault("tolerations", [])
    tol += [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}]
    spec["priority"] = 0
    spec["enableServiceLinks"] = True
    spec["preemptionPolicy"] = "PreemptLowerPriority"
    return spec


def replicaset(dep: DeploymentRecord, rs: ReplicaSetRecord, ready: int, current: int, clock: SimClock
               ) -> dict[str, Any]:
    labels = dict(rs.template["metadata"]["labels"])
    labels["pod-template-hash"] = rs.hash
    ann = {"deployment.kubernetes.io/desired-replicas": str(dep.replicas),
           "deployment.kubernetes.io/max-replicas": str(dep.replicas + max(1, -(-dep.replicas // 4))),
           "deployment.kubernetes.io/revision": str(rs.revision)}
    if rs.change_cause:
        ann["kubernetes.io/change-cause"] = rs.change_cause
    sel = dict(dep.obj["spec"]["selector"]["matchLabels"])
    sel["pod-template-hash"] = rs.hash
    tmpl = copy.deepcopy(rs.template)
    tmpl["metadata"]["labels"] = labels
    tmpl["metadata"]["creationTimestamp"] = None
    status: dict[str, Any] = {"replicas": current, "observedGeneration": rs.generation}
    if current:
        status["fullyLabeledReplicas"] = current
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    return {
        "kind": "ReplicaSet", "apiVersion": "apps/v1",
        "metadata": {
            "name": rs.name, "namespace": rs.namespace, "uid": rs.uid, "resourceVersion": "0",
            "generation": rs.generation, "creationTimestamp": clock.iso(rs.created), "labels": labels,
            "annotations": ann,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": dep.name, "uid": dep.uid,
                                 "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {"replicas": rs.replicas, "selector": {"matchLabels": sel}, "template": tmpl},
        "status": status,
    }


def deployment(dep: DeploymentRecord, pods_total: int, updated: int, ready: int, progressing: bool,
               t: float, clock: SimClock, last_change: float) -> dict[str, Any]:
    obj = copy.deepcopy(dep.obj)
    obj["metadata"]["generation"] = dep.generation
    obj["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = str(dep.newest().revision)
    replicas = dep.replicas
    unavailable = max(0, replicas - ready)
    newest = dep.newest()
    status: dict[str, Any] = {"observedGeneration": dep.generation, "replicas": pods_total,
                              "updatedReplicas": updated}
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    if unavailable:
        status["unavailableReplicas"] = unavailable
    max_unavail = replicas // 4
    avail_ok = ready >= replicas - max_unavail
    status["conditions"] = [
        {"type": "Available", "status": "True" if avail_ok else "False",
         "lastUpdateTime": clock.iso(last_change), "lastTransitionTime": clock.iso(last_change),
         "reason": "MinimumReplicasAvailable" if avail_ok else "MinimumReplicasUnavailable",
         "message": "Deployment has minimum availability." if avail_ok
         else "Deployment does not have minimum availability."},
        {"type": "Progressing", "status": "True", "lastUpdateTime": clock.iso(last_change),
         "lastTransitionTime": clock.iso(newest.created),
         "reason": "ReplicaSetUpdated" if progressing else "NewReplicaSetAvailable",
         "message": (f'ReplicaSet "{newest.name}" is progressing.' if progressing
                     else f'ReplicaSet "{newest.name}" has successfully progressed.')},
    ]
    obj["status"] = status
    return obj


def event(name: str, namespace: str, involved: dict[str, Any], reason: str, message: str, etype: str,
          component: str, host: str | None, first: float, last: float, count: int, uid: str,
          clock: SimClock) -> dict[str, Any]:
    src: dict[str, Any] = {"component": component}
    if host:
        src["host"] = host
    return {
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace, "uid": uid, "resourceVersion": "0",
                     "creationTimestamp": clock.iso(first)},
        "involvedObject": involved,
        "reason": reason, "message": message, "source": src,
        "firstTimestamp": clock.iso(first), "lastTimestamp": clock.iso(last), "count": count, "type": etype,
        "eventTime": None, "reportingComponent": component, "reportingInstance": host or "",
    }


def namespace(name: str, uid: str, created: float, clock: SimClock) -> dict[str, Any]:
    return {"kind": "Namespace", "apiVersion": "v1",
            "metadata": {"name": name, "uid": uid, "resourceVersion": "0", "creationTimestamp": clock.iso(created),
                         "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def configmap(name: str, ns: str, uid: str, data: dict[str, str], created: float, clock: SimClock,
              labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "uid": uid, "resourceVersion": "0",
                            "creationTimestamp": clock.iso(created)}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    meta["managedFields"] = [_mf("kubectl-client-side-apply", "Update", "v1", clock.iso(created),
                                 {"f:data": {".": {}, **{f"f:{k}": {} for k in data}}})]
    return {"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta, "data": dict(data)}
