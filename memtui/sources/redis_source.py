"""Redis memory: one ``INFO`` per refresh, over redis-py or through ``redis-cli`` in the pod.

With ``--redis-url`` memtui talks to Redis directly; without it, it does what the runbook does
(``kubectl exec deployment/redis -- redis-cli INFO``) through the Kubernetes exec API.  The
connection and the URL's redacted form come from ``memtui.clients.redis``; the password never
leaves this module unredacted.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from memtui.state.snapshots import RedisStats
from memtui.clients.errors import SourceError
from memtui.clients.redis import clean, connect, redact_url
from memtui.clients.redis_info import parse_info_text, stats_from_info

if TYPE_CHECKING:
    from memtui.clients.kube.connection import KubeConnection


class RedisSource:
    """Reads ``INFO`` from a Redis URL with short timeouts (a hung Redis must not hang a refresh)."""

    name = "redis"

    def __init__(self, url: str, *, timeout: float = 3.0) -> None:
        self.url = url
        self.display = redact_url(url)
        try:
            self._client = connect(url, timeout=timeout)
        except ValueError as exc:
            raise SourceError(self.name, f"bad --redis-url {self.display}: {exc}") from None

    def fetch(self) -> RedisStats:
        import redis  # loaded by clients.redis.connect already; imported here so this module stays light

        try:
            info = self._client.info()
        except redis.AuthenticationError:
            raise SourceError(self.name, f"{self.display}: authentication failed") from None
        except redis.RedisError as exc:
            raise SourceError(self.name, f"{self.display}: {clean(str(exc), self.url)}") from None
        try:
            return stats_from_info(info, source=self.display, taken_at=datetime.now(timezone.utc))
        except ValueError as exc:
            raise SourceError(self.name, f"{self.display}: {exc}") from None

    def close(self) -> None:
        self._client.close()


class RedisExecSource:
    """``redis-cli INFO`` in the namespace's Redis pod, through the exec API."""

    name = "redis"

    def __init__(self, connection: KubeConnection, *, deployment: str = "redis", timeout: float = 5.0) -> None:
        self.connection = connection
        self.namespace = connection.namespace
        self.deployment = deployment
        self.timeout = timeout
        self._pod: str | None = None

    def _find_pod(self) -> str:
        from kubernetes import client

        core = client.CoreV1Api(self.connection.api_client)
        apps = client.AppsV1Api(self.connection.api_client)
        # Unpreloaded, the calls return the raw urllib3 response (their stubs name the model).
        read_deployment: Any = apps.read_namespaced_deployment
        list_pods: Any = core.list_namespaced_pod
        deployment = json.loads(
            read_deployment(
                self.deployment, self.namespace, _preload_content=False, _request_timeout=self.timeout
            ).data
        )
        labels = (deployment.get("spec", {}).get("selector", {}) or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in labels.items())
        pods = json.loads(
            list_pods(
                self.namespace, label_selector=selector, _preload_content=False, _request_timeout=self.timeout
            ).data
        )
        running = [
            p["metadata"]["name"]
            for p in pods.get("items", [])
            if p.get("status", {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
        ]
        if not running:
            raise SourceError(self.name, f"no running pod in deployment/{self.deployment}")
        return sorted(running)[0]

    def fetch(self) -> RedisStats:
        from kubernetes.client.rest import ApiException

        from memtui.clients.errors import describe_failure
        from memtui.clients.kube.exec import exec_in_pod

        try:
            if self._pod is None:
                self._pod = self._find_pod()
            result = exec_in_pod(
                self.connection.exec_api_client, self.namespace, self._pod, ["redis-cli", "INFO"], timeout=self.timeout
            )
        except SourceError:
            raise
        except (ApiException, Exception) as exc:  # noqa: BLE001
            self._pod = None
            raise SourceError(self.name, f"deployment/{self.deployment}: {describe_failure(exc)}") from None
        if not result.ok:
            self._pod = None  # the pod may have been replaced; look it up again next time
            reason = result.error or result.stderr.strip() or f"exit code {result.exit_code}"
            raise SourceError(self.name, f"redis-cli INFO in pod/{result.pod}: {reason}")
        try:
            return stats_from_info(
                parse_info_text(result.text),
                source=f"redis-cli INFO in pod/{result.pod}",
                taken_at=datetime.now(timezone.utc),
            )
        except ValueError as exc:
            raise SourceError(self.name, f"pod/{result.pod}: {exc}") from None
