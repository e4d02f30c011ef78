"""Exec (kubernetes.stream, channel v5/v4) and logs, answering from the memory model."""

from __future__ import annotations

import pytest
from kubernetes import client

from .helpers import NS, by_ttl, core, kexec, sap_llm_pods


def _redis_pod(h) -> str:
    return core(h).list_namespaced_pod(NS, label_selector="app=redis").items[0].metadata.name


def test_cgroup_files_match_truth(sim):
    name = sap_llm_pods(sim)[0].metadata.name
    t = sim.truth()[name]
    out, _, rc = kexec(sim, name, ["cat", "/sys/fs/cgroup/memory/memory.usage_in_bytes"])
    assert rc == 0 and int(out) == t.usage_bytes
    out, _, _ = kexec(sim, name, ["cat", "/sys/fs/cgroup/memory.current"])
    assert int(out) == t.usage_bytes
    out, _, _ = kexec(sim, name, ["cat", "/sys/fs/cgroup/memory.stat"])
    stat = dict(line.split() for line in out.splitlines())
    assert int(stat["anon"]) == t.rss_bytes
    assert t.usage_bytes - int(stat["inactive_file"]) == t.working_set_bytes


def test_proc_status_and_ps(sim):
    name = sap_llm_pods(sim)[0].metadata.name
    t = sim.truth()[name]
    out, _, _ = kexec(sim, name, ["cat", "/proc/1/status"])
    rss_kb = int(next(ln for ln in out.splitlines() if ln.startswith("VmRSS")).split()[1])
    hwm_kb = int(next(ln for ln in out.splitlines() if ln.startswith("VmHWM")).split()[1])
    assert rss_kb == t.rss_bytes // 1024 and hwm_kb >= rss_kb
    out, _, _ = kexec(sim, name, ["ps", "aux", "--sort=-%mem"])
    lines = out.splitlines()
    assert lines[0].split()[:6] == ["USER", "PID", "%CPU", "%MEM", "VSZ", "RSS"]
    assert "sap_llm.serve" in lines[1] and int(lines[1].split()[5]) == t.rss_bytes // 1024


def test_python_snippets_are_traps(sim):
    name = sap_llm_pods(sim)[0].metadata.name
    code = ("import resource\nprint(f'Memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024:.2f}"
            " GB')\n")
    out, _, rc = kexec(sim, name, ["python3", "-c", code])
    assert rc == 0 and out.strip() == "Memory: 0.01 GB"  # a new interpreter's own max RSS, not the server's
    before = sim.truth()[name].rss_bytes
    out, _, _ = kexec(sim, name, ["python3", "-c", "import gc; gc.collect(); print('GC done')"])
    assert out.strip() == "GC done" and sim.truth()[name].rss_bytes == before


def test_admin_gc_frees_only_a_little_in_the_leak(sim):
    name = by_ttl(sim)[0][0]
    before = sim.truth()[name]
    out, _, rc = kexec(sim, name, ["curl", "-s", "-X", "POST", "http://localhost:8080/admin/gc"])
    import json
    doc = json.loads(out)
    after = sim.truth()[name]
    assert rc == 0 and doc["status"] == "ok" and doc["freed_bytes"] > 0
    assert 0 < before.rss_bytes - after.rss_bytes < 0.1 * before.rss_bytes
    assert after.seconds_to_oom > before.seconds_to_oom  # a little more time, no fix


def test_nvidia_smi(sim):
    name = sap_llm_pods(sim)[0].metadata.name
    t = sim.truth()[name]
    out, _, _ = kexec(sim, name, ["nvidia-smi", "--query-gpu=memory.used,memory.total", "--format=csv"])
    assert out.splitlines() == ["memory.used [MiB], memory.total [MiB]", f"{t.gpu_used_mib} MiB, 81920 MiB"]
    out, _, _ = kexec(sim, name, ["nvidia-smi", "--query-gpu=memory.used,memory.total",
                                  "--format=csv,noheader,nounits"])
    assert out.strip() == f"{t.gpu_used_mib}, 81920"
    out, _, _ = kexec(sim, name, ["nvidia-smi"])
    assert "No running processes found" in out and f"{t.gpu_used_mib}MiB / 81920MiB" in out


def test_no_glob_without_a_shell(sim_factory):
    h = sim_factory(scenario="cache-bloat", seed=2)
    name = by_ttl(h)[0][0]
    out, err, rc = kexec(h, name, ["du", "-sh", "/models/*"])
    assert rc == 1 and "cannot access '/models/*': No such file or directory" in err
    out, _, rc = kexec(h, name, ["sh", "-c", "du -sh /models/* /tmp/cache"])
    assert rc == 0 and "/models/sap-llm-13b" in out and "/tmp/cache" in out
    before = h.truth()[name].working_set_bytes
    out, err, rc = kexec(h, name, ["rm", "-rf", "/tmp/cache/*"])
    assert rc == 0 and out == "" and err == ""
    assert h.truth()[name].working_set_bytes == before  # nothing removed: '*' reached rm literally
    out, err, rc = kexec(h, name, ["sh", "-c", "rm -rf /tmp/cache/*"])
    assert rc == 0
    after = h.truth()[name].working_set_bytes
    assert after < before - 2 * 1024**3
    out, _, _ = kexec(h, name, ["du", "-sh", "/tmp/cache"])
    assert out.split()[0] == "0"


