"""Turn raw Kubernetes JSON into snapshots.

memtui reads LIST responses as raw JSON rather than through the client's typed models: with
thousands of pods the models' deserialisation costs several times the request itself.  These
functions read only the fields memtui shows, and tolerate missing ones (a pod that is still
being scheduled has no containerStatuses).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from memtui.state.snapshots import ContainerState, KubeEvent, NodeState, PodState, PodUsage
from memtui.state.units import QuantityError, parse_bytes


def parse_time(value: str | None) -> datetime | None:
    """RFC 3339 timestamps as the API server writes them (``2026-11-27T02:44:13Z``)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _quantity(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return parse_bytes(value)
    except QuantityError:
        return None


def _container_state(spec: dict[str, Any], status: dict[str, Any] | None) -> ContainerState:
    resources = spec.get("resources") or {}
    limits = resources.get("limits") or {}
    limit = _quantity(limits.get("memory"))
    try:
        gpus = int(limits.get("nvidia.com/gpu", 0))
    except (TypeError, ValueError):
        gpus = 0
    request = _quantity((resources.get("requests") or {}).get("memory"))
    status = status or {}
    state = status.get("state") or {}
    state_name, state_reason, started_at = "waiting", None, None
    terminated_exit, terminated_at = None, None
    if "running" in state:
        state_name = "running"
        started_at = parse_time((state["running"] or {}).get("startedAt"))
    elif "terminated" in state:
        state_name = "terminated"
        now_terminated = state["terminated"] or {}
        state_reason = now_terminated.get("reason")
        terminated_exit = _int(now_terminated.get("exitCode"))
        terminated_at = parse_time(now_terminated.get("finishedAt"))
    elif "waiting" in state:
        state_reason = (state["waiting"] or {}).get("reason")
    last = (status.get("lastState") or {}).get("terminated") or {}
    return ContainerState(
        name=spec.get("name", status.get("name", "?")),
        ready=bool(status.get("ready")),
        restarts=int(status.get("restartCount") or 0),
        state=state_name,
        state_reason=state_reason,
        last_termination_reason=last.get("reason"),
        last_terminated_at=parse_time(last.get("finishedAt")),
        started_at=started_at,
        memory_limit_bytes=limit,
        memory_request_bytes=request,
        gpu_limit=gpus,
        last_exit_code=_int(last.get("exitCode")),
        terminated_exit_code=terminated_exit,
        terminated_at=terminated_at,
    )


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _status_text(pod: dict[str, Any]) -> str:
    """STATUS as ``kubectl get pods`` computes it (printers.go, printPod), for the common cases."""
    metadata = pod.get("metadata") or {}
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    has_running = False
    for cs in reversed(status.get("containerStatuses") or []):
        state = cs.get("state") or {}
        waiting = state.get("waiting")
        terminated = state.get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            signal = terminated.get("signal")
            reason = f"Signal:{signal}" if signal else f"ExitCode:{terminated.get('exitCode')}"
        elif cs.get("ready") and "running" in state:
            has_running = True
    if reason == "Completed" and has_running:
        reason = "Running"
    if metadata.get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def _owner(metadata: dict[str, Any]) -> str | None:
    refs = metadata.get("ownerReferences") or []
    if not refs:
        return None
    ref = refs[0]
    name = ref.get("name")
    template_hash = (metadata.get("labels") or {}).get("pod-template-hash")
    if ref.get("kind") == "ReplicaSet" and name and template_hash and name.endswith("-" + template_hash):
        return name[: -len(template_hash) - 1]
    return name


def parse_pod(pod: dict[str, Any]) -> PodState:
    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    statuses = {cs.get("name"): cs for cs in status.get("containerStatuses") or []}
    containers = tuple(
        _container_state(c, statuses.get(c.get("name"))) for c in spec.get("containers") or []
    )
    return PodState(
        name=metadata.get("name", "?"),
        namespace=metadata.get("namespace", ""),
        uid=metadata.get("uid", ""),
        phase=status.get("phase") or "Unknown",
        status_text=_status_text(pod),
        created_at=parse_time(metadata.get("creationTimestamp")),
        node=spec.get("nodeName"),
        owner=_owner(metadata),
        containers=containers,
        reason=status.get("reason"),
        message=status.get("message"),
    )


def parse_pod_list(payload: dict[str, Any]) -> tuple[PodState, ...]:
    return tuple(parse_pod(item) for item in payload.get("items") or [])


def parse_pod_metrics_list(payload: dict[str, Any]) -> dict[str, PodUsage]:
    """PodMetrics (metrics.k8s.io/v1beta1): usage.memory is the working set, in Ki."""
    usage: dict[str, PodUsage] = {}
    for item in payload.get("items") or []:
        name = (item.get("metadata") or {}).get("name")
        if not name:
            continue
        containers = []
        for c in item.get("containers") or []:
            value = _quantity((c.get("usage") or {}).get("memory"))
            if value is not None:
                containers.append((c.get("name", "?"), value))
        window = item.get("window")
        usage[name] = PodUsage(
            pod=name,
            working_set_bytes=sum(v for _, v in containers),
            containers=tuple(containers),
            window_seconds=_window_seconds(window),
            timestamp=parse_time(item.get("timestamp")),
        )
    return usage


def _window_seconds(window: str | None) -> float | None:
    if not window:
        return None
    try:
        if window.endswith("ms"):
            return float(window[:-2]) / 1000
        if window.endswith("s"):
            return float(window[:-1])
        if window.endswith("m"):
            return float(window[:-1]) * 60
    except ValueError:
        return None
    return None


def parse_event(item: dict[str, Any]) -> KubeEvent:
    involved = item.get("involvedObject") or {}
    last_seen = (
        parse_time(item.get("lastTimestamp"))
        or parse_time(item.get("eventTime"))
        or parse_time((item.get("series") or {}).get("lastObservedTime"))
        or parse_time(item.get("firstTimestamp"))
        or parse_time((item.get("metadata") or {}).get("creationTimestamp"))
    )
    return KubeEvent(
        last_seen=last_seen,
        type=item.get("type") or "Normal",
        reason=item.get("reason") or "",
        object_kind=involved.get("kind") or "",
        object_name=involved.get("name") or "",
        message=(item.get("message") or "").strip(),
        count=int(item.get("count") or (item.get("series") or {}).get("count") or 1),
        uid=(item.get("metadata") or {}).get("uid", ""),
        field_path=involved.get("fieldPath") or "",
    )


def parse_event_list(payload: dict[str, Any]) -> tuple[KubeEvent, ...]:
    return tuple(parse_event(item) for item in payload.get("items") or [])


def parse_node(item: dict[str, Any]) -> NodeState:
    """A Node's ``MemoryPressure`` condition and memory size (the rest of a Node is not read)."""
    status = item.get("status") or {}
    pressure, since = None, None
    for condition in status.get("conditions") or []:
        if condition.get("type") == "MemoryPressure":
            pressure = {"True": True, "False": False}.get(condition.get("status") or "")
            since = parse_time(condition.get("lastTransitionTime"))
    return NodeState(
        name=(item.get("metadata") or {}).get("name", "?"),
        memory_pressure=pressure,
        pressure_since=since,
        allocatable_memory=_quantity((status.get("allocatable") or {}).get("memory")),
        capacity_memory=_quantity((status.get("capacity") or {}).get("memory")),
    )


def object_key(item: dict[str, Any]) -> str:
    """Identity of an object in a watch: its uid (names are reused by StatefulSets and events)."""
    metadata = item.get("metadata") or {}
    return metadata.get("uid") or metadata.get("name", "")
