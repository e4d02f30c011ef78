"""Shared fixtures: the simulated cluster (``sim``, ``sim_factory``) and a real ``kubectl`` against it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

import pytest

from memtui.sim import SimConfig, SimulatorHandle, start_simulator

KUBECTL = "/usr/bin/kubectl"


@pytest.fixture(autouse=True)
def private_state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's platformdirs state dir (audit logs, recordings, crash reports) is its own:
    a test that runs the app never writes into the real ``~/.local/state/memtui``."""
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatorHandle]:
    """A frozen-clock simulator (speed 0, seed 7): time moves only with ``sim.advance``."""
    handle = start_simulator(SimConfig(speed=0, seed=7), tmp_path / "sim")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def sim_factory(tmp_path: Path) -> Iterator[Callable[..., SimulatorHandle]]:
    """``sim_factory(scenario="cache-bloat", replicas=100, ...)``: SimConfig kwargs (speed defaults to 0)."""
    handles: list[SimulatorHandle] = []

    def make(**kwargs: Any) -> SimulatorHandle:
        kwargs.setdefault("speed", 0)
        h = start_simulator(SimConfig(**kwargs), tmp_path / f"sim{len(handles)}")
        handles.append(h)
        return h

    try:
        yield make
    finally:
        for h in handles:
            h.stop()


def _kubectl_binary() -> str:
    if os.path.exists(KUBECTL):
        return KUBECTL
    found = shutil.which("kubectl")
    if found:
        return found
    if shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "kubectl"], capture_output=True, timeout=300)
    if os.path.exists(KUBECTL):
        return KUBECTL
    found = shutil.which("kubectl")
    if found:
        return found
    pytest.fail("kubectl is not installed and `apt-get install -y kubectl` did not provide it; "
                "install kubectl (>= 1.30) to run the fidelity tests")


class Kubectl:
    """``kubectl("get", "pods", "-n", "sap-llm")`` -> CompletedProcess (text), against one simulator."""

    def __init__(self, binary: str, handle: SimulatorHandle, cache_dir: Path) -> None:
        self.binary = binary
        self.handle = handle
        self.cache_dir = cache_dir

    def __call__(self, *args: str, context: str | None = None, timeout: float = 30.0,
                 input: str | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
        cmd = [self.binary, "--kubeconfig", str(self.handle.kubeconfig_path), "--cache-dir", str(self.cache_dir)]
        if context:
            cmd += ["--context", context]
        cmd += list(args)
        env = dict(os.environ, HOME=str(self.cache_dir.parent))
        env.pop("KUBECONFIG", None)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input, env=env)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def using(self, handle: SimulatorHandle) -> "Kubectl":
        """The same helper pointed at another simulator (e.g. one from ``sim_factory``)."""
        return Kubectl(self.binary, handle, self.cache_dir)


@pytest.fixture
def kubectl(sim: SimulatorHandle, tmp_path: Path) -> Kubectl:
    cache = tmp_path / "kube-cache"
    cache.mkdir(exist_ok=True)
    return Kubectl(_kubectl_binary(), sim, cache)


# -- a real Prometheus scraping the simulator -----------------------------------------------

from memtui.demo.local_prometheus import binaries_available, start_prometheus_for_simulator  # noqa: E402


@pytest.fixture
def prometheus(sim, tmp_path):
    if not binaries_available():
        pytest.fail("prometheus/promtool are not installed: scripts/test installs them (apt install prometheus)")
    server = start_prometheus_for_simulator(sim, tmp_path / "prometheus", scrape_interval="1s")
    yield server
    server.stop()


@pytest.fixture
def prometheus_for(tmp_path):
    """``prometheus_for(handle)`` for a simulator made with sim_factory."""
    servers = []

    def start(handle):
        server = start_prometheus_for_simulator(handle, tmp_path / f"prometheus{len(servers)}", scrape_interval="1s")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
