"""``memtui replay --follow``: frames another writer commits after the app started show up, and
the cursor stays at the live end unless the operator stepped back."""

from __future__ import annotations

from memtui.config.settings import Settings
from memtui.recording.store import RecordingReader
from memtui.ui.replay import ReplayApp
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.pod_table import PodTable
from memtui.widgets.time_bar import TimeBar
from tests.app.conftest import wait_for
from tests.replay.recordings import SessionRecorder
from tests.replay.test_replay_app import hms, recorded_figures


async def test_follow_shows_frames_committed_after_start(sim, tmp_path):
    recorder = SessionRecorder(sim, tmp_path / "live.memtui", tmp_path / "audit.jsonl")
    recorder.refresh(advance=0)
    reader = RecordingReader(recorder.writer.path)
    app = ReplayApp(Settings(), reader, follow=True, follow_poll=0.05)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            bar = app.query_one(TimeBar)
            assert "● live" in bar.render().plain
            snapshot = recorder.refresh()  # committed by the other writer, after the app started
            seq, at, _ = recorder.recorded.refreshes[-1]
            await wait_for(pilot, lambda: app.driver.last_seq >= seq)
            await pilot.pause()
            assert app.cursor == app.driver.end
            assert f"replay · {hms(at)} UTC" in app.query_one(IncidentHeader).render().plain
            assert {r.name: r.working_set for r in app.query_one(PodTable).rows} == recorded_figures(snapshot)
            assert "refresh 2/2" in bar.render().plain

            await pilot.press("left")  # the operator steps back: following pauses
            await pilot.pause()
            first = recorder.recorded.refreshes[0][0]
            assert app.cursor == first and not app.following
            assert "following paused · End to go live" in bar.render().plain
            recorder.act()
            recorder.refresh()
            last = recorder.writer.seq
            await wait_for(pilot, lambda: app.driver.last_seq == last)
            await pilot.pause()
            assert app.cursor == first  # stays where the operator is
            assert "refresh 1/3" in bar.render().plain and "1" in bar.render().plain

            await pilot.press("end")
            await pilot.pause()
            assert app.following and app.cursor == last
            assert f"replay · {hms(recorder.recorded.refreshes[-1][1])} UTC" in app.query_one(IncidentHeader).render().plain
            assert "● live" in bar.render().plain
    finally:
        reader.close()
        recorder.close()


async def test_follow_a_recording_another_process_writes(sim, tmp_path):
    """The writer is another process (its own SQLite connection, WAL): each refresh it commits
    after the replay started reaches the screen."""
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "other.memtui"
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen([sys.executable, "-m", "tests.replay._writer_process", str(sim.kubeconfig_path), str(path)],
                              cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdin is not None and writer.stdout is not None
    try:
        assert int(writer.stdout.readline()) == 2  # header and expectations committed
        reader = RecordingReader(path)
        app = ReplayApp(Settings(), reader, follow=True, follow_poll=0.05)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            assert "waiting for the first refresh" in app.query_one(TimeBar).render().plain
            for count in (1, 2):
                sim.advance(20)
                writer.stdin.write("refresh\n")
                writer.stdin.flush()
                seq = int(writer.stdout.readline())
                await wait_for(pilot, lambda seq=seq: app.driver.last_seq == seq)
                await pilot.pause()
                assert app.cursor == seq and len(app.driver.refreshes) == count
                assert f"refresh {count}/{count}" in app.query_one(TimeBar).render().plain
                assert len(app.query_one(PodTable).rows) == 8
        reader.close()
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
