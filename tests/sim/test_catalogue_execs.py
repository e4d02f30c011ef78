"""Every exec the packaged catalogue can send runs in a simulated pod, through memtui's own exec
client (``exec_in_pod``, WebSocket v5/v4), and prints what the simulator's truth says.

Demo mode is only worth something if each runbook step works there: an ``exec-script`` the
simulator's shell cannot run, or an argv whose program the image lacks, fails this test.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest

from memtui.runbook import load_catalogue
from memtui.sim import SimulatorHandle
from memtui.clients.kube.connection import connect
from memtui.clients.kube.exec import ExecResult, exec_in_pod

NS = "sap-llm"
EXEC_KINDS = ("exec", "exec-script", "pod-http", "redis")
CATALOGUE = load_catalogue()
ACTIONS = [a for a in CATALOGUE.actions if a.operation.kind in EXEC_KINDS]


def test_the_catalogue_has_the_execs_this_file_checks():
    kinds = {a.operation.kind for a in ACTIONS}
    assert kinds == set(EXEC_KINDS)
    assert {"diagnose.cgroup-memory", "diagnose.disk-models-cache", "fix.clear-app-cache",
            "fix.clear-model-cache"} <= {a.id for a in ACTIONS if a.operation.kind == "exec-script"}


class Pod:
    """One simulated pod reached the way the executor reaches it."""

    def __init__(self, sim: SimulatorHandle, deployment: str) -> None:
        self.sim = sim
        connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace=NS)
        self.api, self.exec_client = connection.api_client, connection.exec_api_client
        from kubernetes import client
        pods = client.CoreV1Api(self.api).list_namespaced_pod(NS, label_selector=f"app={deployment}").items
        # the pod the cockpit would most likely have selected: the one nearest its limit
        truth = sim.truth()
        self.name = max(sorted(p.metadata.name for p in pods),
                        key=lambda n: truth[n].working_set_bytes if n in truth else 0)

    def run(self, argv, container: str | None, *, binary: bool = False) -> ExecResult:
        return exec_in_pod(self.exec_client, NS, self.name, list(argv), container=container, timeout=30, binary=binary)


def run_action(sim: SimulatorHandle, action) -> tuple[Pod, ExecResult]:
    op = action.operation
    pod = Pod(sim, op.deployment)
    bound = action.bind(namespace=NS, pod=pod.name)
    if op.kind == "redis":  # what the executor sends without --redis-url: redis-cli in the Redis pod
        return pod, pod.run(["redis-cli", *bound.command], None)
    return pod, pod.run(bound.argv, op.container, binary=bool(getattr(op, "save_output_to", "")))


def _kv(text: str, sep: str = " ") -> dict[str, str]:
    return dict(line.split(sep, 1) for line in text.splitlines() if sep in line)


def check_cgroup(sim, pod, res):
    t = sim.truth()[pod.name]
    lines = res.stdout.splitlines()
    assert lines[0] == "cgroup v2"
    kv = _kv(res.stdout)
    assert int(kv["usage_bytes"]) == t.usage_bytes
    assert int(kv["working_set_bytes"]) == t.working_set_bytes == t.usage_bytes - int(kv["inactive_file"])
    assert int(kv["limit_bytes"]) == t.limit_bytes
    assert int(kv["anon"]) == t.rss_bytes and int(kv["file"]) == t.cache_bytes


def check_ps(sim, pod, res):
    header, first, *_ = res.stdout.splitlines()
    assert header.split() == ["USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME", "COMMAND"]
    cells = first.split()
    assert cells[1] == "1" and "sap_llm.serve" in first  # the server first: sorted by memory
    assert int(cells[5]) == sim.truth()[pod.name].rss_bytes // 1024


def check_proc_status(sim, pod, res):
    kv = {k: v.strip() for k, v in _kv(res.stdout, ":").items()}
    assert list(kv) == ["Name", "Pid", "VmHWM", "VmRSS"]
    assert kv["Name"] == "python3" and kv["Pid"] == "1"
    rss_kb = int(kv["VmRSS"].removesuffix(" kB"))
    assert rss_kb == sim.truth()[pod.name].rss_bytes // 1024
    assert int(kv["VmHWM"].removesuffix(" kB")) >= rss_kb


def check_nvidia_smi(sim, pod, res):
    header, row = res.stdout.splitlines()
    assert header == "index, name, memory.used [MiB], memory.total [MiB]"
    t = sim.truth()[pod.name]
    assert row.split(", ")[2:] == [f"{t.gpu_used_mib} MiB", f"{t.gpu_total_mib} MiB"]


def check_du(sim, pod, res):
    paths = [line.split("\t")[1] for line in res.stdout.splitlines()]
    assert paths[-2:] == ["/tmp/cache", "/tmp/model_cache"]
    assert any(p.startswith("/models/sap-llm") for p in paths)  # the glob was expanded in the container
    assert "/models/*" not in paths and res.stderr == ""
    assert all(re.fullmatch(r"[0-9.]+[KMGT]?", line.split("\t")[0]) for line in res.stdout.splitlines())


def check_heap(sim, pod, res):
    assert isinstance(res.stdout, bytes) and gzip.decompress(res.stdout).startswith(b"heap profile: ")


def check_gc(sim, pod, res):
    doc = json.loads(res.stdout)
    assert doc["status"] == "ok" and doc["rss_after"] <= doc["rss_before"]
    assert sim.truth()[pod.name].rss_bytes == doc["rss_after"]


def check_cleared(directory):
    def check(sim, pod, res):
        assert res.stdout == "" and res.stderr == ""
        du = pod.run(["du", "-s", directory], "sap-llm")
        assert du.ok and du.stdout.split()[0] == "4"  # an empty directory: one 4 KiB block
    return check


def check_redis_info(sim, pod, res):
    kv = _kv(res.stdout.replace("\r", ""), ":")
    assert res.stdout.startswith("# Memory")
    truth = sim.redis_truth()
    assert int(kv["used_memory"]) == truth["used"] and int(kv["used_memory_rss"]) == truth["rss"]


def check_redis_ok(follow_up, expect):
    def check(sim, pod, res):
        assert res.stdout == "OK\n"
        if follow_up:
            after = pod.run(["redis-cli", *follow_up], None)
            assert after.ok and after.stdout.split() == expect
    return check


CHECKS = {
    "diagnose.cgroup-memory": check_cgroup,
    "diagnose.process-list": check_ps,
    "diagnose.python-max-rss": check_proc_status,
    "diagnose.gpu-nvidia-smi": check_nvidia_smi,
    "diagnose.disk-models-cache": check_du,
    "diagnose.heap-profile": check_heap,
    "diagnose.redis-info-memory": check_redis_info,
    "fix.force-gc": check_gc,
    "fix.clear-model-cache": check_cleared("/tmp/model_cache"),
    "fix.clear-app-cache": check_cleared("/tmp/cache"),
    "fix.redis-flushdb": check_redis_ok(["DBSIZE"], ["0"]),
    "fix.redis-eviction-policy": check_redis_ok(["CONFIG", "GET", "maxmemory-policy"],
                                                ["maxmemory-policy", "allkeys-lru"]),
    "fix.redis-maxmemory": check_redis_ok(["CONFIG", "GET", "maxmemory"], ["maxmemory", str(8 * 1024**3)]),
    "fix.redis-memory-purge": check_redis_ok(None, None),
    "fix.redis-config-rewrite": check_redis_ok(None, None),
}


@pytest.mark.parametrize("action", ACTIONS, ids=[a.id for a in ACTIONS])
def test_every_catalogue_exec_runs_in_the_simulator(sim, action):
    pod, res = run_action(sim, action)
    assert res.error is None and res.exit_code == 0, (res.exit_code, res.error, res.stderr)
    assert "not found" not in res.stderr and "not supported" not in res.stderr
    check = CHECKS.get(action.id)
    if check is None:  # an action added since: at least it ran and said something
        assert res.stdout or action.operation.mutates(), f"{action.id} printed nothing"
    else:
        check(sim, pod, res)


def test_the_cgroup_script_takes_its_v1_branch_and_its_error_branch(sim):
    """The same script on a node without cgroup v2 files (its elif), and with no cgroup at all (its
    else): pointed at other paths, since the simulated node shows both hierarchies."""
    script = CATALOGUE.get("diagnose.cgroup-memory").operation.script
    pod = Pod(sim, "sap-llm")
    res = pod.run(["sh", "-c", script.replace("$d/memory.current", "$d/memory.absent", 1)], "sap-llm")
    assert res.ok, res.stderr
    t = sim.truth()[pod.name]
    kv = _kv(res.stdout)
    assert res.stdout.splitlines()[0] == "cgroup v1"
    assert (int(kv["usage_bytes"]), int(kv["working_set_bytes"]), int(kv["limit_bytes"])) == (
        t.usage_bytes, t.working_set_bytes, t.limit_bytes)
    assert int(kv["total_rss"]) == t.rss_bytes and int(kv["total_cache"]) == t.cache_bytes
    res = pod.run(["sh", "-c", script.replace("d=/sys/fs/cgroup", "d=/sys/fs/nope", 1)], "sap-llm")
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == "no memory cgroup found under /sys/fs/nope\n"


READ_ONLY_EXECS = [a for a in ACTIONS if a.operation.kind in ("exec", "exec-script") and a.risk == "read-only"
                   and not getattr(a.operation, "save_output_to", "")]


@pytest.mark.kubectl
@pytest.mark.parametrize("action", READ_ONLY_EXECS, ids=[a.id for a in READ_ONLY_EXECS])
def test_the_equivalent_kubectl_command_prints_what_memtui_gets(sim, kubectl, action):
    """The line the modal shows for copying, run by the real kubectl, matches memtui's own exec."""
    import shlex

    pod, res = run_action(sim, action)
    line = action.render_equivalent(namespace=NS, pods=[pod.name])
    argv = shlex.split(line)
    assert argv[0] == "kubectl"
    r = kubectl(*argv[1:])
    assert r.returncode == 0, r.stderr
    if action.id == "diagnose.process-list":  # ps lists itself: its own command line differs
        assert r.stdout.splitlines()[:2] == res.stdout.splitlines()[:2]
    else:
        assert r.stdout == res.stdout
