"""With several logs, ``memtui audit export|verify`` use the current context's, as the cockpit would.

Two incidents were handled from one laptop (prod-eu and staging, both ``sap-llm``); the kubeconfig's
current-context says which one the operator is on now.  Only with no current context are the logs
listed and the operator asked to name one.
"""

from __future__ import annotations

import yaml

from memtui.audit import AuditLog, default_audit_path
from memtui.audit.cli import main


def write_kubeconfig(path, current, *, namespaces=None):
    namespaces = namespaces or {}
    config = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": c, "cluster": {"server": f"https://{c}.example.invalid:6443"}} for c in ("prod-eu", "staging")],
        # a credential plugin that would fail if run: choosing a log must not run it, nor connect
        "users": [{"name": "oncall", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                                                        "command": "/nonexistent/credential-plugin"}}}],
        "contexts": [{"name": c, "context": {"cluster": c, "user": "oncall",
                                             **({"namespace": namespaces[c]} if c in namespaces else {})}}
                     for c in ("prod-eu", "staging")],
    }
    if current:
        config["current-context"] = current
    path.write_text(yaml.safe_dump(config))
    return path


def two_logs():
    paths = {}
    for context in ("prod-eu", "staging"):
        path = default_audit_path(context, "sap-llm")
        AuditLog(path, context=context, namespace="sap-llm").note(f"handled on {context}")
        paths[context] = path
    return paths


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_current_context_picks_its_log(capsys, tmp_path, monkeypatch):
    paths = two_logs()
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "staging", namespaces={"prod-eu": "sap-llm", "staging": "sap-llm"})
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))

    code, out, err = run(capsys, "export", "--format", "csv")
    assert code == 0 and err == ""
    assert "handled on staging" in out and "handled on prod-eu" not in out
    code, out, _ = run(capsys, "verify")
    assert code == 0 and out.rstrip().endswith(f"({paths['staging']})")
    assert run(capsys, "path")[1] == f"{paths['staging']}\n"

    write_kubeconfig(kubeconfig, "prod-eu", namespaces={"prod-eu": "sap-llm", "staging": "sap-llm"})
    code, out, _ = run(capsys, "export", "--format", "csv")
    assert code == 0 and "handled on prod-eu" in out and "handled on staging" not in out


def test_the_context_without_a_namespace_uses_its_only_log_and_says_so(capsys, tmp_path, monkeypatch):
    paths = two_logs()
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", "prod-eu")))
    code, out, err = run(capsys, "verify")  # the cockpit would say "default"; the operator ran -n sap-llm
    assert code == 0 and out.rstrip().endswith(f"({paths['prod-eu']})")
    assert "no log for namespace default of context prod-eu; using its only log, namespace sap-llm" in err


def test_memtui_settings_count_like_in_the_cockpit(capsys, tmp_path, monkeypatch):
    paths = two_logs()
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "prod-eu", namespaces={"prod-eu": "sap-llm"})
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("MEMTUI_CONTEXT", "staging")
    monkeypatch.setenv("MEMTUI_NAMESPACE", "sap-llm")
    assert run(capsys, "path")[1] == f"{paths['staging']}\n"
    # and the command line beats the environment, as in the cockpit
    assert run(capsys, "path", "--context", "prod-eu")[1] == f"{paths['prod-eu']}\n"
    # --kubeconfig beats $KUBECONFIG
    other = write_kubeconfig(tmp_path / "other", "prod-eu", namespaces={"prod-eu": "sap-llm"})
    monkeypatch.delenv("MEMTUI_CONTEXT")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    assert run(capsys, "path", "--kubeconfig", str(other))[1] == f"{paths['prod-eu']}\n"


def test_no_current_context_lists_the_logs_and_asks(capsys, tmp_path, monkeypatch):
    two_logs()
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", None)))
    code, out, err = run(capsys, "export")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no current kube context" in err and "has no current context" in err
    assert "2 audit logs" in err and "--file PATH" in err
    assert "--context prod-eu --namespace sap-llm" in err and "--context staging --namespace sap-llm" in err


def test_a_current_context_with_no_log_says_so_and_lists_the_others(capsys, tmp_path, monkeypatch):
    two_logs()
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, "prod-eu", namespaces={"prod-eu": "payments"})
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    code, _, err = run(capsys, "verify", "-n", "payments")
    assert code == 2 and err.count("\n") == 1
    assert "no audit log for context prod-eu, namespace payments (the cockpit's now)" in err
