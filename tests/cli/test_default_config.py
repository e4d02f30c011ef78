"""No config file at the default location is the normal case: memtui runs with the defaults.
(Only a file the user named, with --config or MEMTUI_CONFIG, must exist.)"""

from __future__ import annotations

from memtui.config.settings import default_config_path, load_settings


def test_a_missing_default_config_file_is_no_error_when_config_is_named_by_an_option(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert not default_config_path().exists()
    settings = load_settings({"demo": True}, environ={}, config_path=None, config_origin="--config")
    assert settings.demo is True
