"""Evidence, weighed: each observation becomes a ``Fact`` for one cause with a log-likelihood weight.

The weights say how much more often the observation is seen when the cause is at work than when it
is not (natural log): +2 is "about seven times likelier", +0.3 a hint, negative speaks against.
They are set from what each cause does to a Python model server (``memtui.sim.models`` plays the
same physics) and checked per scenario by ``tests/reasoning``.  Each function reads one kind of
evidence, so a missing source only removes its facts (the ranking says which are missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from memtui.reasoning.model import Fact
from memtui.reasoning.signals import GiB, MiB, Shape, fit_line, jumps, steady
from memtui.state.snapshots import LogEvidence, PodEvidence, PodTrend, RedisStats

WEEK = 7 * 86400
FLOOR_SHARE = 0.05
"""A baseline rising by this share of the largest spike every minute is not the batches' residue."""


def _gib(b: float) -> str:
    return f"{b / GiB:.1f} GiB" if abs(b) >= GiB else f"{b / MiB:.0f} MiB"


def _rate(bps: float) -> str:
    return f"{bps * 60 / MiB:+.0f} MiB/min"


def is_app_log(log: LogEvidence) -> bool:
    """A model server's log (its boot ``config:`` line or a model load): negative facts ("no second
    model loaded") are only meaningful there, not in Redis's or a proxy's log."""
    return bool(log.config) or log.models_loaded > 0


# -- logs ---------------------------------------------------------------------------------------


def log_facts(pod: PodEvidence) -> list[Fact]:
    facts: list[Fact] = []
    for log in pod.logs:
        facts += _model_log(pod.pod, log) + _leak_log(pod.pod, log) + _batch_log(pod.pod, log) + _config(pod.pod, log)
    return facts


def _since(log: LogEvidence) -> str:
    return "since start" if log.from_start else f"in the last {log.lines} lines"


def _model_log(pod: str, log: LogEvidence) -> list[Fact]:
    facts = []
    limit = log.config_int("max_model_instances")
    loaded, cached = log.models_loaded, log.models_cached
    of = f" (max_model_instances={limit})" if limit is not None else ""
    if loaded >= 2:
        step = f", ~{_gib(log.model_step_bytes)} each" if log.model_step_bytes else ""
        facts.append(Fact("model-loading", min(2.8, 0.9 * (loaded - 1) + 0.6),
                          f"{loaded} 'model loaded' {_since(log)}{of}{step}", "log", pod))
        if limit is not None and limit >= 2 and loaded >= limit:
            facts.append(Fact("model-loading", 0.5, f"model copies reached max_model_instances={limit}", "config", pod))
    elif loaded == 1 and log.from_start and cached == 0:
        facts.append(Fact("model-loading", -1.2, f"1 'model loaded' since start{of}: no copies piling up", "log", pod))
    if cached >= 1:
        size = log.config_int("model_cache_size")
        facts.append(Fact("model-loading", min(1.6, 0.6 + 0.2 * cached),
                          f"{cached} 'model cached' {_since(log)}" + (f" (model_cache_size={size})" if size else ""),
                          "log", pod))
    return facts


def _leak_log(pod: str, log: LogEvidence) -> list[Fact]:
    facts = []
    if log.leak_lines:
        facts.append(Fact("leak", min(2.4, 1.6 + 0.1 * log.leak_lines),
                          f"{log.leak_lines} 'memory leak'/'circular reference' lines {_since(log)}", "log", pod))
    if log.gc_lines >= 2 and log.gc_allocated_bytes >= 64 * MiB:
        share = log.gc_freed_bytes / log.gc_allocated_bytes
        if share < 0.25:
            weight = 2.0 if share < 0.1 else 1.2
            facts.append(Fact("leak", weight, f"GC frees {share:.0%} of what is allocated "
                                              f"({_gib(log.gc_freed_bytes)} of {_gib(log.gc_allocated_bytes)}, "
                                              f"{log.gc_lines} gc lines)", "log", pod))
        elif share > 0.8:
            facts.append(Fact("leak", -1.0, f"GC frees {share:.0%} of what is allocated ({log.gc_lines} gc lines)",
                              "log", pod))
    elif log.gc_lines >= 2 and log.gc_allocated_bytes > 0 and log.gc_freed_bytes >= 0.8 * log.gc_allocated_bytes:
        facts.append(Fact("leak", -1.0, f"GC frees what is allocated ({log.gc_lines} gc lines)", "log", pod))
    if log.alive_first is not None and log.alive_last is not None and log.alive_last >= 2 * max(1, log.alive_first) \
            and log.alive_last - log.alive_first >= 1000:
        facts.append(Fact("leak", 1.0, f"objects alive after GC grow {log.alive_first} → {log.alive_last}", "log", pod))
    return facts


