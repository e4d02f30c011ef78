"""One pod's log tail, read once when its details screen opens, matched against the runbook's patterns.

Bounded (``tailLines`` and ``limitBytes`` per container, memtui.state.pod_details) and one request
per container: this is an operator looking at one pod, not a poll.  A 403 (an on-call Role without
``pods/log``) is said as such, per container.  Blocking: the screen runs it in a thread worker.
"""

from __future__ import annotations


from kubernetes.client.rest import ApiException

from memtui.clients.errors import describe_failure
from memtui.clients.kube import rest
from memtui.clients.kube.connection import KubeConnection
from memtui.state.pod_details import LOG_LINES_KEPT, LOG_TAIL_BYTES, LOG_TAIL_LINES, LogLine, PodLogExcerpt, match_log


class PodLogReader:
    """``read(pod, containers)``: the matching lines of each container's current log tail."""

    def __init__(self, connection: KubeConnection, *, timeout: float = 5.0) -> None:
        self.namespace = connection.namespace
        self.timeout = timeout
        self._api = connection.api_client

    def read(self, pod: str, containers: tuple[str, ...]) -> PodLogExcerpt:
        lines: list[LogLine] = []
        errors: list[str] = []
        read: list[str] = []
        scanned = 0
        for container in containers:
            try:
                text = rest.pod_log(self._api, self.namespace, pod, container=container, tail_lines=LOG_TAIL_LINES,
                                    limit_bytes=LOG_TAIL_BYTES,
                                    timeout=(min(3.0, self.timeout), self.timeout)).decode("utf-8", errors="replace")
            except ApiException as exc:
                errors.append(f"{container}: " + ("forbidden (pods/log)" if exc.status == 403 else describe_failure(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - any failure is said per container
                errors.append(f"{container}: {describe_failure(exc)}")
                continue
            found, count = match_log(text, container)
            lines += found
            scanned += count
            read.append(container)
        return PodLogExcerpt(pod, tuple(lines[-LOG_LINES_KEPT:]), tuple(read), tuple(errors), scanned)
