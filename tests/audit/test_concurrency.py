"""Real processes: two writers on one file, and a memtui killed between intent and result."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from memtui.audit import AuditError, AuditLog, export_timeline, load_entries, verify_log

from . import _workers

PER_WRITER = 60


def test_two_processes_appending_interleaved_keep_one_valid_chain(log_path):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    writers = [
        ctx.Process(target=_workers.append_many, args=(str(log_path), name, PER_WRITER, barrier))
        for name in ("alice", "bob")
    ]
    for proc in writers:
        proc.start()
    for proc in writers:
        proc.join(60)
        assert proc.exitcode == 0

    report = verify_log(log_path)
    assert report.ok, report.describe()
    entries = load_entries(log_path)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    users = [e.user["kube"] for e in entries]
    assert users.count("alice") == users.count("bob") == PER_WRITER + PER_WRITER // 2
    # they really were interleaved, or the test proves nothing about the lock
    switches = sum(1 for a, b in zip(users, users[1:]) if a != b)
    assert switches >= 4


def test_threads_sharing_one_log_object_keep_one_valid_chain(log, log_path):
    def work(n: int) -> None:
        for i in range(25):
            log.read(action="diagnose.top-pods", parameters={"thread": n, "i": i})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert verify_log(log_path).ok
    assert len(load_entries(log_path)) == 100


def test_sigkill_between_intent_and_result_leaves_an_outcome_unknown_action(log_path):
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.audit._workers", str(log_path)],
        stdout=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "intent written"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    entries = load_entries(log_path)
    assert [e.kind for e in entries] == ["intent", "result", "intent"]
    assert verify_log(log_path).ok

    csv_rows = export_timeline(entries, fmt="csv").splitlines()
    restart = next(row for row in csv_rows if "fix.rollout-restart" in row)
    batch = next(row for row in csv_rows if "fix.reduce-batch-size" in row)
    assert "outcome unknown" in restart and "outcome unknown" not in batch
    markdown = export_timeline(entries, fmt="md")
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    restart_line = next(line for line in table if "fix.rollout-restart" in line)
    assert "OUTCOME UNKNOWN" in restart_line
    assert "1 outcome unknown" in markdown

    # memtui comes back and carries on: the chain continues after the killed process's entries
    AuditLog(log_path, context="memtui-sim", namespace="sap-llm").note("restarted memtui")
    assert verify_log(log_path).ok


def test_a_lock_held_too_long_fails_the_intent_instead_of_hanging(log_path):
    log = AuditLog(log_path, context="memtui-sim", namespace="sap-llm", lock_timeout=0.2)
    size = log_path.stat().st_size
    with open(log_path, "ab") as other_memtui:
        fcntl.flock(other_memtui.fileno(), fcntl.LOCK_EX)  # a second process stuck mid-append
        with pytest.raises(AuditError, match=r"stayed locked by another process for 0\.2 s"):
            log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "sap-llm"})
    assert log_path.stat().st_size == size
    log.note("lock released")  # and the log works again afterwards
    assert verify_log(log_path).ok
