"""The recording's contract: its header and its frames.

A frame is one thing the main thread did to the cockpit's state, in order.  ``kind`` says which:

- ``expect``  a source this session reads (``source``; no payload)
- ``disable`` a source that is off (``source``; payload: the reason, str)
- ``apply``   a successful poll (``source``: the spec's health name; payload: its snapshot, one of
              the types ``CockpitState`` folds)
- ``fail``    a failed poll (``source``; payload: the reason, str)
- ``ranking`` the cause ranking changed (payload: ``CauseRanking.to_record()``, a mapping)
- ``audit``   an audit entry memtui wrote (payload: ``AuditEntry.to_json()``, already redacted)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

FORMAT_VERSION = 2
"""1: every body whole; 2: chains of deltas with keyframes (``codec``), the file's ``PRAGMA user_version``."""
FrameKind = Literal["expect", "disable", "apply", "fail", "ranking", "audit"]
FRAME_KINDS: tuple[str, ...] = ("expect", "disable", "apply", "fail", "ranking", "audit")
STATE_KINDS: frozenset[str] = frozenset({"expect", "disable", "apply", "fail"})
"""The kinds ``fold.apply_frame`` folds into a ``CockpitState`` (the rest are read by replay and export)."""


@dataclass(frozen=True, slots=True)
class RecordingMeta:
    """Who recorded what: the first row of a recording."""

    context: str
    namespace: str
    server: str
    started_at: datetime
    user: str = ""
    """The kube identity and the local ``user@host`` (as the audit log's ``user``)."""
    memtui_version: str = ""
    refresh_s: float = 2.0
    threshold_bytes: int = 0
    read_only: bool = False
    demo_scenario: str | None = None
    audit_log: str | None = None
    """The audit log the session wrote, so an export can find it."""
    pid: int = 0
    format_version: int = FORMAT_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Frame:
    """One recorded fold; ``seq`` is 1-based and dense in a file."""

    seq: int
    at: datetime
    """The cockpit's clock when it folded this (the cluster's time in the demo)."""
    kind: str
    source: str = ""
    payload: Any = None

    @property
    def snapshot_type(self) -> str | None:
        return type(self.payload).__name__ if self.kind == "apply" else None


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One frame as an index sees it (``RecordingReader.index``): where and what it is, without its
    snapshot body.  ``payload`` is decoded only for ``audit`` frames (an entry is small and the
    replay's time bar names the actions); None for every other kind."""

    seq: int
    at: datetime
    kind: str
    source: str = ""
    snapshot_type: str | None = None
    """The type name of an ``apply`` frame's snapshot (``Frame.snapshot_type``)."""
    payload: Any = None

    @classmethod
    def of(cls, frame: Frame) -> IndexRow:
        """The index row of a frame already decoded (``replay --follow`` takes whole frames)."""
        return cls(frame.seq, frame.at, frame.kind, frame.source, frame.snapshot_type,
                   frame.payload if frame.kind == "audit" else None)
