"""The real cockpit on the simulator records (the recorder's wiring); ``memtui replay`` over that
file shows, refresh by refresh, what the live screen showed, and lands on the action it applied."""

from __future__ import annotations

from memtui.config.settings import Settings
from memtui.recording.store import RecordingReader
from memtui.ui.replay import ReplayApp
from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.pod_table import PodTable
from memtui.widgets.time_bar import TimeBar
from tests.app.conftest import wait_for
from tests.replay.test_replay_app import figures, header_text, hms


async def test_a_recording_of_the_real_cockpit_replays_what_it_showed(sim, make_app, tmp_path):
    path = tmp_path / "live.memtui"
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"), record_path=str(path), refresh=3600)
    seen = []  # (recorded time, the pods' working sets on screen) after each Kubernetes refresh

    async def refreshed(pilot) -> None:
        now = sim.now()
        def done() -> bool:  # the Kubernetes poll folded at the simulator's time now (the app's clock)
            ok = app.state.health["kubernetes"].last_ok
            return ok is not None and ok >= now and not any(p.in_flight for p in app.pollers.values())

        await wait_for(pilot, done, timeout=15)
        await pilot.pause()
        seen.append((now, figures(app)))

    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None, timeout=15)
        await refreshed(pilot)
        for _ in range(2):
            sim.advance(20)
            app.action_refresh_now()
            await refreshed(pilot)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        sim.advance(20)
        app.action_refresh_now()
        await refreshed(pilot)
    assert len({tuple(sorted(f.items())) for _, f in seen}) > 1  # the figures moved between refreshes

    reader = RecordingReader(path)
    replay = ReplayApp(Settings(), reader)
    try:
        async with replay.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            shown = []
            for _ in range(len(replay.driver.refreshes)):
                shown.append((replay.clock(), figures(replay)))
                await pilot.press("right")
                await pilot.pause()
            replayed = [f for _, f in shown]
            for _, live in seen:  # each refresh the live screen drew is a refresh of the replay, in order
                assert live in replayed
                replayed = replayed[replayed.index(live):]
            await pilot.press("home", "right_square_bracket")
            await pilot.pause()
            bar = replay.query_one(TimeBar).render().plain
            assert "#1" in bar and "Reduce batch size (B)" in bar and "success" in bar
            assert f"replay · {hms(replay.clock())} UTC" in header_text(replay)
            assert replay.query_one(PodTable).rows
    finally:
        reader.close()
