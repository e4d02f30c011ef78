from pathlib import Path

import pytest

from memtui.config.settings import SettingsError, load_settings


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
        ({"threshold": "16Gx"}, {}, "", "--threshold '16Gx' is not a Kubernetes quantity"),
        ({}, {"MEMTUI_REFRESH": "fast"}, "", "MEMTUI_REFRESH"),
        ({}, {}, "colour = 1\n", "unknown setting 'colour'"),
        ({}, {}, "refresh = [\n", "config file"),
        ({}, {"MEMTUI_READ_ONLY": "maybe"}, "", "MEMTUI_READ_ONLY must be true or false"),
        ({"refresh": "0"}, {}, "", "--refresh must be a number between 0.5 and 3600"),
    ],
)
def test_bad_values_name_their_source(tmp_path, cli, env, file, fragment):
    path = write(tmp_path, file)
    with pytest.raises(SettingsError) as excinfo:
        load_settings(cli, environ=env, config_path=path)
    assert fragment in str(excinfo.value)


# -- numbers are finite and bounded, whichever layer they come from ---------------------------------

@pytest.mark.parametrize(
    ("cli", "env", "file", "message"),
    [
        ({"refresh": "nan"}, {}, "", "--refresh must be a number between 0.5 and 3600 seconds (got nan)"),
        ({"refresh": "inf"}, {}, "", "--refresh must be a number between 0.5 and 3600 seconds (got inf)"),
        ({"refresh": "1e9"}, {}, "", "--refresh must be a number between 0.5 and 3600 seconds (got 1e9)"),
        ({"refresh": "0.1"}, {}, "", "--refresh must be a number between 0.5 and 3600 seconds (got 0.1)"),
        ({}, {"MEMTUI_REFRESH": "-inf"}, "", "MEMTUI_REFRESH must be a number between 0.5 and 3600 seconds (got -inf)"),
        ({}, {}, "refresh = nan\n", "refresh must be a number between 0.5 and 3600 seconds (got nan)"),
        ({}, {}, "refresh = true\n", "refresh must be a number between 0.5 and 3600 seconds (got true)"),
        ({"request_timeout": "nan"}, {}, "", "--request-timeout must be a number between 0.5 and 300 seconds (got nan)"),
        ({}, {"MEMTUI_REQUEST_TIMEOUT": "0"}, "",
         "MEMTUI_REQUEST_TIMEOUT must be a number between 0.5 and 300 seconds (got 0)"),
        ({"seed": "-1"}, {}, "", "--seed must be a whole number between 0 and 4294967295 (got -1)"),
        ({"seed": "1e3"}, {}, "", "--seed must be a whole number between 0 and 4294967295 (got 1e3)"),
        ({}, {}, "seed = 4.5\n", "seed must be a whole number between 0 and 4294967295 (got 4.5)"),
        ({"threshold": "1e400"}, {}, "", "--threshold must be between 1 MiB and 1 PiB (got 1e400)"),
        ({"threshold": "100"}, {}, "", "--threshold must be between 1 MiB and 1 PiB (got 100)"),
        ({}, {"MEMTUI_THRESHOLD": "16Gx"}, "", "MEMTUI_THRESHOLD '16Gx' is not a Kubernetes quantity"),
    ],
)
def test_numbers_are_finite_and_bounded_and_named_as_written(tmp_path, cli, env, file, message):
    path = write(tmp_path, file)
    with pytest.raises(SettingsError) as excinfo:
        load_settings(cli, environ=env, config_path=path)
    text = str(excinfo.value)
    assert message in text
    if file:
        assert text.startswith(f"config file {path}:1: ")
    assert "\n" not in text


def test_bounds_are_inclusive(tmp_path):
    settings = load_settings({"refresh": "0.5", "request_timeout": "300", "seed": "4294967295", "threshold": "1Pi"},
                             environ={}, config_path=tmp_path / "missing.toml")
    assert (settings.refresh, settings.request_timeout, settings.seed) == (0.5, 300.0, 4294967295)
    assert settings.threshold_bytes == 2**50


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"redis_url": "http://x"}, "--redis-url 'http://x' must start with redis://, rediss:// or unix://"),
        ({"redis_url": "redis://127.0.0.1:99999/0"}, "--redis-url 'redis://127.0.0.1:99999/0': port must be 1-65535"),
        ({"redis_url": "redis://127.0.0.1:6379/x"}, "--redis-url 'redis://127.0.0.1:6379/x': "),
        ({"redis_url": "redis://:pw/with/slash@h:6379/0"}, "percent-encode them"),
        ({"redis_url": "unix://"}, "--redis-url 'unix://' names no socket path"),
        ({"prometheus_url": "redis://x:9090"}, "--prometheus-url 'redis://x:9090' must start with http:// or https://"),
        ({"prometheus_url": "prometheus:9090"}, "--prometheus-url 'prometheus:9090' must start with http:// or https://"),
        ({"prometheus_url": "http://"}, "--prometheus-url 'http://' names no host"),
        ({"prometheus_url": "http://prom:0"}, "port must be 1-65535"),
    ],
)
def test_urls_are_checked_with_the_schemes_of_their_option(tmp_path, cli, message):
    with pytest.raises(SettingsError) as excinfo:
        load_settings(cli, environ={}, config_path=tmp_path / "missing.toml")
    assert message in str(excinfo.value)
    assert "pw" not in str(excinfo.value)  # a password in a bad URL is not repeated


