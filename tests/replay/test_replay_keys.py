"""The replay keys are bindings like every other: ids ``replay.*``, remappable, conflicts checked."""

from __future__ import annotations

import pytest

from memtui.ui.bindings import binding_ids
from memtui.ui.keymap import KeymapError, load_keymap
from memtui.ui.replay import ReplayApp


def test_default_keymap_binds_every_replay_id():
    keymap = load_keymap(None, binding_ids())
    replay = {k: v for k, v in keymap.bindings.items() if k.startswith("replay.")}
    assert replay == {b.id: b.key for b in ReplayApp.BINDINGS if b.id and b.id.startswith("replay.")}
    assert replay["replay.start"] == "home" and replay["replay.end"] == "end"


def test_home_end_may_be_the_pods_tables_too_but_no_other_shared_key(tmp_path):
    """Home/End move in time in the replay (its bindings come first); a replay key on the pods
    table's sort would silently take sort away there: refused with file:line."""
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"replay.play" = "s"\n')
    with pytest.raises(KeymapError, match=rf"{path}:2: key 's' of 'replay.play' is already bound to 'pods.sort'"):
        load_keymap(path, binding_ids())
    path.write_text('[bindings]\n"replay.back" = "q"\n')
    with pytest.raises(KeymapError, match="key 'q' of 'replay.back' is already bound to 'app.quit'"):
        load_keymap(path, binding_ids())
    path.write_text('[bindings]\n"replay.next-action" = "B"\n')
    with pytest.raises(KeymapError, match="'runbook.fix.reduce-batch-size'"):
        load_keymap(path, binding_ids(), {"fix.reduce-batch-size"})


async def test_a_remapped_replay_key_moves_the_cursor(recorded, replay_app, tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"replay.forward" = "f6"\n')
    app = replay_app(recorded, keymap=load_keymap(path, binding_ids()))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("right")
        assert app.cursor == recorded.refreshes[0][0]
        await pilot.press("f6")
        assert app.cursor == recorded.refreshes[1][0]


async def test_help_lists_the_replay_keys_and_not_what_they_shadow(recorded, replay_app):
    app = replay_app(recorded)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = "\n".join(str(w.render()) for w in app.screen.query("*") if hasattr(w, "render"))
        for shown in ("←", "one refresh back", "[", "to the previous runbook action", "+ =", "faster",
                      "to the start", "unavailable: replay"):
            assert shown in text
        assert "first pod" not in text and "last pod" not in text
