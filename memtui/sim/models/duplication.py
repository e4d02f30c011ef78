"""Root cause 1 (35%): model loading issues - copies of the model pile up.

Every few minutes of traffic the server loads another model instance
(~3.5 GiB of RSS at fp32, "model loaded") until max_model_instances, then
keeps cached copies in /tmp/model_cache (tmpfs, "model cached") until
model_cache_size. With the incident's values (4 instances, 8 cached) the
fourth instance does not fit in 12Gi; max_model_instances=1 + model_cache_size=2
stops the steps after a restart, fp16/quantization halves every copy.
"""

from __future__ import annotations

from .base import Life, MemSample
from .sapllm import MODEL_NAME, SapLlmModel
from ..quantity import GiB, MiB

STEP_WORK = 420.0  # seconds of (weight x load) between two model loads
NON_MODEL_RSS = int(0.8 * GiB)
INSTANCE_RSS_FP32 = int(3.4 * GiB)
CACHED_ENTRY_FP32 = 600 * MiB
INSTANCE_GPU_MIB_FP32 = 13312


class DuplicationModel(SapLlmModel):
    name = "model-duplication"
    near_ttl = (300.0, 400.0)  # after the 3rd instance, before the 4th

    def step_time(self, life: Life, k: int) -> float | None:
        return self.ctx.load.time_when(life.start, k * STEP_WORK / life.weight)

    def state(self, life: Life, t: float) -> tuple[int, int, list[tuple[float, str, int, int]]]:
        """(instances, cached entries, the load/cache events up to t)."""
        cfg = life.config
        inst, cached = 1, 0
        events: list[tuple[float, str, int, int]] = [(life.start, "loaded", 1, 0)]
        clears = sorted(iv.t for iv in life.interventions if iv.kind == "clear:/tmp/model_cache" and iv.t <= t)
        k = 1
        while True:
            ts = self.step_time(life, k)
            if ts is None or ts > t:
                break
            while clears and clears[0] <= ts:
                clears.pop(0)
                cached = 0
            if inst < cfg.max_model_instances:
                inst += 1
                events.append((ts, "loaded", inst, cached))
            elif cached < cfg.model_cache_size:
                cached += 1
                events.append((ts, "cached", inst, cached))
            elif not clears:
                break  # saturated: nothing more will happen until a clear
            k += 1
        if clears:
            cached = 0
        return inst, cached, events

    def clean(self, life: Life, t: float) -> MemSample:
        pf = life.config.precision_factor()
        inst, cached, _ = self.state(life, t)
        rss = self.rss_base(life) - self.base_rss + NON_MODEL_RSS + inst * INSTANCE_RSS_FP32 * pf
        dirs = self.dir_sizes(life, t)
        return self.assemble(life, t, rss, extra_shmem=sum(dirs.values()),
                             gpu_extra_mib=int((inst - 1) * INSTANCE_GPU_MIB_FP32 * pf),
                             extra={"instances": inst, "cached_models": cached})

    def raw_dir_sizes(self, life: Life, t: float) -> dict[str, int]:
        dirs = self.small_dirs(life, t)
        _, cached, _ = self.state(life, t)
        dirs["/tmp/model_cache"] += int(cached * CACHED_ENTRY_FP32 * life.config.precision_factor())
        return dirs

    def gpu_base_mib(self, cfg) -> int:  # the first instance's weights + KV cache
        return int(INSTANCE_GPU_MIB_FP32 * cfg.precision_factor()) + 8192

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        if self.clean(life, t_from).working_set >= life.limit:
            return t_from
        inst, cached, events = self.state(life, t_from)
        k = len([e for e in events if e[0] > life.start]) + 1
        # walk forward step by step until the working set crosses or growth saturates
        for _ in range(10_000):
            ts = self.step_time(life, k)
            if ts is None:
                return None
            if ts > t_from:
                i2, c2, _ = self.state(life, ts)
                if (i2, c2) == (inst, cached) and i2 >= life.config.max_model_instances \
                        and c2 >= life.config.model_cache_size:
                    return None
                inst, cached = i2, c2
                if self.clean(life, ts).working_set >= life.limit:
                    return ts
            k += 1
        return None

    def growth_rate(self, life: Life, t: float) -> float:
        cfg = life.config
        inst, cached, _ = self.state(life, t)
        pf = cfg.precision_factor()
        if inst < cfg.max_model_instances:
            step = INSTANCE_RSS_FP32 * pf
        elif cached < cfg.model_cache_size:
            step = CACHED_ENTRY_FP32 * pf
        else:
            return 0.0
        return step * life.weight * self.ctx.load.level_at(t) / STEP_WORK

    def milestones(self, life: Life, t0: float, t1: float) -> list[tuple[float, str]]:
        cfg = life.config
        pf = cfg.precision_factor()
        out = []
        events = self.state(life, t1)[2]
        inst_now = events[-1][2] if events else 1
        nxt = self.step_time(life, len([e for e in events if e[0] > life.start]) + 1)
        if nxt is not None and inst_now < cfg.max_model_instances and t0 <= nxt - 1.5 < t1:
            # the load that is under way (if the container dies during it, this is its last word)
            out.append((nxt - 1.5, f"INFO loading model: {MODEL_NAME} instance={inst_now + 1}/"
                                   f"{cfg.max_model_instances} precision={cfg.model_precision}"))
        for ts, what, inst, cached in events:
            if what == "loaded" and ts > life.start and t0 <= ts - 1.5 < t1:
                out.append((ts - 1.5, f"INFO loading model: {MODEL_NAME} instance={inst}/{cfg.max_model_instances} "
                                      f"precision={cfg.model_precision}"))
            if not t0 <= ts < t1:
                continue
            if what == "loaded":
                out.append((ts, f"INFO model loaded: {MODEL_NAME} instance={inst}/{cfg.max_model_instances} "
                                f"precision={cfg.model_precision} rss_delta={INSTANCE_RSS_FP32 * pf / GiB:.2f}GiB "
                                f"gpu_delta={int(INSTANCE_GPU_MIB_FP32 * pf)}MiB"))
            else:
                out.append((ts, f"INFO model cached: {MODEL_NAME}-shard-{cached:02d} entries={cached}/"
                                f"{cfg.model_cache_size} size={CACHED_ENTRY_FP32 * pf / MiB:.0f}MiB "
                                f"path=/tmp/model_cache/{MODEL_NAME}-{cached:02d}.bin"))
        return out

