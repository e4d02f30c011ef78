"""The Kubernetes source: pods, their memory, and the namespace's events.

Requests per refresh do not grow with the pod count.  Pods and events are kept by informers
(one LIST at start, then a WATCH that carries only the changes); each refresh adds one LIST of
PodMetrics (the metrics API cannot be watched).  Responses are read as raw JSON (see
``kube_parse``) with timeouts, so a slow API server delays a refresh but never hangs it.
Blocking: runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from kubernetes import client

from memtui.snapshots import KubeSnapshot
from memtui.sources.errors import SourceError, describe_failure
from memtui.sources.informer import Informer, gc_paused
from memtui.sources.kube_connection import KubeConnection
from memtui.sources.kube_parse import object_key, parse_event, parse_pod, parse_pod_metrics_list

METRICS_GROUP = "metrics.k8s.io"
METRICS_VERSION = "v1beta1"


class KubeSource:
    """Reads one namespace.  ``fetch`` is called by one worker at a time (polls never overlap)."""

    name = "kubernetes"

    def __init__(self, connection: KubeConnection, *, timeout: float = 5.0) -> None:
        self.connection = connection
        self.namespace = connection.namespace
        self.timeout = timeout
        self._core = client.CoreV1Api(connection.api_client)
        self._custom = client.CustomObjectsApi(connection.api_client)
        self.pods = Informer(
            name="pods", list_call=self._core.list_namespaced_pod, namespace=self.namespace,
            parse=parse_pod, key=object_key, timeout=timeout,
        )
        self.events = Informer(
            name="events", list_call=self._core.list_namespaced_event, namespace=self.namespace,
            parse=parse_event, key=object_key, timeout=timeout,
        )
        self._lists_seen = 0

    def stop(self) -> None:
        self.pods.stop()
        self.events.stop()

    def fetch(self) -> KubeSnapshot:
        """One refresh.  Pods must be known; metrics and events may fail on their own."""
        started = time.perf_counter()
        self.pods.start()
        self.events.start()
        if not self.pods.wait_synced(self.timeout * 4):
            snapshot = self.pods.snapshot()
            raise SourceError(self.name, "pods: " + (snapshot.error or f"no answer within {self.timeout * 4:.0f} s"))
        pods = self.pods.snapshot()
        if pods.error:
            raise SourceError(self.name, "pods: " + pods.error)

        usage, metrics_error = {}, None
        try:
            response = self._custom.list_namespaced_custom_object(
                METRICS_GROUP, METRICS_VERSION, self.namespace, "pods",
                _preload_content=False, _request_timeout=(min(3.0, self.timeout), self.timeout),
            )
            try:
                with gc_paused():
                    usage = parse_pod_metrics_list(json.loads(response.data))
            finally:
                response.release_conn()
        except Exception as exc:  # noqa: BLE001 - any failure becomes the pane's reason
            metrics_error = "metrics API: " + describe_failure(exc)

        self.events.wait_synced(min(1.0, self.timeout))
        events = self.events.snapshot()
        events_error = "events: " + events.error if events.error else None
        if not events.synced and events_error is None:
            events_error = "events: still loading"

        lists = pods.lists + events.lists
        new_lists, self._lists_seen = lists - self._lists_seen, lists
        return KubeSnapshot(
            taken_at=datetime.now(timezone.utc),
            pods=tuple(sorted(pods.items, key=lambda p: p.name)),
            usage=usage,
            events=events.items,
            metrics_error=metrics_error,
            events_error=events_error,
            request_count=1 + new_lists,
            duration_seconds=time.perf_counter() - started,
        )
