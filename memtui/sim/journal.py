"""Records of what clients asked: the journal (mutations) and the request log (everything).

Tests assert on the real effect of a memtui action through these: which verb,
which path, which body, which token, and whether it was a dry run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class JournalEntry:
    time: datetime
    method: str
    path: str
    query: dict[str, Any]
    content_type: str | None
    body: Any
    token_name: str | None
    user_agent: str | None
    status: int
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["time"] = self.time.isoformat()
        return d


@dataclass(frozen=True)
class RequestRecord:
    time: datetime
    method: str
    path: str
    query: dict[str, Any]
    token_name: str | None
    status: int

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["time"] = self.time.isoformat()
        return d


def flatten_query(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Single values as str, repeated keys (exec's ``command``) as lists."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            prev = out[k]
            out[k] = prev + [v] if isinstance(prev, list) else [prev, v]
        else:
            out[k] = v
    return out
