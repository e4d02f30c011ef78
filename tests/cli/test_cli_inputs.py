"""Numbers, URLs and names from the command line: one clear line, a usage exit, and not a single
request sent (the simulator saw no request at all)."""

from __future__ import annotations

import os

import pytest
import yaml

from tests.cli.test_cli_errors import assert_one_clear_error, memtui


def assert_nothing_sent(sim) -> None:
    assert sim.journal() == [], [e.path for e in sim.journal()]
    assert sim.requests() == [], [r.path for r in sim.requests()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--refresh", "nan"), "--refresh must be a number between 0.5 and 3600 seconds (got nan)"),
        (("--refresh", "inf"), "--refresh must be a number between 0.5 and 3600 seconds (got inf)"),
        (("--refresh", "1e9"), "--refresh must be a number between 0.5 and 3600 seconds (got 1e9)"),
        (("--request-timeout", "nan"), "--request-timeout must be a number between 0.5 and 300 seconds (got nan)"),
        (("--threshold", "1e400"), "--threshold must be between 1 MiB and 1 PiB (got 1e400)"),
        (("--redis-url", "http://x"), "--redis-url 'http://x' must start with redis://, rediss:// or unix://"),
        (("--redis-url", "redis://127.0.0.1:99999/0"), "--redis-url 'redis://127.0.0.1:99999/0': port must be 1-65535"),
        (("--prometheus-url", "redis://p:9090"), "--prometheus-url 'redis://p:9090' must start with http:// or https://"),
        (("-n", os.fsdecode(b"\xff\xfe")), r"--namespace b'\xff\xfe' is not valid UTF-8"),
    ],
)
def test_bad_values_are_one_line_and_send_nothing(sim, tmp_path, args, message):
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), *args, home=tmp_path)
    assert_one_clear_error(proc, 2, message)
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert_nothing_sent(sim)


def test_environment_values_are_named_by_their_variable(sim, tmp_path):
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), env={"MEMTUI_REFRESH": "nan"}, home=tmp_path)
    assert_one_clear_error(proc, 2, "MEMTUI_REFRESH must be a number between 0.5 and 3600 seconds (got nan)")
    assert_nothing_sent(sim)


def test_config_file_values_are_named_by_file_line_and_key(sim, tmp_path):
    config = tmp_path / "memtui.toml"
    config.write_text('namespace = "sap-llm"\nrequest_timeout = inf\n')
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), "--config", str(config), home=tmp_path)
    assert_one_clear_error(proc, 2, f"config file {config}:2: request_timeout must be a number between 0.5 and 300")
    assert_nothing_sent(sim)


# -- kubeconfig: a failing credential plugin, a file of the wrong shape ---------------------------

def _with_exec_plugin(sim, tmp_path, script: str):
    plugin = tmp_path / "corp-login"
    plugin.write_text(script)
    plugin.chmod(0o755)
    config = yaml.safe_load(sim.kubeconfig_path.read_text())
    for user in config["users"]:
        user["user"] = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(plugin),
                                 "interactiveMode": "Never"}}
    path = tmp_path / "exec.kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def test_failing_credential_plugin_says_so_with_its_first_stderr_line(sim, tmp_path):
    kubeconfig = _with_exec_plugin(
        sim, tmp_path,
        "#!/bin/sh\necho 'error: your SSO session expired; run corp-login --refresh' >&2\n"
        "echo 'details: token cache at ~/.corp' >&2\nexit 1\n",
    )
    proc = memtui("--kubeconfig", str(kubeconfig), "-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(
        proc, 1, "the credential plugin of user 'oncall-operator' failed with exit status 1: "
                 "error: your SSO session expired; run corp-login --refresh")
    assert "ERROR:root" not in proc.stderr and "401" not in proc.stderr
    assert "details:" not in proc.stderr  # the first line only
    assert_nothing_sent(sim)


def test_credential_plugin_printing_no_credential_is_named(sim, tmp_path):
    kubeconfig = _with_exec_plugin(sim, tmp_path, "#!/bin/sh\necho 'not json'\n")
    proc = memtui("--kubeconfig", str(kubeconfig), "-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 1, "the credential plugin of user 'oncall-operator' failed: "
                           "failed to decode process output")
    assert "ERROR:root" not in proc.stderr
    assert_nothing_sent(sim)


