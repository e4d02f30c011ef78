"""redis-cli against the simulated Redis, with redis-cli's own output rules.

Without a TTY (plain `kubectl exec`) replies print raw (`OK`, `123`, one array
element per line); with -t they print like a terminal session (`(integer) 123`,
`1) "maxmemory"`). INFO is always raw, with CRLF line ends and `# Section` headers.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

from ..models import RedisModel
from ..models.redis import POLICIES

if TYPE_CHECKING:
    from .context import ExecContext, ExecResult

TOTAL_SYSTEM_MEMORY = 2_164_193_828_864


def human(n: float) -> str:
    """redis' bytesToHuman."""
    n = float(n)
    if n < 1024:
        return f"{int(n)}B"
    for unit, div in (("K", 1024), ("M", 1024**2), ("G", 1024**3), ("T", 1024**4), ("P", 1024**5)):
        if n < div * 1024 or unit == "P":
            return f"{n / div:.2f}{unit}"
    return f"{n}B"


def memtoll(s: str) -> int | None:
    """redis' memtoull: 1k=1000, 1kb=1024, 1m=10^6, 1mb=2^20, 1g=10^9, 1gb=2^30."""
    s = s.strip().lower()
    mult = {"b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}
    num, suf = s, ""
    for k in sorted(mult, key=len, reverse=True):
        if s.endswith(k) and s[: -len(k)].replace(".", "", 1).isdigit():
            num, suf = s[: -len(k)], k
            break
    if not num.isdigit():
        return None
    return int(num) * mult.get(suf, 1)


class Reply:
    def __init__(self, kind: str, value: Any) -> None:
        self.kind = kind  # status, int, bulk, array, error, nil
        self.value = value


def _info(ctx: "ExecContext", section: str | None) -> str:
    rec, life, t = ctx.rec, ctx.life, ctx.t
    assert isinstance(rec.model, RedisModel)
    s = rec.model.stats(life, t)
    maxmem = s.maxmemory
    overhead = 2 * 1024**2 + s.keys * 56
    secs: dict[str, list[tuple[str, Any]]] = {
        "server": [("redis_version", "7.2.4"), ("redis_git_sha1", "00000000"), ("redis_git_dirty", 0),
                   ("redis_build_id", "7e6a0bc5c2ac3c5e"), ("redis_mode", "standalone"),
                   ("os", "Linux 5.15.0-105-generic x86_64"), ("arch_bits", 64), ("monotonic_clock", "POSIX clock_gettime"),
                   ("multiplexing_api", "epoll"), ("gcc_version", "12.2.0"), ("process_id", 1),
                   ("process_supervised", "no"), ("run_id", f"{rec.key:08x}" * 5), ("tcp_port", 6379),
                   ("server_time_usec", int(ctx.cluster.clock.unix(t) * 1e6)), ("uptime_in_seconds", s.uptime),
                   ("uptime_in_days", s.uptime // 86400), ("hz", 10), ("configured_hz", 10),
                   ("lru_clock", int(ctx.cluster.clock.unix(t)) % 16777216), ("executable", "/data/redis-server"),
                   ("config_file", "/etc/redis/redis.conf"), ("io_threads_active", 0)],
        "clients": [("connected_clients", s.connected_clients), ("cluster_connections", 0),
                    ("maxclients", 10000), ("client_recent_max_input_buffer", 20480),
                    ("client_recent_max_output_buffer", 0), ("blocked_clients", 0), ("tracking_clients", 0),
                    ("clients_in_timeout_table", 0), ("total_blocking_keys", 0)],
        "memory": [("used_memory", s.used), ("used_memory_human", human(s.used)), ("used_memory_rss", s.rss),
                   ("used_memory_rss_human", human(s.rss)), ("used_memory_peak", s.peak),
                   ("used_memory_peak_human", human(s.peak)),
                   ("used_memory_peak_perc", f"{(s.used / s.peak * 100) if s.peak else 100:.2f}%"),
                   ("used_memory_overhead", overhead), ("used_memory_startup", 946784),
                   ("used_memory_dataset", max(0, s.used - overhead)),
                   ("used_memory_dataset_perc", f"{(max(0, s.used - overhead) / max(1, s.used - 946784)) * 100:.2f}%"),
                   ("allocator_allocated", s.used + 4096), ("allocator_active", int(s.used * 1.01)),
                   ("allocator_resident", int(s.rss * 0.99)), ("total_system_memory", TOTAL_SYSTEM_MEMORY),
                   ("total_system_memory_human", human(TOTAL_SYSTEM_MEMORY)), ("used_memory_lua", 31744),
                   ("used_memory_vm_eval", 31744), ("used_memory_lua_human", "31.00K"),
                   ("used_memory_scripts_eval", 0), ("number_of_cached_scripts", 0), ("number_of_functions", 0),
                   ("number_of_libraries", 0), ("used_memory_vm_functions", 32768), ("used_memory_vm_total", 64512),
                   ("used_memory_vm_total_human", "63.00K"), ("used_memory_functions", 184),
                   ("used_memory_scripts", 184), ("used_memory_scripts_human", "184B"), ("maxmemory", maxmem),
                   ("maxmemory_human", human(maxmem)), ("maxmemory_policy", s.policy),
                   ("allocator_frag_ratio", "1.01"), ("allocator_frag_bytes", int(s.used * 0.01)),
                   ("allocator_rss_ratio", "1.02"), ("allocator_rss_bytes", int(s.rss * 0.02)),
                   ("rss_overhead_ratio", "1.01"), ("rss_overhead_bytes", int(s.rss * 0.01)),
                   ("mem_fragmentation_ratio", f"{s.rss / max(1, s.used):.2f}"),
                   ("mem_fragmentation_bytes", s.rss - s.used), ("mem_not_counted_for_evict", 0),
                   ("mem_replication_backlog", 0), ("mem_total_replication_buffers", 0),
                   ("mem_clients_slaves", 0), ("mem_clients_normal", 22400 * s.connected_clients),
                   ("mem_cluster_links", 0), ("mem_aof_buffer", 0), ("mem_allocator", "jemalloc-5.3.0"),
                   ("active_defrag_running", 0), ("lazyfree_pending_objects", 0), ("lazyfreed_objects", 0)],
        "persistence": [("loading", 0), ("async_loading", 0), ("current_cow_peak", 0), ("current_cow_size", 0),
                        ("rdb_changes_since_last_save", s.commands // 3), ("rdb_bgsave_in_progress", 0),
                        ("rdb_last_save_time", int(ctx.cluster.clock.unix(life.start))),
                        ("rdb_last_bgsave_status", "ok"), ("aof_enabled", 0), ("aof_rewrite_in_progress", 0)],
        "stats": [("total_connections_received", 40 + s.uptime // 30), ("total_commands_processed", s.commands),
                  ("instantaneous_ops_per_sec", int(s.commands / max(1, s.uptime))),
                  ("total_net_input_bytes", s.commands * 310), ("total_net_output_bytes", s.commands * 2900),
                  ("rejected_connections", 0), ("sync_full", 0), ("sync_partial_ok", 0), ("sync_partial_err", 0),
                  ("expired_keys", s.expired_keys), ("expired_stale_perc", "0.00"),
                  ("expired_time_cap_reached_count", 0), ("evicted_keys", s.evicted_keys),
                  ("evicted_clients", 0), ("total_eviction_exceeded_time", 0),
                  ("keyspace_hits", s.keyspace_hits), ("keyspace_misses", s.keyspace_misses),
                  ("pubsub_channels", 0), ("pubsub_patterns", 0), ("latest_fork_usec", 0),
                  ("total_forks", 0), ("migrate_cached_sockets", 0)],
        "replication": [("role", "master"), ("connected_slaves", 0), ("master_failover_state", "no-failover"),
                        ("master_replid", f"{rec.key:040x}"[-40:]), ("master_repl_offset", 0)],
        "cpu": [("used_cpu_sys", f"{s.uptime * 0.03:.6f}"), ("used_cpu_user", f"{s.uptime * 0.09:.6f}"),
                ("used_cpu_sys_children", "0.000000"), ("used_cpu_user_children", "0.000000")],
        "keyspace": [("db0", f"keys={s.keys},expires={s.expires},avg_ttl={86_400_000 if s.expires else 0},"
                             f"subexpiry=0")] if s.keys else [],
    }
    order = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"]
    if section and section.lower() not in ("all", "everything", "default"):
        order = [section.lower()] if section.lower() in secs else []
    chunks = []
    for name in order:
        body = "".join(f"{k}:{v}\r\n" for k, v in secs[name])
        chunks.append(f"# {name.capitalize() if name != 'cpu' else 'CPU'}\r\n{body}")
    return "\r\n".join(chunks)


CONFIG_DEFAULTS = {"maxmemory-samples": "5", "save": "", "appendonly": "no", "bind": "0.0.0.0",
                   "port": "6379", "timeout": "0", "databases": "16", "lazyfree-lazy-eviction": "no",
                   "maxclients": "10000", "hz": "10"}


def _exec(ctx: "ExecContext", args: list[str]) -> Reply:
    rec, life, t, cl = ctx.rec, ctx.life, ctx.t, ctx.cluster
    assert isinstance(rec.model, RedisModel)
    if not args:
        return Reply("status", "")
    cmd = args[0].upper()
    n = len(args)

    def wrong() -> Reply:
        return Reply("error", f"ERR wrong number of arguments for '{args[0].lower()}' command")

    if cmd == "PING":
        return Reply("status", "PONG") if n == 1 else Reply("bulk", args[1])
    if cmd == "INFO":
        return Reply("bulk", _info(ctx, args[1] if n > 1 else None))
    if cmd == "DBSIZE":
        return Reply("int", rec.model.stats(life, t).keys)
    if cmd in ("FLUSHDB", "FLUSHALL"):
        if n > 2 or (n == 2 and args[1].upper() not in ("ASYNC", "SYNC")):
            return Reply("error", "ERR syntax error")
        cl.redis_op(rec, t, "flushdb")
        return Reply("status", "OK")
    if cmd == "MEMORY":
        if n >= 2 and args[1].upper() == "PURGE":
            return Reply("status", "OK")
        if n >= 2 and args[1].upper() == "DOCTOR":
            return Reply("bulk", "Hi Sam, I can't find any memory issue in your instance. I can only account for "
                                 "what occurs on this base.")
        return Reply("error", f"ERR unknown subcommand '{args[1] if n > 1 else ''}'. Try MEMORY HELP.")
    if cmd == "CONFIG":
        if n < 2:
            return wrong()
        sub = args[1].upper()
        s = rec.model.stats(life, t)
        current = {"maxmemory": str(s.maxmemory), "maxmemory-policy": s.policy, **CONFIG_DEFAULTS}
        if sub == "GET":
            if n < 3:
                return wrong()
            out: list[str] = []
            for pat in args[2:]:
                for k, v in current.items():
                    if fnmatch.fnmatchcase(k, pat.lower()) and k not in out[::2]:
                        out += [k, v]
            return Reply("array", out)
        if sub == "SET":
            if n < 4 or (n - 2) % 2:
                return wrong()
            changes: dict[str, Any] = {}
            for k, v in zip(args[2::2], args[3::2]):
                k = k.lower()
                if k == "maxmemory":
                    b = memtoll(v)
                    if b is None:
                        return Reply("error", "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
                                              "argument couldn't be parsed into an integer")
                    changes["maxmemory"] = b
                elif k == "maxmemory-policy":
                    if v.lower() not in POLICIES:
                        return Reply("error", "ERR CONFIG SET failed (possibly related to argument "
                                              "'maxmemory-policy') - argument(s) must be one of the following: "
                                              + ", ".join(POLICIES))
                    changes["policy"] = v.lower()
                elif k in CONFIG_DEFAULTS:
                    continue
                else:
                    return Reply("error", f"ERR Unknown option or number of arguments for CONFIG SET - '{k}'")
            if changes:
                cl.redis_op(rec, t, "config", **changes)
            return Reply("status", "OK")
        if sub == "REWRITE":
            life_state = dict(life.state)
            rec.redis_conf = {"maxmemory": life_state.get("maxmemory", 0),
                              "policy": life_state.get("policy", "noeviction")}
            return Reply("status", "OK")
        if sub == "RESETSTAT":
            return Reply("status", "OK")
        return Reply("error", f"ERR unknown subcommand '{args[1]}'. Try CONFIG HELP.")
    if cmd == "KEYS":
        keys = rec.model.stats(life, t).keys
        return Reply("array", [f"resp:{i:08x}" for i in range(min(keys, 20))])
    return Reply("error", f"ERR unknown command '{args[0]}', with args beginning with: "
                          + "".join(f"'{a}' " for a in args[1:]))


def _render(r: Reply, tty: bool, force_raw: bool) -> str:
    if r.kind == "error":
        return f"(error) {r.value}\n" if tty else f"{r.value}\n"
    if r.kind == "status":
        return f"{r.value}\n"
    if r.kind == "int":
        return f"(integer) {r.value}\n" if tty and not force_raw else f"{r.value}\n"
    if r.kind == "bulk":
        if force_raw or not tty:
            return f"{r.value}\n"
        return '"' + str(r.value).replace('"', '\\"') + '"\n'
    if r.kind == "array":
        if not r.value:
            return "(empty array)\n" if tty else "\n"
        if tty and not force_raw:
            return "".join(f'{i}) "{v}"\n' for i, v in enumerate(r.value, 1))
        return "".join(f"{v}\n" for v in r.value)
    return "(nil)\n" if tty else "\n"


def redis_cli(ctx: "ExecContext", argv: list[str], stdin: bytes) -> "ExecResult":
    from .context import ExecResult
    args = argv[1:]
    raw = False
    i = 0
    while i < len(args) and args[i].startswith("-"):
        a = args[i]
        if a in ("-h", "-p", "-a", "-n", "-u", "--user", "--pass"):
            i += 2
            continue
        if a == "--raw":
            raw = True
        elif a == "--no-raw":
            raw = False
        i += 1
    cmd = args[i:]
    if not cmd:
        return ExecResult(b"", b"", 0)  # interactive mode with no terminal input: exits
    reply = _exec(ctx, cmd)
    force_raw = raw or cmd[0].upper() == "INFO"
    out = _render(reply, ctx.tty, force_raw)
    return ExecResult(out.encode(), b"", 1 if reply.kind == "error" else 0)
