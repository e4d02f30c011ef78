"""Which GPU source a session reads, and why the GPU pane is off when it reads none.

DCGM's figures via Prometheus come first (one query for every pod, no exec): they arrive inside
the Prometheus snapshot, so no GPU poll is needed for them.  Without them, ``nvidia-smi`` via exec
in each GPU pod (``--gpu-source auto`` skips a poll while DCGM has figures); NVML reads only this
machine's GPUs, so it is used only when asked for.  ``--read-only`` runs nothing in a container
(executor/read_only.py): no ``nvidia-smi`` via exec then.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from memtui.clients.errors import SourceError
from memtui.clients.kube.connection import KubeConnection
from memtui.config.settings import Settings
from memtui.sources.gpu_exec import NvidiaSmiExecSource
from memtui.sources.gpu_nvml import NvmlSource
from memtui.sources.spec import SourceSpec
from memtui.state.snapshots import GpuSnapshot

if TYPE_CHECKING:
    from memtui.state.cockpit import CockpitState

NAME = "gpu"
NVML_LABEL = "NVML (this machine)"
EXEC_LABEL = "nvidia-smi via exec"
EXEC_MIN_INTERVAL = 10.0
"""Exec costs a request per pod: never more often than this, whatever ``--refresh`` says."""


@dataclass(frozen=True, slots=True)
class GpuExecInputs:
    """What an ``nvidia-smi`` poll needs from the cockpit's state, taken on the main thread."""

    pods: tuple[str, ...]
    """Running pods that request ``nvidia.com/gpu``."""


def exec_inputs(state: CockpitState, *, dcgm_first: bool) -> GpuExecInputs | None:
    """The pods to exec in, or None to skip this poll: DCGM already has the figures (with
    ``dcgm_first``), or no pod list has arrived yet."""
    if dcgm_first and state.prometheus is not None and state.prometheus.gpu:
        return None
    if state.snapshot is None:
        return None
    return GpuExecInputs(tuple(p.name for p in state.snapshot.pods if p.gpus and p.phase == "Running"))


class ExecGpuPoll:
    """``nvidia-smi`` via exec in the pods it is given (by argument: it runs in a worker)."""

    def __init__(self, source: NvidiaSmiExecSource) -> None:
        self.source = source

    def fetch(self, inputs: GpuExecInputs) -> GpuSnapshot:
        if not inputs.pods:
            raise SourceError(NAME, "no running pod requests nvidia.com/gpu")
        return GpuSnapshot(self.source.fetch(list(inputs.pods)), EXEC_LABEL)


class NvmlGpuPoll:
    def __init__(self, source: NvmlSource) -> None:
        self.source = source

    def fetch(self) -> GpuSnapshot:
        return GpuSnapshot(self.source.fetch(), NVML_LABEL)


def dcgm_wanted(settings: Settings) -> bool:
    """Whether GPU figures (live and the backfill's history) are read from DCGM via Prometheus."""
    return settings.gpu_source in ("auto", "dcgm")


def gpu_specs(settings: Settings, connection: KubeConnection, *, prometheus: bool) -> tuple[SourceSpec, ...]:
    """The GPU poll for ``--gpu-source``, or the reason the GPU pane is off; nothing when the
    figures come with Prometheus's snapshot (DCGM)."""
    mode, refresh = settings.gpu_source, settings.refresh
    if mode == "nvml":
        return (SourceSpec(NAME, GpuSnapshot, NvmlGpuPoll(NvmlSource()).fetch, refresh),)
    if mode in ("auto", "exec") and settings.read_only:
        if mode == "exec" or not prometheus:  # auto with Prometheus still reads DCGM's figures
            return (SourceSpec.turned_off(NAME, GpuSnapshot, "off under --read-only: nvidia-smi would run in a "
                                                             "container (DCGM needs --prometheus-url)"),)
        return ()
    if mode in ("auto", "exec"):
        timeout = max(settings.request_timeout, 10.0)
        source = NvidiaSmiExecSource(connection.exec_api_client, connection.namespace, timeout=timeout)
        inputs = partial(exec_inputs, dcgm_first=mode == "auto")
        return (SourceSpec(NAME, GpuSnapshot, ExecGpuPoll(source).fetch, max(refresh, EXEC_MIN_INTERVAL),
                           inputs=inputs),)
    if mode == "off":
        return (SourceSpec.turned_off(NAME, GpuSnapshot, "off (--gpu-source off)"),)
    if not prometheus:  # dcgm
        return (SourceSpec.turned_off(NAME, GpuSnapshot, "--gpu-source dcgm needs --prometheus-url"),)
    return ()

