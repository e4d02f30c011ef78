"""Messages posted from collector workers to the app (handled on the main thread)."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from memtui.sources.spec import SourceSpec


class SourceRefreshed(Message):
    """A poll of one source finished: its typed ``snapshot`` (the spec's ``snapshot`` type) on
    success, ``error`` (one line) on failure; ``origin``: the poller's (the cluster it polled)."""

    def __init__(self, spec: SourceSpec, snapshot: Any = None, error: str | None = None, origin: object = None) -> None:
        super().__init__()
        self.origin = origin
        self.spec = spec
        self.snapshot = snapshot
        self.error = error

    @property
    def source(self) -> str:
        return self.spec.name

    @property
    def ok(self) -> bool:
        return self.error is None
