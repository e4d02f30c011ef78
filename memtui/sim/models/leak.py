"""Root cause 2 (30%): a memory leak in the application.

RSS grows linearly with the requests served (the leak is per request: a
RequestContext <-> Span reference cycle held by a module-level dict), so
growth follows sap-llm-api replicas / 4 at once and the snapshot of
max_concurrent_requests from the container's start. A restart resets to the
base; nothing in the ConfigMap stops it (it needs a code fix); the app's admin
GC frees only the little that is collectable.
"""

from __future__ import annotations

from .base import Intervention, Life, MemSample
from .sapllm import SapLlmModel
from ..quantity import MiB

LEAK_PER_SECOND = 100 * MiB / 60.0  # at weight 1, load 1, 200 concurrent requests


class LeakModel(SapLlmModel):
    name = "leak"
    leak_warnings = True
    """Whether the app warns of the leak in its log (the tracing middleware does; a leak elsewhere may not)."""

    def rate(self, life: Life) -> float:
        return LEAK_PER_SECOND * life.weight * life.config.concurrency_factor()

    def freed(self, life: Life, t: float) -> float:
        return sum(iv.amount for iv in life.interventions if iv.kind == "gc" and iv.t <= t)

    def leaked(self, life: Life, t: float) -> float:
        return max(0.0, self.rate(life) * self.ctx.load.integral(life.start, t) - self.freed(life, t))

    def clean(self, life: Life, t: float) -> MemSample:
        leaked = self.leaked(life, t)
        return self.assemble(life, t, self.rss_base(life) + leaked, extra={"leaked": int(leaked)})

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        act, _ = self.page_cache(life)
        shmem = sum(self.small_dirs(life, t_from).values())
        need = life.limit - self.rss_base(life) - act - shmem
        r = self.rate(life)
        if r <= 0:
            return t_from if need <= 0 else None
        t = self.ctx.load.time_when(life.start, (need + self.freed(life, t_from)) / r)
        return None if t is None else max(t, t_from)

    def growth_rate(self, life: Life, t: float) -> float:
        return self.rate(life) * self.ctx.load.level_at(t)

    def admin_gc(self, life: Life, t: float) -> int:
        # Only the collectable garbage goes; the leaked cycle is still referenced.
        amount = int(min(self.leaked(life, t), 0.03 * self.leaked(life, t) + 24 * MiB))
        life.interventions.append(Intervention(t, "gc", amount))
        return amount