def _batch_log(pod: str, log: LogEvidence) -> list[Fact]:
    facts = []
    if log.batch_lines:
        size = log.batch_size_max or 0
        weight = 0.6 + (0.8 if size >= 128 else 0.3 if size > 64 else 0.0)
        facts.append(Fact("batch", weight, f"{log.batch_lines} batches {_since(log)}, batch_size up to {size}",
                          "log", pod))
        if log.activation_max_bytes and log.activation_max_bytes >= GiB:
            facts.append(Fact("batch", 0.6, f"a batch's activations reach {_gib(log.activation_max_bytes)}", "log", pod))
        if log.batch_load_r is not None and log.batch_load_r >= 0.8:
            facts.append(Fact("batch", 0.5, f"a batch's memory follows its load (r={log.batch_load_r:.2f})", "log", pod))
        if log.gc_lines >= 2 and log.gc_allocated_bytes >= 64 * MiB and log.gc_freed_bytes < 0.25 * log.gc_allocated_bytes:
            # a batch's activations are freed when it ends (the spike falls back): memory the GC
            # cannot free is held by something else, so the batches are not what grows
            facts.append(Fact("batch", -0.5, "what the GC cannot free is not batch activations (freed after "
                                             "each batch)", "log", pod))
    elif is_app_log(log) and log.from_start and log.lines >= 20:
        facts.append(Fact("batch", -0.8, f"no 'batch_size=' line in {log.lines} lines since start", "log", pod))
    return facts


def _config(pod: str, log: LogEvidence) -> list[Fact]:
    facts = []
    batch = log.config_int("batch_size")
    if batch is not None and batch >= 128:
        facts.append(Fact("batch", 0.4, f"config batch_size={batch} (runbook: 32)", "config", pod))
    ttl, cap = log.config_int("cache_ttl_seconds"), log.config_int("max_cache_size_mb")
    if cap == 0:
        facts.append(Fact("cache", 0.5, "config max_cache_size_mb=0: the cache has no size cap", "config", pod))
    elif ttl is not None and ttl >= WEEK:
        facts.append(Fact("cache", 0.3, f"config cache_ttl_seconds={ttl} (a week or more)", "config", pod))
    return facts


# -- du -----------------------------------------------------------------------------------------


def disk_facts(pod: PodEvidence, readings: Sequence[tuple[float, tuple[tuple[str, int], ...]]]) -> list[Fact]:
    """``du`` of /tmp/cache and /tmp/model_cache: how big, and whether they grow between readings."""
    facts: list[Fact] = []
    cache = pod.disk_bytes("/tmp/cache")
    if cache is not None:
        grow = _dir_growth(readings, "/tmp/cache")
        if cache >= 3 * GiB:
            facts.append(Fact("cache", 1.8, f"/tmp/cache holds {_gib(cache)}", "exec", pod.pod))
        elif cache >= GiB:
            facts.append(Fact("cache", 1.1, f"/tmp/cache holds {_gib(cache)}", "exec", pod.pod))
        elif cache < 256 * MiB:
            facts.append(Fact("cache", -0.8, f"/tmp/cache holds only {_gib(cache)}", "exec", pod.pod))
        if grow is not None and grow >= 10 * MiB / 60:
            facts.append(Fact("cache", 0.8, f"/tmp/cache grows {_rate(grow)} between readings", "exec", pod.pod))
    model_cache = pod.disk_bytes("/tmp/model_cache")
    if model_cache is not None:
        grow = _dir_growth(readings, "/tmp/model_cache")
        if model_cache >= GiB:
            if grow is not None and grow >= 10 * MiB / 60:
                facts.append(Fact("model-loading", 1.0, f"/tmp/model_cache holds {_gib(model_cache)} and grows "
                                                        f"{_rate(grow)}", "exec", pod.pod))
            elif grow is not None:
                facts.append(Fact("model-loading", -0.3, f"/tmp/model_cache holds {_gib(model_cache)}, stable "
                                                         "between readings: a fixed cost", "exec", pod.pod))
            else:
                facts.append(Fact("model-loading", 0.3, f"/tmp/model_cache holds {_gib(model_cache)} "
                                                        "(one reading: growing?)", "exec", pod.pod))
    models = [(path, size) for path, size in pod.disk if path.startswith("/models/") and size >= GiB]
    if len(models) >= 2:
        facts.append(Fact("model-loading", 0.2, f"{len(models)} models under /models "
                                                f"({', '.join(p.rsplit('/', 1)[-1] for p, _ in models[:3])})",
                          "exec", pod.pod))
    return facts


