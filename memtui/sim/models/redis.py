"""The Redis in sap-llm: a response cache that only grows in cache-bloat.

Its dataset is a function of time since the last FLUSHDB (linear in the
request load when bloating, saturating otherwise), capped by maxmemory once an
eviction policy is set; evictions are whatever the cap cut off. CONFIG SET
lives in the running server only: a container restart reverts to the config
file unless CONFIG REWRITE saved it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .base import ContainerModel, Intervention, Life, MemSample, bisect_crossing
from ..quantity import GiB, MiB

AVG_KEY_BYTES = 48 * 1024
STARTUP_USED = 2 * MiB
EVICTING = {"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
            "volatile-random", "volatile-ttl"}
POLICIES = ("volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random",
            "allkeys-random", "volatile-ttl", "noeviction")


@dataclass(frozen=True)
class RedisStats:
    used: int
    rss: int
    peak: int
    maxmemory: int
    policy: str
    keys: int
    expires: int
    evicted_keys: int
    expired_keys: int
    keyspace_hits: int
    keyspace_misses: int
    uptime: int
    commands: int
    connected_clients: int


class RedisModel(ContainerModel):
    name = "redis"
    ready_delay = 3.0
    noise_bytes = 6 * MiB

    def __init__(self, ctx, bloating: bool) -> None:
        super().__init__(ctx)
        self.bloating = bloating
        self.rate = 30 * MiB / 60.0 if bloating else 0.0  # per second at load 1
        self.plateau = 1.2 * GiB
        self.tau = 1800.0

    def memo_key(self, life: Life):
        return ("redis", self.bloating, life.state.get("maxmemory", 0), life.state.get("policy", "noeviction"))

    def grown(self, a: float, b: float) -> float:
        if b <= a:
            return 0.0
        if self.bloating:
            return self.rate * self.ctx.load.integral(a, b)
        return self.plateau * (1.0 - math.exp(-(b - a) / self.tau))

    def stats(self, life: Life, t: float) -> RedisStats:
        maxmem = int(life.state.get("maxmemory", 0))
        policy = str(life.state.get("policy", "noeviction"))
        epoch = life.start
        evicted = 0
        peak = 0.0

        def capped(unc: float) -> float:
            return min(unc, maxmem) if maxmem > 0 else unc

        def evictions(unc: float) -> int:
            if maxmem > 0 and policy in EVICTING and unc > maxmem:
                return int((unc - maxmem) / AVG_KEY_BYTES)
            return 0

        for iv in life.interventions:
            if iv.t > t or not iv.kind.startswith("redis:"):
                continue
            unc = self.grown(epoch, iv.t)
            peak = max(peak, capped(unc))
            if iv.kind == "redis:flushdb":
                evicted += evictions(unc)
                epoch = iv.t
            elif iv.kind == "redis:config":
                evicted += evictions(unc)
                if maxmem > 0 and unc > maxmem and policy in EVICTING:
                    # what was evicted is gone: restart the epoch from the cap
                    epoch = iv.t - self._time_to_grow(epoch, iv.t, maxmem)
                maxmem = int(iv.args.get("maxmemory", maxmem))
                policy = str(iv.args.get("policy", policy))
        unc = self.grown(epoch, t)
        used_ds = capped(unc)
        evicted += evictions(unc)
        peak = max(peak, used_ds)
        used = int(STARTUP_USED + used_ds)
        keys = int(used_ds / AVG_KEY_BYTES)
        age = max(0.0, t - life.start)
        lvl = self.ctx.load.level_at(t)
        hits = int(age * 1400 * lvl)
        misses = int(age * (380 if self.bloating else 220) * lvl)
        expired = int(age * (0.4 if self.bloating else 14.0))
        return RedisStats(
            used=used, rss=int(used * 1.04 + 8 * MiB), peak=int(STARTUP_USED + peak), maxmemory=maxmem,
            policy=policy, keys=keys, expires=int(keys * (0.02 if self.bloating else 0.97)),
            evicted_keys=evicted, expired_keys=expired, keyspace_hits=hits, keyspace_misses=misses,
            uptime=int(age), commands=int(hits + misses + age * 900 * lvl), connected_clients=4 + int(8 * lvl),
        )

    def _time_to_grow(self, a: float, b: float, amount: float) -> float:
        """How long before b the dataset was `amount` (used to restart an epoch at the cap)."""
        if self.bloating:
            lvl = max(self.ctx.load.level_at(b), 1e-9)
            return amount / (self.rate * lvl)
        ratio = min(0.999999, amount / self.plateau)
        return -self.tau * math.log(1 - ratio)

    def clean(self, life: Life, t: float) -> MemSample:
        s = self.stats(life, t)
        return MemSample(rss=s.rss, active_file=4 * MiB, inactive_file=12 * MiB,
                         cpu_nanocores=int((0.08 + 0.15 * self.ctx.load.level_at(t)) * 1e9),
                         extra={"redis": s})

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        return bisect_crossing(lambda t: self.clean(life, t).working_set, t_from, life.limit)

    def apply(self, life: Life, t: float, kind: str, **args) -> None:
        life.interventions.append(Intervention(t, f"redis:{kind}", 0.0, dict(args)))
