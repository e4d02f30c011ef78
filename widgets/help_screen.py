"""memtui's own key help: the cockpit's and the runbook's keys first, grouped as the operator
thinks (move, panes, runbook reads, runbook fixes, the modal), Esc closes.

Textual's HelpPanel lists whatever the focused widget binds, in binding order, and docks beside
the screen; at 80x24 it hides the runbook keys that matter at 3 a.m.  This screen shows the keys
the keymap really binds (a user keymap included), scrolls, and fits 80x24.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from memtui.widgets.outside_text import plain


@dataclass(frozen=True)
class HelpSection:
    """One group of keys: a heading and (keys, what they do) rows."""

    heading: str
    rows: Sequence[tuple[str, str]]


def help_text(sections: Sequence[HelpSection]) -> Text:
    """The sections as one text; keys in a column wide enough for the longest (``^f``, ``PgUp``)."""
    width = max((len(keys) for section in sections for keys, _ in section.rows), default=4)
    text = Text()
    for index, section in enumerate(sections):
        if index:
            text.append("\n")
        text.append(section.heading + "\n", style="bold underline")
        for keys, what in section.rows:
            text.append(f"  {keys:>{width}}  ", style="bold")
            text.append_text(plain(what, one_line=True)).append("\n")  # runbook titles are file data
    return text


class HelpScreen(ModalScreen[None]):
    """The keys, grouped; scroll with the arrows, Esc closes."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > #help-dialog {
        width: 80; max-width: 100%; height: 40; max-height: 100%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    HelpScreen #help-text { width: 1fr; height: auto; }
    """

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close", id="help.close")]

    def __init__(self, sections: Sequence[HelpSection]) -> None:
        super().__init__()
        self.sections = tuple(sections)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog") as dialog:
            dialog.border_title = "memtui keys"
            dialog.border_subtitle = "↑↓ PgUp PgDn scroll · Esc closes"
            yield Static(help_text(self.sections), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-dialog").focus()

    def action_close(self) -> None:
        self.dismiss(None)
