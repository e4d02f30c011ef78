"""The output of a diagnose step (logs grep, ps, du, PromQL…): read, copy, close."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from memtui.executor.model import Outcome
from memtui.widgets.outside_text import plain, visible
from memtui.widgets.roles import role


class OutputScreen(ModalScreen[None]):
    """One step's output, full screen-ish, with where any downloaded file went."""

    DEFAULT_CSS = """
    OutputScreen { align: center middle; }
    OutputScreen > #output-dialog {
        width: 96%; height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    OutputScreen #output-title { text-style: bold; height: auto; }
    OutputScreen #output-summary { height: auto; margin-bottom: 1; }
    OutputScreen TextArea { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="output.close"),
        Binding("c", "copy", "Copy output", id="output.copy"),
    ]

    def __init__(self, title: str, outcome: Outcome) -> None:
        super().__init__()
        self.title_text = title
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        outcome = self.outcome
        with Vertical(id="output-dialog"):
            yield Static(plain(self.title_text, "bold", one_line=True), id="output-title")
            summary = plain(outcome.summary, role("ok") if outcome.ok else role("bold bad"))
            if outcome.artifact is not None:
                summary.append("\nsaved to ", style=role("bold code")).append_text(plain(outcome.artifact, role("bold code")))
            if outcome.error and outcome.error not in outcome.summary:
                summary.append("\n").append_text(plain(outcome.error, role("bad")))
            summary.append(f"\n({outcome.duration_s:.2f} s, in the audit log · Esc closes · c copies)", style=role("muted"))
            yield Static(summary, id="output-summary")
            # logs and command output may hold escape sequences: shown, not sent to the terminal
            yield TextArea(visible(outcome.output or "(no output)"), read_only=True, show_line_numbers=False,
                           soft_wrap=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(visible(self.outcome.output or ""))
        self.notify("Output copied to the clipboard (OSC 52)", timeout=3)
