"""Where recordings go, which is the latest, and the retention prune at start: old files go,
new ones and any file another memtui is still writing stay."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.paths import (
    latest_recording, list_recordings, new_recording_path, prune, recording_dir, recordings_root,
)
from memtui.recording.store import RecordingWriter

NOW = datetime(2026, 12, 2, 20, 0, 5, tzinfo=timezone.utc)
DAY = 86400.0


def touch(path, age_s: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))


def test_default_paths_are_in_the_state_dir_one_folder_per_context_and_namespace(private_state_home):
    path = new_recording_path("arn:aws:eks:eu-west-1:1:cluster/prod", "sap-llm", NOW, 4242)
    assert path == (private_state_home / "memtui" / "recordings" / "arn%3Aaws%3Aeks%3Aeu-west-1%3A1%3Acluster%2Fprod__sap-llm"
                    / "20261202T200005Z-4242.memtui")
    assert recordings_root() == private_state_home / "memtui" / "recordings"
    assert new_recording_path("memtui-sim", "sap-llm", NOW, 7, demo=True).parent == recordings_root() / "demo"
    touch(path, 0)
    assert new_recording_path("arn:aws:eks:eu-west-1:1:cluster/prod", "sap-llm", NOW, 4242).name == "20261202T200005Z-4242-2.memtui"


def test_list_recordings_is_oldest_first_and_ignores_other_files():
    folder = recording_dir("ctx", "ns")
    for name in ("20261202T200000Z-9.memtui", "20261201T080000Z-12.memtui", "20261202T200000Z-9-2.memtui",
                 "notes.txt", "20261202T200000Z-9.memtui-wal", "x.memtui"):
        touch(folder / name, 0)
    found = list_recordings("ctx", "ns")
    assert [r.path.name for r in found] == ["20261201T080000Z-12.memtui", "20261202T200000Z-9-2.memtui",
                                           "20261202T200000Z-9.memtui"]
    assert found[0].started == datetime(2026, 12, 1, 8, tzinfo=timezone.utc) and found[0].pid == 12
    assert latest_recording("ctx", "ns") == folder / "20261202T200000Z-9.memtui"
    assert latest_recording("ctx", "other") is None
    assert list_recordings("ctx", "ns", demo=True) == []


def test_prune_deletes_old_recordings_with_their_sqlite_files_and_keeps_the_rest(tmp_path):
    now = datetime.now(timezone.utc)
    folder, demo = recording_dir("ctx", "ns"), recording_dir("ctx", "ns", demo=True)
    old = folder / "20261101T000000Z-1.memtui"
    touch(old, 8 * DAY)
    touch(old.with_name(old.name + "-shm"), 8 * DAY)
    old_demo = demo / "20261101T000000Z-2.memtui"
    touch(old_demo, 30 * DAY)
    recent = folder / "20261101T000000Z-3.memtui"  # started long ago, last written six days ago
    touch(recent, 6 * DAY)
    live = folder / "20261101T000000Z-4.memtui"  # the file is old, its WAL was written a minute ago
    touch(live, 9 * DAY)
    touch(live.with_name(live.name + "-wal"), 60)
    stranger = folder / "my-notes.memtui"  # not a name memtui gives: not memtui's to delete
    touch(stranger, 100 * DAY)
    chosen = tmp_path / "chosen" / "20261101T000000Z-5.memtui"  # --record FILE outside the state dir
    touch(chosen, 100 * DAY)

    assert prune(0, now=now) == []  # 0 keeps everything
    removed = prune(7, now=now)
    assert sorted(removed) == sorted([old, old_demo])
    assert not old.exists() and not old.with_name(old.name + "-shm").exists() and not old_demo.exists()
    assert recent.exists() and live.exists() and stranger.exists() and chosen.exists()
    assert prune(5, now=now) == [recent]


def test_a_recording_another_process_is_writing_is_never_pruned(tmp_path):
    """A live writer commits every refresh: its last write is fresh whatever its name says."""
    path = recording_dir("ctx", "ns") / "20250101T000000Z-99.memtui"  # named as if two years old
    writer = RecordingWriter(path, RecordingMeta("ctx", "ns", "https://sim", NOW))
    os.utime(path, (time.time() - 400 * DAY,) * 2)  # and the main file untouched since then
    writer.write([Frame(0, NOW, "fail", "redis", "x")])
    try:
        assert prune(1, now=datetime.now(timezone.utc)) == []
        assert path.exists()
    finally:
        writer.close()
    assert prune(1, now=datetime.now(timezone.utc) + timedelta(days=2)) == [path]
