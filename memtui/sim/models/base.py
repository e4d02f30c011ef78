"""What every container model shares: a container's life, its memory sample,
the parsed application config, the request-load timeline and the OOM search.

Memory is a pure function of (simulated time, the container's life, seeded
noise): a life records its start, its config snapshot, its limit and the few
interventions made during it (an admin GC, a cache directory emptied). That is
enough to answer "how much now", "how much at any past instant" (for the
OpenMetrics backfill) and "when will the working set reach the limit" (the OOM
kill is scheduled at that analytic crossing time).
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any

from ..noise import bucket_noise
from ..quantity import GiB, MiB

GPU_TOTAL_MIB = 81920  # an 80 GiB card


def _int(v: Any, default: int) -> int:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return default


def _bool(v: Any, default: bool) -> bool:
    s = str(v).strip().lower()
    if s in ("true", "1", "yes", "on"):
        return True
    if s in ("false", "0", "no", "off"):
        return False
    return default


@dataclass(frozen=True)
class AppConfig:
    """The sap-llm-config keys the runbook patches, parsed as the server would.

    A container reads them once, at start (envFrom), so a snapshot is kept per
    life: a ConfigMap patch only matters from the next container start.
    Unparseable values fall back to the server's defaults, as a tolerant app would.
    """

    max_model_instances: int = 1
    model_cache_size: int = 2
    model_precision: str = "fp16"
    use_quantization: bool = False
    batch_size: int = 32
    max_batch_size: int = 64
    use_streaming: bool = False
    stream_batch_size: int = 16
    max_concurrent_requests: int = 100
    cache_ttl_seconds: int = 3600
    max_cache_size_mb: int = 4096

    @classmethod
    def from_data(cls, data: dict[str, str] | None) -> "AppConfig":
        d = data or {}
        dflt = cls()
        return cls(
            max_model_instances=max(1, _int(d.get("max_model_instances"), dflt.max_model_instances)),
            model_cache_size=max(0, _int(d.get("model_cache_size"), dflt.model_cache_size)),
            model_precision=str(d.get("model_precision", dflt.model_precision)).strip().lower(),
            use_quantization=_bool(d.get("use_quantization"), dflt.use_quantization),
            batch_size=max(1, _int(d.get("batch_size"), dflt.batch_size)),
            max_batch_size=max(1, _int(d.get("max_batch_size"), dflt.max_batch_size)),
            use_streaming=_bool(d.get("use_streaming"), dflt.use_streaming),
            stream_batch_size=max(1, _int(d.get("stream_batch_size"), dflt.stream_batch_size)),
            max_concurrent_requests=max(1, _int(d.get("max_concurrent_requests"), dflt.max_concurrent_requests)),
            cache_ttl_seconds=max(0, _int(d.get("cache_ttl_seconds"), dflt.cache_ttl_seconds)),
            max_cache_size_mb=max(0, _int(d.get("max_cache_size_mb"), dflt.max_cache_size_mb)),
        )

    def precision_factor(self) -> float:
        """Bytes per weight relative to fp32: fp16/bf16 halve, quantization at least halves."""
        f = {"fp32": 1.0, "float32": 1.0, "fp16": 0.5, "float16": 0.5, "bf16": 0.5,
             "int8": 0.25, "int4": 0.125}.get(self.model_precision, 1.0)
        if self.use_quantization:
            f = min(f, 0.5)
        return f

    def concurrency_factor(self) -> float:
        """In-flight work relative to the 200 concurrent requests the service was sized for."""
        return min(2.0, max(0.05, self.max_concurrent_requests / 200.0))


class LoadTimeline:
    """Request load on sap-llm: sap-llm-api replicas / 4, piecewise constant.

    Scaling sap-llm-api takes effect at once (unlike a ConfigMap patch), so the
    models integrate load over time instead of assuming a constant rate.
    """

    def __init__(self, level: float = 1.0) -> None:
        self._t: list[float] = [float("-inf")]
        self._lvl: list[float] = [level]
        self._cum: list[float] = [0.0]  # integral from the epoch (t=0) to _t[i], for i >= 1

    def set(self, t: float, level: float) -> None:
        if level == self._lvl[-1]:
            return
        if t < self._t[-1]:
            raise ValueError("load changes must be appended in time order")
        cum = self._integral_to(t)
        if t == self._t[-1]:
            self._lvl[-1] = level
            return
        self._t.append(t)
        self._lvl.append(level)
        self._cum.append(cum)

    def level_at(self, t: float) -> float:
        i = bisect.bisect_right(self._t, t) - 1
        return self._lvl[max(i, 0)]

    def last_change(self) -> float:
        return self._t[-1]

    def _integral_to(self, t: float) -> float:
        """Integral of the level from the epoch to t (negative before it)."""
        i = max(bisect.bisect_right(self._t, t) - 1, 0)
        if i == 0:
            return self._lvl[0] * t
        return self._cum[i] + (t - self._t[i]) * self._lvl[i]

    def integral(self, a: float, b: float) -> float:
        return self._integral_to(b) - self._integral_to(a)

    def time_when(self, a: float, amount: float) -> float | None:
        """Earliest t >= a with integral(a, t) >= amount, assuming the last level continues."""
        if amount <= 0:
            return a
        target = self._integral_to(a) + amount
        i = max(bisect.bisect_right(self._t, a) - 1, 0)
        t0 = a
        base = self._integral_to(a)
        while True:
            lvl = self._lvl[i]
            t_end = self._t[i + 1] if i + 1 < len(self._t) else float("inf")
            if lvl > 0:
                t_hit = t0 + (target - base) / lvl
                if t_hit <= t_end:
                    return t_hit
            if t_end == float("inf"):
                return None
            base += (t_end - t0) * lvl
            t0 = t_end
            i += 1


@dataclass(frozen=True)
class MemSample:
    """One container's memory at one instant, in the terms cAdvisor uses."""

    rss: int
    active_file: int
    inactive_file: int
    shmem: int = 0  # tmpfs (emptyDir medium: Memory) pages, part of cache and of the working set
    gpu_used_mib: int = 0
    cpu_nanocores: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cache(self) -> int:
        return self.active_file + self.inactive_file + self.shmem

    @property
    def usage(self) -> int:
        return self.rss + self.cache

    @property
    def working_set(self) -> int:
        # cAdvisor: usage - total_inactive_file
        return self.usage - self.inactive_file