def test_shell_features(sim):
    name = sap_llm_pods(sim)[0].metadata.name
    out, _, rc = kexec(sim, name, ["sh", "-c", "echo a && false || echo b; ls /tmp/cache | head -3 | wc -l"])
    assert rc == 0 and out.split() == ["a", "b", "3"]
    out, err, rc = kexec(sim, name, ["sh", "-c", "nosuchtool"])
    assert rc == 127 and "not found" in err


def test_unknown_executable_fails_like_the_runtime(sim):
    name = sap_llm_pods(sim)[0].metadata.name
    out, err, rc = kexec(sim, name, ["bogus", "--help"])
    assert rc == 126 and 'exec: "bogus": executable file not found in $PATH' in err


def test_readonly_cannot_exec(sim):
    name = sap_llm_pods(sim)[0].metadata.name
    with pytest.raises(Exception) as e:
        kexec(sim, name, ["ls"], context="memtui-sim-readonly")
    assert "403" in str(e.value) or "Forbidden" in str(e.value)


def test_redis_cli(sim_factory):
    h = sim_factory(scenario="cache-bloat", seed=2)
    pod = _redis_pod(h)
    out, _, rc = kexec(h, pod, ["redis-cli", "INFO", "memory"])
    assert rc == 0 and out.startswith("# Memory\r\n")
    info = dict(ln.split(":", 1) for ln in out.split("\r\n")[1:] if ":" in ln)
    used = int(info["used_memory"])
    assert used > 4 * 1024**3 and info["maxmemory_policy"] == "noeviction" and info["maxmemory"] == "0"
    assert info["used_memory_human"].endswith("G")
    out, _, _ = kexec(h, pod, ["redis-cli", "CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])
    assert out.strip() == "OK"
    out, _, _ = kexec(h, pod, ["redis-cli", "CONFIG", "SET", "maxmemory", "8gb"])
    assert out.strip() == "OK"
    out, _, _ = kexec(h, pod, ["redis-cli", "CONFIG", "GET", "maxmemory"])
    assert out.split() == ["maxmemory", str(8 * 1024**3)]
    h.advance(6 * 3600)
    out, _, _ = kexec(h, pod, ["redis-cli", "INFO", "memory"])
    info = dict(ln.split(":", 1) for ln in out.split("\r\n")[1:] if ":" in ln)
    assert int(info["used_memory"]) <= 8 * 1024**3 + 4 * 1024**2
    out, _, _ = kexec(h, pod, ["redis-cli", "INFO", "stats"])
    stats = dict(ln.split(":", 1) for ln in out.split("\r\n")[1:] if ":" in ln)
    assert int(stats["evicted_keys"]) > 0
    out, _, _ = kexec(h, pod, ["redis-cli", "DBSIZE"])
    assert int(out) > 0
    out, _, _ = kexec(h, pod, ["redis-cli", "FLUSHDB"])
    assert out.strip() == "OK"
    out, _, _ = kexec(h, pod, ["redis-cli", "DBSIZE"])
    assert int(out) == 0
    out, _, _ = kexec(h, pod, ["redis-cli", "INFO", "keyspace"])
    assert out.strip() == "# Keyspace"


def test_logs_previous_tail_and_greps(sim_factory):
    h = sim_factory(scenario="model-duplication", seed=4)
    c = core(h)
    oomed = next(p for p in sap_llm_pods(h) if p.status.container_statuses[0].restart_count >= 2)
    name = oomed.metadata.name
    cur = c.read_namespaced_pod_log(name, NS, container="sap-llm")
    prev = c.read_namespaced_pod_log(name, NS, previous=True)
    assert cur != prev
    # the 4th instance did not fit: OOMKilled while loading it
    assert prev.count("model loaded") == 3 and "loading model: sap-llm-13b instance=4/4" in prev.splitlines()[-1] \
        or "instance=4/4" in prev
    tail = c.read_namespaced_pod_log(name, NS, tail_lines=5, timestamps=True)
    assert len(tail.splitlines()) == 5 and tail[:4].isdigit() and "Z " in tail.splitlines()[0]
    healthy = next(p for p in sap_llm_pods(h) if p.status.container_statuses[0].restart_count == 0)
    with pytest.raises(client.ApiException) as e:
        c.read_namespaced_pod_log(healthy.metadata.name, NS, previous=True)
    assert e.value.status == 400
    with pytest.raises(client.ApiException) as e:
        c.read_namespaced_pod_log(name, NS, container="nope")
    assert e.value.status == 400


@pytest.mark.parametrize("scenario,pattern", [
    ("leak", r"leak|circular|reference"), ("model-duplication", "model loaded: sap-llm-13b instance=3/4"),
    ("batch-spike", "batch_size=256"), ("cache-bloat", "/tmp/cache"),
])
def test_logs_show_the_root_cause(sim_factory, scenario, pattern):
    import re
    h = sim_factory(scenario=scenario, seed=4)
    name = by_ttl(h)[0][0]
    text = core(h).read_namespaced_pod_log(name, NS, tail_lines=500)
    assert re.search(pattern, text)
    assert re.search(r"memory|oom", text, re.I) and re.search(r"allocated|freed|gc", text)
