"""What the help screen lists: the keys the keymap really binds, grouped, with what each does.

Descriptions live here, by binding id, so the help reads as sentences an operator scans
("move up", "filter pods by regex") rather than Textual's short footer labels.
"""

from __future__ import annotations

from collections.abc import Mapping

from memtui.ui.key_names import key_text
from memtui.runbook import Catalogue
from memtui.widgets.help_screen import HelpSection

NAVIGATION = (
    ("pods.cursor-up", "move up in the pods table"),
    ("pods.cursor-down", "move down in the pods table"),
    ("pods.page-up", "page up"),
    ("pods.page-down", "page down"),
    ("pods.first", "first pod"),
    ("pods.last", "last pod"),
    ("pods.sort", "cycle the sort (memory, %, forecast, growth, restarts, name, age)"),
    ("pods.sort-reverse", "reverse the sort"),
    ("pods.details", "pod details: containers vs their limits, kills, logs"),
    ("app.filter", "filter pods by regex (Enter keeps it, Esc clears)"),
    ("app.focus-pods", "back to the pods table (from the actions list or the filter)"),
)
PANES = (
    ("app.actions", "the runbook actions list (↑↓ Enter runs one)"),
    ("app.toggle-side", "show/hide the incident and runbook panel"),
    ("app.toggle-events", "show/hide the events pane"),
    ("app.toggle-gpu", "show/hide the GPU pane"),
    ("app.toggle-redis", "show/hide the Redis pane"),
    ("app.last-output", "the last diagnose output again"),
    ("app.help", "this help"),
)
MODAL = (
    ("confirm.apply", "apply (after the name is typed, for destructive actions)"),
    ("confirm.retarget", "target the selected pod instead of the worst pod"),
    ("confirm.cancel", "cancel: nothing is sent"),
)
APP = (
    ("app.undo", "undo the last reversible change (through the same modal)"),
    ("app.export", "write the postmortem: HTML report + Markdown with SVG charts"),
    ("app.refresh", "refresh every source now"),
    ("app.quit", "quit"),
)


def _rows(bindings: Mapping[str, str], table: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(key_text(bindings[binding_id]), what) for binding_id, what in table if bindings.get(binding_id)]


def help_sections(bindings: Mapping[str, str], action_keys: Mapping[str, str], catalogue: Catalogue) -> list[HelpSection]:
    """Navigation, panes, runbook reads, runbook fixes, the modal, the rest: in that order."""
    reads = [(key_text(action_keys[a.id]), a.title) for a in catalogue.actions
             if a.phase == "diagnose" and action_keys.get(a.id)]
    fixes = [(key_text(action_keys[a.id]), a.title) for a in catalogue.actions
             if a.phase == "fix" and action_keys.get(a.id)]
    return [
        HelpSection("Navigation", _rows(bindings, NAVIGATION)),
        HelpSection("Panes", _rows(bindings, PANES)),
        HelpSection("Runbook reads (run at once, output in a viewer, audited)", reads),
        HelpSection("Runbook fixes (a confirmation modal first, audited)", fixes),
        HelpSection("In the confirmation modal", _rows(bindings, MODAL)),
        HelpSection("Undo, export, quit", _rows(bindings, APP)
                    + [("^p", "command palette: every runbook action by its title")]),
    ]
