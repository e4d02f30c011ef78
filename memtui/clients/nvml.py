"""NVML (pynvml): the one place memtui touches the native library, as nvitop's ``api/libnvml.py`` is.

NVML is a process-wide C library: ``nvmlInit`` and ``nvmlShutdown`` are reference-counted, and a
call after the last shutdown fails.  So memtui initialises it once, on first use, under a lock
(pollers run in worker threads), and shuts it down once, at exit (``atexit``), instead of each
user pairing its own init with a shutdown that another user may not expect.

Where there is nothing to talk to (pynvml not installed, ``libnvidia-ml.so`` absent on a laptop,
the driver not loaded), every call raises ``NvmlUnavailable`` with the reason in words: the pane
shows it as "N/A", memtui does not crash.  A failed init is not remembered: the next call tries
again (a driver loaded mid-incident is picked up).  pynvml is imported only here, on first use.
"""

from __future__ import annotations

import atexit
import threading
import warnings
from dataclasses import dataclass
from types import ModuleType


class NvmlUnavailable(Exception):
    """NVML cannot answer on this machine; ``reason`` says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class GpuMemory:
    """One local GPU's memory, as ``nvidia-smi --query-gpu=index,name,memory.used,memory.total`` shows it."""

    index: int
    name: str
    used_bytes: int
    total_bytes: int


_lock = threading.RLock()
_library: ModuleType | None = None
"""pynvml once ``nvmlInit`` succeeded; None before, after ``shutdown``, and while NVML is unavailable."""
_shutdown_registered = False


def _import() -> ModuleType:
    try:
        with warnings.catch_warnings():
            # pynvml 13 is a shim over nvidia-ml-py (the module memtui uses) and warns about its
            # own packaging on import; that is not the user's concern mid-incident.
            warnings.simplefilter("ignore", FutureWarning)
            import pynvml
    except ImportError:
        raise NvmlUnavailable("pynvml is not installed (pip install pynvml)") from None
    return pynvml


def _initialised() -> ModuleType:
    """pynvml, initialised (once per process until ``shutdown``); ``NvmlUnavailable`` if it cannot be."""
    global _library, _shutdown_registered
    with _lock:
        if _library is not None:
            return _library
        pynvml = _import()
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as exc:
            raise NvmlUnavailable(reason(pynvml, exc)) from None
        _library = pynvml
        if not _shutdown_registered:
            atexit.register(shutdown)
            _shutdown_registered = True
        return pynvml


def is_initialised() -> bool:
    return _library is not None


def shutdown() -> None:
    """Release NVML (at exit; safe to call again, or when it never started)."""
    global _library
    with _lock:
        if _library is None:
            return
        library, _library = _library, None
        try:
            library.nvmlShutdown()
        except library.NVMLError:
            pass


def memory_of_each_gpu() -> list[GpuMemory]:
    """Every local GPU's memory, in ``nvidia-smi -L`` order (empty when the driver sees no GPU)."""
    with _lock:
        nvml = _initialised()
        try:
            gpus = []
            for index in range(nvml.nvmlDeviceGetCount()):
                handle = nvml.nvmlDeviceGetHandleByIndex(index)
                memory = nvml.nvmlDeviceGetMemoryInfo(handle)
                name = nvml.nvmlDeviceGetName(handle)
                name = name.decode() if isinstance(name, bytes) else name
                gpus.append(GpuMemory(index, name, int(memory.used), int(memory.total)))
        except nvml.NVMLError as exc:
            raise NvmlUnavailable(reason(nvml, exc)) from None
        return gpus


def reason(nvml: ModuleType, exc: BaseException) -> str:
    """What an ``NVMLError`` means for the operator: no library, no driver, or NVML's own words."""
    library_missing = getattr(nvml, "NVMLError_LibraryNotFound", ())
    driver_missing = getattr(nvml, "NVMLError_DriverNotLoaded", ())
    if library_missing and isinstance(exc, library_missing):
        return "no NVIDIA driver here (libnvidia-ml.so not found)"
    if driver_missing and isinstance(exc, driver_missing):
        return "NVIDIA driver not loaded"
    return str(exc) or type(exc).__name__
