"""A far jump folds in a worker: the keys stay live meanwhile, a newer jump supersedes an older
one, and the state drawn at the end is the straight fold of the recording up to the cursor.

``sync_refreshes=0`` sends every move that folds a refresh to the worker, and a gate holds the
real ``FoldJob.run`` until the test has pressed its keys (the fold itself is not replaced)."""

from __future__ import annotations

import threading

import pytest

from memtui.recording.store import RecordingReader
from memtui.ui import replay_driver
from tests.app.conftest import wait_for
from tests.replay.test_replay_app import SIZE, bar_text
from tests.replay.test_replay_driver import straight_fold, view


@pytest.fixture
def gate(monkeypatch):
    """Fold jobs wait for ``gate.set()`` before folding; ``gate.started`` counts the jobs begun."""
    event = threading.Event()
    event.started = []
    real = replay_driver.FoldJob.run

    def held(job, *args, **kwargs):
        event.started.append(job.target)
        event.wait(10)
        return real(job, *args, **kwargs)

    monkeypatch.setattr(replay_driver.FoldJob, "run", held)
    yield event
    event.set()


def straight(recorded, seq, app):
    reader = RecordingReader(recorded.path)
    try:
        return view(straight_fold(reader, seq, app.driver.threshold_bytes))
    finally:
        reader.close()


async def test_end_folds_in_a_worker_while_keys_are_handled(recorded, replay_app, gate):
    app = replay_app(recorded, sync_refreshes=0, checkpoint_every=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = app.cursor
        before = view(app.state)
        await pilot.press("end")
        await wait_for(pilot, lambda: gate.started)
        assert app.cursor == app.driver.end and app.shown == start
        assert "folding… 0%" in bar_text(app)
        assert view(app.state) == before  # the screen keeps its state meanwhile
        await pilot.press("minus")  # keys are handled during the fold: slower stays at 1×, faster is 2×
        await pilot.press("plus")
        assert app.speed == 2.0 and "2×" in bar_text(app)
        gate.set()
        await wait_for(pilot, lambda: app.fold_progress is None)
        assert app.shown == app.driver.end
        assert view(app.state) == straight(recorded, app.driver.end, app)
        assert "folding" not in bar_text(app)
        # the worker's checkpoints became the driver's: a step back from there needs no new worker
        assert app.driver.checkpoints == 1 + len(recorded.refreshes)
        assert app.driver.cost(app.driver.step(app.cursor, -1)) == 0


async def test_a_newer_jump_supersedes_the_one_in_flight(recorded, replay_app, gate):
    app = replay_app(recorded, sync_refreshes=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("end")
        await wait_for(pilot, lambda: len(gate.started) == 1)
        await pilot.press("left")  # the refresh before the end: another far fold, the newer one
        target = app.driver.step(app.driver.end, -1)
        assert app.cursor == target
        await wait_for(pilot, lambda: len(gate.started) == 2)
        gate.set()
        await wait_for(pilot, lambda: app.fold_progress is None)
        await pilot.pause()
        assert app.shown == target
        assert view(app.state) == straight(recorded, target, app)
        assert view(app.state) != straight(recorded, app.driver.end, app)  # not the superseded end
