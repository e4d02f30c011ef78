"""The container's filesystem, as far as the runbook looks: cgroup files, /proc,
the model volume (read-only PVC) and the two tmpfs cache directories.

Files are computed from the memory model at the exec's instant; the cache
directories are split into 16 hashed shard directories so a glob lists real
entries and `rm -rf /tmp/cache/*` removes all of them.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from ..models import GPU_TOTAL_MIB
from ..quantity import GiB, KiB, MiB
from .context import ExecContext

NODE_MEM = 2_113_470_536 * KiB  # a 2 TiB GPU node
SHARDS = [f"{i:02x}" for i in range(16)]
CACHE_DIRS = ("/tmp/cache", "/tmp/model_cache")
RO_DIRS = ("/models",)


@dataclass(frozen=True)
class Node:
    path: str
    is_dir: bool
    size: int = 0
    content: bytes | None = None


def model_files(ctx: ExecContext) -> dict[str, int]:
    env = {e.get("name"): e.get("value") for e in ctx.rec.spec["containers"][0].get("env", []) if "value" in e}
    name = env.get("MODEL_NAME", "sap-llm-13b")
    files = {f"/models/{name}": int(24.3 * GiB), "/models/tokenizer": int(4.2 * MiB),
             "/models/config.json": 2 * KiB}
    if name != "sap-llm-13b":
        files["/models/sap-llm-13b"] = int(24.3 * GiB)
    return files


def cache_dir_sizes(ctx: ExecContext) -> dict[str, int]:
    if ctx.image_kind != "sap-llm":
        return {}
    return ctx.rec.model.dir_sizes(ctx.life, ctx.t)


def listing(ctx: ExecContext, path: str) -> list[Node] | None:
    """Entries of a directory, or None if it is not one."""
    path = path.rstrip("/") or "/"
    if ctx.image_kind == "sap-llm":
        if path == "/models":
            return [Node(p, not p.endswith(".json"), s) for p, s in sorted(model_files(ctx).items())]
        if path in CACHE_DIRS:
            total = cache_dir_sizes(ctx).get(path, 0)
            if total <= 0:
                return []
            return [Node(f"{path}/{s}", True, total // 16) for s in SHARDS]
        if path == "/tmp":
            return [Node("/tmp/cache", True, cache_dir_sizes(ctx).get("/tmp/cache", 0)),
                    Node("/tmp/model_cache", True, cache_dir_sizes(ctx).get("/tmp/model_cache", 0))]
        if path == "/":
            return [Node(f"/{d}", True) for d in ("app", "bin", "dev", "etc", "models", "proc", "sys", "tmp", "usr",
                                                  "var")]
    if path == "/":
        return [Node(f"/{d}", True) for d in ("bin", "data", "dev", "etc", "proc", "sys", "tmp", "usr", "var")]
    if path == "/tmp":
        return []
    return None


def glob(ctx: ExecContext, pattern: str) -> list[str]:
    """Shell pathname expansion over the directories the simulator knows."""
    if not any(ch in pattern for ch in "*?["):
        return [pattern]
    head, _, tail = pattern.rpartition("/")
    entries = listing(ctx, head or "/")
    if entries is None:
        return []
    names = [e.path.rpartition("/")[2] for e in entries]
    hits = sorted(n for n in names if fnmatch.fnmatchcase(n, tail) and (tail.startswith(".") or not n.startswith(".")))
    return [f"{head}/{n}" for n in hits]


def size_of(ctx: ExecContext, path: str) -> int | None:
    """Bytes under a path (du), None if it does not exist."""
    path = path.rstrip("/") or "/"
    if ctx.image_kind == "sap-llm":
        mf = model_files(ctx)
        if path == "/models":
            return sum(mf.values())
        if path in mf:
            return mf[path]
        sizes = cache_dir_sizes(ctx)
        if path in sizes:
            return sizes[path]
        for d in CACHE_DIRS:
            if path.startswith(d + "/") and path[len(d) + 1:] in SHARDS and sizes.get(d, 0) > 0:
                return sizes[d] // 16
        if path == "/tmp":
            return sum(sizes.values())
    if path in ("/", "/tmp", "/etc", "/proc", "/sys"):
        return 64 * KiB
    content = read_file(ctx, path)
    return None if content is None else len(content)


def _kb(b: float) -> int:
    return int(b / KiB)


def read_file(ctx: ExecContext, path: str) -> bytes | None:
    s = ctx.sample()
    lim = ctx.life.limit
    anon = s.rss
    files: dict[str, str] = {
        "/sys/fs/cgroup/memory/memory.usage_in_bytes": f"{s.usage}\n",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes": f"{lim}\n",
        "/sys/fs/cgroup/memory/memory.max_usage_in_bytes": f"{max(s.usage, _peak(ctx))}\n",
        "/sys/fs/cgroup/memory/memory.failcnt": "0\n",
        "/sys/fs/cgroup/memory/memory.stat": (
            f"cache {s.cache}\nrss {s.rss}\nrss_huge 0\nshmem {s.shmem}\nmapped_file {s.active_file // 4}\n"
            f"dirty 0\nwriteback 0\npgpgin 0\npgpgout 0\npgfault 0\npgmajfault 0\n"
            f"inactive_anon {s.shmem}\nactive_anon {anon}\ninactive_file {s.inactive_file}\n"
            f"active_file {s.active_file}\nunevictable 0\nhierarchical_memory_limit {lim}\n"
            f"total_cache {s.cache}\ntotal_rss {s.rss}\ntotal_shmem {s.shmem}\n"
            f"total_inactive_file {s.inactive_file}\ntotal_active_file {s.active_file}\n"),
        "/sys/fs/cgroup/memory.current": f"{s.usage}\n",
        "/sys/fs/cgroup/memory.max": f"{lim}\n",
        "/sys/fs/cgroup/memory.peak": f"{max(s.usage, _peak(ctx))}\n",
        "/sys/fs/cgroup/memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
        "/sys/fs/cgroup/memory.stat": (
            f"anon {anon}\nfile {s.active_file + s.inactive_file + s.shmem}\nkernel {24 * MiB}\n"
            f"kernel_stack 1048576\npagetables {int(anon / 500)}\nsec_pagetables 0\npercpu 0\nsock 0\n"
            f"vmalloc 0\nshmem {s.shmem}\nfile_mapped {s.active_file // 4}\nfile_dirty 0\nfile_writeback 0\n"
            f"swapcached 0\nanon_thp 0\nfile_thp 0\nshmem_thp 0\ninactive_anon {s.shmem}\n"
            f"active_anon {anon}\ninactive_file {s.inactive_file}\nactive_file {s.active_file}\n"
            f"unevictable 0\nslab_reclaimable 0\nslab_unreclaimable 0\nslab 0\n"),
        "/proc/meminfo": (f"MemTotal:       {NODE_MEM // KiB} kB\nMemFree:        {int(NODE_MEM * 0.61) // KiB} kB\n"
                          f"MemAvailable:   {int(NODE_MEM * 0.83) // KiB} kB\nBuffers:          412312 kB\n"
                          f"Cached:         {int(NODE_MEM * 0.2) // KiB} kB\nSwapTotal:             0 kB\n"
                          "SwapFree:              0 kB\n"),
        "/etc/hostname": f"{ctx.rec.name}\n",
        "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
                           'VERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
    }
    if path in ("/proc/1/status", "/proc/self/status"):
        name = "redis-server" if ctx.image_kind == "redis" else ("python3" if ctx.image_kind == "sap-llm" else
                                                                 ctx.rec.container)
        vm = anon + 9 * GiB if ctx.image_kind == "sap-llm" else anon + 64 * MiB
        return (f"Name:\t{name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\n"
                f"TracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nFDSize:\t256\n"
                f"VmPeak:\t{_kb(vm + 512 * MiB):>8} kB\nVmSize:\t{_kb(vm):>8} kB\nVmLck:\t       0 kB\n"
                f"VmPin:\t       0 kB\nVmHWM:\t{_kb(max(anon, _peak_rss(ctx))):>8} kB\nVmRSS:\t{_kb(anon):>8} kB\n"
                f"RssAnon:\t{_kb(anon):>8} kB\nRssFile:\t{_kb(s.active_file // 8):>8} kB\n"
                f"RssShmem:\t       0 kB\nVmData:\t{_kb(anon + 256 * MiB):>8} kB\nVmStk:\t     132 kB\n"
                f"VmExe:\t    2776 kB\nVmLib:\t  184204 kB\nVmPTE:\t{_kb(anon / 500):>8} kB\n"
                f"VmSwap:\t       0 kB\nThreads:\t{48 if ctx.image_kind == 'sap-llm' else 6}\n").encode()
    if path in files:
        return files[path].encode()
    return None


def _peak_rss(ctx: ExecContext) -> int:
    life, m = ctx.life, ctx.rec.model
    n = 120
    span = ctx.t - life.start
    best = 0
    for i in range(n + 1):
        t = life.start + span * i / n
        best = max(best, m.clean(life, t).rss)
    return best


def _peak(ctx: ExecContext) -> int:
    life, m = ctx.life, ctx.rec.model
    n = 120
    span = ctx.t - life.start
    return max(m.clean(life, life.start + span * i / n).usage for i in range(n + 1))


def gpu_total() -> int:
    return GPU_TOTAL_MIB


def is_dir(ctx: ExecContext, path: str) -> bool:
    return listing(ctx, path) is not None
