"""The cockpit's own key bindings, and every binding id memtui defines.

The app's bindings live here rather than on ``MemtuiApp`` so that a user keymap can be checked
before the app starts without importing the app (``binding_ids`` importing ``ui.app``, which
imports this module, was an import cycle).
"""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS: list[Binding] = [
    Binding("q", "quit", "Quit", id="app.quit"),
    Binding("slash", "filter", "Filter", id="app.filter"),
    Binding("r", "refresh_now", "Refresh", id="app.refresh"),
    Binding("e", "toggle_pane('events-pane')", "Events", id="app.toggle-events"),
    Binding("g", "toggle_pane('gpu-pane')", "GPU", id="app.toggle-gpu"),
    Binding("i", "toggle_pane('redis-pane')", "Redis", id="app.toggle-redis"),
    Binding("p", "toggle_pane('side')", "Panel", id="app.toggle-side"),
    Binding("question_mark,f1", "toggle_help", "Keys", id="app.help"),
    Binding("a", "focus_actions", "Actions", id="app.actions"),
    Binding("u", "undo", "Undo", id="app.undo"),
    Binding("X", "export", "Export", id="app.export"),
    Binding("o", "last_output", "Output", show=False, id="app.last-output"),
    Binding("escape", "focus_pods", "Back to pods", show=False, id="app.focus-pods"),
    Binding("H", "show_reasons", "Why stale", show=False, id="app.reasons"),
    # several contexts (--context a,b): the tab bar names these keys; one context ignores them
    Binding("greater_than_sign", "next_context(1)", "Next context", show=False, id="app.next-context"),
    Binding("less_than_sign", "next_context(-1)", "Previous context", show=False, id="app.previous-context"),
]
"""``MemtuiApp.BINDINGS``."""

REPLAY_BINDINGS: list[Binding] = [
    # priority: Home/End and the arrows are also the pods table's; in the replay cockpit they move
    # the time cursor first (the actions step aside while a text field or a modal has the keys)
    Binding("left", "replay_step(-1)", "Back", priority=True, id="replay.back"),
    Binding("right", "replay_step(1)", "Fwd", priority=True, id="replay.forward"),
    Binding("left_square_bracket", "replay_action(-1)", "Prev act", priority=True, id="replay.previous-action"),
    Binding("right_square_bracket", "replay_action(1)", "Next act", priority=True, id="replay.next-action"),
    Binding("space", "replay_play", "Play", priority=True, id="replay.play"),
    Binding("minus", "replay_speed(-1)", "Slower", show=False, priority=True, id="replay.slower"),
    Binding("plus,equals_sign", "replay_speed(1)", "Faster", show=False, priority=True, id="replay.faster"),
    Binding("home", "replay_start", "Start", show=False, priority=True, id="replay.start"),
    Binding("end", "replay_end", "End", show=False, priority=True, id="replay.end"),
]
"""The replay cockpit's own (``memtui replay``), on top of ``APP_BINDINGS``."""


def binding_ids() -> set[str]:
    """Ids of the app's bindings and of every widget and screen that has its own."""
    from memtui.widgets.actions_panel import ActionsPanel
    from memtui.widgets.confirm_screen import ConfirmActionScreen
    from memtui.widgets.help_screen import HelpScreen
    from memtui.widgets.output_screen import OutputScreen
    from memtui.widgets.pod_details_screen import PodDetailsScreen
    from memtui.widgets.pod_table import PodTable
    from memtui.widgets.reasons_screen import ReasonsScreen

    ids: set[str] = set()
    for bindings in (APP_BINDINGS, REPLAY_BINDINGS, PodTable.BINDINGS, ActionsPanel.BINDINGS, ConfirmActionScreen.BINDINGS,
                     OutputScreen.BINDINGS, HelpScreen.BINDINGS, ReasonsScreen.BINDINGS,
                     PodDetailsScreen.BINDINGS):
        for binding in bindings:
            binding_id = getattr(binding, "id", None)
            if binding_id:
                ids.add(binding_id)
    return ids
