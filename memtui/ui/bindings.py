"""Every binding id memtui defines, so a user keymap can be checked before the app starts."""

from __future__ import annotations


def binding_ids() -> set[str]:
    from memtui.ui.app import MemtuiApp
    from memtui.widgets.actions_panel import ActionsPanel
    from memtui.widgets.confirm_screen import ConfirmActionScreen
    from memtui.widgets.help_screen import HelpScreen
    from memtui.widgets.output_screen import OutputScreen
    from memtui.widgets.pod_table import PodTable
    from memtui.widgets.reasons_screen import ReasonsScreen

    ids: set[str] = set()
    for owner in (MemtuiApp, PodTable, ActionsPanel, ConfirmActionScreen, OutputScreen, HelpScreen, ReasonsScreen):
        for binding in owner.BINDINGS:
            if getattr(binding, "id", None):
                ids.add(binding.id)
    return ids
