"""GPU memory of *this* machine through NVML (pynvml), for when memtui runs on the GPU node.

pynvml sees only local GPUs: on a laptop it sees none of the cluster's, which is why DCGM
metrics (Prometheus) and ``nvidia-smi`` via exec come first.  Never imports the UI; a missing
library or driver becomes a reason ("N/A"), never a crash.  Each figure is what
``nvidia-smi --query-gpu=memory.used,memory.total --format=csv`` prints.
"""

from __future__ import annotations

import warnings

from memtui.state.snapshots import GpuUsage
from memtui.clients.errors import SourceError

MIB = 1024 * 1024


class NvmlSource:
    name = "gpu"

    def __init__(self) -> None:
        self._nvml = None

    def _init(self):
        if self._nvml is not None:
            return self._nvml
        try:
            with warnings.catch_warnings():
                # pynvml 13 is a shim over nvidia-ml-py (the module memtui uses) and warns
                # about its own packaging on import; that is not the user's concern mid-incident.
                warnings.simplefilter("ignore", FutureWarning)
                import pynvml
        except ImportError:
            raise SourceError(self.name, "NVML: pynvml is not installed (pip install pynvml)") from None
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as exc:
            raise SourceError(self.name, f"NVML: {_nvml_reason(pynvml, exc)}") from None
        self._nvml = pynvml
        return pynvml

    def fetch(self) -> dict[str, GpuUsage]:
        """One entry per local GPU, keyed ``gpu0``, ``gpu1``…  (``nvidia-smi -L`` order)."""
        nvml = self._init()
        try:
            count = nvml.nvmlDeviceGetCount()
            usage = {}
            for index in range(count):
                handle = nvml.nvmlDeviceGetHandleByIndex(index)
                memory = nvml.nvmlDeviceGetMemoryInfo(handle)
                name = nvml.nvmlDeviceGetName(handle)
                name = name.decode() if isinstance(name, bytes) else name
                usage[f"gpu{index}"] = GpuUsage(
                    f"gpu{index} {name}", memory.used / MIB, memory.total / MIB, "NVML"
                )
        except nvml.NVMLError as exc:
            raise SourceError(self.name, f"NVML: {_nvml_reason(nvml, exc)}") from None
        if not usage:
            raise SourceError(self.name, "NVML: no NVIDIA GPU on this machine")
        return usage

    def close(self) -> None:
        if self._nvml is not None:
            try:
                self._nvml.nvmlShutdown()
            except self._nvml.NVMLError:
                pass
            self._nvml = None


def _nvml_reason(nvml, exc) -> str:
    library_missing = getattr(nvml, "NVMLError_LibraryNotFound", ())
    driver_missing = getattr(nvml, "NVMLError_DriverNotLoaded", ())
    if library_missing and isinstance(exc, library_missing):
        return "no NVIDIA driver here (libnvidia-ml.so not found)"
    if driver_missing and isinstance(exc, driver_missing):
        return "NVIDIA driver not loaded"
    return str(exc) or type(exc).__name__