def test_environment_and_config_urls_are_named_as_written(tmp_path):
    with pytest.raises(SettingsError, match="^MEMTUI_PROMETHEUS_URL 'ftp://p' must start with http"):
        load_settings({}, environ={"MEMTUI_PROMETHEUS_URL": "ftp://p"}, config_path=tmp_path / "missing.toml")
    path = write(tmp_path, 'namespace = "sap-llm"\nredis_url = "http://r"\n')
    with pytest.raises(SettingsError, match=f"^config file {path}:2: redis_url 'http://r' must start with redis://"):
        load_settings({}, environ={}, config_path=path)


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"namespace": "\udcff\udcfe"}, r"--namespace b'\xff\xfe' is not valid UTF-8"),
        ({"kubeconfig": "/tmp/\udcff"}, r"--kubeconfig b'/tmp/\xff' is not valid UTF-8"),
        ({"namespace": "Sap_LLM"}, "--namespace 'Sap_LLM' is not a valid Kubernetes name"),
        ({"redis_deployment": "a/b"}, "--redis-deployment 'a/b' is not a valid Kubernetes name"),
    ],
)
def test_text_settings_are_valid_utf8_and_names_are_kubernetes_names(tmp_path, cli, message):
    with pytest.raises(SettingsError) as excinfo:
        load_settings(cli, environ={}, config_path=tmp_path / "missing.toml")
    assert message in str(excinfo.value)
    str(excinfo.value).encode("utf-8")  # printable as it is


def test_config_values_of_the_wrong_type_are_refused(tmp_path):
    path = write(tmp_path, "namespace = 5\n")
    with pytest.raises(SettingsError, match=f"^config file {path}:1: namespace must be a string"):
        load_settings({}, environ={}, config_path=path)


def test_a_config_file_named_explicitly_must_exist(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError, match=f"^--config {missing} does not exist"):
        load_settings({}, environ={}, config_path=missing, config_origin="--config")
    with pytest.raises(SettingsError, match=f"^MEMTUI_CONFIG {missing} does not exist"):
        load_settings({}, environ={"MEMTUI_CONFIG": str(missing)})
    # a path looked at without being named (the default location) may be absent: the usual case
    assert load_settings({}, environ={}, config_path=missing).refresh == 2.0


# -- theme ---------------------------------------------------------------------------------------

def test_theme_comes_from_each_layer_and_defaults_to_textual_dark(tmp_path):
    path = write(tmp_path, 'theme = "nord"\n')
    assert load_settings({}, environ={}, config_path=tmp_path / "missing.toml").theme == "textual-dark"
    assert load_settings({}, environ={}, config_path=path).theme == "nord"
    assert load_settings({}, environ={"MEMTUI_THEME": "dracula"}, config_path=path).theme == "dracula"
    assert load_settings({"theme": "memtui-high-contrast"}, environ={}, config_path=path).theme == "memtui-high-contrast"


def test_an_unknown_theme_is_refused_naming_where_it_came_from(tmp_path):
    path = write(tmp_path, 'refresh = 3\ntheme = "hot-pink"\n')
    with pytest.raises(SettingsError) as excinfo:
        load_settings({}, environ={}, config_path=path)
    message = str(excinfo.value)
    assert f"config file {path}:2: theme 'hot-pink' is not one of" in message
    assert "memtui-high-contrast" in message
    with pytest.raises(SettingsError, match="MEMTUI_THEME 'x' is not one of"):
        load_settings({}, environ={"MEMTUI_THEME": "x"}, config_path=tmp_path / "missing.toml")


def test_an_unknown_theme_on_the_command_line_is_one_line_and_starts_nothing(capsys):
    from memtui.cli import main

    with pytest.raises(SystemExit) as excinfo:
        main(["--theme", "hot-pink", "--demo"])
    assert excinfo.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--theme" in err[0] and "hot-pink" in err[0] and "memtui-high-contrast" in err[0]


def test_every_theme_the_settings_accept_exists_in_the_app():
    from memtui.config.settings import THEMES
    from memtui.ui.themes import ThemedApp

    app = ThemedApp()
    assert set(THEMES) <= set(app.available_themes)
    for name in THEMES:
        app.use_theme(name)
        assert app.current_theme.name == name
