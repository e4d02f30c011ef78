"""Alertmanager's firing ``MemoryUsageHigh`` alerts for the namespace: one GET per poll.

The alert is the incident's start: its ``startsAt`` starts the incident clock and the escalation
levels (``memtui.state.incident``), and the header lists which pods fire and which are silenced.
The request and its errors are ``memtui.clients.alertmanager``'s.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from memtui.clients.alertmanager import ALERTNAME, AlertmanagerClient
from memtui.state.snapshots import AlertSnapshot


class AlertSource:
    """Blocking; polled in a worker by its ``SourceSpec``."""

    name = "alertmanager"

    def __init__(self, url: str, namespace: str, *, timeout: float = 5.0) -> None:
        self.namespace = namespace
        self.client = AlertmanagerClient(url, timeout=timeout)

    def fetch(self) -> AlertSnapshot:
        started = time.perf_counter()
        alerts = self.client.firing(self.namespace, ALERTNAME)
        return AlertSnapshot(taken_at=datetime.now(timezone.utc), alerts=alerts, url=self.client.url,
                             duration_seconds=time.perf_counter() - started)
