"""The index a replay opens with (``RecordingReader.index``) is what a full read of the frames
says of each frame, without the snapshot bodies."""

from __future__ import annotations

from memtui.recording.model import IndexRow
from memtui.recording.store import RecordingReader
from memtui.ui.replay_driver import ReplayDriver


def test_index_is_the_full_read_without_the_snapshots(recorded):
    reader = RecordingReader(recorded.path)
    try:
        frames = list(reader.frames())
        index = reader.index()
        assert index == tuple(IndexRow.of(f) for f in frames)
        assert {r.kind for r in index} >= {"expect", "disable", "apply", "audit"}
        assert all(r.payload is None for r in index if r.kind != "audit")
        assert [r.payload for r in index if r.kind == "audit"] == [f.payload for f in frames if f.kind == "audit"]
        assert [r.seq for r in reader.index(after=frames[3].seq)] == [f.seq for f in frames[4:]]
        # the index read leaves the frames' chains where they were: a read after it is the same
        assert list(reader.frames()) == frames
    finally:
        reader.close()


def test_a_driver_opened_on_the_index_is_the_one_opened_on_the_frames(recorded):
    reader = RecordingReader(recorded.path)
    try:
        by_frames = ReplayDriver(reader.meta, reader.frames)
        by_frames.take(reader.frames())
        by_index = ReplayDriver(reader.meta, reader.frames)
        by_index.take(reader.index())
        for name in ("refreshes", "times", "actions", "follows", "problems", "last_seq", "first_at", "last_at"):
            assert getattr(by_index, name) == getattr(by_frames, name), name
        assert by_index.refreshes and by_index.actions
    finally:
        reader.close()
