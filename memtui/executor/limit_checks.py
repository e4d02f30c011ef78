"""Checks a new memory limit must pass before anything is sent.

A limit the API server accepts can still fail the incident: the Deployment patch is admitted (its
dry run passes), but the new pods are not.  The LimitRange admission refuses a container above
its ``max``; the ResourceQuota admission refuses a pod that takes ``limits.memory`` or
``requests.memory`` over ``hard`` (and during a rolling update the old pods still count, plus the
surge pods); the scheduler leaves a pod Pending when no node has its memory *request* unrequested.
Either way the rollout stalls with the old pods still OOMing.  So each is checked here from
read-only GETs, and a failed check blocks Apply: the operator edits the value (the modal re-plans)
or fixes the quota first.  There is no override, because sending would only produce a stuck
rollout: the API server and the scheduler would refuse the same thing a moment later.

What cannot be checked (a 403 on the cluster-scoped Node read, say) is stated as "could not
check", never a crash and never a silent pass.  A limit above what a node has unrequested is not
refused by anyone, but the node, not the limit, then decides when the pod dies (memory pressure,
eviction): that is a caution, not a block.

Requests default to limits on pod creation when a container has no request: then raising the
limit raises the request too, and the scheduling check uses it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from memtui.executor.kubeapi import ApiFailure, KubeApi
from memtui.executor.model import Check
from memtui.reasoning.limit_advice import kubernetes_quantity
from memtui.state.snapshots import PodState
from memtui.state.units import QuantityError, format_bytes, parse_bytes

MAX_NODES = 20
"""Candidate nodes read for "where would it fit" at most (each costs one pods LIST)."""


@dataclass(frozen=True)
class LimitChange:
    """What the new pods would ask for, and how many there will be during the rollout."""

    deployment: str
    container: str
    old_limit: int | None
    new_limit: int
    request: int | None
    """The container's memory request in the template (None: it defaults to the limit)."""
    other_limits: int
    """The pod's other containers' memory limits (quota counts the pod)."""
    other_requests: int
    replicas: int
    surge: int
    node_selector: Mapping[str, str]
    tolerations: tuple[Mapping[str, Any], ...]

    @property
    def new_request(self) -> int:
        return self.request if self.request is not None else self.new_limit

    @property
    def old_request(self) -> int | None:
        return self.request if self.request is not None else self.old_limit


