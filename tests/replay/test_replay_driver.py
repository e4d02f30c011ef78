"""The replay driver: any position, reached forward, backward or by a jump, is the same state as
folding the recording from its first frame up to there."""

from __future__ import annotations

import random

import pytest

from memtui.recording.fold import apply_frame
from memtui.recording.store import RecordingReader
from memtui.state.cockpit import CockpitState
from memtui.ui import replay_driver
from memtui.ui.replay_driver import ReplayDriver


def straight_fold(reader: RecordingReader, upto: int, threshold: int) -> CockpitState:
    now = [reader.meta.started_at]
    state = CockpitState(threshold_bytes=threshold, clock=lambda: now[0])
    for frame in reader.frames():
        if frame.seq > upto:
            break
        now[0] = frame.at
        apply_frame(state, frame)
    return state


def view(state: CockpitState):
    return ([(r.name, r.working_set, r.growth_per_minute, r.oom_kills_seen, r.trend) for r in state.rows],
            state.incident, sorted(state.health.items()), [k.pod for k in state.ledger.kills()])


@pytest.mark.parametrize("every, cap", [(1, 64), (2, 64), (10, 64), (1, 3)])
def test_every_position_in_any_order_is_the_straight_fold(recorded, every, cap, monkeypatch):
    monkeypatch.setattr(replay_driver, "MAX_CHECKPOINTS", cap)
    reader = RecordingReader(recorded.path)
    try:
        driver = ReplayDriver(reader.meta, reader.frames, checkpoint_every=every)
        driver.take(reader.frames())
        assert driver.checkpoints <= cap
        positions = driver.positions
        assert positions == sorted({s for s, _, _ in recorded.refreshes} | {s for s, _, _ in recorded.intents})
        order = positions * 2
        random.Random(7).shuffle(order)
        for seq in order:
            assert view(driver.state_at(seq)) == view(straight_fold(reader, seq, driver.threshold_bytes))
        assert view(driver.state_at(driver.end)) == view(straight_fold(reader, driver.end, driver.threshold_bytes))
    finally:
        reader.close()


def test_steps_and_actions(recorded):
    reader = RecordingReader(recorded.path)
    try:
        driver = ReplayDriver(reader.meta, reader.frames)
        driver.take(reader.frames())
        refreshes = [s for s, _, _ in recorded.refreshes]
        assert driver.step(refreshes[0], -1) == refreshes[0]  # nothing before the first
        assert driver.step(refreshes[0], 1) == refreshes[1]
        assert driver.step(driver.end, 1) == driver.end  # nothing after the end
        intent = recorded.intents[0][0]
        assert driver.step(intent, -1) == max(r for r in refreshes if r < intent)
        assert driver.step(intent, 1) == min(r for r in refreshes if r > intent)
        assert [a.seq for a in driver.actions] == [s for s, _, _ in recorded.intents]
        assert driver.next_action(0).number == 1 and driver.previous_action(intent) is None
        assert [e.kind for e in driver.follows_of(driver.actions[0])] == ["result", "effect"]
    finally:
        reader.close()


def test_frames_taken_while_following_fold_as_they_come(recorded):
    """At the live end the front folds each new frame as it is taken (no second read); stepping
    back afterwards still gives the straight fold."""
    reader = RecordingReader(recorded.path)
    try:
        frames = list(reader.frames())
        driver = ReplayDriver(reader.meta, reader.frames, checkpoint_every=2)
        for start in range(0, len(frames), 3):
            driver.take(frames[start:start + 3], fold=True)
            assert driver._front_seq == driver.last_seq  # folded on arrival
            assert view(driver.state_at(driver.end)) == view(straight_fold(reader, driver.end, driver.threshold_bytes))
        for seq in reversed(driver.positions):
            assert view(driver.state_at(seq)) == view(straight_fold(reader, seq, driver.threshold_bytes))
    finally:
        reader.close()
