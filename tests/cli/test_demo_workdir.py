"""Whose `memtui-demo-*` folder may the next start remove?  Only one whose owner no longer holds
its lock: a live owner keeps it, a dead one (SIGKILL) loses it, and a pid in the lock file proves
nothing (pids are reused)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from memtui.demo.workdir import LOCK_NAME, create_workdir, remove_abandoned

OWNER = """
import sys
from pathlib import Path
from memtui.demo.workdir import create_workdir
print(create_workdir(Path(sys.argv[1])).path, flush=True)
sys.stdin.read()
"""


def _owner(parent: Path) -> tuple[subprocess.Popen, Path]:
    proc = subprocess.Popen([sys.executable, "-c", OWNER, str(parent)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    return proc, Path(proc.stdout.readline().strip())


def test_a_live_owner_keeps_its_folder_and_a_killed_one_loses_it_at_the_next_start(tmp_path):
    proc, folder = _owner(tmp_path)
    try:
        assert remove_abandoned(tmp_path) == []
        assert folder.is_dir()
        assert (folder / LOCK_NAME).read_text() == f"{proc.pid}\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert folder.is_dir()
    mine = create_workdir(tmp_path)
    try:
        assert not folder.exists()
        assert mine.path.is_dir()
    finally:
        mine.remove()
    assert not mine.path.exists()


def test_a_live_pid_in_the_lock_file_does_not_keep_an_unlocked_folder(tmp_path):
    """The owner died and its pid went to another process (here: this one)."""
    folder = tmp_path / "memtui-demo-reused"
    folder.mkdir()
    (folder / LOCK_NAME).write_text(f"{os.getpid()}\n")
    assert remove_abandoned(tmp_path) == [folder]
    assert not folder.exists()


def test_folders_without_a_lock_file_are_left_alone(tmp_path):
    """One being set up right now (the lock appears, already held, by rename), or not memtui's."""
    folder = tmp_path / "memtui-demo-settingup"
    folder.mkdir()
    (folder / f".{LOCK_NAME}.new").write_text("")
    elsewhere = tmp_path / "other-folder"
    elsewhere.mkdir()
    (elsewhere / LOCK_NAME).write_text("")
    assert remove_abandoned(tmp_path) == []
    assert folder.is_dir() and elsewhere.is_dir()
