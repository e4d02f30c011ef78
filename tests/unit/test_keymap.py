import pytest

from memtui.ui.bindings import binding_ids
from memtui.ui.keymap import KeymapError, load_keymap


def test_default_keymap_covers_every_binding_and_has_no_conflicts():
    keymap = load_keymap(None, binding_ids())
    assert set(keymap.bindings) == binding_ids()


def test_user_keymap_overrides_a_binding(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"pods.sort" = "J"\n')
    keymap = load_keymap(path, binding_ids())
    assert keymap.bindings["pods.sort"] == "J"
    assert keymap.sources["pods.sort"] == f"{path}:2"


def test_unknown_id_is_reported_with_file_and_line(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"pods.sort" = "J"\n"pods.explode" = "x"\n')
    with pytest.raises(KeymapError, match=rf"{path}:3: unknown binding id 'pods.explode'"):
        load_keymap(path, binding_ids())


def test_conflict_is_reported_with_both_places(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"app.refresh" = "s"\n')
    with pytest.raises(KeymapError) as excinfo:
        load_keymap(path, binding_ids())
    message = str(excinfo.value)
    assert f"{path}:2" in message and "pods.sort" in message and "default.toml" in message


# -- key names are what Textual can deliver --------------------------------------------------------

@pytest.mark.parametrize(
    ("keys", "fragment"),
    [
        ("ctrl+enter", "unknown key 'ctrl+enter'"),
        ("f42", "unknown key 'f42'"),
        ("Escape", "unknown key 'Escape' for 'app.refresh' (did you mean 'escape'?)"),
        ("shift+r", "unknown key 'shift+r' for 'app.refresh' (an upper-case letter is written 'R')"),
        ("r,,t", "an empty key"),
        ("pgup", "unknown key 'pgup'"),
    ],
)
def test_unknown_key_names_are_refused_with_file_and_line(tmp_path, keys, fragment):
    path = tmp_path / "keys.toml"
    path.write_text(f'[bindings]\n"pods.sort" = "J"\n"app.refresh" = "{keys}"\n')
    with pytest.raises(KeymapError) as excinfo:
        load_keymap(path, binding_ids())
    message = str(excinfo.value)
    assert message.startswith(f"{path}:3: "), message
    assert fragment in message and "'app.refresh'" in message, message


def test_unknown_key_of_a_runbook_action_is_refused(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[actions]\n"fix.rollout-restart" = "ctrl+alt+delete"\n')
    with pytest.raises(KeymapError, match=rf"^{path}:2: unknown key 'ctrl\+alt\+delete' for 'fix.rollout-restart'"):
        load_keymap(path, binding_ids())


@pytest.mark.parametrize("keys", ["f5", "ctrl+r", "f5,f6", "question_mark", "pagedown", "space", "shift+tab", "9"])
def test_keys_textual_delivers_are_accepted(tmp_path, keys):
    path = tmp_path / "keys.toml"
    path.write_text(f'[bindings]\n"app.refresh" = "{keys}"\n"pods.sort" = "J"\n"pods.sort-reverse" = "ctrl+j"\n'
                    '"app.help" = "f1"\n"pods.page-down" = "f8"\n"replay.play" = "f9"\n')
    assert load_keymap(path, binding_ids()).bindings["app.refresh"] == keys


def test_a_single_character_is_written_the_way_textual_names_it(tmp_path):
    """Textual delivers "/" as ``slash``: a keymap "/" would bind a key that never arrives."""
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"app.filter" = "/"\n"app.help" = "?"\n')
    keymap = load_keymap(path, binding_ids())
    assert keymap.bindings["app.filter"] == "slash" and keymap.bindings["app.help"] == "question_mark"
    path.write_text('[bindings]\n"app.refresh" = "/"\n')
    with pytest.raises(KeymapError, match="key 'slash' of 'app.refresh' is already bound to 'app.filter'"):
        load_keymap(path, binding_ids())


@pytest.mark.parametrize(
    ("keys", "does"),
    [("enter", "already means 'Submit'"), ("a", "types 'a'"), ("ctrl+u", "already means 'Delete all to the left'"),
     ("space", "types ' '")],
)
def test_modal_keys_that_the_text_fields_take_are_refused_with_the_reason(tmp_path, keys, does):
    path = tmp_path / "keys.toml"
    path.write_text(f'[bindings]\n"confirm.apply" = "{keys}"\n')
    with pytest.raises(KeymapError) as excinfo:
        load_keymap(path, binding_ids())
    message = str(excinfo.value)
    assert message.startswith(f"{path}:2: key '{keys}' of 'confirm.apply' cannot work in the confirmation modal: "
                              f"in its text fields it {does}"), message
    assert "ctrl+s" in message or "F-key" in message


def test_the_modal_apply_key_may_move_to_an_f_key(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[bindings]\n"confirm.apply" = "f2"\n')
    assert load_keymap(path, binding_ids()).bindings["confirm.apply"] == "f2"


def test_a_key_is_spelt_the_same_in_the_help_the_actions_panel_and_hints():
    from memtui.ui.key_names import key_label, key_text

    assert key_text("question_mark,f1") == "? f1"
    assert key_label("question_mark,f1") == "?"  # was "question_mark" in the panel and the hints
    assert key_label("ctrl+f") == "^f" and key_label("escape") == "Esc" and key_label("B") == "B"
    assert key_label(None) == "" and key_label("") == ""
