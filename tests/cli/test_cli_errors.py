"""Bad input gets one clear line, a non-zero exit and changes nothing: run the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port


def memtui(*args: str, env: dict[str, str] | None = None, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MEMTUI_", "KUBECONFIG"))}
    environment["HOME"] = str(home)
    environment["XDG_CONFIG_HOME"] = str(home / ".config")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "memtui", *args], capture_output=True, text=True, timeout=60, env=environment
    )


def assert_one_clear_error(proc: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.stderr.startswith("memtui: error: ")
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


def test_wrong_namespace_names_the_namespaces_that_exist(sim, tmp_path):
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), "-n", "sap-lm", home=tmp_path)
    assert_one_clear_error(proc, 1, "namespace 'sap-lm' does not exist", "sap-llm", "ml-batch")


def test_unreachable_cluster_says_where_and_suggests_the_demo(sim, tmp_path):
    config = Path(sim.kubeconfig_path).read_text().replace(sim.url, f"https://127.0.0.1:{free_port()}")
    dead = tmp_path / "dead.kubeconfig"
    dead.write_text(config)
    proc = memtui("--kubeconfig", str(dead), "-n", "sap-llm", "--request-timeout", "2", home=tmp_path)
    assert_one_clear_error(proc, 1, "cannot reach the Kubernetes API", "connection refused", "memtui --demo")


def test_malformed_kubeconfig_from_the_environment(tmp_path):
    bad = tmp_path / "bad.kubeconfig"
    bad.write_text("apiVersion: v1\nclusters: [\n  - name: x\n")
    proc = memtui("-n", "sap-llm", env={"KUBECONFIG": str(bad)}, home=tmp_path)
    assert_one_clear_error(proc, 1, f"kubeconfig {bad}:3: is not YAML: expected the node content")


def test_unknown_context_lists_the_known_ones(sim, tmp_path):
    proc = memtui("--kubeconfig", str(sim.kubeconfig_path), "--context", "prod", home=tmp_path)
    assert_one_clear_error(proc, 1, "context 'prod'", "memtui-sim")


def test_no_kubeconfig_at_all_points_at_the_demo(tmp_path):
    proc = memtui("-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 1, "no kubeconfig found", "memtui --demo")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--threshold", "16Gx"), "threshold '16Gx' is not a Kubernetes quantity"),
        (("--refresh", "soon"), "refresh"),
        (("--prometheus-url", "prometheus:9090"), "--prometheus-url 'prometheus:9090' must start with http:// or https://"),
        (("--prometheus-header", "X-Scope-OrgID tenant-1"), "--prometheus-header must be NAME: VALUE (no ':' in it)"),
        (("--prometheus-bearer-token-file", "/nonexistent/token"),
         "--prometheus-bearer-token-file /nonexistent/token: no such file"),
        (("--prometheus-matchers", "cluster"), "--prometheus-matchers 'cluster' is not a label matcher"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path, args, fragment):
    proc = memtui(*args, home=tmp_path)
    assert_one_clear_error(proc, 2, fragment)


def test_a_bad_prometheus_access_key_in_the_config_file_is_named_with_its_line(tmp_path):
    config_dir = tmp_path / ".config" / "memtui"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text('prometheus_url = "https://thanos:10902"\nprometheus_ca_file = "/nope/ca.pem"\n')
    proc = memtui("-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 2, "config.toml:2: prometheus_ca_file /nope/ca.pem: no such file")


def test_bad_config_file_is_named(tmp_path):
    config_dir = tmp_path / ".config" / "memtui"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text('refesh = 5\n')
    proc = memtui("-n", "sap-llm", home=tmp_path)
    assert_one_clear_error(proc, 2, "config.toml", "unknown setting 'refesh'")


def test_bad_user_keymap_names_file_and_line(tmp_path):
    keymap = tmp_path / "keys.toml"
    keymap.write_text('[bindings]\n"app.quit" = "x"\n"pods.nope" = "y"\n')
    proc = memtui("--keymap", str(keymap), home=tmp_path)
    assert_one_clear_error(proc, 2, f"{keymap}:3", "unknown binding id 'pods.nope'")


def test_version_and_help(tmp_path):
    proc = memtui("--version", home=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("memtui ")
    proc = memtui("--help", home=tmp_path)
    assert proc.returncode == 0
    for option in ("--namespace", "--context", "--kubeconfig", "--refresh", "--threshold", "--read-only", "--demo"):
        assert option in proc.stdout


def test_bad_runbook_file_names_the_entry_and_field(tmp_path):
    runbook = tmp_path / "runbook.toml"
    runbook.write_text(
        '[[action]]\nid = "fix.my-restart"\ntitle = "Mine"\nphase = "fix"\nrisk = "disruptive"\n'
        'summary = "s"\nequivalent = "kubectl rollout restart deployment/sap-llm -n {namespace}"\n'
        '[action.operation]\nkind = "reboot-node"\n'
    )
    proc = memtui("--runbook", str(runbook), home=tmp_path)
    assert_one_clear_error(proc, 2, "fix.my-restart", "operation.kind", "reboot-node")
