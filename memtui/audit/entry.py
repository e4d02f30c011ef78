"""One line of the audit log, as a value.

The file is the source of truth; ``AuditEntry`` is how Python code reads it.  The field order
below is the key order of every line written, so the file reads the same way top to bottom:
who/where/what first, outcome next, chain last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from memtui.audit.times import parse_time

EntryKind = Literal["intent", "result", "effect", "read", "note"]
KINDS: tuple[str, ...] = ("intent", "result", "effect", "read", "note")
RESULT_OUTCOMES: tuple[str, ...] = ("success", "failure", "refused")


@dataclass(frozen=True)
class AuditEntry:
    """An entry as read back from the file (already redacted, already hashed).

    Mappings are the parsed JSON; treat them as read-only.  Keys this version of memtui does not
    know are kept in ``extra`` so nothing in the file is invisible to an export.
    """

    seq: int
    id: str
    time: str
    """UTC ISO 8601 with ``Z`` and milliseconds, as written."""
    kind: str
    user: Mapping[str, Any] | None = None
    """``{"kube": <identity memtui was given>, "os": "alice@laptop"}``."""
    context: str | None = None
    namespace: str | None = None
    action: str | None = None
    """Runbook entry id, e.g. ``fix.reduce-batch-size``; results/effects repeat their intent's."""
    target: Mapping[str, Any] | None = None
    parameters: Mapping[str, Any] | None = None
    request: Mapping[str, Any] | None = None
    """What was (to be) sent: method, path, content type, body."""
    kubectl: str | None = None
    """The equivalent command the operator was shown."""
    dry_run: Mapping[str, Any] | None = None
    reason: str | None = None
    ranking: Mapping[str, Any] | None = None
    """For intents and reads: the cause ranking the action was taken under (``CauseRanking.to_record()``:
    causes with confidence and prior, the facts behind each with their source, the gaps)."""
    outcome: str | None = None
    duration_s: float | None = None
    error: str | None = None
    response: Mapping[str, Any] | None = None
    previous: Mapping[str, Any] | None = None
    """Values before the change, for undo."""
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    summary: str | None = None
    """One line for humans: an effect's "11.8 GiB → 7.1 GiB", a read's "42 matching lines"."""
    artifact: str | None = None
    """A file a read step saved (heap profile), so the timeline says where the evidence is."""
    text: str | None = None
    """A note's free text."""
    refers_to: str | None = None
    """For results and effects: the ``id`` of their intent."""
    prev_hash: str = ""
    hash: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys from a newer writer that this version does not model."""

    @property
    def timestamp(self) -> datetime:
        return parse_time(self.time)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> AuditEntry:
        """Build from a parsed line; raises ``ValueError`` naming what makes it no entry."""
        for key, kind in (("seq", int), ("id", str), ("time", str), ("kind", str)):
            if not isinstance(obj.get(key), kind) or isinstance(obj.get(key), bool):
                raise ValueError(f"not an audit entry: {key!r} missing or not a {kind.__name__}")
        parse_time(obj["time"])
        known = {f.name for f in fields(cls)} - {"extra"}
        values = {k: v for k, v in obj.items() if k in known}
        extra = {k: v for k, v in obj.items() if k not in known}
        return cls(**values, extra=extra)

    def to_json(self) -> dict[str, Any]:
        """The line's object, in file key order, without keys that are None."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out


FIELD_ORDER: tuple[str, ...] = tuple(f.name for f in fields(AuditEntry) if f.name != "extra")
"""Key order of a written line (before ``extra`` keys, which a writer never produces)."""
