"""Workers never read the cockpit's state: it belongs to the main thread, which folds snapshots
into it while a worker runs.  What a poll needs from it (the GPU pods to exec in, whether DCGM
already has the figures, how many points the history holds) is computed on the main thread when
the poll starts and handed to the worker.  The GPU exec poll used to read ``app.state`` from its
worker; the backfill read the history's capacity there."""

from __future__ import annotations

import threading

from memtui.sources.gpu import GpuExecInputs, exec_inputs
from memtui.state.cockpit import CockpitState
from tests.app.conftest import wait_for


class MainThreadOnly:
    """Stands in for ``app.state`` and records every attribute used from another thread."""

    def __init__(self, real: CockpitState) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "off_thread", [])

    def _check(self, name: str) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.off_thread.append(f"{threading.current_thread().name}: .{name}")

    def __getattr__(self, name: str):
        self._check(name)
        return getattr(self._real, name)

    def __setattr__(self, name: str, value) -> None:
        self._check(name)
        setattr(self._real, name, value)


async def test_no_poll_worker_reads_the_cockpit_state(sim, make_app, prometheus):
    app = make_app(prometheus_url=prometheus.url, gpu_source="exec", refresh=0.2)
    watched = MainThreadOnly(app.state)
    app.state = watched
    async with app.run_test(size=(160, 48)) as pilot:
        # GPU figures through exec (its poll needs the running GPU pods) and the backfill done
        # (it needs the history's capacity), with Prometheus and Kubernetes polled meanwhile
        await wait_for(pilot, lambda: app.state.gpu_source == "nvidia-smi via exec", timeout=30)
        await wait_for(pilot, lambda: app.pollers["backfill"]._stopped, timeout=30)
        assert app.state.health["gpu"].last_ok is not None
    assert watched.off_thread == []


def test_the_gpu_exec_inputs_are_the_running_gpu_pods_and_none_while_dcgm_has_figures(sim, make_app):
    from memtui.sources.bundle import build_sources

    app = make_app(gpu_source="auto")
    sources = build_sources(app.settings, app.connection)
    try:
        state = CockpitState(threshold_bytes=app.settings.threshold_bytes)
        assert exec_inputs(state, dcgm_first=True) is None  # no pod list yet: nothing to ask
        state.apply(sources.kube.fetch())
        running_gpu = tuple(p.name for p in state.snapshot.pods if p.gpus and p.phase == "Running")
        assert running_gpu and len(running_gpu) < len(state.snapshot.pods)
        assert exec_inputs(state, dcgm_first=True) == GpuExecInputs(running_gpu)
        # the fetch execs in exactly the pods it is given, whatever the state holds
        gpu = sources.spec("gpu")
        assert gpu.inputs is not None and gpu.fetch is not None
        snapshot = gpu.fetch(GpuExecInputs(running_gpu[:1]))
        assert set(snapshot.usage) == {running_gpu[0]}
    finally:
        sources.stop()
