"""Root cause 4 (15%): cache bloat.

Responses are cached as files under /tmp/cache and model shards under
/tmp/model_cache, both emptyDir volumes of medium Memory, so every cached byte
is tmpfs in the working set. With cache_ttl_seconds a week and
max_cache_size_mb 0 (unlimited) the cache only grows; a TTL bounds it to what
a TTL's worth of traffic writes, max_cache_size_mb caps it (both from the next
start). ``sh -c 'rm -rf /tmp/cache/*'`` empties it at once; Redis, beside it,
grows too (see redis.py).
"""

from __future__ import annotations

from .base import Life, MemSample
from .sapllm import SapLlmModel
from ..quantity import GiB, MiB

CACHE_PER_SECOND = 60 * MiB / 60.0  # at weight 1, load 1
MODEL_CACHE_PER_SECOND = 12 * MiB / 60.0
MODEL_CACHE_CAP = 1 * GiB


class CacheModel(SapLlmModel):
    name = "cache-bloat"
    base_rss = int(4.2 * GiB)

    def cache_size(self, life: Life, t: float) -> float:
        cfg = life.config
        since = self._cleared_at(life, t, "/tmp/cache")
        if cfg.cache_ttl_seconds > 0:
            since = max(since, t - cfg.cache_ttl_seconds)
        size = CACHE_PER_SECOND * life.weight * self.ctx.load.integral(since, t)
        if cfg.max_cache_size_mb > 0:
            size = min(size, cfg.max_cache_size_mb * MiB)
        return max(0.0, size)

    def model_cache_size(self, life: Life, t: float) -> float:
        since = self._cleared_at(life, t, "/tmp/model_cache")
        return min(MODEL_CACHE_CAP, MODEL_CACHE_PER_SECOND * (t - since))

    def raw_dir_sizes(self, life: Life, t: float) -> dict[str, int]:
        return {"/tmp/cache": int(self.cache_size(life, t)), "/tmp/model_cache": int(self.model_cache_size(life, t))}

    def page_cache(self, life: Life) -> tuple[int, int]:
        return 300 * MiB, int(1.4 * GiB)  # log files and cache spill on disk, reclaimable

    def clean(self, life: Life, t: float) -> MemSample:
        return self.assemble(life, t, self.rss_base(life))
