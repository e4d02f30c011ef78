"""The first pods LIST gets the CPU first: the hour's backfill (a million samples at 5,000 pods)
and the evidence (logs and ``du`` of a few pods) hold their first poll until the Kubernetes
source's first full answer, so they do not compete with it for the GIL and the cores while the
operator waits for the pods.  Nothing waits on a hanging source: with the API server stopped,
they start after ``FIRST_POLL_WAIT_AT_MOST`` anyway (the backfill reads Prometheus, not the API
server)."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone

from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.ui import polling
from memtui.ui.app import MemtuiApp
from tests.app.conftest import wait_for
from tests.app.test_hung_api import sim_process  # noqa: F401 - the fixture

WATCHED = ("kubernetes", "backfill", "evidence")


def _timed(app: MemtuiApp) -> list[tuple[str, str, float]]:
    """Each watched poll's (source, "start"/"full"/"partial"/"failed", monotonic time), as its
    worker runs it; the specs are the app's own, their fetch wrapped."""
    log: list[tuple[str, str, float]] = []
    lock = threading.Lock()

    def wrapped(spec):
        def fetch(*given):
            with lock:
                log.append((spec.name, "start", time.monotonic()))
            try:
                snapshot = spec.fetch(*given)
            except Exception:
                with lock:
                    log.append((spec.name, "failed", time.monotonic()))
                raise
            with lock:
                log.append((spec.name, "partial" if getattr(snapshot, "partial", False) else "full", time.monotonic()))
            return snapshot
        return replace(spec, fetch=fetch)

    app.sources.specs = tuple(wrapped(s) if s.name in WATCHED and s.fetch is not None else s for s in app.sources.specs)
    return log


def _first(log, source: str, what: str) -> float | None:
    return next((t for s, w, t in list(log) if s == source and w == what), None)


async def test_the_backfill_and_evidence_start_after_the_first_full_pods_answer(sim, make_app, prometheus):
    app = make_app(prometheus_url=prometheus.url, refresh=0.3)
    log = _timed(app)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: _first(log, "backfill", "start") and _first(log, "evidence", "start"), timeout=30)
        pods_done = _first(log, "kubernetes", "full")
        assert pods_done is not None
        assert _first(log, "backfill", "start") >= pods_done
        assert _first(log, "evidence", "start") >= pods_done
        await wait_for(pilot, lambda: app.pollers["backfill"]._stopped, timeout=30)  # one-shot: done, with success


async def test_a_hung_api_server_delays_the_backfill_by_the_bound_only(sim_process, prometheus, monkeypatch):  # noqa: F811
    proc, kubeconfig = sim_process
    monkeypatch.setattr(polling, "FIRST_POLL_WAIT_AT_MOST", 1.0)
    settings = Settings(namespace="sap-llm", refresh=0.5, request_timeout=5.0, redis_deployment="", gpu_source="off",
                        prometheus_url=prometheus.url)
    connection = connect(kubeconfig=str(kubeconfig), context="memtui-sim", namespace="sap-llm")
    app = MemtuiApp(settings, connection, clock=lambda: datetime.now(timezone.utc))
    log = _timed(app)
    os.kill(proc.pid, signal.SIGSTOP)  # the first LIST hangs: loading snapshots, no full answer, no failure for 20 s
    async with app.run_test(size=(160, 48)) as pilot:
        started = time.monotonic()
        await wait_for(pilot, lambda: _first(log, "backfill", "start"), timeout=8)
        assert _first(log, "kubernetes", "full") is None and _first(log, "kubernetes", "failed") is None
        assert _first(log, "backfill", "start") - started < 4.0
        await wait_for(pilot, lambda: app.pollers["backfill"]._stopped, timeout=30)
        assert app.state.health["prometheus"].last_ok is not None
        os.kill(proc.pid, signal.SIGCONT)  # the server answers again: the pods come, and the app quits cleanly
        await wait_for(pilot, lambda: _first(log, "kubernetes", "full") is not None, timeout=30)
