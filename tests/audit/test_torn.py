"""A torn last line (crash mid-write) is reported, skipped, and the log carries on after it."""

from __future__ import annotations

import json

from memtui.audit import AuditLog, export_timeline, load_entries, verify_log

from .conftest import write_incident


def test_a_torn_tail_is_reported_and_the_next_append_chains_to_the_last_valid_entry(log, clock, log_path):
    write_incident(log, clock)
    last_valid = load_entries(log_path)[-1]
    whole = log_path.read_bytes()
    # the crash: half of an eighth line reached the disk
    log_path.write_bytes(whole + b'{"seq":8,"id":"0123","time":"2026-11-27T02:10:00.000Z","kind":"inte')

    loaded = load_entries(log_path)
    assert len(loaded) == 7
    assert loaded.torn_tail is not None and loaded.torn_tail.line == 8
    assert "incomplete" in str(verify_log(log_path).first_problem)
    assert "fix.reduce-batch-size" in export_timeline(loaded)  # still exportable

    AuditLog(log_path, context="memtui-sim", namespace="sap-llm", clock=clock).note("after the crash")

    raw_lines = log_path.read_bytes().split(b"\n")
    assert raw_lines[7].endswith(b'"kind":"inte')  # the fragment stays, as evidence
    new = json.loads(raw_lines[8])  # ...and the new entry starts on a line of its own
    assert new["seq"] == last_valid.seq + 1
    assert new["prev_hash"] == last_valid.hash
    report = verify_log(log_path)
    assert [(p.line, p.message) for p in report.problems] == [(8, "not JSON")]
    assert load_entries(log_path)[-1].text == "after the crash"


def test_a_last_entry_missing_only_its_newline_is_kept_and_chained(log, clock, log_path):
    write_incident(log, clock)
    log_path.write_bytes(log_path.read_bytes()[:-1])
    assert verify_log(log_path).ok
    assert load_entries(log_path).torn_tail is None

    log.note("next")
    assert verify_log(log_path).ok
    assert [e.seq for e in load_entries(log_path)] == list(range(1, 9))
