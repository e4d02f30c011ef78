"""Demo mode: the simulated incident in the background, the real app in front.

The simulator serves the Kubernetes API over HTTPS on a free loopback port and writes a
kubeconfig for it; memtui then connects exactly as it would to a cluster, through the same
client code.  When Prometheus is installed, a real one is started too, backfilled with the
incident's last two hours and scraping the simulator.  The simulator runs in a daemon thread;
everything lives in a temporary directory removed at exit.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from memtui.local_prometheus import PrometheusUnavailable, binaries_available, start_prometheus_for_simulator
from memtui.sim import SimConfig, SimulatorHandle, start_simulator

DEMO_NAMESPACE = "sap-llm"
DEMO_CONTEXT = "memtui-sim"


@dataclass(frozen=True)
class DemoSession:
    handle: SimulatorHandle
    kubeconfig: str
    context: str
    namespace: str
    prometheus_url: str | None
    """A real local Prometheus scraping the simulator, when the binaries are installed."""
    prometheus_note: str


def start_demo(*, scenario: str, seed: int, speed: float = 1.0, with_prometheus: bool = True) -> DemoSession:
    workdir = Path(tempfile.mkdtemp(prefix="memtui-demo-"))
    handle = start_simulator(SimConfig(scenario=scenario, seed=seed, speed=speed), workdir=workdir)
    prometheus = None
    note = "off"

    def cleanup() -> None:
        if prometheus is not None:
            prometheus.stop()
        handle.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(cleanup)
    if with_prometheus:
        if binaries_available():
            try:
                prometheus = start_prometheus_for_simulator(handle, workdir / "prometheus")
                note = prometheus.url
            except PrometheusUnavailable as exc:
                note = str(exc)
            except Exception as exc:  # noqa: BLE001 - the demo must come up without Prometheus
                note = f"local Prometheus failed: {type(exc).__name__}: {exc}"
        else:
            note = "prometheus not installed (apt install prometheus): trends since start only"
    return DemoSession(
        handle,
        str(handle.kubeconfig_path),
        DEMO_CONTEXT,
        DEMO_NAMESPACE,
        prometheus.url if prometheus else None,
        note,
    )
