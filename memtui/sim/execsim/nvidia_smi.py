"""nvidia-smi inside a container: the pod's one GPU; no processes listed (PID namespaces)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..models import GPU_TOTAL_MIB
from ..noise import unit

if TYPE_CHECKING:
    from .context import ExecContext, ExecResult

DRIVER = "550.90.07"
CUDA = "12.4"
NAME = "NVIDIA H100 80GB HBM3"


def _fields(ctx: "ExecContext") -> dict[str, tuple[str, str]]:
    s = ctx.sample()
    used = s.gpu_used_mib
    util = int(40 + 55 * unit(ctx.seed, ctx.rec.key, int(ctx.t // 5)))
    temp = int(38 + util * 0.25)
    uuid = ctx.rec.gpu_uuid or "GPU-00000000-0000-0000-0000-000000000000"
    return {
        "memory.used": (f"{used} MiB", str(used)), "memory.total": (f"{GPU_TOTAL_MIB} MiB", str(GPU_TOTAL_MIB)),
        "memory.free": (f"{GPU_TOTAL_MIB - used} MiB", str(GPU_TOTAL_MIB - used)),
        "memory.reserved": ("0 MiB", "0"), "name": (NAME, NAME), "index": ("0", "0"), "uuid": (uuid, uuid),
        "utilization.gpu": (f"{util} %", str(util)), "utilization.memory": (f"{util // 2} %", str(util // 2)),
        "temperature.gpu": (str(temp), str(temp)), "driver_version": (DRIVER, DRIVER),
        "power.draw": (f"{150 + util * 5:.2f} W", f"{150 + util * 5:.2f}"),
        "pci.bus_id": ("00000000:18:00.0", "00000000:18:00.0"),
    }


_HEADERS = {"memory.used": "memory.used [MiB]", "memory.total": "memory.total [MiB]",
            "memory.free": "memory.free [MiB]", "memory.reserved": "memory.reserved [MiB]",
            "utilization.gpu": "utilization.gpu [%]", "utilization.memory": "utilization.memory [%]",
            "power.draw": "power.draw [W]"}


def nvidia_smi(ctx: "ExecContext", argv: list[str], stdin: bytes) -> "ExecResult":
    from .context import ExecResult
    if ctx.rec.gpu_uuid is None:
        return ExecResult(b"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                          b"Make sure that the latest NVIDIA driver is installed and running.\n\n", b"", 9)
    query = None
    fmt = ""
    for a in argv[1:]:
        if a.startswith("--query-gpu="):
            query = [q.strip() for q in a.split("=", 1)[1].split(",") if q.strip()]
        elif a.startswith("--format="):
            fmt = a.split("=", 1)[1]
    if query is not None:
        opts = set(fmt.split(","))
        if "csv" not in opts:
            return ExecResult(b'"--format=" switch is missing or invalid. Use "csv".\n', b"", 2)
        fields = _fields(ctx)
        for q in query:
            if q not in fields:
                return ExecResult(f'Field "{q}" is not a valid field to query.\n\n'.encode(), b"", 2)
        nounits = "nounits" in opts
        lines = []
        if "noheader" not in opts:
            lines.append(", ".join(_HEADERS.get(q, q) for q in query))
        lines.append(", ".join(fields[q][1 if nounits else 0] for q in query))
        return ExecResult(("\n".join(lines) + "\n").encode())
    f = _fields(ctx)
    used = int(f["memory.used"][1])
    util = f["utilization.gpu"][1]
    stamp = time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(ctx.cluster.clock.unix(ctx.t)))
    mem = f"{used}MiB / {GPU_TOTAL_MIB}MiB"
    text = (
        f"{stamp}       \n"
        "+-----------------------------------------------------------------------------------------+\n"
        f"| NVIDIA-SMI {DRIVER}              Driver Version: {DRIVER}      CUDA Version: {CUDA}     |\n"
        "|-----------------------------------------+------------------------+----------------------+\n"
        "| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |\n"
        "| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |\n"
        "|                                         |                        |               MIG M. |\n"
        "|=========================================+========================+======================|\n"
        f"|   0  {NAME}          On  |   00000000:18:00.0 Off |                    0 |\n"
        f"| N/A   {f['temperature.gpu'][1]}C    P0            {int(float(f['power.draw'][1])):>3}W /  700W "
        f"| {mem:>22} | {util:>6}%      Default |\n"
        "|                                         |                        |             Disabled |\n"
        "+-----------------------------------------+------------------------+----------------------+\n"
        "                                                                                         \n"
        "+-----------------------------------------------------------------------------------------+\n"
        "| Processes:                                                                              |\n"
        "|  GPU   GI   CI        PID   Type   Process name                              GPU Memory |\n"
        "|        ID   ID                                                               Usage      |\n"
        "|=========================================================================================|\n"
        "|  No running processes found                                                             |\n"
        "+-----------------------------------------------------------------------------------------+\n")
    return ExecResult(text.encode())
