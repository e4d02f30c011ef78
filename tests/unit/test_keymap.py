import pytest

from memtui.bindings import binding_ids
from memtui.keymap import KeymapError, load_keymap


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
