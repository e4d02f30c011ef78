"""Container logs, generated deterministically from a container's life.

Lines come from three sources, merged in time order: start-up lines, the
model's milestones ("model loaded", "processing batch batch_size=..."), and a
10-second heartbeat whose content is chosen by seeded hash and filled with the
model's numbers at that instant - so `grep "memory\\|leak\\|oom"`, `grep -c
"model loaded"`, `grep "allocated\\|freed\\|gc"`, `grep batch_size` and `grep
"circular\\|reference"` find what the runbook expects for the scenario.
"""

from __future__ import annotations

import time as _time
from typing import TYPE_CHECKING

from .models import CacheModel, DuplicationModel, LeakModel, Life, RedisModel
from .noise import unit
from .quantity import GiB, MiB

if TYPE_CHECKING:
    from .records import PodRecord

TICK = 10.0


def _ts(epoch_ts: float, t: float) -> str:
    whole = int(epoch_ts + t)
    ms = int(((epoch_ts + t) - whole) * 1000)
    return _time.strftime("%Y-%m-%d %H:%M:%S", _time.gmtime(whole)) + f",{ms:03d}"


def _g(b: float) -> str:
    return f"{b / GiB:.2f}GiB"


def lines(rec: "PodRecord", life: Life, t0: float, t1: float, seed: int, epoch_ts: float) -> list[tuple[float, str]]:
    """Log lines of one container life with t0 <= time < t1 (time, text without timestamp prefix)."""
    end = life.end if life.end is not None else t1
    t1 = min(t1, end)
    if rec.container == "redis":
        return _redis(rec, life, t0, t1, seed, epoch_ts)
    if rec.namespace == "sap-llm" and rec.container == "sap-llm":
        return _sap_llm(rec, life, t0, t1, seed, epoch_ts)
    return _generic(rec, life, t0, t1, seed, epoch_ts)


def _fmt(epoch_ts: float, t: float, level: str, logger: str, msg: str) -> tuple[float, str]:
    return t, f"{_ts(epoch_ts, t)} {level:<7} [{logger}] {msg}"


