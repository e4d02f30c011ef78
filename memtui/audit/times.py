"""Time in the audit log: always UTC, always with ``Z``, always to the millisecond.

One format everywhere means the file sorts as text, a human reads it without a time-zone guess,
and ``verify`` never has to wonder whether two spellings of an instant hash alike.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
_RELATIVE_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC: the log never records local time, so neither do we."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """``2026-11-27T02:14:03.123Z``."""
    utc = as_utc(moment)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """Read an ISO 8601 instant (``Z`` or an offset; no zone means UTC) as an aware UTC datetime."""
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except (ValueError, AttributeError):
        raise ValueError(f"{text!r} is not an ISO 8601 time (example: 2026-11-27T02:00:00Z)") from None


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """``2h``, ``90m``, ``1h30m``, ``1d`` (that long before now) or an ISO 8601 instant."""
    if _RELATIVE_WHOLE.match(text):
        seconds = sum(int(n) * _UNIT_SECONDS[u.lower()] for n, u in _RELATIVE.findall(text))
        return (now or utc_now()) - timedelta(seconds=seconds)
    try:
        return parse_time(text)
    except ValueError:
        raise ValueError(
            f"--since {text!r} is neither a duration (2h, 30m, 1h30m, 1d) "
            "nor an ISO 8601 time (2026-11-27T02:00:00Z)"
        ) from None
