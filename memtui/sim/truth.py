"""Ground truth per sap-llm pod, for tests and benchmarks to check what memtui shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .models import GPU_TOTAL_MIB

if TYPE_CHECKING:
    from .cluster import Cluster


@dataclass(frozen=True)
class PodTruth:
    working_set_bytes: int
    rss_bytes: int
    cache_bytes: int
    usage_bytes: int
    limit_bytes: int
    growth_bytes_per_second: float
    seconds_to_oom: float | None
    gpu_used_mib: int
    gpu_total_mib: int
    restarts: int
    last_terminated_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def compute(cluster: "Cluster", t: float) -> dict[str, PodTruth]:
    out: dict[str, PodTruth] = {}
    for rec in cluster.sap_llm_pods():
        life = rec.life_at(t)
        last = rec.last_terminated_at(t)
        restarts = rec.restarts_at(t)
        if life is None:
            out[rec.name] = PodTruth(0, 0, 0, 0, rec.limit, 0.0, None, 0, GPU_TOTAL_MIB, restarts,
                                     last.end_reason if last else None)
            continue
        s = rec.model.sample(life, t)
        growth = rec.model.growth_rate(life, t)
        ttl = None
        if life.oom_at is not None and growth > 0:
            ttl = max(0.0, life.oom_at - t)
        out[rec.name] = PodTruth(
            working_set_bytes=s.working_set, rss_bytes=s.rss, cache_bytes=s.cache, usage_bytes=s.usage,
            limit_bytes=life.limit, growth_bytes_per_second=growth, seconds_to_oom=ttl,
            gpu_used_mib=s.gpu_used_mib, gpu_total_mib=GPU_TOTAL_MIB, restarts=restarts,
            last_terminated_reason=last.end_reason if last else None,
        )
    return out
