"""The report tests: an incident's audit log over the simulator, exported against a real Prometheus."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from memtui.audit.cli import main as audit_main
from tests.report.browser import chromium_binary
from tests.report.incident import write_incident


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The export reads the cockpit's settings (its threshold): not the operator's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in [n for n in os.environ if n.startswith("MEMTUI_") or n == "KUBECONFIG"]:
        monkeypatch.delenv(name)


@pytest.fixture
def chromium() -> str:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed here (scripts/test installs the Debian package chromium)")
    return binary


@dataclass(frozen=True)
class Incident:
    log: Path
    pods: list[str]
    prometheus_url: str


def sap_llm_pods(sim) -> list[str]:
    """The sap-llm model pods (not the API's), highest working set first."""
    truth = sim.truth()
    pods = [p for p in truth if p.startswith("sap-llm-") and not p.startswith("sap-llm-api-")]
    return sorted(pods, key=lambda p: -truth[p].working_set_bytes)


@pytest.fixture
def incident(sim, prometheus, tmp_path: Path) -> Incident:
    """Five rows over the last half hour of the simulator's history (which Prometheus holds)."""
    pods = sap_llm_pods(sim)[:2]
    path = tmp_path / "audit" / "memtui-sim__sap-llm.jsonl"
    write_incident(path, sim.now() - timedelta(minutes=28), pods)
    return Incident(path, pods, prometheus.url)


def export(incident: Incident, fmt: str, output: Path | None, *extra: str) -> int:
    args = ["export", "--file", str(incident.log), "--format", fmt, "--prometheus-url", incident.prometheus_url]
    return audit_main([*args, *(["-o", str(output)] if output else []), *extra])
