"""The team's changes come back out of a recording file, typed, once each, oldest first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from memtui.recording.extract import team_changes
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingReader, RecordingWriter
from memtui.state.cockpit import CockpitState
from memtui.state.snapshots import FieldChange, TeamChange, TeamSnapshot

NOW = datetime(2026, 12, 2, 20, 4, tzinfo=timezone.utc)


def _change(minutes: int, key: str, summary: str = "batch_size 64→32") -> TeamChange:
    return TeamChange(NOW + timedelta(minutes=minutes), "ConfigMap", "llm-config", "config", summary,
                      (FieldChange("data.batch_size", "64", "32"),), "kubectl-patch", "Update", None, None, key)


def test_team_changes_from_a_recording_file(tmp_path):
    path = tmp_path / "r.memtui"
    writer = RecordingWriter(path, RecordingMeta("ctx", "sap-llm", "https://sim", NOW))
    late, early = _change(5, "uid-1/9"), _change(0, "uid-1/7")
    writer.write([
        Frame(0, NOW, "expect", "team"),
        Frame(0, NOW, "apply", "kubernetes", TeamSnapshot(NOW, (late,))),
        Frame(0, NOW, "apply", "kubernetes", TeamSnapshot(NOW, (early, late), error="horizontalpodautoscalers: forbidden")),
        Frame(0, NOW, "fail", "kubernetes", "timed out"),
    ])
    writer.close()
    got = team_changes(RecordingReader(path))
    assert got == (early, late)
    assert got[0].changes[0] == FieldChange("data.batch_size", "64", "32")


def test_the_cockpit_keeps_them_once_and_bounded():
    state = CockpitState(threshold_bytes=10 * 10**9, clock=lambda: NOW)
    state.apply(TeamSnapshot(NOW, (_change(1, "a"), _change(0, "b"))))
    state.apply(TeamSnapshot(NOW, (_change(1, "a"),), error="configmaps: forbidden (RBAC)"))
    assert [c.key for c in state.team_changes] == ["b", "a"]
    assert state.team_error == "configmaps: forbidden (RBAC)"
    state.apply(TeamSnapshot(NOW, tuple(_change(i, f"k{i}") for i in range(2, 400))))
    assert len(state.team_changes) == 200 and state.team_changes[-1].key == "k399"
