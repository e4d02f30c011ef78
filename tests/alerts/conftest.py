"""A real Alertmanager, and a real Prometheus that scrapes the simulator and sends it the runbook's alert.

Prometheus evaluates ``MEMORY_USAGE_HIGH_RULE`` (working set > 10 GB per pod, ``for: 0s``) every
second and sends what fires to the Alertmanager: the alerts memtui reads are the ones a real
rule fired, with the labels a real rule gives them (alertname, namespace, pod, severity).
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from memtui.demo.local_prometheus import MEMORY_USAGE_HIGH_RULE, binaries_available, start_prometheus_for_simulator
from tests.app.conftest import make_app  # noqa: F401 - the app on the simulator
from tests.servers import AlertmanagerServer, poll, start_alertmanager  # noqa: F401 - poll: the alert tests' wait

NAMESPACE = "sap-llm"


@pytest.fixture
def alertmanager(tmp_path):
    server = start_alertmanager(tmp_path / "alertmanager")
    yield server
    server.stop()


def _start_alerting_prometheus(sim, workdir, alertmanager: AlertmanagerServer | None):
    if not binaries_available():
        pytest.fail("prometheus/promtool are not installed: scripts/test installs them (apt install prometheus)")
    targets = (f"127.0.0.1:{alertmanager.port}",) if alertmanager is not None else ()
    return start_prometheus_for_simulator(sim, workdir, scrape_interval="1s", evaluation_interval="1s",
                                          rules=MEMORY_USAGE_HIGH_RULE, alertmanagers=targets,
                                          alert_resend_delay="1s")


@pytest.fixture
def alerting_prometheus(sim, tmp_path, alertmanager):
    """Prometheus with the MemoryUsageHigh rule, sending its alerts to ``alertmanager``."""
    server = _start_alerting_prometheus(sim, tmp_path / "prometheus", alertmanager)
    yield server
    server.stop()


@pytest.fixture
def rule_prometheus(sim, tmp_path):
    """Prometheus with the MemoryUsageHigh rule and no Alertmanager: only ``ALERTS_FOR_STATE`` knows."""
    server = _start_alerting_prometheus(sim, tmp_path / "prometheus", None)
    yield server
    server.stop()


def am_alerts(server: AlertmanagerServer) -> list[dict]:
    query = urllib.request.quote('alertname="MemoryUsageHigh"')
    return server.get(f"/api/v2/alerts?filter={query}&active=true")  # type: ignore[return-value]


def prometheus_query(url: str, promql: str) -> list[dict]:
    with urllib.request.urlopen(f"{url}/api/v1/query?query={urllib.request.quote(promql)}", timeout=5) as response:
        return json.loads(response.read().decode())["data"]["result"]


def pods_over_10gb(sim) -> set[str]:
    """The simulator's own truth: the sap-llm pods whose working set is over 10**10 bytes now."""
    return {pod for pod, truth in sim.truth().items() if truth.working_set_bytes > 10**10}
