"""Writing entries: format, chain, permissions, durability-adjacent behaviour."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pytest

from memtui.audit import AuditError, AuditLog, verify_log
from memtui.audit.entry import FIELD_ORDER

from .conftest import write_incident


def raw_objects(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().decode("utf-8").split("\n") if line]


def test_each_entry_is_one_json_line_with_stable_keys_and_a_sha256_chain(log, clock, log_path):
    write_incident(log, clock)
    objects = raw_objects(log_path)
    assert [o["kind"] for o in objects] == ["read", "intent", "result", "effect", "intent", "result", "note"]
    assert [o["seq"] for o in objects] == list(range(1, 8))
    assert objects[0]["prev_hash"] == "0" * 64
    for previous, current in zip(objects, objects[1:]):
        assert current["prev_hash"] == previous["hash"]
    for obj in objects:
        # keys appear in the documented order, and the hash is reproducible from the spec alone
        assert list(obj) == [k for k in FIELD_ORDER if k in obj]
        body = {k: v for k, v in obj.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert obj["hash"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", obj["time"])
        assert re.fullmatch(r"[0-9a-f]{32}", obj["id"])
        assert obj["user"]["kube"] == "system:admin" and "@" in obj["user"]["os"]
        assert obj["context"] == "memtui-sim" and obj["namespace"] == "sap-llm"
        assert None not in obj.values()


def test_results_and_effects_point_at_their_intent_and_repeat_its_action(log, clock, log_path):
    ids = write_incident(log, clock)
    by_kind = {}
    for obj in raw_objects(log_path):
        by_kind.setdefault(obj["kind"], []).append(obj)
    assert by_kind["result"][0]["refers_to"] == ids["fix"] == by_kind["intent"][0]["id"]
    assert by_kind["effect"][0]["refers_to"] == ids["fix"]
    assert by_kind["result"][0]["action"] == "fix.reduce-batch-size"
    assert by_kind["result"][0]["previous"] == {"batch_size": "128", "max_batch_size": "256"}
    assert by_kind["intent"][0]["time"] == "2026-11-27T02:03:00.000Z"


def test_entries_read_back_as_audit_entries(log, clock):
    write_incident(log, clock)
    entries = log.entries()
    assert [e.seq for e in entries] == list(range(1, 8))
    intent = entries[1]
    assert intent.kind == "intent" and intent.parameters == {"batch_size": 32, "max_batch_size": 64}
    assert intent.timestamp.isoformat() == "2026-11-27T02:03:00+00:00"
    assert entries[-1].text == "INC-1234: paged the model team | waiting"


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_file_is_0600_and_new_dirs_0700_whatever_the_umask(tmp_path, umask):
    path = tmp_path / "state" / "memtui" / "audit" / "c__n.jsonl"
    old = os.umask(umask)
    try:
        log = AuditLog(path, context="c", namespace="n")
        log.note("opened")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for directory in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert log.warnings == ()


def test_existing_dirs_keep_their_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    AuditLog(shared / "c__n.jsonl", context="c", namespace="n")
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o755


def test_a_world_readable_log_is_tightened_never_truncated_and_a_warning_given(tmp_path, clock):
    path = tmp_path / "c__n.jsonl"
    first = AuditLog(path, context="c", namespace="n", clock=clock)
    first.note("before")
    os.chmod(path, 0o644)
    size = path.stat().st_size

    second = AuditLog(path, context="c", namespace="n", clock=clock)

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.stat().st_size == size
    assert len(second.warnings) == 1 and "0644" in second.warnings[0] and str(path) in second.warnings[0]
    second.note("after")
    assert [e.text for e in second.entries()] == ["before", "after"]
    assert verify_log(path).ok


def test_a_second_log_object_continues_the_same_chain(log_path, clock):
    AuditLog(log_path, context="c", namespace="n", clock=clock).note("one")
    AuditLog(log_path, context="c", namespace="n", clock=clock).note("two")
    entries = AuditLog(log_path, context="c", namespace="n").entries()
    assert [e.seq for e in entries] == [1, 2]
    assert entries[1].prev_hash == entries[0].hash


def test_intent_raises_when_it_cannot_be_made_durable(tmp_path):
    path = tmp_path / "c__n.jsonl"
    log = AuditLog(path, context="c", namespace="n")
    path.unlink()
    path.mkdir()  # the file became something we cannot append to
    with pytest.raises(AuditError, match="cannot"):
        log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "sap-llm"})


def test_a_log_under_a_file_cannot_be_created(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(AuditError, match="cannot create audit log"):
        AuditLog(blocker / "c__n.jsonl", context="c", namespace="n")


def test_misuse_is_refused_before_anything_is_written(log, log_path):
    intent = log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "sap-llm"})
    size = log_path.stat().st_size
    with pytest.raises(AuditError, match="outcome"):
        log.result(intent, outcome="ok")
    with pytest.raises(AuditError, match="duration"):
        log.result(intent, outcome="success", duration_s=-1)
    with pytest.raises(AuditError, match="action"):
        log.intent(action=" ", target={})
    with pytest.raises(AuditError, match="text"):
        log.note("")
    assert log_path.stat().st_size == size
    log.result(intent, outcome="success", duration_s=0.5)
    with pytest.raises(AuditError, match="already recorded"):
        log.result(intent, outcome="failure")


def test_non_ascii_and_line_separators_round_trip_and_verify(log, log_path):
    log.note("working set 11.8 GiB → 7.1 GiB\u2028second line\nthird")
    log.read(action="diagnose.logs-grep", parameters={"pattern": "memory|leak|oom"}, output_summary="ünïcode ✓")
    raw = log_path.read_bytes()
    assert "→".encode() in raw  # ensure_ascii=False: the file is readable UTF-8
    assert raw.count(b"\n") == 2
    assert [e.text for e in log.entries()][0] == "working set 11.8 GiB → 7.1 GiB\u2028second line\nthird"
    assert verify_log(log_path).ok


def test_odd_python_values_are_stored_as_plain_json(log, log_path):
    from datetime import UTC, datetime

    log.intent(
        action="fix.raise-memory-limit",
        target={"kind": "Deployment", "name": "sap-llm", "pods": ("a", "b")},
        parameters={
            "limit": "16Gi", "at": datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "ratio": float("nan"), 3: Path("/x"),
        },
    )
    obj = raw_objects(log_path)[0]
    assert obj["target"]["pods"] == ["a", "b"]
    assert obj["parameters"] == {"limit": "16Gi", "at": "2026-11-27T02:00:00.000Z", "ratio": "nan", "3": "/x"}
    assert verify_log(log_path).ok