def _sap_llm(rec: "PodRecord", life: Life, t0: float, t1: float, seed: int, ep: float) -> list[tuple[float, str]]:
    m = rec.model
    c = life.config
    out: list[tuple[float, str]] = []
    s = life.start
    boot = [
        (s + 0.2, "INFO", "sap_llm.serve", f"starting sap-llm {rec.image.rsplit(':', 1)[-1]} pid=7 python=3.11.9"),
        (s + 0.4, "INFO", "sap_llm.config",
         f"config: max_model_instances={c.max_model_instances} model_cache_size={c.model_cache_size} "
         f"model_precision={c.model_precision} use_quantization={str(c.use_quantization).lower()} "
         f"batch_size={c.batch_size} max_batch_size={c.max_batch_size} "
         f"use_streaming={str(c.use_streaming).lower()} stream_batch_size={c.stream_batch_size} "
         f"max_concurrent_requests={c.max_concurrent_requests} cache_ttl_seconds={c.cache_ttl_seconds} "
         f"max_cache_size_mb={c.max_cache_size_mb}"),
        (s + 1.0, "INFO", "sap_llm.model", f"loading model sap-llm-13b from /models/sap-llm-13b "
                                           f"(precision={c.model_precision})"),
        (s + 6.0, "INFO", "uvicorn.error", "Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)"),
    ]
    if not isinstance(m, DuplicationModel):
        boot.append((s + 5.5, "INFO", "sap_llm.model",
                     f"model loaded: sap-llm-13b instance=1/1 precision={c.model_precision}"))
    for t, lvl, lg, msg in boot:
        if t0 <= t < t1:
            out.append(_fmt(ep, t, lvl, lg, msg))
    for t, msg in m.milestones(life, max(t0, s), t1):
        lvl, _, rest = msg.partition(" ")
        logger = "sap_llm.model" if "model" in rest[:12] else "sap_llm.batch"
        out.append(_fmt(ep, t, lvl, logger, rest))
    i = max(1, int((max(t0, s) - s) // TICK))
    while True:
        t = s + i * TICK + 0.37
        if t >= t1:
            break
        if t >= t0:
            out.extend(_sap_llm_tick(rec, life, t, i, seed, ep))
        i += 1
    out.sort(key=lambda x: x[0])
    return out


def _sap_llm_tick(rec: "PodRecord", life: Life, t: float, i: int, seed: int, ep: float) -> list[tuple[float, str]]:
    m = rec.model
    smp = m.sample(life, t)
    out: list[tuple[float, str]] = []
    u = unit(seed, rec.key, life.index, i)
    ip = f"10.244.{int(u * 40)}.{int(u * 997) % 250 + 2}"
    lat = int(300 + 1400 * unit(seed, rec.key, i, "lat"))
    out.append(_fmt(ep, t, "INFO", "uvicorn.access",
                    f'{ip}:{40000 + int(u * 20000)} - "POST /v1/completions HTTP/1.1" 200 latency_ms={lat} '
                    f"tokens={64 + int(u * 960)}"))
    pct = smp.working_set / life.limit * 100
    if i % 6 == 0:
        out.append(_fmt(ep, t + 0.01, "INFO", "sap_llm.metrics",
                        f"memory: rss={_g(smp.rss)} cache={_g(smp.cache)} working_set={_g(smp.working_set)} "
                        f"limit={_g(life.limit)} ({pct:.0f}%) gpu_used={smp.gpu_used_mib}MiB"))
        collected = 800 + int(900 * unit(seed, rec.key, i, "gc"))
        if isinstance(m, LeakModel):
            alloc = m.rate(life) * 60 * m.ctx.load.level_at(t)
            out.append(_fmt(ep, t + 0.02, "DEBUG", "sap_llm.gc",
                            f"gc: gen2 collection collected {collected} objects, freed {collected * 3 / 1024:.1f}MiB, "
                            f"uncollectable 0; allocated {alloc / MiB:.0f}MiB since last gc, "
                            f"RequestContext alive={int(m.leaked(life, t) / (48 * 1024))}"))
            if m.leak_warnings:
                out.append(_fmt(ep, t + 0.03, "WARNING", "sap_llm.tracing",
                                f"possible memory leak: {int(m.leaked(life, t) / (48 * 1024))} RequestContext objects "
                                "kept alive by a circular reference RequestContext <-> Span (held in "
                                "tracing._active_spans)"))
        else:
            out.append(_fmt(ep, t + 0.02, "DEBUG", "sap_llm.gc",
                            f"gc: gen2 collection collected {collected} objects, freed {collected * 3 / 1024:.1f}MiB, "
                            f"uncollectable 0; allocated {collected * 3.1 / 1024:.1f}MiB since last gc"))
        if isinstance(m, CacheModel):
            dirs = m.dir_sizes(life, t)
            c = life.config
            out.append(_fmt(ep, t + 0.03, "INFO", "sap_llm.cache",
                            f"response cache: dir=/tmp/cache size={_g(dirs['/tmp/cache'])} "
                            f"entries={int(dirs['/tmp/cache'] / (96 * 1024))} ttl={c.cache_ttl_seconds}s "
                            f"max_cache_size_mb={c.max_cache_size_mb} expired=0"))
    if pct >= 85 and i % 3 == 0:
        out.append(_fmt(ep, t + 0.04, "WARNING", "sap_llm.metrics",
                        f"memory usage high: working_set={_g(smp.working_set)} of limit {_g(life.limit)} "
                        f"({pct:.0f}%), OOM risk"))
    return out


def _generic(rec: "PodRecord", life: Life, t0: float, t1: float, seed: int, ep: float) -> list[tuple[float, str]]:
    out = []
    s = life.start
    if t0 <= s + 0.5 < t1:
        out.append(_fmt(ep, s + 0.5, "INFO", rec.container, f"starting {rec.image}"))
    i = max(1, int((max(t0, s) - s) // (TICK * 3)))
    while True:
        t = s + i * TICK * 3 + 0.11
        if t >= t1:
            break
        if t >= t0:
            lat = int(20 + 200 * unit(seed, rec.key, i))
            out.append(_fmt(ep, t, "INFO", rec.container, f'"POST /v1/chat HTTP/1.1" 200 latency_ms={lat}'))
        i += 1
    return out


def _redis(rec: "PodRecord", life: Life, t0: float, t1: float, seed: int, ep: float) -> list[tuple[float, str]]:
    out: list[tuple[float, str]] = []
    s = life.start

    def rl(t: float, ch: str, msg: str) -> tuple[float, str]:
        whole = int(ep + t)
        ms = int(((ep + t) - whole) * 1000)
        return t, f"1:{ch} {_time.strftime('%d %b %Y %H:%M:%S', _time.gmtime(whole))}.{ms:03d} * {msg}"

    boot = [(s + 0.01, "C", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
            (s + 0.02, "C", "Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=1, just started"),
            (s + 0.03, "C", "Configuration loaded"),
            (s + 0.05, "M", "Server initialized"),
            (s + 0.06, "M", "Ready to accept connections tcp")]
    for t, ch, msg in boot:
        if t0 <= t < t1:
            out.append(rl(t, ch, msg))
    for iv in life.interventions:
        if t0 <= iv.t < t1 and iv.kind == "redis:config":
            out.append(rl(iv.t, "M", f"CONFIG SET {', '.join(f'{k}={v}' for k, v in iv.args.items())}"))
    assert isinstance(rec.model, RedisModel)
    i = max(1, int((max(t0, s) - s) // 300))
    while True:
        t = s + i * 300 + 0.5
        if t >= t1:
            break
        if t >= t0:
            stt = rec.model.stats(life, t)
            out.append(rl(t, "M", f"DB 0: {stt.keys} keys ({stt.expires} volatile) in {1 << max(4, stt.keys.bit_length())} "
                                  f"slots HT. used_memory={stt.used}"))
        i += 1
    out.sort(key=lambda x: x[0])
    return out


