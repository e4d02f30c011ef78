"""FoldQueue: folds in order, one at a time, a long one in slices with the event loop between."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from memtui.ui.folding import FoldQueue


class FakeLoop:
    """The app's ``set_timer`` and a clock each step moves by its own cost."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[tuple[float, Callable[[], None]]] = []

    def clock(self) -> float:
        return self.now

    def later(self, delay: float, callback: Callable[[], None]):
        self.timers.append((delay, callback))
        return _Timer()

    def turn(self) -> None:
        """The event loop's turn: the rest, then the next slice."""
        delay, callback = self.timers.pop(0)
        self.now += delay
        callback()


class _Timer:
    stopped = False

    def stop(self) -> None:
        self.stopped = True


def fold(name: str, steps: int, cost: float, log: list[str], loop: FakeLoop) -> Iterator[None]:
    for i in range(steps):
        loop.now += cost
        log.append(f"{name}{i}")
        if i < steps - 1:
            yield


def test_a_fold_that_ends_within_its_slice_ends_before_put_returns():
    loop, log = FakeLoop(), []
    queue = FoldQueue(loop.later, slice_s=0.025, rest_s=0.008, clock=loop.clock)
    queue.put(fold("a", 3, 0.005, log, loop))
    assert log == ["a0", "a1", "a2"] and not queue.busy and loop.timers == [] and queue.sliced == 0


def test_a_long_fold_gives_the_loop_turns_and_later_folds_wait_behind_it_in_order():
    loop, log = FakeLoop(), []
    queue = FoldQueue(loop.later, slice_s=0.025, rest_s=0.008, clock=loop.clock)
    queue.put(fold("a", 10, 0.010, log, loop))
    assert log == ["a0", "a1", "a2"]  # 30 ms: past the slice after the third step
    assert queue.busy and [delay for delay, _ in loop.timers] == [0.008]
    queue.put(fold("b", 2, 0.001, log, loop))  # a poll that came meanwhile: not folded into a half-done state
    assert log == ["a0", "a1", "a2"]
    while loop.timers:
        loop.turn()
    assert log == [f"a{i}" for i in range(10)] + ["b0", "b1"]
    assert not queue.busy and queue.sliced == 1
    assert queue.longest_slice == pytest.approx(0.030)


def test_a_fold_that_fails_is_dropped_and_the_error_reaches_the_caller():
    loop, log = FakeLoop(), []
    queue = FoldQueue(loop.later, slice_s=0.025, rest_s=0.008, clock=loop.clock)

    def broken() -> Iterator[None]:
        yield
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        queue.put(broken())
    assert not queue.busy
    queue.put(fold("c", 1, 0.001, log, loop))
    assert log == ["c0"]


def test_stop_drops_what_waits():
    loop, log = FakeLoop(), []
    queue = FoldQueue(loop.later, slice_s=0.025, rest_s=0.008, clock=loop.clock)
    queue.put(fold("a", 10, 0.010, log, loop))
    queue.stop()
    assert not queue.busy


def test_a_key_makes_the_next_slice_wait_but_a_fold_waits_at_most_so_long_in_a_row():
    loop, log = FakeLoop(), []
    queue = FoldQueue(loop.later, slice_s=0.025, rest_s=0.008, quiet_s=0.06, quiet_at_most_s=0.3, clock=loop.clock)
    queue.put(fold("a", 100, 0.010, log, loop))
    assert len(log) == 3
    queue.note_input()  # a key, in the loop's turn after the first slice
    loop.turn()  # the rest is over: the key is being answered, the slice waits for the quiet time
    assert len(log) == 3 and loop.timers[0][0] == pytest.approx(0.06 - 0.008)
    loop.turn()
    assert len(log) == 6  # quiet again: slices go on
    # keys every 20 ms: the fold waits 0.3 s, then takes a slice whatever comes
    waited = 0.0
    while len(log) == 6:
        queue.note_input()
        delay, callback = loop.timers.pop(0)
        step = min(delay, 0.02)
        loop.now += step
        waited += step
        if step < delay:
            loop.timers.insert(0, (delay - step, callback))
        else:
            callback()
    assert waited == pytest.approx(0.3 + 0.008, abs=0.03)


def test_a_fold_put_at_once_is_not_held_back_by_a_key():
    loop, log = FakeLoop(), []
    queue = FoldQueue(loop.later, slice_s=0.025, rest_s=0.008, quiet_s=0.06, clock=loop.clock)
    queue.note_input()
    queue.put(fold("a", 2, 0.001, log, loop))  # a small namespace's fold ends in its message handler
    assert log == ["a0", "a1"]
