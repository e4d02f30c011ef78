"""Fidelity: the real kubectl against the simulator. If kubectl cannot do it, the simulator is wrong."""

from __future__ import annotations

import json

import pytest

from .helpers import NS, apps, core, sap_llm_pods

pytestmark = pytest.mark.kubectl


def _header(out: str) -> list[str]:
    return out.splitlines()[0].split()


def test_get_pods_deploy_cm_columns(kubectl):
    r = kubectl("get", "pods", "-n", NS, check=True)
    assert _header(r.stdout) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = [ln.split() for ln in r.stdout.splitlines()[1:]]
    assert sum(1 for row in rows if row[0].startswith("sap-llm-") and not row[0].startswith("sap-llm-api")) == 3
    assert any(row[3] != "0" and "ago)" in " ".join(row) for row in rows)  # "2 (9m ago)"
    r = kubectl("get", "pods", "-n", NS, "-o", "wide", check=True)
    assert _header(r.stdout)[5:9] == ["IP", "NODE", "NOMINATED", "NODE"]
    r = kubectl("get", "deploy", "-n", NS, check=True)
    assert _header(r.stdout) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert any(ln.split()[:2] == ["sap-llm", "3/3"] for ln in r.stdout.splitlines())
    r = kubectl("get", "cm", "-n", NS, check=True)
    assert _header(r.stdout) == ["NAME", "DATA", "AGE"]
    assert any(ln.split()[0] == "sap-llm-config" for ln in r.stdout.splitlines())
    r = kubectl("get", "rs", "-n", NS, check=True)
    assert _header(r.stdout) == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    r = kubectl("get", "events", "-n", NS, check=True)
    assert _header(r.stdout)[:4] == ["LAST", "SEEN", "TYPE", "REASON"] and "OOMKilling" in r.stdout


def test_top_pods(kubectl, sim):
    r = kubectl("top", "pods", "-n", NS, check=True)
    assert _header(r.stdout) == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    truth = sim.truth()
    rows = {ln.split()[0]: ln.split()[2] for ln in r.stdout.splitlines()[1:]}
    for name, t in truth.items():
        assert rows[name] == f"{t.working_set_bytes // 1024**2}Mi"


def test_runbook_oomkilled_jsonpath(kubectl, sim):
    jp = '{range .items[*]}{.metadata.name}{"\\t"}{.status.containerStatuses[0].lastState.terminated.reason}{"\\n"}{end}'
    r = kubectl("get", "pods", "-n", NS, "-o", f"jsonpath={jp}", check=True)
    oom = [ln.split("\t")[0] for ln in r.stdout.splitlines() if ln.endswith("OOMKilled")]
    assert oom and all(sim.truth()[n].last_terminated_reason == "OOMKilled" for n in oom)


def test_patch_configmap_merge(kubectl, sim):
    r = kubectl("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
                "-p", '{"data":{\n  "max_model_instances":"1",\n  "model_cache_size":"2"\n}}', check=True)
    assert "configmap/sap-llm-config patched" in r.stdout
    e = sim.journal()[-1]
    assert e.method == "PATCH" and e.content_type == "application/merge-patch+json"
    assert e.body == {"data": {"max_model_instances": "1", "model_cache_size": "2"}}
    assert e.query.get("fieldManager") == "kubectl-patch" and e.token_name == "operator"
    cm = core(sim).read_namespaced_config_map("sap-llm-config", NS)
    assert cm.data["max_model_instances"] == "1" and cm.data["model_cache_size"] == "2"


def test_rollout_restart_and_history(kubectl, sim):
    old = {p.metadata.name for p in sap_llm_pods(sim)}
    r = kubectl("rollout", "restart", "deployment/sap-llm", "-n", NS, check=True)
    assert "deployment.apps/sap-llm restarted" in r.stdout
    e = sim.journal()[-1]
    assert e.content_type == "application/strategic-merge-patch+json"
    assert "kubectl.kubernetes.io/restartedAt" in e.body["spec"]["template"]["metadata"]["annotations"]
    sim.advance(60)
    new = {p.metadata.name for p in sap_llm_pods(sim)}
    assert len(new) == 3 and not new & old
    r = kubectl("rollout", "history", "deployment/sap-llm", "-n", NS, check=True)
    lines = [ln.split(None, 1) for ln in r.stdout.splitlines() if ln[:1].isdigit()]
    assert [ln[0] for ln in lines] == ["1", "2", "3", "4"]
    assert "request tracing middleware" in lines[2][1]


