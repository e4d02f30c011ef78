"""Turn raw Kubernetes JSON into snapshots.

memtui reads LIST and WATCH responses as raw bytes (``_preload_content=False``), never through
the client's typed models: with thousands of pods the models' deserialisation costs several
times the request itself.  The bytes are decoded by msgspec straight into the slim wire Structs
below, which name only the fields memtui reads: every other key of a pod (its env, volumes,
probes, managedFields: most of its 6 kB) is skipped by the decoder without ever becoming a
Python object.  At 5,000 pods that makes decoding a LIST page 5× cheaper than ``json.loads``
and parsing the dicts, and the page's peak memory a fraction (``bench/collector.py``).  The
wire Structs then become the frozen snapshot records (``PodState``...) the informer keeps.

Every wire field is optional: a pod that is still being scheduled has no containerStatuses, and
a ``null`` reads as absent.  A value of the wrong JSON type (which an API server does not send)
fails the whole page with msgspec's message, which names its path (``$.items[3].status...``).
The dict functions (``parse_pod(dict)``) convert through the same Structs, so both paths give
the same records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from memtui.clients.kube.informer import ListPage, WatchEvent
from memtui.clients.names import shared, shared_or_none

from memtui.state.snapshots import ContainerState, ContainerUsage, KubeEvent, NodeState, PodState, PodUsage
from memtui.state.units import QuantityError, parse_bytes

Quantity = str | int | float | None
"""A Kubernetes quantity as JSON carries it (always a string from an API server)."""


class _Wire(msgspec.Struct, rename="camel", frozen=True, gc=False):
    """A wire record: camelCase keys, unknown keys skipped, never tracked by the cyclic GC."""


class _Labels(_Wire, frozen=True):
    pod_template_hash: str | None = msgspec.field(default=None, name="pod-template-hash")


class _OwnerRef(_Wire, frozen=True):
    kind: str | None = None
    name: str | None = None


class _ObjectMeta(_Wire, frozen=True):
    name: str | None = None
    namespace: str | None = None
    uid: str | None = None
    resource_version: str | None = None
    creation_timestamp: str | None = None
    deletion_timestamp: str | None = None
    labels: _Labels | None = None
    owner_references: tuple[_OwnerRef, ...] | None = None


class _Amounts(_Wire, frozen=True):
    memory: Quantity = None
    gpu: Quantity = msgspec.field(default=None, name="nvidia.com/gpu")


class _Resources(_Wire, frozen=True):
    limits: _Amounts | None = None
    requests: _Amounts | None = None


class _Container(_Wire, frozen=True):
    name: str | None = None
    resources: _Resources | None = None


class _Running(_Wire, frozen=True):
    started_at: str | None = None


class _Terminated(_Wire, frozen=True):
    reason: str | None = None
    exit_code: int | None = None
    signal: int | None = None
    finished_at: str | None = None


class _Waiting(_Wire, frozen=True):
    reason: str | None = None


class _State(_Wire, frozen=True):
    running: _Running | None = None
    terminated: _Terminated | None = None
    waiting: _Waiting | None = None


class _LastState(_Wire, frozen=True):
    terminated: _Terminated | None = None


class _ContainerStatus(_Wire, frozen=True):
    name: str | None = None
    ready: bool | None = None
    restart_count: int | None = None
    state: _State | None = None
    last_state: _LastState | None = None


class _PodSpec(_Wire, frozen=True):
    node_name: str | None = None
    containers: tuple[_Container, ...] | None = None


class _PodStatus(_Wire, frozen=True):
    phase: str | None = None
    reason: str | None = None
    message: str | None = None
    container_statuses: tuple[_ContainerStatus, ...] | None = None


class PodWire(_Wire, frozen=True):
    """The fields of a Pod memtui reads."""

    metadata: _ObjectMeta | None = None
    spec: _PodSpec | None = None
    status: _PodStatus | None = None


class _InvolvedObject(_Wire, frozen=True):
    kind: str | None = None
    name: str | None = None
    field_path: str | None = None


class _EventSeries(_Wire, frozen=True):
    count: int | None = None
    last_observed_time: str | None = None


class EventWire(_Wire, frozen=True):
    """The fields of a core/v1 Event memtui reads."""

    metadata: _ObjectMeta | None = None
    involved_object: _InvolvedObject | None = None
    type: str | None = None
    reason: str | None = None
    message: str | None = None
    count: int | None = None
    series: _EventSeries | None = None
    first_timestamp: str | None = None
    last_timestamp: str | None = None
    event_time: str | None = None


class _Usage(_Wire, frozen=True):
    memory: Quantity = None


class _ContainerMetrics(_Wire, frozen=True):
    name: str | None = None
    usage: _Usage | None = None


class _PodMetrics(_Wire, frozen=True):
    metadata: _ObjectMeta | None = None
    timestamp: str | None = None
    window: str | None = None
    containers: tuple[_ContainerMetrics, ...] | None = None


class _ListMeta(_Wire, frozen=True):
    resource_version: str | None = None
    continue_: str | None = msgspec.field(default=None, name="continue")


W = TypeVar("W")


class WireList(_Wire, Generic[W], frozen=True):
    """A LIST response (one page): its items and where the next page starts."""

    metadata: _ListMeta | None = None
    items: tuple[W, ...] | None = None


class WireStatus(_Wire, frozen=True):
    """A watch ``ERROR`` event's object (a ``Status``): 410 means the resourceVersion is gone."""

    code: int | None = None
    message: str | None = None


