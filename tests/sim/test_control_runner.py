"""The /_sim control API (for a simulator in another process) and the `memtui sim` runner."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .helpers import NS, core, patch_config


def _call(h, method: str, path: str) -> object:
    ctx = ssl.create_default_context(cafile=str(h.ca_path))
    req = urllib.request.Request(h.url + path, method=method)
    return json.loads(urllib.request.urlopen(req, context=ctx, timeout=10).read())


def test_control_api(sim):
    patch_config(sim, {"batch_size": "32"})
    core(sim).list_namespaced_pod(NS)
    j = _call(sim, "GET", "/_sim/journal")
    assert len(j) == 1 and j[0]["method"] == "PATCH" and j[0]["token_name"] == "operator"
    reqs = _call(sim, "GET", "/_sim/requests")
    assert [r["method"] for r in reqs][-2:] == ["PATCH", "GET"]
    assert _call(sim, "POST", "/_sim/requests/clear")["cleared"] == len(reqs)
    assert _call(sim, "GET", "/_sim/requests") == []
    t0 = _call(sim, "GET", "/_sim/now")["now"]
    t1 = _call(sim, "POST", "/_sim/advance?seconds=90")["now"]
    from datetime import datetime
    assert (datetime.fromisoformat(t1) - datetime.fromisoformat(t0)).total_seconds() == 90
    truth = _call(sim, "GET", "/_sim/truth")
    assert set(truth) == set(sim.truth()) and all("working_set_bytes" in v for v in truth.values())


def test_requests_are_counted_per_call(sim):
    sim.clear_request_log()
    core(sim).list_namespaced_pod(NS)
    core(sim).list_namespaced_pod(NS)
    recs = sim.requests()
    assert len(recs) == 2 and all(r.token_name == "operator" and r.status == 200 for r in recs)


@pytest.mark.kubectl
def test_auth_can_i(kubectl):
    assert kubectl("auth", "can-i", "delete", "pods", "-n", NS).stdout.strip() == "yes"
    assert kubectl("auth", "can-i", "delete", "pods", "-n", "ml-batch").stdout.strip() == "no"
    r = kubectl("auth", "can-i", "create", "pods/exec", "-n", NS, context="memtui-sim-readonly")
    assert r.stdout.strip() == "no"


def test_runner_serves_until_sigterm(tmp_path: Path):
    kc = tmp_path / "out" / "kc.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "memtui.sim", "--speed", "0", "--seed", "3", "--workdir",
                             str(tmp_path / "wd"), "--kubeconfig-out", str(kc)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        assert "https://127.0.0.1:" in text and str(kc) in text
        assert f"export KUBECONFIG={kc}; kubectl get pods -n sap-llm" in text
        from kubernetes import client, config
        api = client.CoreV1Api(config.new_client_from_config(config_file=str(kc)))
        assert len(api.list_namespaced_pod(NS, label_selector="app=sap-llm").items) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err


def test_runner_rejects_bad_options(capsys):
    from memtui.sim.runner import main
    with pytest.raises(SystemExit):
        main(["--scenario", "nope"])
    assert main(["--replicas", "-1"]) == 2
    assert "replicas" in capsys.readouterr().err


def test_kubeconfig_contexts(sim):
    import yaml
    kc = yaml.safe_load(Path(sim.kubeconfig_path).read_text())
    assert kc["current-context"] == "memtui-sim"
    ctxs = {c["name"]: c["context"] for c in kc["contexts"]}
    assert ctxs["memtui-sim"]["namespace"] == "sap-llm" and "memtui-sim-readonly" in ctxs
    assert kc["clusters"][0]["cluster"]["certificate-authority-data"]
    assert kc["clusters"][0]["cluster"]["server"] == sim.url
    assert oct(os.stat(sim.kubeconfig_path).st_mode & 0o777) == "0o600"


def test_request_hooks_run_as_requests_arrive_and_can_be_removed(sim):
    from .helpers import core

    seen = []
    remove = sim.on_request(lambda method, path, query: seen.append((method, path, query.get("labelSelector"))))
    core(sim).list_namespaced_pod(NS, label_selector="app=sap-llm")
    remove()
    core(sim).list_namespaced_pod(NS)
    assert seen == [("GET", f"/api/v1/namespaces/{NS}/pods", "app=sap-llm")]
