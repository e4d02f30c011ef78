"""A hung API server (the simulator's process stopped with SIGSTOP): the pods watch stays open and
silent, which used to look healthy ("kubernetes ✓", "updated <now>").  A source is healthy only
while it proves it: the pods pane and the header go stale with the reason within a bounded time,
and recover by themselves once the server runs again (SIGCONT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from memtui.ui.app import MemtuiApp
from memtui.config.settings import Settings
from memtui.clients.kube.connection import connect
from tests.app.conftest import wait_for

REFRESH = 0.5
TIMEOUT = 1.0


@pytest.fixture
def sim_process(tmp_path: Path):
    """The simulator in a process of its own, so that it can be stopped like a hung API server."""
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen([sys.executable, "-m", "memtui.sim", "--speed", "0", "--seed", "7", "--workdir",
                             str(tmp_path / "sim"), "--kubeconfig-out", str(kubeconfig)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "Ctrl-C" not in (proc.stdout.readline() or "Ctrl-C"):
            pass
        assert proc.poll() is None and kubeconfig.exists(), "the simulator did not start"
        yield proc, kubeconfig
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=30)


def _subtitle(app) -> str:
    return str(app.query_one("#pods-pane").border_subtitle)


def _header(app) -> str:
    return app.query_one("IncidentHeader").render().plain


async def test_a_stopped_api_server_turns_pods_pane_and_header_stale_then_recovers(sim_process):
    proc, kubeconfig = sim_process
    settings = Settings(namespace="sap-llm", refresh=REFRESH, request_timeout=TIMEOUT, redis_deployment="",
                        gpu_source="off")
    connection = connect(kubeconfig=str(kubeconfig), context="memtui-sim", namespace="sap-llm")
    app = MemtuiApp(settings, connection, clock=lambda: datetime.now(timezone.utc))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and "updated" in _subtitle(app), timeout=30)
        assert "kubernetes ✓" in _header(app)
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            # bounded: the proof window, plus one refresh and one request timeout
            try:
                await wait_for(pilot, lambda: "stale since" in _subtitle(app) and "kubernetes stale since" in _header(app),
                               timeout=30)
            except AssertionError:
                raise AssertionError(f"still not stale: pane {_subtitle(app)!r}, header {_header(app)!r}") from None
            reason = _subtitle(app)
            print("stale:", reason)
            assert "pods:" in reason and "timed out" in reason
            assert app.query_one("#pods-pane").has_class("-stale")
            assert len(app.query_one("PodTable").visible_rows) == len(app.state.rows) > 0  # last data kept
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        await wait_for(pilot, lambda: "updated" in _subtitle(app) and "kubernetes ✓" in _header(app), timeout=30)
        assert not app.query_one("#pods-pane").has_class("-stale")
