"""Messages posted from collector workers to the app (handled on the main thread)."""

from __future__ import annotations

from textual.message import Message

from memtui.snapshots import KubeSnapshot


class KubeRefreshed(Message):
    """A Kubernetes refresh succeeded (metrics or events may still have failed on their own)."""

    def __init__(self, snapshot: KubeSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class KubeRefreshFailed(Message):
    """A Kubernetes refresh failed; ``reason`` is one line for the stale marker."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
