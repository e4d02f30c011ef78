"""Scenarios where more than one thing is going on, or where the obvious signal misleads.

* ``leak-cache`` (``LeakCacheModel``): the tracing leak of ``leak.py`` *and* the unbounded
  response cache of ``cache.py`` (plus Redis bloating beside it).  Both are real causes: a
  restart buys the same time either way, clearing the cache buys some, only a code fix plus a
  cache cap ends it.  The ranking must put both above model loading and batches.
* ``leak-batch-spike`` (``LeakyBatchModel``): large batches spike memory every minute (the
  obvious signal: 2 GiB peaks that follow load, ``batch_size=256`` in the log), but underneath
  the spikes the baseline grows steadily, independent of the batches, because of a reference
  cycle in a request cache that logs no warning (not the tracing leak, so no "memory leak"
  line): only the GC's figures (allocated far above freed, objects alive growing) and the shape
  of the troughs say so.  The spikes alone would never reach the limit (they fall back); the
  leak lifts the baseline until a spike tips it over.  True cause: the leak.
* ``stable-model-cache`` (``StableModelCacheModel``): /tmp/model_cache holds 6 GiB of model
  shards restored at start (``du`` says so; the runbook's "clear model cache" looks like the
  fix), but it lives on a disk-backed emptyDir: its pages are reclaimable page cache, outside the
  working set, and the directory never grows.  One model is loaded, no copy piles up.  What
  OOMs the pod is the batch spikes of ``batch.py`` riding on a slowly ratcheting baseline.  True
  cause: large batches; neither model loading nor cache bloat.
"""

from __future__ import annotations

import math

from .base import ContainerModel, Intervention, Life, MemSample, bisect_crossing
from .batch import DECAY, PULSE, PULSE_OFFSET, BatchModel, pulse_time
from .cache import CacheModel
from .leak import LeakModel
from .sapllm import SMALL_CACHE_DIR
from ..quantity import GiB, MiB

WARM_MODEL_CACHE = 6 * GiB


class LeakCacheModel(LeakModel, CacheModel):
    """The leak's heap growth plus the cache's tmpfs growth (``CacheModel``'s directories and page cache)."""

    name = "leak-cache"

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        # both parts only grow (with the load), so the working set is non-decreasing: bisect it
        return bisect_crossing(lambda t: self.clean(life, t).working_set, t_from, life.limit)

    def growth_rate(self, life: Life, t: float) -> float:
        return ContainerModel.growth_rate(self, life, t)


class LeakyBatchModel(BatchModel, LeakModel):
    """``BatchModel``'s spikes and ratchet with a leak underneath that logs no warning."""

    name = "leak-batch-spike"
    leak_warnings = False

    def leaked(self, life: Life, t: float) -> float:
        return max(0.0, self.rate(life) * self.ctx.load.integral(life.start, t) - self._freed_leak(life, t))

    def _freed_leak(self, life: Life, t: float) -> float:
        return sum(iv.args.get("leak", 0.0) for iv in life.interventions if iv.kind == "gc" and iv.t <= t)

    def retained(self, life: Life, t: float) -> float:
        freed = sum(iv.amount - iv.args.get("leak", 0.0) for iv in life.interventions if iv.kind == "gc" and iv.t <= t)
        return max(0.0, self.ratchet(life) * (t - life.start) - freed)

    def clean(self, life: Life, t: float) -> MemSample:
        sp, load = self.spike(life, t)
        leaked = self.leaked(life, t)
        rss = self.rss_base(life) + self.retained(life, t) + leaked + sp
        gpu_act = self.effective_batch(life) * 40 * (sp / self.amplitude(life) if self.amplitude(life) else 0)
        return self.assemble(life, t, rss, gpu_extra_mib=int(gpu_act),
                             extra={"batch_load": load, "effective_batch": self.effective_batch(life),
                                    "leaked": int(leaked)})

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        """The baseline only grows and each spike peaks at its pulse then decays, so the first
        crossing is at a pulse or on the baseline between two: check each pulse, bisect between."""
        limit = life.limit

        def ws(t: float) -> float:
            return self.clean(life, t).working_set

        if ws(t_from) >= limit:
            return t_from
        k = math.ceil((t_from - PULSE_OFFSET) / PULSE)
        prev = t_from
        for _ in range(30 * 24 * 60):  # 30 days of pulses
            tk = pulse_time(k)
            if ws(tk - 0.25) >= limit:  # crossed on the baseline (spike gone) before this pulse
                lo, hi = max(prev, tk - PULSE + DECAY), tk - 0.25
                if ws(lo) >= limit:
                    return lo
                while hi - lo > 0.25:
                    mid = (lo + hi) / 2
                    lo, hi = (lo, mid) if ws(mid) >= limit else (mid, hi)
                return hi
            if ws(tk) >= limit:
                return tk
            prev = tk
            k += 1
        return None

    def growth_rate(self, life: Life, t: float) -> float:
        return self.ratchet(life) + self.rate(life) * self.ctx.load.level_at(t)

    def admin_gc(self, life: Life, t: float) -> int:
        leak = min(self.leaked(life, t), 0.03 * self.leaked(life, t) + 24 * MiB)
        amount = int(0.7 * self.retained(life, t) + leak)
        life.interventions.append(Intervention(t, "gc", amount, {"leak": leak}))
        return amount


class StableModelCacheModel(BatchModel):
    """``BatchModel`` with 6 GiB of model shards in /tmp/model_cache on a disk-backed emptyDir:
    reclaimable (inactive) page cache, not tmpfs, so outside the working set, and constant."""

    name = "stable-model-cache"

    def small_dirs(self, life: Life, t: float) -> dict[str, int]:
        """What of the cache directories counts in the working set (tmpfs): /tmp/cache only."""
        return {"/tmp/cache": self._small_dir(life, t, "/tmp/cache", SMALL_CACHE_DIR)}

    def raw_dir_sizes(self, life: Life, t: float) -> dict[str, int]:
        dirs = self.small_dirs(life, t)
        dirs["/tmp/model_cache"] = self._small_dir(life, t, "/tmp/model_cache", WARM_MODEL_CACHE)
        return dirs

    def assemble(self, life: Life, t: float, rss: float, extra_shmem: int = 0,
                 gpu_extra_mib: int = 0, extra: dict | None = None) -> MemSample:
        act, inact = self.page_cache(life)
        dirs = self.dir_sizes(life, t)
        shmem = dirs["/tmp/cache"]
        info = {"dirs": dirs, **(extra or {})}
        return MemSample(rss=int(rss), active_file=act, inactive_file=inact + dirs["/tmp/model_cache"],
                         shmem=int(shmem), gpu_used_mib=self.gpu_base_mib(life.config) + int(gpu_extra_mib),
                         cpu_nanocores=self.cpu(life, t), extra=info)


__all__ = ["LeakCacheModel", "LeakyBatchModel", "StableModelCacheModel", "WARM_MODEL_CACHE"]
