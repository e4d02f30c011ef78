"""The flight recorder in the running cockpit: on by default, the frames fold back into the rows
the operator saw, actions land as audit frames with their ids, and a recording that cannot be
written is a toast and a header mark, never a stopped cockpit."""

from __future__ import annotations

import os
import time
from datetime import datetime

from memtui.audit import load_entries
from memtui.recording.fold import apply_frame
from memtui.recording.model import Frame
from memtui.recording.paths import list_recordings, recording_dir, recordings_root
from memtui.recording.store import RecordingReader
from memtui.state.cockpit import CockpitState
from memtui.state.snapshots import KubeSnapshot
from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.reasons_screen import ReasonsScreen
from tests.app.conftest import wait_for
from tests.app.screen import screen_text


def read(path) -> tuple[object, list[Frame]]:
    reader = RecordingReader(path)
    try:
        return reader.meta, list(reader.frames())
    finally:
        reader.close()


def fold(frames: list[Frame], threshold_bytes: int, started: datetime) -> CockpitState:
    """A fresh state fed the recording, its clock each frame's time (as the app's was at the fold)."""
    now = [started]
    state = CockpitState(threshold_bytes=threshold_bytes, clock=lambda: now[0])
    for frame in frames:
        now[0] = frame.at
        apply_frame(state, frame)
    return state


async def test_each_run_records_by_default_and_the_frames_fold_back_into_the_same_rows(sim, make_app):
    app = make_app()
    old = recording_dir(app.connection.context, "sap-llm") / "20200101T000000Z-1.memtui"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"")
    os.utime(old, (time.time() - 8 * 86400,) * 2)  # a week and a day: pruned at start
    kept = old.with_name("20200102T000000Z-2.memtui")
    kept.write_bytes(b"")
    os.utime(kept, (time.time() - 6 * 86400,) * 2)

    seen: list[KubeSnapshot] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None, timeout=15)
        for _ in range(4):  # a few pods refreshes with the incident moving on between them
            before = app.state.snapshot
            sim.advance(30)
            await wait_for(pilot, lambda before=before: app.state.snapshot is not before, timeout=15)
            seen.append(app.state.snapshot)
        # the test runs on the app's loop: between two awaits nothing is folded, so the rows on
        # screen and the count of frames handed to the recorder belong to the same instant
        rows, health = app.state.rows, app.state.health
        folded = app.recorder.stats().frames_queued
        header = app.query_one(IncidentHeader)
        assert header.recording == "on" and "● rec" in screen_text(app)
        threshold = app.settings.threshold_bytes
        await pilot.press("q")

    found = list_recordings(app.connection.context, "sap-llm")
    assert [r.path for r in found][0] == kept and not old.exists()
    path = found[-1].path
    assert found[-1].pid == os.getpid() and path == app.recorder.path
    assert path.stat().st_mode & 0o777 == 0o600
    meta, frames = read(path)
    assert (meta.context, meta.namespace, meta.pid, meta.refresh_s) == (app.connection.context, "sap-llm", os.getpid(), 0.3)
    assert meta.server == app.connection.server and meta.audit_log == str(app.audit_path)
    assert meta.threshold_bytes == threshold and meta.read_only is False and meta.demo_scenario is None
    kinds = [f.kind for f in frames]
    assert kinds[0] == "expect" and "disable" in kinds and "ranking" in kinds
    applied = [f.payload for f in frames if f.kind == "apply" and isinstance(f.payload, KubeSnapshot)]
    positions = [applied.index(snapshot) for snapshot in seen]  # each pods snapshot the app held, as it was
    assert positions == sorted(positions) and len(set(positions)) == len(seen)

    state = fold(frames[:folded], threshold, meta.started_at)
    assert state.rows == rows and len(rows) > 2
    assert state.health == health


async def test_an_action_lands_as_audit_frames_with_its_intent_and_result_ids(sim, make_app, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("B")  # fix.reduce-batch-size
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        await pilot.press("q")

    entries = list(load_entries(audit))
    intent = next(e for e in entries if e.kind == "intent" and e.action == "fix.reduce-batch-size")
    result = next(e for e in entries if e.kind == "result" and e.refers_to == intent.id)
    _, frames = read(app.recorder.path)
    audited = [f for f in frames if f.kind == "audit"]
    assert [f.payload for f in audited] == [e.to_json() for e in entries]  # every entry, in file order, as written
    ids = [(f.source, f.payload["id"], f.payload.get("refers_to")) for f in audited]
    assert ("intent", intent.id, None) in ids and ("result", result.id, intent.id) in ids
    assert audited[0].payload["hash"] == entries[0].hash  # hashed and redacted as in the file


async def test_no_record_writes_nothing(sim, make_app, private_state_home):
    app = make_app(record=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        assert app.recorder is None and app.query_one(IncidentHeader).recording == ""
        assert "● rec" not in screen_text(app)
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonsScreen))
        await pilot.pause(0.1)
        assert "off (--no-record" in screen_text(app)
    assert not recordings_root().exists()