def _bytes(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return parse_bytes(str(value))
    except QuantityError:
        return None


def q(value: int) -> str:
    return kubernetes_quantity(value) if value % (1024**2) == 0 else format_bytes(value)


def change_from(deployment: Mapping[str, Any], container: str, new_limit: int) -> LimitChange:
    """The ``LimitChange`` for the deployment's template, its ``container`` at ``new_limit``."""
    spec = deployment.get("spec") or {}
    pod_spec = ((spec.get("template") or {}).get("spec")) or {}
    containers = pod_spec.get("containers") or []
    old = req = None
    other_l = other_r = 0
    for c in containers:
        res = c.get("resources") or {}
        lim, rq = _bytes((res.get("limits") or {}).get("memory")), _bytes((res.get("requests") or {}).get("memory"))
        if c.get("name") == container:
            old, req = lim, rq
        else:
            other_l += lim or 0
            other_r += rq if rq is not None else (lim or 0)
    replicas = int(spec.get("replicas", 1) or 0)
    strategy = spec.get("strategy") or {}
    surge = 0
    if strategy.get("type", "RollingUpdate") == "RollingUpdate":
        raw = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
        surge = (math.ceil(replicas * int(str(raw).rstrip("%")) / 100) if str(raw).endswith("%") else int(raw))
    return LimitChange(str((deployment.get("metadata") or {}).get("name", "?")), container, old, new_limit, req,
                       other_l, other_r, replicas, surge, dict(pod_spec.get("nodeSelector") or {}),
                       tuple(pod_spec.get("tolerations") or ()))


def request_check(change: LimitChange) -> Check:
    if change.request is not None and change.request > change.new_limit:
        return Check("request ≤ limit", "fail",
                     f"the memory request {q(change.request)} is above the new limit {q(change.new_limit)}: the API "
                     "server refuses a limit below the request")
    if change.request is None:
        return Check("request ≤ limit", "ok", f"no memory request: new pods get request = limit = {q(change.new_limit)}")
    return Check("request ≤ limit", "ok", f"request {q(change.request)} ≤ limit {q(change.new_limit)}")


def limitrange_checks(api: KubeApi, change: LimitChange) -> list[Check]:
    """Each LimitRange item of type Container (max, min, maxLimitRequestRatio) and Pod (max)."""
    try:
        listed = api.get(api.path("limitranges"))
    except ApiFailure as exc:
        return [Check("LimitRange", "unknown", f"LimitRanges could not be checked: {_why(exc)}")]
    out: list[Check] = []
    for lr in listed.get("items") or []:
        name = (lr.get("metadata") or {}).get("name", "?")
        for item in (lr.get("spec") or {}).get("limits") or []:
            kind = item.get("type")
            top = _bytes((item.get("max") or {}).get("memory"))
            low = _bytes((item.get("min") or {}).get("memory"))
            ratio = (item.get("maxLimitRequestRatio") or {}).get("memory")
            if kind == "Container":
                if top is not None and change.new_limit > top:
                    out.append(Check("LimitRange", "fail", f"LimitRange {name}: max {q(top)} per container; "
                                     f"{q(change.new_limit)} would be refused when the new pods are created"))
                elif low is not None and change.new_request < low:
                    out.append(Check("LimitRange", "fail", f"LimitRange {name}: min {q(low)} per container; the "
                                     f"request {q(change.new_request)} would be refused"))
                elif ratio is not None and change.new_request and change.new_limit / change.new_request > float(ratio):
                    out.append(Check("LimitRange", "fail", f"LimitRange {name}: limit/request at most {ratio}; "
                                     f"{q(change.new_limit)}/{q(change.new_request)} is "
                                     f"{change.new_limit / change.new_request:.2f}"))
                else:
                    bounds = ", ".join(x for x in (f"min {q(low)}" if low else "", f"max {q(top)}" if top else "") if x)
                    out.append(Check("LimitRange", "ok", f"LimitRange {name}: {bounds or 'no memory bound'} per "
                                     f"container; {q(change.new_limit)} is within"))
            elif kind == "Pod" and top is not None:
                pod = change.new_limit + change.other_limits
                out.append(Check("LimitRange", "fail" if pod > top else "ok",
                                 f"LimitRange {name}: max {q(top)} per pod; the pod's limits would total {q(pod)}"))
    if not out:
        out.append(Check("LimitRange", "ok", "no LimitRange bounds memory in this namespace"))
    return out


def ceiling(api: KubeApi) -> tuple[int, str] | None:
    """The lowest per-container ``max.memory`` of the namespace's LimitRanges (the advice's cap)."""
    try:
        listed = api.get(api.path("limitranges"))
    except ApiFailure:
        return None
    best: tuple[int, str] | None = None
    for lr in listed.get("items") or []:
        for item in (lr.get("spec") or {}).get("limits") or []:
            top = _bytes((item.get("max") or {}).get("memory")) if item.get("type") == "Container" else None
            if top is not None and (best is None or top < best[0]):
                best = (top, f"LimitRange {(lr.get('metadata') or {}).get('name', '?')} allows at most {q(top)} "
                             "per container")
    return best


def quota_checks(api: KubeApi, change: LimitChange, pods: Sequence[PodState]) -> list[Check]:
    """``limits.memory`` and ``requests.memory`` of each ResourceQuota, at the rollout's peak.

    With ``maxSurge`` s and n replicas the rollout holds at its worst all n new pods and s old ones
    (terminating pods count until gone): other pods' use + s × old + n × new.
    """
    try:
        listed = api.get(api.path("resourcequotas"))
    except ApiFailure as exc:
        return [Check("ResourceQuota", "unknown", f"ResourceQuotas could not be checked: {_why(exc)}")]
    mine_limits = sum(p.memory_limit_bytes or 0 for p in pods)
    mine_requests = sum(sum(c.memory_request_bytes if c.memory_request_bytes is not None else (c.memory_limit_bytes or 0)
                            for c in p.containers) for p in pods)
    old_pod_l = (change.old_limit or 0) + change.other_limits
    new_pod_l = change.new_limit + change.other_limits
    old_pod_r = (change.old_request or 0) + change.other_requests
    new_pod_r = change.new_request + change.other_requests
    out: list[Check] = []
    for quota in listed.get("items") or []:
        name = (quota.get("metadata") or {}).get("name", "?")
        status = quota.get("status") or {}
        hard, used = status.get("hard") or {}, status.get("used") or {}
        for key, mine, old_pod, new_pod in (("limits.memory", mine_limits, old_pod_l, new_pod_l),
                                            ("requests.memory", mine_requests, old_pod_r, new_pod_r)):
            top = _bytes(hard.get(key))
            if top is None:
                continue
            now = _bytes(used.get(key)) or 0
            others = max(0, now - mine)
            peak = others + change.surge * min(old_pod, new_pod) + change.replicas * max(old_pod, new_pod)
            how = (f"{q(others)} other + {change.surge} × {q(min(old_pod, new_pod))} + {change.replicas} × "
                   f"{q(max(old_pod, new_pod))} = {q(peak)} at the rollout's peak")
            if peak > top:
                out.append(Check("ResourceQuota", "fail", f"ResourceQuota {name} {key}: {q(now)} used of {q(top)}; "
                                 f"{how}: the new pods would be refused (exceeded quota)"))
            else:
                out.append(Check("ResourceQuota", "ok", f"ResourceQuota {name} {key}: {q(now)} used of {q(top)}; {how}"))
    if not out:
        out.append(Check("ResourceQuota", "ok", "no ResourceQuota limits memory in this namespace"))
    return out


@dataclass(frozen=True)
class NodeRoom:
    name: str
    allocatable: int
    requested: int
    fits_pod: bool
    """Taints tolerated and selector matched (a node the pods may run on at all)."""
    memory_pressure: bool = False
    """The node's ``MemoryPressure`` condition is True (the kubelet is evicting)."""

    @property
    def free(self) -> int:
        return self.allocatable - self.requested


def node_checks(api: KubeApi, change: LimitChange, pods: Sequence[PodState]) -> list[Check]:
    """Scheduling (the request against allocatable − requested) and the limit against what the
    pods' nodes have unrequested; says on which nodes the new pods would fit."""
    current = sorted({p.node for p in pods if p.node})
    try:
        rooms = _rooms(api, change, current)
    except ApiFailure as exc:
        return [Check("nodes", "unknown", f"nodes could not be checked: {_why(exc)}")]
    if not rooms:
        return [Check("nodes", "unknown", "nodes could not be checked: no node matches the pods' nodeSelector")]
    eligible = [r for r in rooms if r.fits_pod]
    out: list[Check] = []
    growing = change.old_request is None or change.new_request > change.old_request
    need = change.new_request
    # the surge pod needs room next to every old pod; once the old pods go, their requests free up
    first = [r for r in eligible if r.free >= need]
    mine: dict[str, int] = {}
    for p in pods:
        if p.node:
            mine[p.node] = mine.get(p.node, 0) + sum(
                c.memory_request_bytes if c.memory_request_bytes is not None else (c.memory_limit_bytes or 0)
                for c in p.containers)
    slots = {r.name: max(0, r.free + mine.get(r.name, 0)) // need for r in eligible} if need > 0 else {}
    total = sum(slots.values())
    where = ", ".join(f"{r.name} ({format_bytes(max(0, r.free))} unrequested)" for r in first[:4])
    if not first:
        out.append(Check("nodes", "fail", f"no node has {q(need)} unrequested for the new pods' request "
                         f"(of {len(eligible)} eligible nodes): they would stay Pending"))
    elif need > 0 and total < change.replicas:
        spread = ", ".join(f"{name}: {n}" for name, n in slots.items() if n) or "none"
        out.append(Check("nodes", "fail", f"request {q(need)}: room for {total} of {change.replicas} new pods ({spread}) "
                         "once the old pods are gone: the rest would stay Pending"))
    else:
        lead = "the request rises with the limit; " if growing else ""
        out.append(Check("nodes", "ok", f"{lead}request {q(need)} fits on: {where}"))
    biggest = max((r.allocatable for r in eligible), default=0)
    if eligible and change.new_limit > biggest:
        out.append(Check("nodes", "fail", f"the limit {q(change.new_limit)} is more than any eligible node has "
                         f"allocatable ({format_bytes(biggest)}): the node would run out of memory first"))
    for room in rooms:
        if room.name in current and room.memory_pressure:
            out.append(Check("nodes", "caution", f"{room.name} reports MemoryPressure: the kubelet is evicting pods "
                             "there; a higher limit lets these pods take more from a node already short (new pods "
                             "are not scheduled there while it lasts)"))
        elif room.name in current and room.free + change.new_request < change.new_limit:
            out.append(Check("nodes", "caution", f"{room.name} has {format_bytes(max(0, room.free))} unrequested; a pod "
                             f"growing to {q(change.new_limit)} there puts the node under memory pressure "
                             "(the kubelet evicts pods, not an OOM kill of this container)"))
    return out


def _rooms(api: KubeApi, change: LimitChange, current: list[str]) -> list[NodeRoom]:
    selector = ",".join(f"{k}={v}" for k, v in sorted(change.node_selector.items()))
    listed = api.get("/api/v1/nodes", (("labelSelector", selector),) if selector else ())
    nodes = listed.get("items") or []
    nodes.sort(key=lambda n: (((n.get("metadata") or {}).get("name") not in current),
                              (n.get("metadata") or {}).get("name", "")))
    rooms = []
    for node in nodes[:MAX_NODES]:
        name = (node.get("metadata") or {}).get("name", "?")
        alloc = _bytes(((node.get("status") or {}).get("allocatable") or {}).get("memory")) or 0
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in (node.get("status") or {}).get("conditions") or [])
        schedulable = ready and not (node.get("spec") or {}).get("unschedulable")
        tolerated = all(_tolerated(t, change.tolerations) for t in (node.get("spec") or {}).get("taints") or []
                        if t.get("effect") in ("NoSchedule", "NoExecute"))
        on_node = api.get("/api/v1/pods", (("fieldSelector", f"spec.nodeName={name},status.phase!=Succeeded,"
                                                              "status.phase!=Failed"),))
        requested = 0
        for pod in on_node.get("items") or []:
            for c in (pod.get("spec") or {}).get("containers") or []:
                res = c.get("resources") or {}
                rq = _bytes((res.get("requests") or {}).get("memory"))
                requested += rq if rq is not None else (_bytes((res.get("limits") or {}).get("memory")) or 0)
        pressure = any(c.get("type") == "MemoryPressure" and c.get("status") == "True"
                       for c in (node.get("status") or {}).get("conditions") or [])
        rooms.append(NodeRoom(name, alloc, requested, schedulable and tolerated and not pressure, pressure))
    return rooms


def _tolerated(taint: Mapping[str, Any], tolerations: Sequence[Mapping[str, Any]]) -> bool:
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        if t.get("operator") == "Exists" and (not t.get("key") or t.get("key") == taint.get("key")):
            return True
        if t.get("key") == taint.get("key") and t.get("value", "") == taint.get("value", ""):
            return True
    return False


def _why(exc: ApiFailure) -> str:
    return "forbidden (RBAC)" if exc.status == 403 else str(exc)
