"""Every source's state with its whole reason: a pane border has room for one line of it.

A stale pane says ``stale since 12:03:41: HTTP 500 …``; the operator deciding whether to trust
the figures wants the rest (the API server's message, the Redis reply) without leaving memtui.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from memtui.state.cockpit import SourceHealth
from memtui.widgets.outside_text import plain
from memtui.widgets.roles import role


def reasons_text(sources: Sequence[SourceHealth], clock_text: Callable[[datetime | None], str]) -> Text:
    """One block per source: its state, since when, and the full reason or detail."""
    text = Text()
    for health in sources:
        text.append(f"{health.name}\n", style="bold")
        if not health.enabled:
            text.append("  off", style=role("muted"))
            if health.detail:
                text.append(": ", style=role("muted")).append_text(plain(health.detail, role("muted")))
        elif health.stale:
            text.append(f"  stale since {clock_text(health.last_ok)}\n", style=role("bold warn"))
            text.append_text(plain(health.error or "", role("warn")))
        elif health.last_ok is not None:
            text.append(f"  ✓ updated {clock_text(health.last_ok)}", style=role("ok"))
            if health.detail:
                text.append(" · ").append_text(plain(health.detail))
        else:
            text.append("  connecting…", style=role("muted"))
        text.append("\n\n")
    return text


class ReasonsScreen(ModalScreen[None]):
    """Sources and their full reasons, scrollable; Esc closes."""

    DEFAULT_CSS = """
    ReasonsScreen { align: center middle; }
    ReasonsScreen > #reasons-dialog {
        width: 90%; max-width: 140; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    ReasonsScreen #reasons-title { text-style: bold; height: auto; margin-bottom: 1; }
    ReasonsScreen #reasons { height: auto; }
    """

    BINDINGS = [Binding("escape,q", "close", "Close", id="reasons.close")]

    def __init__(self, sources: Sequence[SourceHealth], *, clock_text: Callable[[datetime | None], str],
                 recording: Text | None = None) -> None:
        super().__init__()
        self.sources = tuple(sources)
        self.clock_text = clock_text
        self.recording = recording
        """Where this session is recorded, or why it is not (after the sources)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reasons-dialog"):
            yield Static(Text("Data sources: state and full reasons · Esc closes"), id="reasons-title")
            yield Static(reasons_text(self.sources, self.clock_text), id="reasons")
            if self.recording is not None:
                yield Static(self.recording, id="reasons-recording")

    def on_mount(self) -> None:
        self.query_one("#reasons-dialog").focus()

    def action_close(self) -> None:
        self.dismiss(None)
