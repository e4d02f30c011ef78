"""``memtui --context a,b`` on the command line: a bad list is one line naming what is wrong."""

from __future__ import annotations

from tests.cli.test_cli_errors import assert_one_clear_error, memtui
from tests.kubeconfigs import merged_kubeconfig


def one_line(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_an_unknown_context_in_the_list_is_one_line_naming_it(two_sims, tmp_path):
    eu, us = two_sims
    config = merged_kubeconfig({"eu": (eu, eu.url), "us": (us, us.url)}, tmp_path / "merged.kubeconfig")
    proc = memtui("--kubeconfig", str(config), "--context", "eu,prod-asia", "-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 1, "--context eu,prod-asia", "context 'prod-asia'", "contexts there: eu, us")
    assert "'eu'" not in one_line(proc).split("contexts there")[0]


def test_an_empty_or_repeated_name_is_a_usage_error(tmp_path):
    proc = memtui("--context", "eu,,us", "-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 2, "--context 'eu,,us': an empty context name")
    one_line(proc)
    proc = memtui("--context", "eu,us,eu", "-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 2, "--context eu,us,eu: 'eu' is named twice")


def test_the_demo_takes_no_list_of_contexts(tmp_path):
    proc = memtui("--demo", "--context", "eu,us", home=tmp_path)
    assert_one_clear_error(proc, 2, "--demo runs one simulated cluster", "--context eu,us")


def test_memtui_with_two_contexts_in_a_terminal_shows_both_tabs_and_records_each(two_sims, tmp_path):
    from tests.cli.test_cli_tty import run_in_tty

    eu, us = two_sims
    config = merged_kubeconfig({"eu": (eu, eu.url), "us": (us, us.url)}, tmp_path / "merged.kubeconfig")
    code, screen = run_in_tty(["--kubeconfig", str(config), "--context", "eu,us", "-n", "sap-llm",
                               "--redis-deployment", ""], home=tmp_path, until=b"switch")
    assert code == 0 and b"Traceback" not in screen
    assert b"eu" in screen and b"us" in screen and b"OOMKilled" in screen
    state = tmp_path / ".local" / "state"
    recordings = [str(p.relative_to(state)) for p in state.rglob("*.memtui")]  # one folder per context
    assert len(recordings) == 2, recordings
    assert any("eu" in name for name in recordings) and any("us" in name for name in recordings), recordings


# -- [contexts."NAME"] tables in the config file, as the command line applies them ------------------

def test_each_contexts_table_namespace_is_the_one_it_connects_to(two_sims, tmp_path):
    """us's table names a namespace its cluster lacks: the connection to us (not eu) says so."""
    eu, us = two_sims
    config = merged_kubeconfig({"eu": (eu, eu.url), "us": (us, us.url)}, tmp_path / "merged.kubeconfig")
    settings = tmp_path / "config.toml"
    settings.write_text('namespace = "sap-llm"\n[contexts."us"]\nnamespace = "llm-us"\n')
    proc = memtui("--kubeconfig", str(config), "--context", "eu,us", "--config", str(settings), home=tmp_path)
    assert_one_clear_error(proc, 1, "--context eu,us", "namespace 'llm-us' does not exist in context 'us'")
    one_line(proc)


def test_the_current_contexts_table_applies_without_context_and_another_contexts_is_still_checked(two_sims, tmp_path):
    eu, us = two_sims
    config = merged_kubeconfig({"eu": (eu, eu.url), "us": (us, us.url)}, tmp_path / "merged.kubeconfig")
    settings = tmp_path / "config.toml"
    settings.write_text('[contexts."eu"]\nnamespace = "llm-eu"\n')
    proc = memtui("--kubeconfig", str(config), "--config", str(settings), home=tmp_path)  # eu is current
    assert_one_clear_error(proc, 1, "namespace 'llm-eu' does not exist in context 'eu'")
    settings.write_text('[contexts."eu"]\nnamespace = "llm-eu"\nthreshold = "1KB"\n')
    proc = memtui("--kubeconfig", str(config), "--config", str(settings), "--context", "us", home=tmp_path)
    assert_one_clear_error(proc, 2, f"config file {settings}:3: contexts.\"eu\".threshold must be between 1 MiB")
    one_line(proc)  # another context's table, still checked: the file is wrong whichever run reads it


def test_an_incomplete_credential_in_a_watched_contexts_table_is_a_usage_error(two_sims, tmp_path):
    eu, us = two_sims
    config = merged_kubeconfig({"eu": (eu, eu.url), "us": (us, us.url)}, tmp_path / "merged.kubeconfig")
    settings = tmp_path / "config.toml"
    settings.write_text('[contexts."us"]\nprometheus_url = "http://127.0.0.1:1"\nprometheus_basic_auth_user = "m"\n')
    proc = memtui("--kubeconfig", str(config), "--context", "eu,us", "-n", "sap-llm", "--config", str(settings),
                  home=tmp_path)
    assert_one_clear_error(proc, 2, f"config file {settings}:3: contexts.\"us\".prometheus_basic_auth_user needs a password")
    one_line(proc)
