"""The chain head beside the log: cutting the end, emptying or deleting the log is detected.

Real files, damaged the way an operator (or an intruder) would: ``truncate``, ``: > file``, ``rm``,
an editor.  Each is named by ``verify_log`` and by ``memtui audit verify`` with exit status 1.
"""

from __future__ import annotations

import json
import os
import stat

from memtui.audit import AuditLog, verify_log
from memtui.audit.cli import main

from .conftest import write_incident


def head_of(log_path):
    return json.loads((log_path.parent / (log_path.name + ".head")).read_text())


def complete_lines(log_path) -> list[bytes]:
    return log_path.read_bytes().split(b"\n")[:-1]


def verify_cli(capsys, log_path) -> tuple[int, str, str]:
    code = main(["verify", "--file", str(log_path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_head_names_the_last_entry_and_is_private(log, clock, log_path):
    write_incident(log, clock)
    last = json.loads(complete_lines(log_path)[-1])
    first = json.loads(complete_lines(log_path)[0])
    head = head_of(log_path)
    assert head == {"seq": 7, "hash": last["hash"], "chain": first["hash"]}
    mode = stat.S_IMODE(os.stat(log_path.parent / (log_path.name + ".head")).st_mode)
    assert mode == 0o600
    assert sorted(p.name for p in log_path.parent.iterdir()) == [log_path.name, log_path.name + ".head"]


def test_an_intact_log_passes(log, clock, log_path, capsys):
    write_incident(log, clock)
    report = verify_log(log_path)
    assert report.ok and report.warnings == () and report.describe() == "OK: 7 entries, chain intact"
    code, out, err = verify_cli(capsys, log_path)
    assert code == 0 and out.startswith("OK: 7 entries, chain intact") and err == ""


def test_cutting_the_last_lines_is_truncation(log, clock, log_path, capsys):
    write_incident(log, clock)
    lines = complete_lines(log_path)
    last_hash = json.loads(lines[-1])["hash"]
    log_path.write_bytes(b"".join(line + b"\n" for line in lines[:-2]))  # a valid chain of 5

    report = verify_log(log_path)
    assert not report.ok and report.problems == ()
    assert report.end_problem == f"truncated: the log ends at seq 5, its head says 7 (hash {last_hash[:12]}…)"
    code, out, _ = verify_cli(capsys, log_path)
    assert code == 1
    assert out.startswith(f"BROKEN: truncated: the log ends at seq 5, its head says 7 (hash {last_hash[:12]}…)")


def test_emptying_the_log_is_detected(log, clock, log_path, capsys):
    write_incident(log, clock)
    log_path.write_bytes(b"")
    report = verify_log(log_path)
    assert not report.ok and report.entries == 0
    assert report.end_problem.startswith("emptied: the log has no entries, its head says it ends at seq 7")
    code, out, _ = verify_cli(capsys, log_path)
    assert code == 1 and out.startswith("BROKEN: emptied:")


def test_deleting_the_log_is_detected(log, clock, log_path, capsys):
    write_incident(log, clock)
    log_path.unlink()
    code, out, _ = verify_cli(capsys, log_path)
    assert code == 1 and out.startswith("BROKEN: deleted: the log is gone, its head says it ended at seq 7")


def test_editing_a_line_is_still_detected(log, clock, log_path, capsys):
    write_incident(log, clock)
    log_path.write_bytes(log_path.read_bytes().replace(b'"replicas":2', b'"replicas":9'))
    code, out, _ = verify_cli(capsys, log_path)
    assert code == 1 and out.startswith("BROKEN: line 5 (seq 5): hash mismatch: entry was edited")


def test_replacing_the_last_entry_with_a_valid_one_is_detected(log, clock, log_path):
    from memtui.audit.canonical import entry_hash

    write_incident(log, clock)
    lines = complete_lines(log_path)
    obj = json.loads(lines[-1])
    obj["text"] = "nothing to see"
    obj["hash"] = entry_hash(obj)
    lines[-1] = json.dumps(obj, separators=(",", ":")).encode()
    log_path.write_bytes(b"".join(line + b"\n" for line in lines))
    report = verify_log(log_path)
    assert report.problems == () and report.end_problem.startswith("rewritten: the last entry (seq 7)")


def test_a_log_without_a_head_passes_with_a_warning(log, clock, log_path, capsys):
    write_incident(log, clock)
    (log_path.parent / (log_path.name + ".head")).unlink()  # as an older memtui left it
    report = verify_log(log_path)
    assert report.ok and len(report.warnings) == 1 and "lines cut from its end cannot be detected" in report.warnings[0]
    assert report.describe() == "OK: 7 entries, chain intact, end not checked (no chain head)"
    code, out, err = verify_cli(capsys, log_path)
    assert code == 0 and out.startswith("OK: 7 entries, chain intact, end not checked")
    assert err.startswith("memtui audit: warning: no chain head") and "Traceback" not in err


def test_a_damaged_head_is_a_problem(log, clock, log_path, capsys):
    write_incident(log, clock)
    (log_path.parent / (log_path.name + ".head")).write_text("{not json")
    code, out, _ = verify_cli(capsys, log_path)
    assert code == 1 and "chain head" in out and "not JSON" in out


def test_appending_after_a_cut_keeps_the_gap_visible(log, clock, log_path):
    write_incident(log, clock)
    lines = complete_lines(log_path)
    log_path.write_bytes(b"".join(line + b"\n" for line in lines[:-2]))
    log.note("after the cut")  # a later memtui run on the same log
    assert json.loads(complete_lines(log_path)[-1])["seq"] == 8
    report = verify_log(log_path)
    assert not report.ok and report.end_problem is None  # the head follows the new entry ...
    assert [str(p) for p in report.problems] == [  # ... and the chain shows where the cut was
        "line 6 (seq 8): prev_hash does not match entry 5: an entry was removed or reordered"
    ]
    assert any("its end was cut" in w for w in log.warnings)


def test_an_older_log_gets_a_head_with_its_next_entry(log, clock, log_path):
    write_incident(log, clock)
    (log_path.parent / (log_path.name + ".head")).unlink()
    again = AuditLog(log_path, context="memtui-sim", namespace="sap-llm", clock=clock)
    assert not (log_path.parent / (log_path.name + ".head")).exists()  # opening alone changes nothing
    again.note("first entry of the new version")
    first = json.loads(complete_lines(log_path)[0])
    assert head_of(log_path)["seq"] == 8 and head_of(log_path)["chain"] == first["hash"]
    assert verify_log(log_path).ok and verify_log(log_path).warnings == ()


def test_a_new_log_has_a_head_at_zero_and_verifies(log, log_path, capsys):
    assert head_of(log_path) == {"seq": 0, "hash": "0" * 64, "chain": None}
    code, out, err = verify_cli(capsys, log_path)
    assert code == 0 and out.startswith("OK: 0 entries, chain intact") and err == ""
