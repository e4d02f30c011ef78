"""What every sap-llm container has in common, whatever the incident.

A Python inference server: ~5 GiB of RSS once the model is loaded, page cache
from reading /models (inactive, so outside the working set), two emptyDir
volumes of medium Memory (/tmp/cache and /tmp/model_cache, so their files are
tmpfs pages counted in the working set), and a GPU holding the weights plus a
pre-allocated KV cache.
"""

from __future__ import annotations

from ..noise import bucket_noise
from .base import AppConfig, ContainerModel, Intervention, Life, MemSample, jitter
from ..quantity import GiB, MiB

MODEL_NAME = "sap-llm-13b"
WEIGHTS_GPU_MIB_FP32 = 26624 * 2  # 13B parameters x 4 bytes ~ 52 GiB; fp16 halves it
KV_CACHE_MIB = 12288
SMALL_CACHE_DIR = 96 * MiB  # what /tmp/cache holds when nothing is wrong with it
SMALL_MODEL_CACHE_DIR = 256 * MiB


class SapLlmModel(ContainerModel):
    """Shared pieces; scenario subclasses add the component that grows."""

    ready_delay = 30.0  # loading the model before the readiness probe passes
    noise_bytes = 24 * MiB
    base_rss = 5 * GiB

    def rss_base(self, life: Life) -> int:
        return self.base_rss + jitter(life.key, self.ctx.seed, 160 * MiB)

    def jitter_index(self, life: Life) -> int:
        return jitter(life.key, self.ctx.seed, 160 * MiB)

    def memo_key(self, life: Life):
        return (self.name, life.weight, self.jitter_index(life), life.config)

    def gpu_base_mib(self, cfg: AppConfig) -> int:
        return int(WEIGHTS_GPU_MIB_FP32 * cfg.precision_factor()) + KV_CACHE_MIB

    def cpu(self, life: Life, t: float) -> int:
        lvl = self.ctx.load.level_at(t) * life.weight
        n = bucket_noise(self.ctx.seed, life.key + 7, t, 15.0)
        return int(max(0.05, 2.4 * lvl + 0.3 * n) * 1e9)

    # small tmpfs directories, emptied by rm -rf and regrown slowly
    def _cleared_at(self, life: Life, t: float, path: str) -> float:
        last = life.start
        for iv in life.interventions:
            if iv.kind == f"clear:{path}" and iv.t <= t:
                last = iv.t
        return last

    def _small_dir(self, life: Life, t: float, path: str, full: int) -> int:
        since = t - self._cleared_at(life, t, path)
        if self._cleared_at(life, t, path) == life.start:
            return full
        return int(min(full, full * since / 3600.0))  # regrows over an hour after a clear

    def small_dirs(self, life: Life, t: float) -> dict[str, int]:
        return {"/tmp/cache": self._small_dir(life, t, "/tmp/cache", SMALL_CACHE_DIR),
                "/tmp/model_cache": self._small_dir(life, t, "/tmp/model_cache", SMALL_MODEL_CACHE_DIR)}

    def raw_dir_sizes(self, life: Life, t: float) -> dict[str, int]:
        return self.small_dirs(life, t)

    def dir_sizes(self, life: Life, t: float) -> dict[str, int]:
        """Directory sizes after any partial `rm` (trims since the last full clear)."""
        sizes = self.raw_dir_sizes(life, t)
        for path in sizes:
            last = self._cleared_at(life, t, path)
            trimmed = sum(iv.amount for iv in life.interventions
                          if iv.kind == f"trim:{path}" and last <= iv.t <= t)
            if trimmed:
                sizes[path] = max(0, int(sizes[path] - trimmed))
        return sizes

    def trim_dir(self, life: Life, t: float, path: str, fraction: float) -> int:
        """rm of some of a directory's entries: that share of its bytes goes."""
        amount = int(self.dir_sizes(life, t).get(path, 0) * fraction)
        life.interventions.append(Intervention(t, f"trim:{path}", amount))
        return amount

    def clear_dir(self, life: Life, t: float, path: str) -> int:
        before = self.dir_sizes(life, t).get(path, 0)
        life.interventions.append(Intervention(t, f"clear:{path}", before))
        return before

    def page_cache(self, life: Life) -> tuple[int, int]:
        """(active_file, inactive_file): model files read once at start."""
        return 300 * MiB, 900 * MiB

    def assemble(self, life: Life, t: float, rss: float, extra_shmem: int = 0,
                 gpu_extra_mib: int = 0, extra: dict | None = None) -> MemSample:
        act, inact = self.page_cache(life)
        dirs = self.dir_sizes(life, t)
        shmem = extra_shmem if extra_shmem else sum(dirs.values())
        info = {"dirs": dirs}
        if extra:
            info.update(extra)
        return MemSample(rss=int(rss), active_file=act, inactive_file=inact, shmem=int(shmem),
                         gpu_used_mib=self.gpu_base_mib(life.config) + int(gpu_extra_mib),
                         cpu_nanocores=self.cpu(life, t), extra=info)
