"""Diagnose steps: no modal, one audit ``read`` entry each, output text for the pane."""

from __future__ import annotations

import gzip
import re
import stat
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from memtui.state.incident import OomKill
from memtui.clients.kube.exec import exec_in_pod


def test_heap_profile_is_saved_as_bytes_under_the_artifacts_dir_and_audited(rig, catalogue):
    ctx = rig.ctx()
    pod = next(p.name for p in ctx.pods if p.owner == "sap-llm")
    outcome = rig.executor.run_read(catalogue.get("diagnose.heap-profile"), {}, replace(ctx, selected_pod=pod))
    assert outcome.ok, outcome
    path = outcome.artifact
    assert path is not None and path.parent == rig.artifacts and path.name.startswith(f"heap-{pod}-")
    assert path.suffix == ".prof" and re.fullmatch(rf"heap-{pod}-\d{{8}}T\d{{6}}Z\.prof", path.name)
    data = path.read_bytes()
    assert data[:2] == b"\x1f\x8b"  # gzip, untouched: a TTY or text decoding would have mangled it
    assert b"heap profile" in gzip.decompress(data)
    direct = exec_in_pod(rig.connection.exec_api_client, "sap-llm", pod,
                         ["curl", "-sS", "--fail", "--max-time", "60", "http://localhost:8080/debug/pprof/heap"],
                         container="sap-llm", binary=True)
    assert direct.stdout == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in outcome.output
    (entry,) = rig.entries()
    assert entry.kind == "read" and entry.action == "diagnose.heap-profile" and entry.outcome == "success"
    assert entry.artifact == str(path) and entry.id == outcome.intent_id
    assert entry.target["pods"] == [pod]


def test_logs_grep_reads_every_pod_with_a_bounded_tail_and_greps_in_python(rig, catalogue):
    ctx = rig.ctx()
    pods = sorted(p.name for p in ctx.pods if p.owner == "sap-llm")
    seen = len(rig.sim.requests())
    outcome = rig.executor.run_read(catalogue.get("diagnose.logs-memory"), {}, ctx)
    assert outcome.ok, outcome
    reads = [r for r in rig.sim.requests()[seen:] if r.path.endswith("/log")]
    assert sorted(r.path.split("/")[-2] for r in reads) == pods
    assert all(r.query == {"container": "sap-llm", "tailLines": "10000"} for r in reads)
    expected = 0
    for pod in pods:
        log = rig.reader.text(rig.reader.path("pods", pod, "log"), (("container", "sap-llm"), ("tailLines", "10000")))
        hits = [line for line in log.splitlines() if re.search("memory|leak|oom", line, re.IGNORECASE)]
        expected += len(hits)
        assert all(f"{pod}  {line}" in outcome.output for line in hits[:5])
    assert expected > 0 and outcome.summary.endswith(f"{expected} matching lines in {len(pods)} pods")
    (entry,) = rig.entries()
    assert entry.kind == "read" and entry.parameters == {"pattern": "memory|leak|oom"}


def test_logs_count_and_previous_container(rig, catalogue, tmp_path):
    import textwrap

    from memtui.runbook import load_catalogue

    outcome = rig.executor.run_read(catalogue.get("diagnose.logs-model-loaded"), {}, rig.ctx())
    assert outcome.ok and "COUNT" in outcome.output
    runbook = tmp_path / "runbook.toml"
    runbook.write_text(textwrap.dedent('''
        [[action]]
        id = "diagnose.logs-before-oom"
        title = "Logs before the OOM"
        phase = "diagnose"
        risk = "read-only"
        summary = "The previous container's last lines."
        equivalent = "kubectl logs -n {namespace} {pod} --previous --tail=50"

        [action.operation]
        kind = "logs-grep"
        pattern = "."
        pods = "selected"
        previous = true
        tail_lines = 50
    '''))
    action = load_catalogue(runbook).get("diagnose.logs-before-oom")
    ctx = rig.ctx()
    oom = next(p for p in ctx.pods if p.owner == "sap-llm" and p.restarts > 0)
    seen = len(rig.sim.requests())
    outcome = rig.executor.run_read(action, {}, replace(ctx, selected_pod=oom.name))
    assert outcome.ok, outcome
    (request,) = [r for r in rig.sim.requests()[seen:] if r.path.endswith("/log")]
    assert request.query == {"container": "sap-llm", "tailLines": "50", "previous": "true"}
    assert "previous container" in outcome.output and outcome.summary.endswith(": 50 matching lines in 1 pod")