def cache_dirs_growth(readings: Sequence[tuple[float, tuple[tuple[str, int], ...]]]) -> float | None:
    """Bytes/s /tmp/cache and /tmp/model_cache together grew between readings (None: one reading)."""
    rates = [_dir_growth(readings, path) for path in ("/tmp/cache", "/tmp/model_cache")]
    known = [r for r in rates if r is not None]
    return sum(known) if known else None


def _dir_growth(readings: Sequence[tuple[float, tuple[tuple[str, int], ...]]], path: str) -> float | None:
    """Bytes/s between the first and last reading at least 50 s apart, None with one reading."""
    points = [(t, sum(s for p, s in sizes if p == path or p.startswith(path + "/"))) for t, sizes in readings]
    if len(points) < 2 or points[-1][0] - points[0][0] < 50:
        return None
    return (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])


# -- history ------------------------------------------------------------------------------------


def shape_facts(pod: str, shape: Shape, *, long_history: bool, cache_growth: float | None = None,
                sawtooth: int = 0) -> list[Fact]:
    """The growth shape of the pod in trouble (memtui's samples, backfilled from Prometheus if any).

    ``cache_growth``: bytes/s the pod's cache directories grew between ``du`` readings; steady
    growth they account for is the cache's (tmpfs counts in the working set), not a leak's.
    ``sawtooth``: earlier lives (of the deployment's pods, in the window) that grew steadily too."""
    facts: list[Fact] = []
    if shape.points < 4:
        return facts
    source = "prometheus" if long_history else "history"
    span = f"{shape.span / 60:.0f} min"
    if shape.steps:
        size = max(shape.steps)
        facts.append(Fact("model-loading", min(2.0, 0.8 * len(shape.steps) + 0.4),
                          f"{len(shape.steps)} step(s) up of ~{_gib(size)} that stayed ({span})", source, pod))
    if len(shape.spikes) >= 2:
        facts.append(Fact("batch", min(1.8, 0.6 + 0.3 * len(shape.spikes)),
                          f"{len(shape.spikes)} spikes up to {_gib(max(shape.spikes))} that fell back ({span})",
                          source, pod))
    elif shape.span >= 300 and not shape.spikes:
        facts.append(Fact("batch", -0.6, f"no spike in {span} of samples", source, pod))
    growth = shape.growth
    if steady(growth) and not shape.steps and growth is not None and cache_growth is not None \
            and cache_growth >= 0.6 * growth.slope:
        facts.append(Fact("leak", -0.5, f"the steady growth ({_rate(growth.slope)}) is the cache directories' "
                                        f"({_rate(cache_growth)})", "exec", pod))
    elif steady(growth) and not shape.steps and growth is not None:
        weight = 1.2 if shape.span >= 600 else 0.7
        facts.append(Fact("leak", weight, f"baseline grows steadily {_rate(growth.slope)} over {span} "
                                          f"(fit r²={growth.r2:.2f})", source, pod))
        if shape.spikes and growth.slope * 60 >= FLOOR_SHARE * max(shape.spikes):
            # an allocator keeps a little of each batch (fragmentation: a percent or so); a floor
            # rising by a tenth of a spike every minute is something else growing underneath
            facts.append(Fact("leak", 0.8, f"the floor between spikes rises {_rate(growth.slope)}, "
                                           f"{growth.slope * 60 / max(shape.spikes):.0%} of a spike a minute: "
                                           "more than batches leave behind", source, pod))
        if sawtooth:
            facts.append(Fact("leak", min(1.2, 0.4 * sawtooth),
                              f"sawtooth: {sawtooth} earlier container lives of the deployment grew steadily too "
                              "until they restarted", source, pod))
    elif growth is not None and shape.span >= 300 and abs(growth.slope) < 5 * MiB / 60 and not shape.steps:
        facts.append(Fact("leak", -0.8, f"baseline flat over {span} ({_rate(growth.slope)})", source, pod))
    return facts


