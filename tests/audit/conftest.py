"""Fixtures for the audit tests: real files in tmp_path, a clock the test controls.

Prometheus is the real one (``prometheus`` in tests/conftest.py, scraping the ``sim`` fixture);
the executor (``rig``) and the app (``make_app``) are the fixtures of tests/executor and tests/app.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from memtui.audit import AuditLog
from tests.app.conftest import make_app  # noqa: F401 - the app on the simulator (demo logs)
from tests.executor.conftest import catalogue, make_rig, rig  # noqa: F401 - an executor on the simulator (Events)

INCIDENT_START = datetime(2026, 11, 27, 2, 0, 0, tzinfo=UTC)


class FakeClock:
    """Time moves only when the test says so, so timelines and `since` filters are exact."""

    def __init__(self, start: datetime = INCIDENT_START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0) -> datetime:
        self.now += timedelta(seconds=seconds, minutes=minutes)
        return self.now


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """platformdirs' state dir points into tmp_path: no test touches the real ~/.local/state.

    The operator's own kubeconfig and memtui settings stay out too (``memtui audit`` picks the
    log of the current kube context): HOME, the config dir and ``$KUBECONFIG`` are the test's.
    """
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in [n for n in os.environ if n.startswith("MEMTUI_") or n == "KUBECONFIG"]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    return state


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "audit" / "memtui-sim__sap-llm.jsonl"


@pytest.fixture
def log(log_path: Path, clock: FakeClock) -> AuditLog:
    return AuditLog(log_path, context="memtui-sim", namespace="sap-llm", user="system:admin", clock=clock)


def write_incident(log: AuditLog, clock: FakeClock) -> dict[str, str]:
    """A small incident: a diagnose step, a fix with its effect, a refused fix, a note."""
    clock.advance(minutes=1)
    log.read(
        action="diagnose.top-pods",
        target={"kind": "Pod", "pods": ["sap-llm-7d9f-abc12", "sap-llm-7d9f-def34"]},
        duration_s=0.2,
        output_summary="sap-llm-7d9f-abc12 11.8 GiB of 12 GiB",
    )
    clock.advance(minutes=2)
    fix = log.intent(
        action="fix.reduce-batch-size",
        target={"kind": "ConfigMap", "name": "sap-llm-config", "pods": ["sap-llm-7d9f-abc12", "sap-llm-7d9f-def34"]},
        parameters={"batch_size": 32, "max_batch_size": 64},
        request={
            "method": "PATCH",
            "path": "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config",
            "content_type": "application/merge-patch+json",
            "body": {"data": {"batch_size": "32", "max_batch_size": "64"}},
        },
        dry_run={"outcome": "ok"},
        reason="INC-1234 batch spike",
        kubectl="kubectl patch configmap sap-llm-config -n sap-llm --type merge -p '{...}'",
    )
    clock.advance(0.25)
    log.result(fix, outcome="success", duration_s=0.25, response={"resourceVersion": "4812"},
               previous={"batch_size": "128", "max_batch_size": "256"})
    clock.advance(minutes=3)
    log.effect(fix, before={"working_set": "11.8 GiB"}, after={"working_set": "7.1 GiB"},
               summary="sap-llm-7d9f-abc12 working set 11.8 GiB → 7.1 GiB")
    clock.advance(minutes=1)
    refused = log.intent(action="fix.scale-api", target={"kind": "Deployment", "name": "sap-llm-api"},
                         parameters={"replicas": 2})
    clock.advance(0.1)
    log.result(refused, outcome="failure", duration_s=0.1,
               error='403 Forbidden: deployments.apps "sap-llm-api" is forbidden')
    clock.advance(minutes=1)
    log.note("INC-1234: paged the model team | waiting")
    return {"fix": fix, "refused": refused}
