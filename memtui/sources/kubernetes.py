"""The Kubernetes source: pods, their memory, and the namespace's events, in three requests.

Requests per refresh do not grow with the pod count: one LIST of pods, one LIST of PodMetrics,
one LIST of events.  Each is read as raw JSON (see ``kube_parse``) with a timeout, so a slow API
server delays a refresh but never hangs it.  Runs in a worker thread; never on the event loop.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from kubernetes import client

from memtui.snapshots import KubeSnapshot
from memtui.sources.errors import SourceError, describe_failure
from memtui.sources.kube_connection import KubeConnection
from memtui.sources.kube_parse import parse_event_list, parse_pod_list, parse_pod_metrics_list

METRICS_GROUP = "metrics.k8s.io"
METRICS_VERSION = "v1beta1"


class KubeSource:
    """Reads one namespace.  Thread-safe enough for one worker at a time (polls never overlap)."""

    name = "kubernetes"

    def __init__(self, connection: KubeConnection, *, timeout: float = 5.0) -> None:
        self.connection = connection
        self.namespace = connection.namespace
        self.timeout = timeout
        self._core = client.CoreV1Api(connection.api_client)
        self._custom = client.CustomObjectsApi(connection.api_client)

    def _request_timeout(self) -> tuple[float, float]:
        return (min(3.0, self.timeout), self.timeout)

    def _get_json(self, call, *args, **kwargs) -> dict:
        response = call(*args, _preload_content=False, _request_timeout=self._request_timeout(), **kwargs)
        try:
            return json.loads(response.data)
        finally:
            response.release_conn()

    def fetch(self) -> KubeSnapshot:
        """One refresh.  The pod list must succeed; metrics and events may fail on their own."""
        started = time.perf_counter()
        requests = 0
        try:
            requests += 1
            pods = parse_pod_list(self._get_json(self._core.list_namespaced_pod, self.namespace))
        except Exception as exc:  # noqa: BLE001 - any failure becomes the pane's reason
            raise SourceError(self.name, "pods: " + describe_failure(exc)) from exc

        usage, metrics_error = {}, None
        try:
            requests += 1
            usage = parse_pod_metrics_list(
                self._get_json(
                    self._custom.list_namespaced_custom_object,
                    METRICS_GROUP,
                    METRICS_VERSION,
                    self.namespace,
                    "pods",
                )
            )
        except Exception as exc:  # noqa: BLE001
            metrics_error = "metrics API: " + describe_failure(exc)

        events, events_error = (), None
        try:
            requests += 1
            events = parse_event_list(self._get_json(self._core.list_namespaced_event, self.namespace))
        except Exception as exc:  # noqa: BLE001
            events_error = "events: " + describe_failure(exc)

        return KubeSnapshot(
            taken_at=datetime.now(timezone.utc),
            pods=pods,
            usage=usage,
            events=events,
            metrics_error=metrics_error,
            events_error=events_error,
            request_count=requests,
            duration_seconds=time.perf_counter() - started,
        )
