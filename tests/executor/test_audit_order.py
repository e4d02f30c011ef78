"""The order that makes the audit log trustworthy: intent on disk before the call, nothing sent
without it, and a crash in between leaves an intent that the export calls "outcome unknown"."""

from __future__ import annotations

from dataclasses import replace

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from memtui.audit import load_entries
from memtui.executor.kubeapi import MERGE_PATCH, write_call

REPO = Path(__file__).resolve().parents[2]
PATH = "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config"


def test_the_intent_is_on_disk_before_the_request_arrives(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.reduce-batch-size"), {}, rig.ctx())
    seen: list[list[tuple[str, str | None]]] = []

    def arrived(method: str, path: str, query: dict) -> None:
        if method == "PATCH" and path == PATH and query.get("dryRun") != "All":
            # read the file as another process would when the API server gets the write: what is
            # there is what survives a crash of memtui now
            seen.append([(e.kind, e.action) for e in load_entries(rig.audit_path).entries])

    remove = rig.sim.on_request(arrived)
    try:
        outcome = rig.executor.execute(plan)
    finally:
        remove()
    assert outcome.ok
    assert seen == [[("intent", "fix.reduce-batch-size")]]
    assert [e.kind for e in rig.entries()] == ["intent", "result"]


def test_if_the_intent_cannot_be_written_nothing_is_sent(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.reduce-batch-size"), {}, rig.ctx())
    rig.audit_path.unlink()
    rig.audit_path.mkdir()  # the log is now a directory: no append can succeed
    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert not outcome.ok and outcome.refused
    assert "audit log" in outcome.summary and "nothing was sent" in outcome.error
    assert rig.writes(start, dry_run=None) == []
    assert rig.configmap()["batch_size"] == "64"


def test_previous_values_are_read_at_execute_time_and_a_failed_call_is_a_failure(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.scale-api"), {}, rig.ctx())
    rig.reader.send(write_call("PATCH", "/apis/apps/v1/namespaces/sap-llm/deployments/sap-llm-api/scale",
                               content_type=MERGE_PATCH, body={"spec": {"replicas": 3}}))
    # someone changed the replicas since the plan: the call still goes out as planned and succeeds,
    # but undo restores what was there just before it (3), not what the modal showed (4)
    outcome = rig.executor.execute(plan)
    assert outcome.ok and outcome.previous["replicas"] == 3

    bad = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "4Gi"}, rig.ctx())
    # the pre-send check (request 8Gi > limit 4Gi) would refuse it before sending: drop the check to
    # see a call the API server answers 422 audited as a failure
    failed = rig.executor.execute(replace(bad, checks=()))
    assert not failed.ok and not failed.refused and "422" in failed.error
    intent, result = [e for e in rig.entries() if e.action == "fix.raise-memory-limit"]
    assert (intent.kind, result.kind, result.outcome, result.refers_to) == ("intent", "result", "failure", intent.id)
    assert "422" in result.error and result.previous is None


def test_sigkill_between_intent_and_call_leaves_an_outcome_unknown_intent(sim, tmp_path):
    audit_path = tmp_path / "child" / "audit.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.executor._child", str(sim.kubeconfig_path), str(audit_path), str(tmp_path / "art")],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "sending", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    (intent,) = load_entries(audit_path).entries
    assert intent.kind == "intent" and intent.action == "fix.reduce-batch-size" and intent.reason == "INC-kill"
    patches = [e for e in sim.journal() if e.path == PATH]
    assert patches and all(e.dry_run for e in patches)  # the plan's dry run only; the call never left

    exported = subprocess.run(
        [sys.executable, "-m", "memtui", "audit", "export", "--file", str(audit_path), "--format", "json"],
        cwd=REPO, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    (row,) = [r for r in document["rows"] if r["action"] == "fix.reduce-batch-size"]
    assert row["outcome"] == "outcome unknown" and row["outcome_unknown"] is True
