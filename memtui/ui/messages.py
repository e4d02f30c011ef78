"""Messages posted from collector workers to the app (handled on the main thread)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class SourceRefreshed(Message):
    """A poll of one source finished: ``data`` on success, ``error`` (one line) on failure."""

    def __init__(self, source: str, data: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.source = source
        self.data = data
        self.error = error

    @property
    def ok(self) -> bool:
        return self.error is None
