"""Numbers, URLs and names from the command line: one clear line, a usage exit, and not a single
request sent (the simulator's journal stays empty)."""

from __future__ import annotations

import os

import pytest

from tests.cli.test_cli_errors import assert_one_clear_error, memtui


def assert_nothing_sent(sim) -> None:
    assert sim.journal() == [], [e.path for e in sim.journal()]


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