def test_scale_sap_llm_api(kubectl, sim):
    r = kubectl("scale", "deployment", "sap-llm-api", "-n", NS, "--replicas=2", check=True)
    assert "deployment.apps/sap-llm-api scaled" in r.stdout
    assert sim.journal()[-1].path.endswith("/deployments/sap-llm-api/scale")
    assert len(core(sim).list_namespaced_pod(NS, label_selector="app=sap-llm-api").items) == 2
    assert apps(sim).read_namespaced_deployment("sap-llm-api", NS).spec.replicas == 2


def test_exec_cgroup_usage(kubectl, sim):
    name = sap_llm_pods(sim)[0].metadata.name
    r = kubectl("exec", name, "-n", NS, "--", "cat", "/sys/fs/cgroup/memory/memory.usage_in_bytes", check=True)
    assert int(r.stdout) == sim.truth()[name].usage_bytes
    r = kubectl("exec", name, "-n", NS, "--", "du", "-sh", "/models/*")
    assert r.returncode == 1 and "command terminated with exit code 1" in r.stderr


def test_exec_redis_info_memory(kubectl, sim):
    r = kubectl("exec", "deployment/redis", "-n", NS, "--", "redis-cli", "INFO", "memory", check=True)
    assert r.stdout.startswith("# Memory") and "used_memory_human:" in r.stdout
    assert "maxmemory_policy:noeviction" in r.stdout
    r = kubectl("exec", "deployment/redis", "-n", NS, "--", "redis-cli", "CONFIG", "SET", "maxmemory-policy",
                "allkeys-lru", check=True)
    assert r.stdout.strip() == "OK"
    r = kubectl("exec", "deployment/redis", "-n", NS, "--", "redis-cli", "CONFIG", "GET", "maxmemory-policy",
                check=True)
    assert r.stdout.split() == ["maxmemory-policy", "allkeys-lru"]


def test_logs(kubectl, sim):
    r = kubectl("logs", "-n", NS, "deployment/sap-llm", "--tail=50", check=True)
    assert len(r.stdout.splitlines()) == 50 and "Found 3 pods" in r.stderr
    oomed = next(p.metadata.name for p in sap_llm_pods(sim) if p.status.container_statuses[0].restart_count >= 2)
    r = kubectl("logs", "-n", NS, oomed, "--previous", "--tail=5", check=True)
    assert len(r.stdout.splitlines()) == 5
    prev = r.stdout
    cur = kubectl("logs", "-n", NS, oomed, "--tail=5", check=True).stdout
    assert prev != cur


def test_delete_pod(kubectl, sim):
    victim = sap_llm_pods(sim)[0].metadata.name
    r = kubectl("delete", "pod", "-n", NS, victim, check=True, timeout=60)
    assert f'pod "{victim}" deleted' in r.stdout
    e = sim.journal()[-1]
    assert e.method == "DELETE" and e.path.endswith(f"/pods/{victim}")
    pods = {p.metadata.name for p in sap_llm_pods(sim)}
    assert victim not in pods and len(pods) == 3


def test_set_env(kubectl, sim):
    r = kubectl("set", "env", "deployment/sap-llm", "-n", NS, "PYTHONUNBUFFERED=1", check=True)
    assert "env updated" in r.stdout
    e = sim.journal()[-1]
    assert e.content_type == "application/strategic-merge-patch+json"
    env = apps(sim).read_namespaced_deployment("sap-llm", NS).spec.template.spec.containers[0].env
    names = [x.name for x in env]
    assert "PYTHONUNBUFFERED" in names and "MODEL_NAME" in names  # merged by name, not replaced
    sim.advance(60)
    pods = sap_llm_pods(sim)
    assert all(any(x.name == "PYTHONUNBUFFERED" for x in p.spec.containers[0].env) for p in pods)


def test_json_patch_limit(kubectl, sim):
    r = kubectl("patch", "deployment", "sap-llm", "-n", NS, "--type", "json", "-p",
                '[{"op": "replace", "path": "/spec/template/spec/containers/0/resources/limits/memory", '
                '"value": "16Gi"}]', check=True)
    assert "patched" in r.stdout
    assert sim.journal()[-1].content_type == "application/json-patch+json"
    sim.advance(60)
    jp = '{range .items[*]}{.spec.containers[0].resources.limits.memory}{"\\n"}{end}'
    r = kubectl("get", "pods", "-n", NS, "-l", "app=sap-llm", "-o", f"jsonpath={jp}", check=True)
    assert r.stdout.split() == ["16Gi"] * 3


