"""Every binding id memtui defines, so a user keymap can be checked before the app starts."""

from __future__ import annotations


def binding_ids() -> set[str]:
    from memtui.app import MemtuiApp
    from memtui.widgets.pod_table import PodTable

    ids: set[str] = set()
    for owner in (MemtuiApp, PodTable):
        for binding in owner.BINDINGS:
            if getattr(binding, "id", None):
                ids.add(binding.id)
    return ids
