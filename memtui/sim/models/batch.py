"""Root cause 3 (20%): large batch processing.

A batch runs every minute; its activations spike memory in proportion to the
effective batch size (stream_batch_size when streaming, else
min(batch_size, max_batch_size)), max_concurrent_requests and the load, which
follows a deterministic 30-minute curve times sap-llm-api replicas / 4. The
allocator keeps a little of every spike (fragmentation), so the baseline
ratchets up until a spike at a busy moment crosses the limit. Smaller batches,
streaming or less concurrency shrink both, from the next container start.
"""

from __future__ import annotations

import math

from .base import Intervention, Life, MemSample
from .sapllm import SapLlmModel
from ..noise import signed
from ..quantity import GiB, MiB

PULSE = 60.0
PULSE_OFFSET = 17.0
DECAY = 25.0
RESIDUES = 30  # 30 pulses = a 30-minute load cycle
PER_ITEM = 9 * MiB
RATCHET = 0.0055  # share of a spike the allocator keeps, per minute


def pulse_time(k: int) -> float:
    return k * PULSE + PULSE_OFFSET


class BatchModel(SapLlmModel):
    name = "batch-spike"
    period = PULSE * RESIDUES
    base_rss = int(5.2 * GiB)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        # busiest around residue 6 (t = 6:17 past the half hour), quiet 15 minutes later
        self.curve = [0.55 + 0.45 * (0.5 - 0.5 * math.cos(2 * math.pi * (r + 9) / RESIDUES))
                      + 0.04 * signed(ctx.seed, r, "curve") for r in range(RESIDUES)]

    def effective_batch(self, life: Life) -> int:
        c = life.config
        return c.stream_batch_size if c.use_streaming else min(c.batch_size, c.max_batch_size)

    def amplitude(self, life: Life) -> float:
        return self.effective_batch(life) * PER_ITEM * life.config.concurrency_factor()

    def ratchet(self, life: Life) -> float:
        return self.amplitude(life) * RATCHET / 60.0

    def freed(self, life: Life, t: float) -> float:
        return sum(iv.amount for iv in life.interventions if iv.kind == "gc" and iv.t <= t)

    def retained(self, life: Life, t: float) -> float:
        return max(0.0, self.ratchet(life) * (t - life.start) - self.freed(life, t))

    def spike(self, life: Life, t: float) -> tuple[float, float]:
        """(bytes of the current spike, load of that batch)."""
        k = math.floor((t - PULSE_OFFSET) / PULSE)
        tk = pulse_time(k)
        if tk < life.start:
            return 0.0, 0.0
        load = self.curve[k % RESIDUES] * self.ctx.load.level_at(tk) * life.weight
        return self.amplitude(life) * load * max(0.0, 1.0 - (t - tk) / DECAY), load

    def clean(self, life: Life, t: float) -> MemSample:
        sp, load = self.spike(life, t)
        rss = self.rss_base(life) + self.retained(life, t) + sp
        gpu_act = self.effective_batch(life) * 40 * (sp / self.amplitude(life) if self.amplitude(life) else 0)
        return self.assemble(life, t, rss, gpu_extra_mib=int(gpu_act),
                             extra={"batch_load": load, "effective_batch": self.effective_batch(life)})

    def _search_oom(self, life: Life, t_from: float) -> float | None:
        act, _ = self.page_cache(life)
        shmem = sum(self.small_dirs(life, t_from).values())
        head = life.limit - self.rss_base(life) - act - shmem + self.freed(life, t_from)
        rho = self.ratchet(life)
        c = self.amplitude(life) * life.weight * self.ctx.load.level_at(t_from)
        best: float | None = None
        if rho > 0:
            best = max(t_from, life.start + head / rho)  # the baseline alone reaches the limit
        lo = max(t_from, life.start)
        for r in range(RESIDUES):
            need = head - c * self.curve[r]
            if rho > 0:
                t_min = max(lo, life.start + need / rho)
            elif need <= 0:
                t_min = lo
            else:
                continue
            k = math.ceil((t_min - PULSE_OFFSET) / PULSE)
            k += (r - k) % RESIDUES
            tk = pulse_time(k)
            if best is None or tk < best:
                best = tk
        if best is not None and self.clean(life, lo).working_set >= life.limit:
            return lo
        return best

    def admin_gc(self, life: Life, t: float) -> int:
        # the allocator hands fragmented arenas back: most of the ratchet goes
        amount = int(0.7 * self.retained(life, t))
        life.interventions.append(Intervention(t, "gc", amount))
        return amount

    def growth_rate(self, life: Life, t: float) -> float:
        return self.ratchet(life)

    def milestones(self, life: Life, t0: float, t1: float) -> list[tuple[float, str]]:
        c = life.config
        out = []
        k = math.ceil((max(t0, life.start) - PULSE_OFFSET) / PULSE)
        while pulse_time(k) < t1:
            tk = pulse_time(k)
            load = self.curve[k % RESIDUES] * self.ctx.load.level_at(tk) * life.weight
            amp = self.amplitude(life) * load
            out.append((tk, f"INFO processing batch batch_size={self.effective_batch(life)} "
                            f"max_batch_size={c.max_batch_size} use_streaming={str(c.use_streaming).lower()} "
                            f"requests={int(self.effective_batch(life) * min(1.0, load))} "
                            f"activation_mem={amp / MiB:.0f}MiB"))
            k += 1
        return out