def test_readonly_context_gets_403(kubectl, sim):
    victim = sap_llm_pods(sim)[0].metadata.name
    r = kubectl("delete", "pod", "-n", NS, victim, context="memtui-sim-readonly")
    assert r.returncode == 1
    assert (f'Error from server (Forbidden): pods "{victim}" is forbidden: User "oncall-readonly" cannot delete '
            f'resource "pods" in API group "" in the namespace "sap-llm"') in r.stderr
    r = kubectl("exec", victim, "-n", NS, "--", "ls", context="memtui-sim-readonly")
    assert r.returncode == 1 and "cannot create resource \"pods/exec\"" in r.stderr
    r = kubectl("get", "pods", "-n", NS, context="memtui-sim-readonly")
    assert r.returncode == 0
    assert victim in {p.metadata.name for p in sap_llm_pods(sim)}
    assert all(e.status == 403 for e in sim.journal() if e.token_name == "readonly")


def test_describe_deployment_limits(kubectl):
    r = kubectl("describe", "deployment", "sap-llm", "-n", NS, check=True)
    assert "Limits:" in r.stdout and "memory:          12Gi" in r.stdout.replace("memory:  ", "memory:          ") \
        or "12Gi" in r.stdout


def test_dry_run_server(kubectl, sim):
    r = kubectl("scale", "deployment", "sap-llm", "-n", NS, "--replicas=5", "--dry-run=server", check=True)
    assert "(server dry run)" in r.stdout
    assert len(sap_llm_pods(sim)) == 3 and sim.journal()[-1].dry_run
    r = kubectl("get", "configmap", "sap-llm-config", "-n", NS, "-o", "json", check=True)
    assert json.loads(r.stdout)["data"]["max_concurrent_requests"] == "200"


def test_get_and_describe_nodes(kubectl, sim):
    r = kubectl("get", "nodes", check=True)
    assert _header(r.stdout) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    rows = {ln.split()[0]: ln.split() for ln in r.stdout.splitlines()[1:]}
    placed = {p.spec.node_name for p in core(sim).list_pod_for_all_namespaces().items}
    assert placed <= set(rows) and {"gpu-node-02", "cpu-node-04"} <= set(rows)
    assert all(row[1] == "Ready" and row[4] == "v1.32.4" for row in rows.values())
    r = kubectl("get", "nodes", "-o", "wide", check=True)
    assert _header(r.stdout)[5:7] == ["INTERNAL-IP", "EXTERNAL-IP"]
    node = sap_llm_pods(sim)[0].spec.node_name
    r = kubectl("describe", "node", node, check=True)
    out = r.stdout
    assert "MemoryPressure   False" in out and "KubeletHasSufficientMemory" in out and "Ready            True" in out
    assert "nvidia.com/gpu:     8" in out and "Allocatable:" in out
    on_node = [p.metadata.name for p in sap_llm_pods(sim) if p.spec.node_name == node]
    assert on_node and all(name in out for name in on_node)  # "Non-terminated Pods" from the field selector
    assert "Taints:             nvidia.com/gpu=present:NoSchedule" in out


def test_get_and_describe_quota_and_limitrange(kubectl, sim):
    r = kubectl("get", "resourcequota,limitrange", "-n", NS, check=True)
    assert "resourcequota/sap-llm-quota" in r.stdout and "limitrange/sap-llm-limits" in r.stdout
    assert "limits.memory: 60Gi/160Gi" in r.stdout and "requests.memory: 32Gi/96Gi" in r.stdout
    r = kubectl("describe", "limitrange", "sap-llm-limits", "-n", NS, check=True)
    assert [ln.split() for ln in r.stdout.splitlines() if ln.startswith("Container")] == [
        ["Container", "memory", "64Mi", "32Gi", "-", "-", "-"]]
    # the quota's used follows the pods: scaling sap-llm-api 4 -> 2 frees 2 x 2Gi of limits
    kubectl("scale", "deployment", "sap-llm-api", "-n", NS, "--replicas=2", check=True)
    sim.advance(120)
    r = kubectl("describe", "quota", "sap-llm-quota", "-n", NS, check=True)
    rows = {ln.split()[0]: ln.split()[1:] for ln in r.stdout.splitlines() if ln.startswith(("limits.", "requests.", "pods"))}
    assert rows["limits.memory"] == ["56Gi", "160Gi"] and rows["pods"] == ["6", "50"]