def test_kubeconfig_of_the_wrong_shape_names_file_and_line(sim, tmp_path):
    config = tmp_path / "list.kubeconfig"
    config.write_text("- apiVersion: v1\n- kind: Config\n")
    proc = memtui("--kubeconfig", str(config), home=tmp_path)
    assert_one_clear_error(proc, 1, f"kubeconfig {config}:1: expected a mapping of kubeconfig fields")
    assert "item assignment" not in proc.stderr and "list indices" not in proc.stderr


# -- keymap files ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[bindings]\n"app.quit" = "x"\n"app.refresh" = "ctrl+enter"\n', ":3: unknown key 'ctrl+enter' for 'app.refresh'"),
        ('[bindings]\n"confirm.apply" = "enter"\n',
         ":2: key 'enter' of 'confirm.apply' cannot work in the confirmation modal: in its text fields it already "
         "means 'Submit'"),
    ],
)
def test_keymap_mistakes_are_one_line_with_file_and_line(sim, tmp_path, text, message):
    keymap = tmp_path / "keys.toml"
    keymap.write_text(text)
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), "--keymap", str(keymap), home=tmp_path)
    assert_one_clear_error(proc, 2, f"{keymap}{message}")
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert_nothing_sent(sim)



@pytest.mark.parametrize("option", ["--keymap", "--runbook"])
def test_a_keymap_or_runbook_file_that_is_not_utf8_is_one_line(sim, tmp_path, option):
    """As the config file and a kubeconfig already say (a UnicodeDecodeError traceback before)."""
    path = tmp_path / "file.toml"
    path.write_bytes(b"\xff\xfe not text")
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), option, str(path), home=tmp_path)
    assert_one_clear_error(proc, 2, f"{path}: is not UTF-8 text")
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert_nothing_sent(sim)


# -- memtui sim: its numbers too -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--speed", "nan"), "memtui sim: --speed must be a number between 0 and 3600 (got nan)"),
        (("--speed", "inf"), "memtui sim: --speed must be a number between 0 and 3600 (got inf)"),
        (("--replicas", "20001"), "memtui sim: --replicas must be between 0 and 20000 (got 20001)"),
        (("--seed", "-1"), "memtui sim: --seed must be between 0 and 4294967295 (got -1)"),
    ],
)
def test_sim_numbers_are_finite_and_bounded(tmp_path, args, message):
    proc = memtui("sim", "--workdir", str(tmp_path / "sim"), *args, home=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [message], proc.stderr
    assert not (tmp_path / "sim").exists()  # nothing written, nothing served


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--scenario", "bogus"), "memtui: error: argument --scenario: invalid choice: 'bogus' (choose from"),
        (("--bogus",), "memtui: error: unrecognized arguments: --bogus (see memtui --help)"),
        (("sim", "--speed", "fast"), "memtui sim: error: argument --speed: invalid float value: 'fast' "
                                     "(see memtui sim --help)"),
    ],
)
def test_argument_errors_are_one_line_not_the_usage_block(tmp_path, args, line):
    proc = memtui(*args, home=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith(line), proc.stderr


def test_a_missing_config_file_named_on_the_command_line_is_an_error(sim, tmp_path):
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), "--config", str(tmp_path / "nope.toml"), home=tmp_path)
    assert_one_clear_error(proc, 2, f"--config {tmp_path / 'nope.toml'} does not exist")
    assert_nothing_sent(sim)


def test_credential_plugin_stderr_reaches_the_terminal_as_text_not_control(sim, tmp_path):
    kubeconfig = _with_exec_plugin(sim, tmp_path, "#!/bin/sh\nprintf '\\033]0;pwned\\007\\033[2Jerror: expired\\n' >&2\nexit 3\n")
    proc = memtui("--kubeconfig", str(kubeconfig), "-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 1, "failed with exit status 3: ␛]0;pwned␇␛[2Jerror: expired")
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
