"""The recording file: frames come back as they were written, typed, from a 0600 file."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from memtui.recording.fold import apply_frame
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingError, RecordingReader, RecordingWriter
from memtui.state.cockpit import CockpitState
from memtui.state.snapshots import ContainerState, KubeSnapshot, PodState, PodUsage, RedisStats

NOW = datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc)


def _kube(n: int = 3, used: int = 5 * 2**30) -> KubeSnapshot:
    container = ContainerState("llm", True, 1, "running", None, "OOMKilled", NOW, NOW, 10 * 2**30, 8 * 2**30)
    pods = tuple(PodState(f"llm-{i}", "sap-llm", f"uid-{i}", "Running", "Running", NOW, "node-1", "llm", (container,))
                 for i in range(n))
    return KubeSnapshot(NOW, pods, {p.name: PodUsage(p.name, used + i) for i, p in enumerate(pods)}, ())


def test_frames_round_trip_typed(tmp_path):
    path = tmp_path / "r.memtui"
    writer = RecordingWriter(path, RecordingMeta("ctx", "sap-llm", "https://sim", NOW))
    kube = _kube()
    redis = RedisStats(NOW, "redis://r:6379/0", 1, 2, 3, 1.1, 4, "noeviction", 0, 0, 0, 0, ())
    last = writer.write([Frame(0, NOW, "expect", "kubernetes"), Frame(0, NOW, "apply", "kubernetes", kube),
                         Frame(0, NOW, "apply", "redis", redis), Frame(0, NOW, "fail", "redis", "timed out"),
                         Frame(0, NOW, "ranking", "", {"causes": [{"id": "leak", "confidence": 0.8}]})])
    writer.close()
    assert last == 5
    reader = RecordingReader(path)
    frames = list(reader.frames())
    assert [f.seq for f in frames] == [1, 2, 3, 4, 5]
    assert frames[1].payload == kube and type(frames[1].payload) is KubeSnapshot
    assert frames[2].payload == redis
    assert frames[3].payload == "timed out"
    assert frames[4].payload == {"causes": [{"id": "leak", "confidence": 0.8}]}
    assert reader.meta.namespace == "sap-llm"
    assert [f.seq for f in reader.frames(after=3)] == [4, 5]
    for name in os.listdir(tmp_path):
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o600, name


def test_folding_frames_gives_the_state_back(tmp_path):
    path = tmp_path / "r.memtui"
    writer = RecordingWriter(path, RecordingMeta("ctx", "sap-llm", "https://sim", NOW))
    writer.write([Frame(0, NOW, "expect", "kubernetes"), Frame(0, NOW, "apply", "kubernetes", _kube())])
    live = CockpitState(threshold_bytes=10 * 10**9, clock=lambda: NOW)
    live.expect("kubernetes")
    live.apply(_kube())
    replayed = CockpitState(threshold_bytes=10 * 10**9, clock=lambda: NOW)
    for frame in RecordingReader(path).frames():
        apply_frame(replayed, frame)
    assert replayed.rows == live.rows


def test_not_a_recording_is_one_clear_error(tmp_path):
    junk = tmp_path / "junk"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(RecordingError, match="not a memtui recording"):
        RecordingReader(junk)
    with pytest.raises(RecordingError, match="no recording at"):
        RecordingReader(tmp_path / "missing")
