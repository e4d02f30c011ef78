"""The canonical form of an entry, and its hash.

The hash is computed over ``json.dumps(entry without "hash", sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8.  ``verify`` recomputes it from the
*parsed line*, not from our dataclass, so an entry written by a newer memtui with extra fields
still verifies, and nothing about key order or spacing in the file matters.

Values are normalised to plain JSON types *before* hashing and writing (tuples become lists,
datetimes ISO strings, non-finite floats strings), so what is hashed is exactly what a reader gets
back from ``json.loads``.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from memtui.audit.times import format_time
from memtui.state.records import as_dict, is_record

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first entry of a file."""


def to_jsonable(value: Any) -> Any:
    """A copy of ``value`` made only of dict/list/str/int/float/bool/None, never sharing the caller's objects."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _valid_unicode(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, PurePath):
        return _valid_unicode(str(value))
    if isinstance(value, bytes | bytearray):
        return _valid_unicode(bytes(value).decode("utf-8", errors="backslashreplace"))
    if is_record(value):
        return to_jsonable(as_dict(value))
    if isinstance(value, Mapping):
        return {_valid_unicode(str(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, list | tuple) or hasattr(value, "__iter__"):
        return [to_jsonable(v) for v in value]
    return _valid_unicode(str(value))


def _valid_unicode(text: str) -> str:
    """Lone surrogates cannot be written as UTF-8; spell them out instead of failing the append."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return text


def canonical_bytes(obj: Mapping[str, Any]) -> bytes:
    """The bytes the hash covers: ``obj`` without its ``hash`` key, in canonical JSON."""
    body = {k: v for k, v in obj.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def entry_hash(obj: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(obj)).hexdigest()