async def test_record_file_writes_there_0600(sim, make_app, tmp_path):
    chosen = tmp_path / "incident" / "handover.memtui"
    app = make_app(record_path=str(chosen))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonsScreen))
        await pilot.pause(0.1)
        assert "recording to" in screen_text(app) and "handover.memtui" in screen_text(app)
    assert chosen.stat().st_mode & 0o777 == 0o600
    _, frames = read(chosen)
    assert any(f.kind == "apply" and isinstance(f.payload, KubeSnapshot) for f in frames)
    assert not recordings_root().exists()  # nothing in the default place


async def test_a_path_that_cannot_be_written_is_a_toast_and_the_cockpit_goes_on(sim, make_app, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = make_app(record_path=str(blocker / "r.memtui"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.query_one(IncidentHeader).recording == "failed", timeout=15)
        toasts = [str(n.message) for n in app._notifications]
        assert sum("recording stopped" in t for t in toasts) == 1 and str(blocker) in toasts[-1]
        first = app.state.snapshot
        sim.advance(30)
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.state.snapshot is not first, timeout=15)
        assert sum("recording stopped" in str(n.message) for n in app._notifications) == 1  # said once
        assert "rec failed" in screen_text(app)
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonsScreen))
        await pilot.pause(0.1)
        assert "stopped:" in screen_text(app) and "a-file" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_code in (None, 0)


async def test_a_replay_records_nothing_and_its_reasons_screen_says_nothing_of_recording(sim, make_app, tmp_path):
    from memtui.config.settings import Settings
    from memtui.ui.replay import ReplayApp

    chosen = tmp_path / "live.memtui"
    live = make_app(record_path=str(chosen))
    async with live.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: live.state.snapshot is not None)
    replay = ReplayApp(Settings(), RecordingReader(chosen))
    async with replay.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.2)
        assert replay.recorder is None and replay.query_one(IncidentHeader).recording == ""
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(replay.screen, ReasonsScreen))
        await pilot.pause(0.1)
        text = screen_text(replay)
        assert "kubernetes" in text and "recording" not in text.lower()
    assert not recordings_root().exists()


async def test_an_event_message_with_a_credential_is_masked_in_the_recording_as_in_the_audit_log(sim, make_app,
                                                                                            monkeypatch):
    """An Event's message is anybody's text (a failed probe's command line, a webhook URL): on
    screen it is shown as the API gave it, in the file it is masked as the audit log masks.
    The masking runs on the recorder's writer thread: on the main thread it cost a second at
    start (25,000 events at 5,000 pods) before the first pods could be drawn."""
    import threading

    from kubernetes import client as k8s

    from memtui.ui import recording as ui_recording

    masked_on: set[str] = set()
    real_redact = ui_recording.redact_text

    def redact_text(text: str) -> str:
        masked_on.add(threading.current_thread().name)
        return real_redact(text)

    monkeypatch.setattr(ui_recording, "redact_text", redact_text)
    app = make_app()
    k8s.CoreV1Api(app.connection.api_client).create_namespaced_event("sap-llm", {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "probe-failed.1", "namespace": "sap-llm"},
        "involvedObject": {"kind": "Pod", "name": "sap-llm-0", "namespace": "sap-llm"},
        "reason": "Unhealthy", "type": "Warning", "count": 1,
        "message": "Liveness probe failed: curl https://probe:hunter2@llm:8443/health --token s3cr3t-tok",
    })
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None
                       and any(e.reason == "Unhealthy" for e in app.state.snapshot.events), timeout=15)
        shown = next(e for e in app.state.snapshot.events if e.reason == "Unhealthy")
        assert "hunter2" in shown.message  # the cockpit shows what the API says
        sim.advance(30)
        before = app.state.snapshot
        await wait_for(pilot, lambda: app.state.snapshot is not before, timeout=15)
        await pilot.press("q")

    _, frames = read(app.recorder.path)
    recorded_events = [e for f in frames if isinstance(f.payload, KubeSnapshot) for e in f.payload.events
                       if e.reason == "Unhealthy"]
    assert len(recorded_events) >= 2  # in the keyframe and again after the refresh
    for event in recorded_events:
        assert "hunter2" not in event.message and "s3cr3t-tok" not in event.message
        assert event.message.startswith("Liveness probe failed: curl https://probe:***@llm:8443/health")
    assert masked_on == {"memtui-recorder"}
