"""Demo mode: the simulated incident in the background, the real app in front.

The simulator serves the Kubernetes API over HTTPS on a free loopback port and writes a
kubeconfig for it; memtui then connects exactly as it would to a cluster, through the same
client code.  When Prometheus is installed, a real one is started too, backfilled with the
incident's last two hours and scraping the simulator.  The simulator runs in a daemon thread
(it ends with the process); Prometheus is a child tied to memtui (``memtui.demo.children``).
Everything lives in a temporary folder (``memtui.demo.workdir``).

``DemoSession.close`` stops all of it; it runs at interpreter exit, which every way memtui ends
reaches (``q``, a crash, and SIGTERM/SIGHUP/SIGINT through ``memtui.ui.termination``).  After
SIGKILL the kernel ends Prometheus and the next demo removes the folder.
"""

from __future__ import annotations

import atexit
from dataclasses import dataclass, field
from pathlib import Path

from memtui.demo.workdir import DemoWorkdir, create_workdir
from memtui.demo.local_prometheus import (
    LocalPrometheus,
    PrometheusUnavailable,
    binaries_available,
    start_prometheus_for_simulator,
)
from memtui.sim import SimConfig, SimulatorHandle, start_simulator

DEMO_NAMESPACE = "sap-llm"
DEMO_CONTEXT = "memtui-sim"


@dataclass
class DemoSession:
    handle: SimulatorHandle
    kubeconfig: str
    context: str
    namespace: str
    prometheus_url: str | None
    """A real local Prometheus scraping the simulator, when the binaries are installed."""
    prometheus_note: str
    workdir: Path
    _folder: DemoWorkdir = field(repr=False)
    _prometheus: LocalPrometheus | None = field(repr=False, default=None)

    def close(self) -> None:
        """Stop Prometheus and the simulator, remove the folder (idempotent)."""
        if self._prometheus is not None:
            self._prometheus.stop()
            self._prometheus = None
        self.handle.stop()
        self._folder.remove()


def _start_prometheus(handle: SimulatorHandle, workdir: Path) -> tuple[LocalPrometheus | None, str]:
    if not binaries_available():
        return None, "prometheus not installed (apt install prometheus): trends since start only"
    try:
        prometheus = start_prometheus_for_simulator(handle, workdir / "prometheus")
    except PrometheusUnavailable as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - the demo must come up without Prometheus
        return None, f"local Prometheus failed: {type(exc).__name__}: {exc}"
    return prometheus, prometheus.url


def start_demo(*, scenario: str, seed: int, speed: float = 1.0, with_prometheus: bool = True) -> DemoSession:
    folder = create_workdir()
    try:
        handle = start_simulator(SimConfig(scenario=scenario, seed=seed, speed=speed), workdir=folder.path)
    except BaseException:
        folder.remove()
        raise
    session = DemoSession(
        handle, str(handle.kubeconfig_path), DEMO_CONTEXT, DEMO_NAMESPACE, None, "off", folder.path, folder
    )
    atexit.register(session.close)
    try:
        if with_prometheus:
            session._prometheus, session.prometheus_note = _start_prometheus(handle, folder.path)
            session.prometheus_url = session._prometheus.url if session._prometheus else None
    except BaseException:  # e.g. SIGTERM during the backfill: leave nothing behind
        session.close()
        raise
    return session