def test_rollout_history_lists_revisions_with_change_cause_like_kubectl(rig, catalogue, kubectl):
    outcome = rig.executor.run_read(catalogue.get("diagnose.rollout-history"), {}, rig.ctx())
    assert outcome.ok, outcome
    shown = kubectl("rollout", "history", "deployment/sap-llm", "-n", "sap-llm", check=True).stdout
    # kubectl prints REVISION  CHANGE-CAUSE; memtui adds the creation time and the ReplicaSet
    revisions = shown.strip().splitlines()[2:]
    assert len(revisions) == 3
    for line in revisions:
        revision, cause = line.split(None, 1)
        row = next(r for r in outcome.output.splitlines() if r.startswith(revision + " "))
        assert row.rstrip().endswith(cause.strip())
    assert outcome.summary.startswith("Rollout history: 3 revisions; current 3")


def test_configmap_keys_are_filtered_by_key_name(rig, catalogue):
    outcome = rig.executor.run_read(catalogue.get("diagnose.configmap-keys"), {}, rig.ctx())
    data = rig.configmap()
    wanted = {k for k in data if re.search("memory|cache|batch|model", k)}
    shown = {line.split(":", 1)[0] for line in outcome.output.splitlines()[1:]}
    assert shown == wanted and "log_level" not in shown
    assert outcome.summary.endswith(f": {len(wanted)} of {len(data)} keys match")


def test_oom_list_includes_what_the_ledger_remembers_after_the_pods_are_gone(rig, catalogue):
    ctx = rig.ctx()
    in_status = {p.name for p in ctx.pods for c in p.containers if c.last_termination_reason == "OOMKilled"}
    gone = OomKill("sap-llm-old-abc12", "sap-llm", datetime(2026, 11, 27, 1, 0, tzinfo=UTC), "event")
    outcome = rig.executor.run_read(catalogue.get("diagnose.oom-killed"), {}, replace(ctx, oom_kills=(gone,)))
    assert in_status and all(name in outcome.output for name in in_status)
    assert "sap-llm-old-abc12" in outcome.output and "(pod gone)" in outcome.output


def test_top_pods_sorts_by_working_set_from_the_metrics_api(rig, catalogue):
    outcome = rig.executor.run_read(catalogue.get("diagnose.top-pods"), {}, rig.ctx())
    names = [line.split()[0] for line in outcome.output.splitlines()[1:] if line and not line.startswith("WORKING")]
    metrics = rig.reader.get(rig.reader.path("pods", group="metrics.k8s.io", version="v1beta1"))["items"]
    from memtui.state.units import parse_bytes
    by_memory = sorted(metrics, key=lambda i: -sum(parse_bytes(c["usage"]["memory"]) for c in i["containers"]))
    assert names[:len(by_memory)] == [i["metadata"]["name"] for i in by_memory]
    assert "GiB" in outcome.output and "working_set" in outcome.output


def test_every_read_writes_one_audit_entry_and_a_refused_one_says_why(rig, catalogue):
    rig.executor.run_read(catalogue.get("diagnose.deployment-resources"), {}, rig.ctx())
    outcome = rig.executor.run_read(catalogue.get("diagnose.prom-memory-now"), {}, rig.ctx())
    assert not outcome.ok and outcome.refused and "--prometheus-url" in outcome.error
    first, second = rig.entries()
    assert (first.kind, first.action, first.outcome) == ("read", "diagnose.deployment-resources", "success")
    assert "12Gi" in first.summary
    assert (second.kind, second.outcome) == ("read", "refused") and "--prometheus-url" in second.error


def test_promql_range_sends_timestamps_end_now_start_now_minus_range(sim, prometheus, make_rig, catalogue):
    """Against the real Prometheus scraping the simulator: a 30 m window at 60 s steps ending now is
    31 points for a pod older than the window; the instant query is the live working set."""
    from tests.prometheus.test_prometheus_source import wait_for_scrape
    from memtui.sources.prometheus import PrometheusSource

    truth = sim.truth()
    wait_for_scrape(PrometheusSource(prometheus.url, "sap-llm"), set(truth))
    rig = make_rig(sim, prometheus_url=prometheus.url, clock=sim.now)
    outcome = rig.executor.run_read(catalogue.get("diagnose.prom-memory-1h"), {"window": "30m"}, rig.ctx())
    instant = rig.executor.run_read(catalogue.get("diagnose.prom-memory-now"), {}, rig.ctx())
    assert outcome.ok and instant.ok, (outcome, instant)
    query, window, header, *rows = outcome.output.splitlines()
    assert 'namespace="sap-llm"' in query and "container_memory_working_set_bytes" in query
    assert window == "range 30m, step 60s, end=now" and header.split()[:2] == ["SERIES", "POINTS"]
    points = {row.split()[0]: int(row.split()[1]) for row in rows}
    redis = next(p for p in points if p.startswith("redis-"))  # up for days: it fills the window
    assert points[redis] == 31  # start = end - 30 m, step 60 s: both ends included
    assert set(truth) <= set(points) and max(points.values()) == 31
    values = {row.split()[0]: row.split()[1] for row in instant.output.splitlines()[2:]}
    for pod, t in truth.items():
        assert float(values[pod]) == pytest.approx(t.working_set_bytes, rel=1e-5)
