"""The confirmation modal's first frame, while its plan is made.

A fix's plan reads the target and asks the API server for a dry run: two or three round trips,
0.3-0.5 s against a busy API server (seconds when a source hangs).  Until this screen, the key
only raised a toast and the modal appeared when the plan was back; keys typed meanwhile went
to the cockpit behind it (``j`` moved the cursor the operator was about to act on) and the
modal then took the focus by surprise.  This screen comes up at once, takes those keys, says
what is being read and for how long, and cancels with the confirmation modal's own key.  The
plan, when it comes, replaces it with the confirmation modal; nothing is sent from here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from memtui.runbook import Action
from memtui.ui.key_names import bound_key_label
from memtui.widgets.confirm_screen import action_heading, context_line
from memtui.widgets.outside_text import plain
from memtui.widgets.modal_state import dismissed
from memtui.widgets.roles import role

PLANNED = "planned"
"""This screen's result when the plan replaced it (``None``: the operator cancelled)."""


class PlanningScreen(ModalScreen[str | None]):
    """Shown from the key to the plan: the action, where it goes, and that nothing is sent yet."""

    DEFAULT_CSS = """
    PlanningScreen { align: center middle; }
    PlanningScreen > #planning-dialog {
        width: 110; max-width: 96%; height: auto; border: thick $warning; background: $surface; padding: 0 1;
    }
    PlanningScreen.-destructive > #planning-dialog { border: thick $error; }
    PlanningScreen #planning-context { text-style: bold; color: $text-warning; background: $warning 15%; }
    PlanningScreen #planning-title { text-style: bold; }
    PlanningScreen #planning-summary { color: $text-muted; margin-bottom: 1; }
    PlanningScreen #planning-status { height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]
    """The confirmation modal's cancel, so a remapped key cancels both the same way."""

    def __init__(self, action: Action, *, title: str | None = None, keymap: Mapping[str, str] | None = None,
                 context: str | None = None) -> None:
        super().__init__()
        self.action = action
        self.title_text = title or action.title
        self.context = context
        self.keymap = dict(keymap or {})
        self._started = time.monotonic()

    def compose(self) -> ComposeResult:
        with Vertical(id="planning-dialog"):
            if self.context is not None:
                yield Static(context_line(self.context), id="planning-context")
            yield Static(action_heading(self.title_text, self.action.risk), id="planning-title")
            yield Static(plain(self.action.summary, role("muted")), id="planning-summary")
            yield Static(self._status(), id="planning-status")

    def on_mount(self) -> None:
        self.set_class(self.action.risk == "destructive", "-destructive")
        self.set_interval(0.5, self._tick)

    def _status(self) -> Text:
        waited = time.monotonic() - self._started
        cancel = bound_key_label(self.keymap, "confirm.cancel", self.BINDINGS)
        return Text.assemble(
            ("Planning: ", role("bold warn")),
            ("reading the target's current state and checking the change", ""),
            (f"… {waited:.1f} s\n" if waited >= 0.5 else "…\n", role("muted")),
            ("Nothing has been sent: the confirmation that follows shows exactly what would be, with the "
             "API server's dry run for a Kubernetes change. ", role("muted")),
            (f"{cancel} cancels.", role("muted")))

    def _tick(self) -> None:
        if dismissed(self):
            return
        self.query_one("#planning-status", Static).update(self._status())

    def action_cancel(self) -> None:
        self.dismiss(None)
