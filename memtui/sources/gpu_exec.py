"""GPU memory per pod through ``nvidia-smi`` via exec, the runbook's own command.

Exec costs one request per pod, so this source checks at most ``per_refresh`` pods per refresh,
round-robin, and keeps the last figure of the others: requests per refresh stay bounded however
many pods there are.  Inside a container ``nvidia-smi`` lists no processes (PID namespaces), but
the memory totals are right.
"""

from __future__ import annotations

from collections.abc import Sequence

from memtui.state.snapshots import GpuUsage
from memtui.clients.errors import SourceError
from memtui.clients.kube.exec import exec_in_pod
from memtui.clients.kube.stream import ExecApiClient

NVIDIA_SMI = ("nvidia-smi", "--query-gpu=memory.used,memory.total", "--format=csv,noheader,nounits")


def parse_nvidia_smi_csv(text: str) -> tuple[float, float, int]:
    """``71234, 81920`` lines (MiB) → (used, total, gpus) summed over the pod's GPUs."""
    used = total = 0.0
    gpus = 0
    for line in text.strip().splitlines():
        parts = [p.strip().removesuffix(" MiB") for p in line.split(",")]
        if len(parts) < 2:
            continue
        try:
            used += float(parts[0])
            total += float(parts[1])
        except ValueError:
            continue
        gpus += 1
    if not gpus:
        raise ValueError(f"no GPU lines in nvidia-smi output: {text.strip()[:80]!r}")
    return used, total, gpus


class NvidiaSmiExecSource:
    name = "gpu"

    def __init__(self, exec_client: ExecApiClient, namespace: str, *, container: str | None = None, per_refresh: int = 4,
                 timeout: float = 10.0) -> None:
        self.exec_client = exec_client
        self.namespace = namespace
        self.container = container
        self.per_refresh = per_refresh
        self.timeout = timeout
        self._cursor = 0
        self._last: dict[str, GpuUsage] = {}

    def fetch(self, pods: Sequence[str]) -> dict[str, GpuUsage]:
        if not pods:
            return {}
        ordered = sorted(pods)
        chosen = [ordered[(self._cursor + i) % len(ordered)] for i in range(min(self.per_refresh, len(ordered)))]
        self._cursor = (self._cursor + len(chosen)) % len(ordered)
        errors = []
        for pod in chosen:
            result = exec_in_pod(self.exec_client, self.namespace, pod, NVIDIA_SMI, container=self.container, timeout=self.timeout)
            if not result.ok:
                errors.append(f"{pod}: {result.error or result.stderr.strip() or f'exit {result.exit_code}'}")
                continue
            try:
                used, total, gpus = parse_nvidia_smi_csv(result.text)
            except ValueError as exc:
                errors.append(f"{pod}: {exc}")
                continue
            self._last[pod] = GpuUsage(pod, used, total, "nvidia-smi", gpus)
        live = set(pods)
        self._last = {pod: usage for pod, usage in self._last.items() if pod in live}
        if errors and not self._last:
            raise SourceError(self.name, "nvidia-smi via exec: " + errors[0])
        return dict(self._last)
