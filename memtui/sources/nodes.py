"""The pods' nodes: their ``MemoryPressure`` condition and the kubelet's ``SystemOOM`` events.

This is what tells a container that hit its own limit from one the node ran out of memory under
(memtui.state.oom_ledger).  Both reads are cluster-wide, and an on-call Role bound in one
namespace often may not make them: a 403 is a fact to show ("node conditions: forbidden"), never
a failure of the pods pane, so ``fetch`` never raises; it says what it could not read instead.
Two requests per poll whatever the pod count (one LIST of Nodes, one field-selected LIST of the
Node events in ``default``, where the kubelet records them), at most every ``NODE_INTERVAL``.
Blocking: runs in a worker thread.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from kubernetes.client.rest import ApiException

from memtui.clients.errors import describe_failure
from memtui.clients.kube import rest
from memtui.clients.kube.connection import KubeConnection
from memtui.clients.kube.informer import gc_paused
from memtui.clients.kube.parse import parse_event, parse_node
from memtui.state.snapshots import KubeEvent, NodeSnapshot, NodeState

NODE_INTERVAL = 15.0
"""Seconds between node polls: conditions move at the kubelet's pace (10 s status updates)."""
NODE_EVENTS_NAMESPACE = "default"
"""Where the kubelet records events about cluster-scoped objects such as Nodes."""
SYSTEM_OOM_SELECTOR = "involvedObject.kind=Node,reason=SystemOOM"


def _why(exc: BaseException) -> str:
    if isinstance(exc, ApiException) and exc.status == 403:
        return "forbidden"
    return describe_failure(exc)


class NodeSource:
    """Reads the nodes the namespace's pods run on; ``fetch(nodes)`` is given their names."""

    name = "nodes"

    def __init__(self, connection: KubeConnection, *, timeout: float = 5.0) -> None:
        self.timeout = timeout
        api = connection.api_client
        self._list_nodes = rest.Lister(api, "/api/v1/nodes")
        self._list_events = rest.Lister(api, "/api/v1/namespaces/{namespace}/events")

    def _raw(self, call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # Unpreloaded, the call returns the raw urllib3 response (parsed as JSON, see parse.py).
        response: Any = call(*args, _preload_content=False,
                             _request_timeout=(min(3.0, self.timeout), self.timeout), **kwargs)
        try:
            with gc_paused():
                return json.loads(response.data)
        finally:
            response.release_conn()

    def fetch(self, wanted: frozenset[str]) -> NodeSnapshot:
        nodes: dict[str, NodeState] = {}
        nodes_error = events_error = None
        try:
            for item in self._raw(self._list_nodes).get("items") or []:
                node = parse_node(item)
                if node.name in wanted:
                    nodes[node.name] = node
        except Exception as exc:  # noqa: BLE001 - shown as what could not be read
            nodes_error = "node conditions: " + _why(exc)
        ooms: tuple[KubeEvent, ...] = ()
        try:
            payload = self._raw(self._list_events, NODE_EVENTS_NAMESPACE,
                                field_selector=SYSTEM_OOM_SELECTOR)
            ooms = tuple(e for e in (parse_event(i) for i in payload.get("items") or []) if e.object_name in wanted)
        except Exception as exc:  # noqa: BLE001
            events_error = "SystemOOM events: " + _why(exc)
        return NodeSnapshot(taken_at=datetime.now(timezone.utc), nodes=nodes, system_ooms=ooms,
                            nodes_error=nodes_error, events_error=events_error, request_count=2)


def pod_nodes(state: Any) -> frozenset[str] | None:
    """``SourceSpec.inputs``: the nodes of the pods in the latest snapshot (None: nothing to ask yet)."""
    snapshot = state.snapshot
    if snapshot is None:
        return None
    names = frozenset(p.node for p in snapshot.pods if p.node)
    return names or None
