"""Containers that are not the incident: sap-llm-api, the ml-batch workloads.

They hold steady memory (with noise) so dashboards have something calm to
contrast with, and so the other namespace shows up in /metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..noise import bucket_noise
from .base import ContainerModel, Life, MemSample
from ..quantity import MiB


@dataclass(frozen=True)
class FlatProfile:
    rss: int
    active_file: int = 64 * MiB
    inactive_file: int = 128 * MiB
    gpu_mib: int = 0
    cpu_cores: float = 0.3
    ready_delay: float = 5.0


class FlatModel(ContainerModel):
    name = "flat"

    def __init__(self, ctx, profile: FlatProfile) -> None:
        super().__init__(ctx)
        self.profile = profile
        self.ready_delay = profile.ready_delay
        self.noise_bytes = max(4 * MiB, profile.rss // 100)

    def memo_key(self, life: Life):
        return ("flat", self.profile)

    def clean(self, life: Life, t: float) -> MemSample:
        p = self.profile
        cpu = max(0.01, p.cpu_cores * (1 + 0.2 * bucket_noise(self.ctx.seed, life.key + 3, t, 15.0)))
        # ramp up over the first 30 s after start (imports, warm-up)
        ramp = min(1.0, max(0.0, (t - life.start) / 30.0)) if t >= life.start else 0.0
        return MemSample(rss=int(p.rss * (0.6 + 0.4 * ramp)), active_file=p.active_file,
                         inactive_file=p.inactive_file, gpu_used_mib=p.gpu_mib,
                         cpu_nanocores=int(cpu * 1e9))

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        return None if self.profile.rss + self.profile.active_file < life.limit else t_from
