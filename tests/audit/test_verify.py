"""verify_log: an intact chain passes, each kind of tampering is named at its first line."""

from __future__ import annotations

from pathlib import Path

from memtui.audit import verify_log

from .conftest import write_incident


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def test_an_untouched_log_verifies(log, clock, log_path):
    write_incident(log, clock)
    report = verify_log(log_path)
    assert report.ok and report.entries == 7 and report.first_problem is None
    assert report.describe() == "OK: 7 entries, chain intact"


def test_an_empty_log_verifies(log, log_path):
    assert verify_log(log_path).describe() == "OK: 0 entries, chain intact"


def test_editing_one_character_of_the_parameters_is_a_hash_mismatch(log, clock, log_path):
    write_incident(log, clock)
    lines = lines_of(log_path)
    assert b'"batch_size":32' in lines[1]
    lines[1] = lines[1].replace(b'"batch_size":32', b'"batch_size":33')
    write_lines(log_path, lines)

    report = verify_log(log_path)
    assert not report.ok
    assert (report.first_problem.line, report.first_problem.seq) == (2, 2)
    assert report.first_problem.message == "hash mismatch: entry was edited"
    assert len(report.problems) == 1  # the lines after it are not blamed
    assert report.describe() == "BROKEN: line 2 (seq 2): hash mismatch: entry was edited"


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(log, clock, log_path):
    import json

    from memtui.audit.canonical import entry_hash

    write_incident(log, clock)
    lines = lines_of(log_path)
    obj = json.loads(lines[2])
    obj["outcome"] = "failure"
    obj["hash"] = entry_hash(obj)
    lines[2] = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    write_lines(log_path, lines)

    problem = verify_log(log_path).first_problem
    assert (problem.line, problem.seq) == (4, 4)
    assert problem.message == "prev_hash does not match entry 3: an entry was removed or reordered"


def test_deleting_a_line_is_named(log, clock, log_path):
    write_incident(log, clock)
    lines = lines_of(log_path)
    del lines[2]  # the result of the fix: "it never succeeded"
    write_lines(log_path, lines)

    problem = verify_log(log_path).first_problem
    assert (problem.line, problem.seq) == (3, 4)
    assert problem.message == "prev_hash does not match entry 2: an entry was removed or reordered"


def test_deleting_the_first_line_is_named(log, clock, log_path):
    write_incident(log, clock)
    write_lines(log_path, lines_of(log_path)[1:])
    problem = verify_log(log_path).first_problem
    assert (problem.line, problem.seq) == (1, 2)
    assert "entries before it were removed" in problem.message


def test_swapping_two_lines_is_named(log, clock, log_path):
    write_incident(log, clock)
    lines = lines_of(log_path)
    lines[3], lines[4] = lines[4], lines[3]
    write_lines(log_path, lines)

    report = verify_log(log_path)
    assert (report.first_problem.line, report.first_problem.seq) == (4, 5)
    assert "removed or reordered" in report.first_problem.message


def test_truncating_the_last_line_is_named(log, clock, log_path):
    write_incident(log, clock)
    data = log_path.read_bytes()
    log_path.write_bytes(data[:-20])

    report = verify_log(log_path)
    assert not report.ok
    assert report.first_problem.line == 7
    assert report.first_problem.message.startswith("not JSON")
    assert "incomplete" in report.first_problem.message


def test_a_line_that_is_not_json_is_named(log, clock, log_path):
    write_incident(log, clock)
    lines = lines_of(log_path)
    lines.insert(5, b"hello, I was here")
    write_lines(log_path, lines)
    problem = verify_log(log_path).first_problem
    assert (problem.line, problem.seq, problem.message) == (6, None, "not JSON")
