"""GPU memory of *this* machine through NVML, for when memtui runs on the GPU node.

NVML sees only local GPUs: on a laptop it sees none of the cluster's, which is why DCGM
metrics (Prometheus) and ``nvidia-smi`` via exec come first.  Never imports the UI; NVML itself
(init once, shutdown at exit, a missing library or driver as a reason) is ``memtui.clients.nvml``.
Each figure is what ``nvidia-smi --query-gpu=memory.used,memory.total --format=csv`` prints.
"""

from __future__ import annotations

from memtui.clients import nvml
from memtui.clients.errors import SourceError
from memtui.state.snapshots import GpuUsage

MIB = 1024 * 1024


class NvmlSource:
    name = "gpu"

    def fetch(self) -> dict[str, GpuUsage]:
        """One entry per local GPU, keyed ``gpu0``, ``gpu1``…  (``nvidia-smi -L`` order)."""
        try:
            gpus = nvml.memory_of_each_gpu()
        except nvml.NvmlUnavailable as exc:
            raise SourceError(self.name, f"NVML: {exc.reason}") from None
        if not gpus:
            raise SourceError(self.name, "NVML: no NVIDIA GPU on this machine")
        return {
            f"gpu{gpu.index}": GpuUsage(f"gpu{gpu.index} {gpu.name}", gpu.used_bytes / MIB, gpu.total_bytes / MIB, "NVML")
            for gpu in gpus
        }

    def close(self) -> None:
        """Nothing to release here: NVML is shut down once, at exit, by ``memtui.clients.nvml``."""
