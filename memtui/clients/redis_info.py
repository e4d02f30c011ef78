"""Read Redis ``INFO``: the dict redis-py returns, or the text ``redis-cli INFO`` prints."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from memtui.state.snapshots import RedisKeyspace, RedisStats


def parse_info_text(text: str) -> dict[str, Any]:
    """``redis-cli INFO`` output (``# Section`` headers, ``key:value`` lines, CRLF) as a dict.

    Keyspace lines (``db0:keys=1,expires=0,avg_ttl=0``) become dicts, as redis-py makes them.
    """
    info: dict[str, Any] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        if key.startswith("db") and key[2:].isdigit() and "=" in value:
            fields = {}
            for part in value.split(","):
                name, _, number = part.partition("=")
                fields[name] = _number(number)
            info[key] = fields
        else:
            info[key] = _number(value)
    return info


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _int(info: Mapping[str, Any], key: str) -> int:
    value = info.get(key, 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def stats_from_info(info: Mapping[str, Any], *, source: str, taken_at: datetime) -> RedisStats:
    if "used_memory" not in info:
        raise ValueError("INFO has no used_memory field (not a Redis INFO reply?)")
    keyspace = []
    for key, value in info.items():
        if key.startswith("db") and key[2:].isdigit() and isinstance(value, Mapping):
            keyspace.append(
                RedisKeyspace(key, _int(value, "keys"), _int(value, "expires"), _int(value, "avg_ttl"))
            )
    ratio = info.get("mem_fragmentation_ratio")
    return RedisStats(
        taken_at=taken_at,
        source=source,
        used_memory=_int(info, "used_memory"),
        used_memory_rss=_int(info, "used_memory_rss"),
        used_memory_peak=_int(info, "used_memory_peak"),
        fragmentation_ratio=float(ratio) if isinstance(ratio, (int, float)) else None,
        maxmemory=_int(info, "maxmemory"),
        maxmemory_policy=str(info.get("maxmemory_policy", "unknown")),
        evicted_keys=_int(info, "evicted_keys"),
        expired_keys=_int(info, "expired_keys"),
        keyspace_hits=_int(info, "keyspace_hits"),
        keyspace_misses=_int(info, "keyspace_misses"),
        keyspace=tuple(sorted(keyspace, key=lambda db: int(db.db[2:]))),
        version=str(info.get("redis_version", "")),
    )
