"""NVML through its one choke point (memtui.clients.nvml), for real: on a machine without an
NVIDIA driver (this one, CI) every call is a reason in words, never a crash; on a GPU node the
figures are nvidia-smi's."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import threading

import pytest

from memtui.clients import nvml
from memtui.clients.errors import SourceError
from memtui.sources.gpu_nvml import NvmlSource


def _driver_present() -> bool:
    try:
        ctypes.CDLL("libnvidia-ml.so.1")  # what pynvml loads on Linux
    except OSError:
        return False
    return True


DRIVER = _driver_present()
no_driver_only = pytest.mark.skipif(DRIVER, reason="this machine has an NVIDIA driver: the GPU test covers it")
gpu_only = pytest.mark.skipif(not DRIVER, reason="no NVIDIA driver here: the no-driver tests cover this machine")


@no_driver_only
def test_without_a_driver_every_call_is_the_reason_and_nvml_is_not_left_half_started():
    for _ in range(2):  # a failed init is not remembered as a crash, nor as success: tried again
        with pytest.raises(nvml.NvmlUnavailable) as caught:
            nvml.memory_of_each_gpu()
        assert caught.value.reason == "no NVIDIA driver here (libnvidia-ml.so not found)"
        assert not nvml.is_initialised()
    nvml.shutdown()  # nothing started: nothing to release, no error


@no_driver_only
def test_the_gpu_source_says_why_in_one_line():
    with pytest.raises(SourceError) as caught:
        NvmlSource().fetch()
    assert caught.value.source == "gpu"
    assert caught.value.reason == "NVML: no NVIDIA driver here (libnvidia-ml.so not found)"


@no_driver_only
def test_pollers_on_several_threads_all_get_the_reason():
    outcomes: list[BaseException | None] = []

    def poll() -> None:
        try:
            nvml.memory_of_each_gpu()
            outcomes.append(None)
        except BaseException as exc:  # noqa: BLE001 - anything but NvmlUnavailable fails the test
            outcomes.append(exc)

    threads = [threading.Thread(target=poll) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(outcomes) == 8
    assert all(isinstance(o, nvml.NvmlUnavailable) for o in outcomes), outcomes


def test_without_pynvml_the_reason_says_how_to_install_it(monkeypatch):
    # pynvml cannot be uninstalled for one test; blocking its import is the same fault
    monkeypatch.setitem(sys.modules, "pynvml", None)
    with pytest.raises(nvml.NvmlUnavailable) as caught:
        nvml.memory_of_each_gpu()
    assert caught.value.reason == "pynvml is not installed (pip install pynvml)"
    assert not nvml.is_initialised()


@gpu_only
def test_on_a_gpu_node_the_figures_are_nvidia_smis_and_nvml_starts_once():
    gpus = nvml.memory_of_each_gpu()
    assert gpus and nvml.is_initialised()
    assert all(0 <= g.used_bytes <= g.total_bytes and g.total_bytes > 0 for g in gpus)
    assert [g.index for g in gpus] == list(range(len(gpus)))
    again = nvml.memory_of_each_gpu()  # no second nvmlInit: the same process-wide handle
    assert [g.total_bytes for g in again] == [g.total_bytes for g in gpus]
    if shutil.which("nvidia-smi"):
        out = subprocess.run(["nvidia-smi", "--query-gpu=index,memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        totals = {int(i): int(t) for i, t in (line.split(", ") for line in out.strip().splitlines())}
        assert {g.index: g.total_bytes // (1024 * 1024) for g in gpus} == totals
    shown = NvmlSource().fetch()
    assert set(shown) == {f"gpu{g.index}" for g in gpus}
    nvml.shutdown()
    assert not nvml.is_initialised()
    assert nvml.memory_of_each_gpu()  # started again on next use
    nvml.shutdown()