@dataclass
class Intervention:
    t: float
    kind: str  # "gc", "clear:/tmp/cache", "clear:/tmp/model_cache", redis ops...
    amount: float = 0.0
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Life:
    """One run of one container, from start to exit.

    ``key`` feeds the seeded noise and per-pod jitter; ``weight`` is the pod's
    share of traffic relative to an average replica.
    """

    index: int
    start: float
    limit: int
    config: AppConfig
    weight: float
    key: int
    container_id: str
    end: float | None = None
    end_reason: str | None = None
    exit_code: int | None = None
    interventions: list[Intervention] = field(default_factory=list)
    oom_at: float | None = None
    state: dict[str, Any] = field(default_factory=dict)

    def alive_at(self, t: float) -> bool:
        return self.start <= t and (self.end is None or t < self.end)

    def interventions_until(self, t: float) -> list[Intervention]:
        return [iv for iv in self.interventions if iv.t <= t]


@dataclass
class ModelContext:
    seed: int
    load: LoadTimeline


class ContainerModel:
    """Base class: subclasses define the clean (noise-free) memory curve."""

    name = "flat"
    #: Period of any time-of-day load pattern; None when the curve depends only on age.
    period: float | None = None
    ready_delay: float = 5.0
    #: how far from OOM the "near its limit" pod starts (seconds, at speed 1)
    near_ttl: tuple[float, float] = (300.0, 480.0)
    noise_bytes: int = 8 * MiB

    def __init__(self, ctx: ModelContext) -> None:
        self.ctx = ctx
        self._memo: dict[tuple[Any, ...], float | None] = {}

    # -- to override -------------------------------------------------------------
    def clean(self, life: Life, t: float) -> MemSample:
        raise NotImplementedError

    def memo_key(self, life: Life) -> tuple[Any, ...] | None:
        """Everything the clean curve depends on besides (t - start); None disables the memo."""
        return None

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        return bisect_crossing(lambda t: self.clean(life, t).working_set, t_from, life.limit)

    # -- shared ------------------------------------------------------------------
    def sample(self, life: Life, t: float) -> MemSample:
        c = self.clean(life, t)
        n = int(bucket_noise(self.ctx.seed, life.key, t) * self.noise_bytes)
        rss = max(16 * MiB, c.rss + n)
        # Noise never kills: the OOM happens at the analytic crossing, not on a noise peak.
        ceiling = life.limit - c.active_file - c.shmem - 2 * MiB
        if rss > ceiling and (life.oom_at is None or t < life.oom_at):
            rss = max(16 * MiB, min(rss, ceiling if c.rss <= ceiling else c.rss))
        return MemSample(rss=rss, active_file=c.active_file, inactive_file=c.inactive_file, shmem=c.shmem,
                         gpu_used_mib=c.gpu_used_mib, cpu_nanocores=c.cpu_nanocores, extra=c.extra)

    def next_oom(self, life: Life, t_from: float) -> float | None:
        """When the working set reaches the limit, assuming nothing else changes."""
        key = self.memo_key(life)
        usable = (key is not None and not life.interventions
                  and self.ctx.load.last_change() <= life.start and t_from <= life.start)
        if usable:
            phase = 0.0 if self.period is None else round(life.start % self.period, 3)
            mk = (key, life.limit, phase)
            if mk not in self._memo:
                r = self._search_oom(life, life.start)
                self._memo[mk] = None if r is None else r - life.start
            off = self._memo[mk]
            return None if off is None else life.start + off
        return self._search_oom(life, t_from)

    def growth_rate(self, life: Life, t: float) -> float:
        """Bytes per second the clean working set is about to grow (next minute, nothing else changing)."""
        return (self.clean(life, t + 60.0).working_set - self.clean(life, t).working_set) / 60.0

    def admin_gc(self, life: Life, t: float) -> int:
        """POST :8080/admin/gc reaches the serving process; by default it frees nothing."""
        return 0

    def clear_dir(self, life: Life, t: float, path: str) -> int:
        """rm -rf <path>/* inside the container; by default the directory holds little."""
        return 0

    def dir_sizes(self, life: Life, t: float) -> dict[str, int]:
        return {}

    def trim_dir(self, life: Life, t: float, path: str, fraction: float) -> int:
        return 0

    def milestones(self, life: Life, t0: float, t1: float) -> list[tuple[float, str]]:
        """Notable application log lines (model loads, batch runs) in [t0, t1)."""
        return []


def bisect_crossing(f, t_from: float, limit: float, horizon: float = 30 * 86400.0) -> float | None:
    """First t >= t_from with f(t) >= limit for a non-decreasing f (0.25 s resolution)."""
    if f(t_from) >= limit:
        return t_from
    lo, step, hi = t_from, 60.0, None
    while step <= horizon:
        t = t_from + step
        if f(t) >= limit:
            hi = t
            break
        lo = t
        step *= 2
    if hi is None:
        return None
    while hi - lo > 0.25:
        mid = (lo + hi) / 2
        if f(mid) >= limit:
            hi = mid
        else:
            lo = mid
    return hi


@lru_cache(maxsize=65536)
def jitter(key: int, seed: int, span: int, steps: int = 8) -> int:
    """A per-pod offset from a small discrete set (so OOM searches can be memoised)."""
    from ..noise import unit

    i = int(unit(seed, key, "jitter") * steps)
    return int((i / (steps - 1) - 0.5) * 2 * span) if steps > 1 else 0


__all__ = [
    "AppConfig", "ContainerModel", "GPU_TOTAL_MIB", "GiB", "Intervention", "Life", "LoadTimeline",
    "MemSample", "MiB", "ModelContext", "bisect_crossing", "jitter",
]
