"""Demo mode: the simulated incident in the background, the real app in front.

The simulator serves the Kubernetes API over HTTPS on a free loopback port and writes a
kubeconfig for it; memtui then connects exactly as it would to a cluster, through the same
client code.  The simulator runs in a daemon thread and its files live in a temporary
directory removed at exit.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from memtui.sim import SimConfig, SimulatorHandle, start_simulator

DEMO_NAMESPACE = "sap-llm"
DEMO_CONTEXT = "memtui-sim"


@dataclass(frozen=True)
class DemoSession:
    handle: SimulatorHandle
    kubeconfig: str
    context: str
    namespace: str


def start_demo(*, scenario: str, seed: int, speed: float = 1.0) -> DemoSession:
    workdir = Path(tempfile.mkdtemp(prefix="memtui-demo-"))
    handle = start_simulator(SimConfig(scenario=scenario, seed=seed, speed=speed), workdir=workdir)

    def cleanup() -> None:
        handle.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(cleanup)
    return DemoSession(handle, str(handle.kubeconfig_path), DEMO_CONTEXT, DEMO_NAMESPACE)
