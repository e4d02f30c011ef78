from pathlib import Path

import pytest

from memtui.settings import SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_are_the_runbooks(tmp_path):
    settings = load_settings({}, environ={}, config_path=tmp_path / "missing.toml")
    assert settings.threshold_bytes == 10**10
    assert settings.refresh == 2.0
    assert settings.read_only is False


def test_precedence_command_line_over_environment_over_file(tmp_path):
    path = write(tmp_path, 'namespace = "from-file"\nrefresh = 7\nthreshold = "12Gi"\n')
    env = {"MEMTUI_REFRESH": "5", "MEMTUI_NAMESPACE": "from-env"}
    settings = load_settings({"namespace": "from-cli"}, environ=env, config_path=path)
    assert settings.namespace == "from-cli"
    assert settings.refresh == 5.0
    assert settings.threshold_bytes == 12 * 2**30


def test_config_path_can_come_from_the_environment(tmp_path):
    path = write(tmp_path, "read_only = true\n")
    assert load_settings({}, environ={"MEMTUI_CONFIG": str(path)}).read_only is True


@pytest.mark.parametrize(
    ("cli", "env", "file", "fragment"),
    [
        ({"threshold": "16Gx"}, {}, "", "command line: threshold '16Gx'"),
        ({}, {"MEMTUI_REFRESH": "fast"}, "", "MEMTUI_REFRESH"),
        ({}, {}, "colour = 1\n", "unknown setting 'colour'"),
        ({}, {}, "refresh = [\n", "config file"),
        ({}, {"MEMTUI_READ_ONLY": "maybe"}, "", "read_only"),
        ({"refresh": "0"}, {}, "", "refresh must be at least"),
    ],
)
def test_bad_values_name_their_source(tmp_path, cli, env, file, fragment):
    path = write(tmp_path, file)
    with pytest.raises(SettingsError) as excinfo:
        load_settings(cli, environ=env, config_path=path)
    assert fragment in str(excinfo.value)