def gpu_facts(pod: str, samples: Sequence[tuple[float, float]]) -> list[Fact]:
    """GPU memory (MiB) steps: another copy of the weights on the card."""
    if len(samples) < 4:
        return []
    found = jumps(samples, threshold=4096.0)
    if found.steps:
        return [Fact("model-loading", min(1.4, 0.7 * len(found.steps)),
                     f"GPU memory stepped up {len(found.steps)}x by ~{max(found.steps) / 1024:.0f} GiB", "prometheus", pod)]
    return []


# -- Prometheus ---------------------------------------------------------------------------------


def prometheus_facts(pod: str, trend: PodTrend | None) -> list[Fact]:
    """Where the working set is: page cache that counts (tmpfs, active files) or the heap."""
    if trend is None or not trend.working_set or trend.cache is None or trend.usage is None:
        return []
    facts: list[Fact] = []
    reclaimable = max(0.0, trend.usage - trend.working_set)
    counted = max(0.0, trend.cache - reclaimable)
    share = counted / trend.working_set
    if share >= 0.3:
        facts.append(Fact("cache", 1.2, f"page cache/tmpfs is {share:.0%} of the working set ({_gib(counted)})",
                          "prometheus", pod))
    elif share < 0.15:
        extra = f"; {_gib(reclaimable)} more is reclaimable" if reclaimable >= GiB else ""
        facts.append(Fact("cache", -0.6, f"page cache/tmpfs is only {share:.0%} of the working set{extra}",
                          "prometheus", pod))
    if trend.rss is not None and trend.rss >= 0.8 * trend.working_set and trend.growth_per_second \
            and trend.growth_per_second > 20 * MiB / 60:
        facts.append(Fact("cache", -0.4, f"the growth is heap (RSS {trend.rss / trend.working_set:.0%} of the working set)",
                          "prometheus", pod))
    return facts


# -- Redis --------------------------------------------------------------------------------------


def redis_facts(stats: RedisStats, history: Iterable[tuple[float, float]]) -> list[Fact]:
    facts: list[Fact] = []
    where = "redis"
    if stats.maxmemory > 0 and stats.used_memory >= 0.9 * stats.maxmemory:
        facts.append(Fact("cache", 0.8, f"Redis at {stats.used_memory / stats.maxmemory:.0%} of maxmemory", where))
    if stats.maxmemory == 0:
        facts.append(Fact("cache", 0.3, "Redis maxmemory 0: no bound", where))
    if stats.maxmemory_policy == "noeviction":
        facts.append(Fact("cache", 0.2, "Redis maxmemory-policy noeviction", where))
    keys = stats.total_keys
    if keys >= 1000:
        expiring = sum(db.expires for db in stats.keyspace) / keys
        if expiring <= 0.5:
            facts.append(Fact("cache", 1.0, f"{1 - expiring:.0%} of {keys} Redis keys have no TTL", where))
        elif expiring >= 0.9:
            facts.append(Fact("cache", -0.6, f"{expiring:.0%} of Redis keys expire (TTL set)", where))
    if stats.used_memory >= 4 * GiB:
        facts.append(Fact("cache", 0.4, f"Redis uses {_gib(stats.used_memory)}", where))
    fit = fit_line(list(history))
    if fit is not None and fit.span >= 60 and fit.slope >= 5 * MiB / 60 and fit.r2 >= 0.6:
        facts.append(Fact("cache", 0.5, f"Redis grows {_rate(fit.slope)}", where))
    return facts
