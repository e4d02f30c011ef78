"""The details keys are keymap bindings like any other: Enter in the pods table and Enter in the
actions list live side by side (one widget has focus at a time), the details screen's Esc is its own
(not the main screen's "back to pods"), and a remap that would shadow a main-screen key is refused."""

from __future__ import annotations

import pytest

from memtui.ui.bindings import binding_ids
from memtui.ui.keymap import KeymapError, load_keymap


def test_enter_opens_details_beside_enter_runs_an_action_by_default():
    keymap = load_keymap(None, binding_ids())
    assert keymap.bindings["pods.details"] == "enter" and keymap.bindings["actions.run"] == "enter"
    assert "escape" in keymap.bindings["details.close"] and keymap.bindings["app.focus-pods"] == "escape"


def test_details_can_be_remapped(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"pods.details" = "f5"\n"details.close" = "f5,escape"\n')
    keymap = load_keymap(path, binding_ids())
    assert keymap.bindings["pods.details"] == "f5" and keymap.bindings["details.close"] == "f5,escape"


@pytest.mark.parametrize("key", ["a", "s"])  # app.actions (app-wide), pods.sort (same widget)
def test_a_details_key_that_shadows_a_live_key_is_refused(tmp_path, key):
    path = tmp_path / "keys.toml"
    path.write_text(f'[bindings]\n"pods.details" = "{key}"\n')
    with pytest.raises(KeymapError, match=rf"{path}:2: key '{key}'"):
        load_keymap(path, binding_ids())
