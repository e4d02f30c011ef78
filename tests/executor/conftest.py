"""Fixtures for the executor tests: an executor wired to the simulator (and to a real Redis).

``rig`` is an operator executor against the frozen-clock simulator; ``make_rig`` builds others
(read-only token, ``--read-only``, a Redis URL).  A rig reads the cluster through its own plain
API client, so what a test checks is what the API server holds, not what the executor thinks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from memtui.audit import AuditLog, load_entries
from memtui.clients.prometheus import PrometheusAccess
from memtui.executor import ActionContext, Executor
from memtui.executor.kubeapi import KubeApi
from memtui.runbook import load_catalogue
from memtui.sim import SimulatorHandle
from memtui.sim.journal import JournalEntry
from memtui.clients.kube.connection import KubeConnection, connect
from memtui.clients.kube.parse import parse_pod_list, parse_pod_metrics_list
from tests.servers import RedisServer, start_redis

NS = "sap-llm"
SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
EVENTS = "/api/v1/namespaces/sap-llm/events"


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@dataclass
class Rig:
    sim: SimulatorHandle
    connection: KubeConnection
    executor: Executor
    audit_path: Path
    artifacts: Path
    reader: KubeApi
    """A plain operator client for the test's own reads (never the executor's)."""

    def ctx(self, selected: str | None = None, *, reason: str | None = None, **extra: Any) -> ActionContext:
        """The snapshot the cockpit would hold now: the namespace's pods and their working sets."""
        pods = parse_pod_list(self.reader.get(self.reader.path("pods")))
        metrics = self.reader.get(self.reader.path("pods", group="metrics.k8s.io", version="v1beta1"))
        usage = {name: u.working_set_bytes for name, u in parse_pod_metrics_list(metrics).items()}
        return ActionContext(selected, pods, usage, reason=reason, **extra)

    def mark(self) -> int:
        """The journal's length now; ``writes(since=mark)`` shows what came after."""
        return len(self.sim.journal())

    def writes(self, since: int = 0, *, dry_run: bool | None = False) -> list[JournalEntry]:
        """Journal entries after ``since``, without RBAC reviews and Events (the action's own calls)."""
        out = []
        for entry in self.sim.journal()[since:]:
            if entry.path in (SSAR, EVENTS):
                continue
            if dry_run is not None and entry.dry_run != dry_run:
                continue
            out.append(entry)
        return out

    def execs(self, since: int, count: int = 1, *, commands: list[list[str]] = (), timeout: float = 3.0
              ) -> list[JournalEntry]:
        """Exec entries after ``since``, waiting for ``count`` of them (and for ``commands``): the
        simulator journals an exec when its stream closes, a moment after the client moved on."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.sim.journal()[since:] if e.path.endswith("/exec")]
            sent = [e.query["command"] for e in found]
            if (len(found) >= count and all(c in sent for c in commands)) or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def entries(self) -> list:
        return list(load_entries(self.audit_path).entries)

    def configmap(self, name: str = "sap-llm-config") -> dict[str, str]:
        return dict(self.reader.get(self.reader.path("configmaps", name)).get("data") or {})

    def deployment(self, name: str = "sap-llm") -> dict[str, Any]:
        return self.reader.get(self.reader.path("deployments", name, group="apps"))


@pytest.fixture
def make_rig(tmp_path: Path) -> Iterator[Callable[..., Rig]]:
    made: list[Executor] = []

    def make(sim: SimulatorHandle, *, context: str = "memtui-sim", read_only: bool = False,
             redis_url: str | None = None, prometheus_url: str | None = None, name: str = "rig",
             prometheus: PrometheusAccess | None = None, **options: Any) -> Rig:
        """``prometheus_url`` for a Prometheus without auth, ``prometheus`` for one with."""
        connection = connect(kubeconfig=str(sim.kubeconfig_path), context=context, namespace=NS)
        operator = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace=NS)
        audit_path = tmp_path / name / "audit.jsonl"
        audit = AuditLog(audit_path, context=connection.context, namespace=NS, user=connection.user)
        artifacts = tmp_path / name / "artifacts"
        options.setdefault("clock", sim.now)  # the cluster's time, as memtui's clock is on a real cluster
        executor = Executor(connection, audit=audit, read_only=read_only, redis_url=redis_url,
                            prometheus=prometheus or (PrometheusAccess(prometheus_url) if prometheus_url else None),
                            artifacts_dir=artifacts, threshold_bytes=10**10, **options)
        made.append(executor)
        return Rig(sim, connection, executor, audit_path, artifacts, KubeApi(operator.api_client, NS))

    yield make
    for executor in made:
        executor.close()


@pytest.fixture
def rig(sim: SimulatorHandle, make_rig: Callable[..., Rig]) -> Rig:
    return make_rig(sim)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = start_redis(tmp_path, password="s3cret-pw")
    yield server
    server.stop()