class WireWatchEvent(_Wire, frozen=True):
    """One WATCH line; ``object`` is kept raw until ``type`` says what it is (a Status on ERROR)."""

    type: str | None = None
    object: msgspec.Raw = msgspec.field(default_factory=msgspec.Raw)


_METRICS_LIST = msgspec.json.Decoder(WireList[_PodMetrics])


@lru_cache(maxsize=16384)
def parse_time(value: str | None) -> datetime | None:
    """RFC 3339 timestamps as the API server writes them (``2026-11-27T02:44:13Z``).

    Cached: the pods of a rollout start within the same seconds, and a metrics answer has a handful
    of timestamps for 20,000 pods; a datetime is immutable, so they share one object each."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def _quantity(value: Quantity) -> int | None:
    """Cached: every pod of a Deployment has the same limits, so a LIST parses a handful of distinct ones."""
    if value is None:
        return None
    try:
        return parse_bytes(value)
    except QuantityError:
        return None


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _container_state(spec: _Container, status: _ContainerStatus | None) -> ContainerState:
    resources = spec.resources
    limits = resources.limits if resources is not None else None
    requests = resources.requests if resources is not None else None
    gpus = _int(limits.gpu) if limits is not None and limits.gpu is not None else 0
    state = status.state if status is not None else None
    state_name, state_reason, started_at = "waiting", None, None
    terminated_exit, terminated_at = None, None
    if state is not None and state.running is not None:
        state_name = "running"
        started_at = parse_time(state.running.started_at)
    elif state is not None and state.terminated is not None:
        state_name = "terminated"
        state_reason = state.terminated.reason
        terminated_exit = state.terminated.exit_code
        terminated_at = parse_time(state.terminated.finished_at)
    elif state is not None and state.waiting is not None:
        state_reason = state.waiting.reason
    last = status.last_state.terminated if status is not None and status.last_state is not None else None
    return ContainerState(
        name=shared(spec.name or (status.name if status is not None else None) or "?"),
        ready=bool(status is not None and status.ready),
        restarts=(status.restart_count or 0) if status is not None else 0,
        state=state_name,
        state_reason=shared_or_none(state_reason),
        last_termination_reason=shared_or_none(last.reason) if last is not None else None,
        last_terminated_at=parse_time(last.finished_at) if last is not None else None,
        started_at=started_at,
        memory_limit_bytes=_quantity(limits.memory) if limits is not None else None,
        memory_request_bytes=_quantity(requests.memory) if requests is not None else None,
        gpu_limit=gpus or 0,
        last_exit_code=last.exit_code if last is not None else None,
        terminated_exit_code=terminated_exit,
        terminated_at=terminated_at,
    )


def _status_text(metadata: _ObjectMeta, status: _PodStatus) -> str:
    """STATUS as ``kubectl get pods`` computes it (printers.go, printPod), for the common cases."""
    reason = status.reason or status.phase or "Unknown"
    has_running = False
    for cs in reversed(status.container_statuses or ()):
        state = cs.state
        if state is None:
            continue
        waiting, terminated = state.waiting, state.terminated
        if waiting is not None and waiting.reason:
            reason = waiting.reason
        elif terminated is not None and terminated.reason:
            reason = terminated.reason
        elif terminated is not None:
            reason = f"Signal:{terminated.signal}" if terminated.signal else f"ExitCode:{terminated.exit_code}"
        elif cs.ready and state.running is not None:
            has_running = True
    if reason == "Completed" and has_running:
        reason = "Running"
    if metadata.deletion_timestamp:
        reason = "Unknown" if status.reason == "NodeLost" else "Terminating"
    return reason


def _owner(metadata: _ObjectMeta) -> str | None:
    refs = metadata.owner_references
    if not refs:
        return None
    ref = refs[0]
    name = ref.name
    template_hash = metadata.labels.pod_template_hash if metadata.labels is not None else None
    if ref.kind == "ReplicaSet" and name and template_hash and name.endswith("-" + template_hash):
        return name[: -len(template_hash) - 1]
    return name


_NO_META = _ObjectMeta()
_NO_SPEC = _PodSpec()
_NO_STATUS = _PodStatus()


def pod_state(pod: PodWire) -> PodState:
    """A decoded Pod as memtui keeps it."""
    metadata = pod.metadata or _NO_META
    spec = pod.spec or _NO_SPEC
    status = pod.status or _NO_STATUS
    found = status.container_statuses or ()
    containers = tuple(
        _container_state(c, next((cs for cs in found if cs.name == c.name), None)) for c in spec.containers or ()
    )
    return PodState(
        name=shared(metadata.name or "?"),
        namespace=shared(metadata.namespace or ""),
        uid=metadata.uid or "",
        phase=shared(status.phase or "Unknown"),
        status_text=shared(_status_text(metadata, status)),
        created_at=parse_time(metadata.creation_timestamp),
        node=shared_or_none(spec.node_name),
        owner=shared_or_none(_owner(metadata)),
        containers=containers,
        reason=status.reason,
        message=status.message,
    )


def parse_pod(pod: dict[str, Any]) -> PodState:
    """A Pod the API answered as a dict (a GET, a PATCH's response)."""
    return pod_state(msgspec.convert(pod, PodWire))


def parse_pod_list(payload: dict[str, Any]) -> tuple[PodState, ...]:
    return tuple(parse_pod(item) for item in payload.get("items") or [])


def _pod_usage(item: _PodMetrics) -> PodUsage | None:
    name = item.metadata.name if item.metadata is not None else None
    if not name:
        return None
    containers = []
    for c in item.containers or ():
        value = _quantity(c.usage.memory) if c.usage is not None else None
        if value is not None:
            containers.append(ContainerUsage(shared(c.name or "?"), value))
    return PodUsage(
        pod=shared(name),
        working_set_bytes=sum(c.working_set_bytes for c in containers),
        containers=tuple(containers),
        window_seconds=_window_seconds(item.window),
        timestamp=parse_time(item.timestamp),
    )


def _usage_by_pod(items: tuple[_PodMetrics, ...] | None) -> dict[str, PodUsage]:
    usage: dict[str, PodUsage] = {}
    for item in items or ():
        figures = _pod_usage(item)
        if figures is not None:
            usage[figures.pod] = figures
    return usage


def decode_pod_metrics_list(data: bytes) -> dict[str, PodUsage]:
    """PodMetrics (metrics.k8s.io/v1beta1) as the API sent it: usage.memory is the working set, in Ki."""
    return _usage_by_pod(_METRICS_LIST.decode(data).items)


def parse_pod_metrics_list(payload: dict[str, Any]) -> dict[str, PodUsage]:
    """``decode_pod_metrics_list`` for a payload already read as a dict."""
    return _usage_by_pod(msgspec.convert(payload, WireList[_PodMetrics]).items)


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


_NO_INVOLVED = _InvolvedObject()
_NO_SERIES = _EventSeries()


def event_state(item: EventWire) -> KubeEvent:
    """A decoded Event as memtui keeps it."""
    metadata = item.metadata or _NO_META
    involved = item.involved_object or _NO_INVOLVED
    series = item.series or _NO_SERIES
    last_seen = (
        parse_time(item.last_timestamp)
        or parse_time(item.event_time)
        or parse_time(series.last_observed_time)
        or parse_time(item.first_timestamp)
        or parse_time(metadata.creation_timestamp)
    )
    return KubeEvent(
        last_seen=last_seen,
        type=shared(item.type or "Normal"),
        reason=shared(item.reason or ""),
        object_kind=shared(involved.kind or ""),
        object_name=shared(involved.name or ""),
        message=shared((item.message or "").strip()),  # "Started container sap-llm", once per pod
        count=int(item.count or series.count or 1),
        uid=metadata.uid or "",
        field_path=shared(involved.field_path or ""),
    )


def parse_event(item: dict[str, Any]) -> KubeEvent:
    """An Event the API answered as a dict."""
    return event_state(msgspec.convert(item, EventWire))


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


def _wire_key(metadata: _ObjectMeta | None) -> str:
    """``object_key`` of a decoded object."""
    if metadata is None:
        return ""
    return metadata.uid or metadata.name or ""


class _Decoded(Protocol):
    @property
    def metadata(self) -> _ObjectMeta | None: ...


D = TypeVar("D", bound=_Decoded)
T = TypeVar("T")

_WATCH_EVENT = msgspec.json.Decoder(WireWatchEvent)
_STATUS = msgspec.json.Decoder(WireStatus)


class StructDecoder(Generic[D, T]):
    """The informer's decoder for one resource: LIST pages and WATCH lines, bytes to records."""

    def __init__(self, wire: type[D], convert: Callable[[D], T]) -> None:
        self._list: msgspec.json.Decoder[WireList[D]] = msgspec.json.Decoder(WireList[wire])  # type: ignore[valid-type]
        self._item: msgspec.json.Decoder[D] = msgspec.json.Decoder(wire)
        self._convert = convert

    def page(self, data: bytes) -> ListPage[T]:
        page = self._list.decode(data)
        meta = page.metadata
        items = [(_wire_key(item.metadata), self._convert(item)) for item in page.items or ()]
        return ListPage(items, meta.resource_version if meta else None, meta.continue_ if meta else None)

    def event(self, line: str | bytes) -> WatchEvent[T]:
        event = _WATCH_EVENT.decode(line)
        kind = event.type or ""
        if not event.object:
            return WatchEvent(kind)
        if kind == "ERROR":
            status = _STATUS.decode(event.object)
            return WatchEvent(kind, code=status.code, message=status.message)
        obj = self._item.decode(event.object)
        version = obj.metadata.resource_version if obj.metadata is not None else None
        if kind == "BOOKMARK":
            return WatchEvent(kind, resource_version=version)
        return WatchEvent(kind, _wire_key(obj.metadata), self._convert(obj), version)


POD_DECODER: StructDecoder[PodWire, PodState] = StructDecoder(PodWire, pod_state)
EVENT_DECODER: StructDecoder[EventWire, KubeEvent] = StructDecoder(EventWire, event_state)
