"""Replay's cursor over a recording: the cockpit's state at any recorded refresh, and the actions.

A recording is the cockpit's input (``memtui.recording``), so the state the operator had on screen
at a frame is the fold of every frame up to it into a fresh ``CockpitState``, with the state's
clock reading each frame's recorded time while it is folded (the incident clock, "updated" and
source health come out as they were then).  No Textual here: the replay app asks for a position
and draws what it gets.

Opening reads the file's index (``RecordingReader.index``: seqs, times, kinds and the audit
entries, no snapshot decoded) and folds nothing: a position is folded when the cursor first gets
there.  Forward is cheap (fold the frames after the current
position).  Backward means folding again: the *front* state (the furthest folded so far, also where
``--follow`` folds new frames while the cursor is at the live end) leaves a copy of itself every
``checkpoint_every`` Kubernetes refreshes, and a step back copies the nearest checkpoint at or
before the target and folds the few frames after it, read back from the file once per stretch
(frames are not kept in memory: an hour at 1,000 pods is thousands of snapshots).

The ranking is recomputed with ``rank(state, at)`` at the cursor rather than taken from the
recorded ``ranking`` frames: there is no parser from ``CauseRanking.to_record()`` back to the
panel's type, and the fold gives ``rank`` the very state the live app ranked (same snapshots, same
clock), at every refresh rather than only where the ranking changed.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memtui.audit.entry import AuditEntry
from memtui.reasoning.model import CauseRanking
from memtui.reasoning.ranking import rank
from memtui.recording.fold import apply_frame
from memtui.recording.model import STATE_KINDS, Frame, IndexRow, RecordingMeta
from memtui.state.cockpit import CockpitState
from memtui.state.snapshots import KubeSnapshot

CHECKPOINT_EVERY = 10
"""Kubernetes refreshes between two checkpoints: a step back folds at most this many refreshes."""
MAX_CHECKPOINTS = 64
"""Beyond this, every other checkpoint goes and the interval doubles: a long recording's
checkpoints cost at most this many copies of the state (history rings, ledger, rows)."""


@dataclass(frozen=True, slots=True)
class RecordedAction:
    """One runbook action of the recording (its audit intent), numbered as the time bar marks it."""

    number: int
    seq: int
    """The intent frame: jumping to the action puts the cursor here (the state the operator saw)."""
    at: datetime
    intent: AuditEntry


@dataclass(frozen=True, slots=True)
class Follow:
    """An audit entry that refers to an intent (its result or effect), and where it was recorded."""

    seq: int
    entry: AuditEntry


class ReplayDriver:
    """Positions (frame seqs) over one recording and the folded state at each.

    ``frames_after(seq)`` reads the file's frames after ``seq`` in order (``RecordingReader.frames``);
    ``take`` is handed frames in order as they become known (the initial read, then ``--follow``).
    Main thread only: the states it hands out are the cockpit's.
    """

    def __init__(self, meta: RecordingMeta, frames_after: Callable[[int], Iterable[Frame]], *,
                 threshold_bytes: int | None = None, checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.meta = meta
        self.threshold_bytes = threshold_bytes if threshold_bytes is not None else meta.threshold_bytes
        self._frames_after = frames_after
        self._every = max(1, checkpoint_every)
        self._front = self._fresh()
        self._front_seq = 0
        """The furthest state folded so far, and the frame it is folded to: folding is lazy, a
        position is folded when the cursor first gets there (opening reads and indexes only)."""
        self.last_seq = 0
        self.refreshes: list[int] = []
        """Seqs of the Kubernetes refreshes (``apply`` frames of a ``KubeSnapshot``): what ←/→ step through."""
        self.times: dict[int, datetime] = {}
        """Recorded time of every position (refreshes and intents)."""
        self.actions: list[RecordedAction] = []
        self.follows: dict[str, list[Follow]] = {}
        """Intent id → its result and effect entries, in recorded order."""
        self.problems: list[str] = []
        """Audit frames that are no audit entry (one line each; the rest of the recording stands)."""
        self._checkpoints: list[tuple[int, CockpitState]] = [(0, _copy(self._front))]
        self._since_checkpoint = 0
        self._segment: tuple[int, list[Frame]] | None = None
        """The frames after one checkpoint up to the next, decoded once: stepping back again in the
        same stretch folds them from memory instead of reading (and rebuilding deltas) again."""
        self._view: tuple[int, CockpitState] | None = None
        """The last state handed out that is not the head (stepping forward from it folds only the gap)."""
        self._ranked: tuple[tuple[int, int], CauseRanking] | None = None
        self.first_at: datetime | None = None
        self.last_at: datetime | None = None

    def _fresh(self) -> CockpitState:
        return CockpitState(threshold_bytes=self.threshold_bytes, clock=RecordedClock(self.meta.started_at))

    # -- taking frames ----------------------------------------------------------------------------

    def take(self, frames: Iterable[Frame | IndexRow], *, fold: bool = False) -> int:
        """Index frames newer than ``last_seq``; how many were new.  Opening takes the file's
        ``RecordingReader.index()`` (no snapshot decoded); ``--follow`` takes whole frames, and
        with ``fold`` also folds them into the front when it has every frame before them
        (following at the live end: no second read)."""
        count = 0
        for frame in frames:
            if frame.seq <= self.last_seq:
                continue
            count += 1
            self.last_seq = frame.seq
            self.first_at = self.first_at or frame.at
            self.last_at = frame.at
            if frame.kind == "apply" and frame.snapshot_type == KubeSnapshot.__name__:
                self.refreshes.append(frame.seq)
                self.times[frame.seq] = frame.at
            elif frame.kind == "audit":
                self._take_audit(frame)
            if fold and isinstance(frame, Frame) and self._front_seq == frame.seq - 1:
                self._fold_front(frame)
        return count

    def _fold_front(self, frame: Frame) -> None:
        _fold(self._front, frame)
        self._front_seq = frame.seq
        if frame.kind == "apply" and isinstance(frame.payload, KubeSnapshot):
            self._since_checkpoint += 1
            if self._since_checkpoint >= self._every:
                self._checkpoint(frame.seq)

    def _advance(self, upto: int) -> None:
        """Fold the front on to ``upto``, reading the frames after it from the file."""
        for frame in self._read(self._front_seq, upto):
            self._fold_front(frame)
        self._front_seq = max(self._front_seq, min(upto, self.last_seq))

    def _checkpoint(self, seq: int) -> None:
        self._keep_checkpoint(seq, _copy(self._front))
        self._since_checkpoint = 0

    def _keep_checkpoint(self, seq: int, state: CockpitState) -> None:
        self._checkpoints.append((seq, state))
        if len(self._checkpoints) > MAX_CHECKPOINTS:
            self._checkpoints = self._checkpoints[::2]  # keeps the first (the empty state)
            self._every *= 2
            self._segment = None

    def _take_audit(self, frame: Frame | IndexRow) -> None:
        try:
            entry = AuditEntry.from_json(frame.payload if isinstance(frame.payload, dict) else {})
        except (ValueError, TypeError) as exc:
            self.problems.append(f"frame {frame.seq}: {exc}")
            return
        if entry.kind == "intent":
            self.actions.append(RecordedAction(len(self.actions) + 1, frame.seq, frame.at, entry))
            self.times[frame.seq] = frame.at
        elif entry.refers_to:
            self.follows.setdefault(entry.refers_to, []).append(Follow(frame.seq, entry))

    # -- positions --------------------------------------------------------------------------------

    @property
    def positions(self) -> list[int]:
        """Every place the cursor can stand, in order: the refreshes and the actions."""
        return sorted({*self.refreshes, *(a.seq for a in self.actions)})

    @property
    def start(self) -> int:
        """The first position (0 while nothing is recorded)."""
        positions = self.positions
        return positions[0] if positions else 0

    @property
    def end(self) -> int:
        """The last frame: every frame folded (the head), the live end while following."""
        return self.last_seq

    def time_of(self, seq: int) -> datetime | None:
        """The recorded time of a position (the end's is the last frame's)."""
        found = self.times.get(seq)
        if found is None and seq >= self.last_seq:
            return self.last_at
        return found

    def step(self, seq: int, delta: int) -> int:
        """The refresh ``delta`` refreshes after (or before, negative) position ``seq``; ``seq``
        itself when there is none that way."""
        refreshes = self.refreshes
        if delta > 0:
            i = bisect.bisect_right(refreshes, seq) + delta - 1
            return refreshes[min(i, len(refreshes) - 1)] if i < len(refreshes) else seq
        i = bisect.bisect_left(refreshes, seq) + delta
        return refreshes[max(i, 0)] if refreshes and refreshes[0] < seq else seq

    def next_action(self, seq: int) -> RecordedAction | None:
        return next((a for a in self.actions if a.seq > seq), None)

    def previous_action(self, seq: int) -> RecordedAction | None:
        return next((a for a in reversed(self.actions) if a.seq < seq), None)

    def action_at_or_before(self, seq: int) -> RecordedAction | None:
        return next((a for a in reversed(self.actions) if a.seq <= seq), None)

    def follows_of(self, action: RecordedAction) -> list[AuditEntry]:
        """The action's result and effect, in recorded order (the time bar tells the whole story of
        the action; the panes show what was on screen at the cursor)."""
        return [f.entry for f in self.follows.get(action.intent.id, [])]

    def at(self, when: datetime) -> int:
        """The last refresh recorded at or before ``when`` (the first one when ``when`` is earlier)."""
        times = [self.times[s] for s in self.refreshes]
        i = bisect.bisect_right(times, when) - 1
        return self.refreshes[max(i, 0)] if self.refreshes else 0

    def refresh_number(self, seq: int) -> int:
        """1-based index of the last refresh at or before ``seq`` (0 before the first)."""
        return bisect.bisect_right(self.refreshes, seq)

    # -- states -----------------------------------------------------------------------------------

    def state_at(self, seq: int) -> CockpitState:
        """The cockpit's state after folding every frame up to ``seq``."""
        if seq >= self._front_seq:
            self._advance(seq)
            return self._front
        view = self._view
        if view is not None and view[0] == seq:
            return view[1]
        start, checkpoint = self._checkpoint_before(seq)
        if view is not None and start <= view[0] < seq:
            after, state = view  # forward from the last view: only the gap
        else:
            after, state = start, _copy(checkpoint)
        for frame in self._frames(start, after, seq):
            _fold(state, frame)
        self._view = (seq, state)
        return state

    def _checkpoint_before(self, seq: int) -> tuple[int, CockpitState]:
        i = bisect.bisect_right(self._checkpoints, seq, key=lambda c: c[0]) - 1
        return self._checkpoints[max(i, 0)]

    def _frames(self, start: int, after: int, upto: int) -> list[Frame]:
        """Frames ``after < seq <= upto`` of the stretch after checkpoint ``start``, read and decoded
        once per stretch (starting a read inside a delta chain rebuilds the chain from its keyframe)."""
        cached = self._segment
        if cached is None or cached[0] != start or not cached[1] or cached[1][-1].seq < upto:
            following = [c for c, _ in self._checkpoints if c > start]
            end = max(following[0] if following else self._front_seq, upto)
            cached = (start, list(self._read(start, end)))
            self._segment = cached
        return [f for f in cached[1] if after < f.seq <= upto]

    def _read(self, after: int, upto: int) -> Iterator[Frame]:
        for frame in self._frames_after(after):
            if frame.seq > upto:
                return
            yield frame

    def ranking_at(self, seq: int) -> CauseRanking:
        """The cause ranking of the state at ``seq``, at its recorded time (cached for the position)."""
        key = (seq, self.last_seq)  # the head moves on while following
        if self._ranked is not None and self._ranked[0] == key:
            return self._ranked[1]
        state = self.state_at(seq)
        ranking = rank(state, self.time_of(seq) or self.meta.started_at)
        self._ranked = (key, ranking)
        return ranking

    @property
    def checkpoints(self) -> int:
        return len(self._checkpoints)

    # -- folding far ahead, in a worker ------------------------------------------------------------

    def cost(self, seq: int) -> int:
        """How many Kubernetes refreshes ``state_at(seq)`` would fold from what it starts from (the
        front, the last view or the checkpoint before): what the app weighs to fold here or in a worker."""
        if seq >= self._front_seq:
            base = self._front_seq
        else:
            base, _ = self._checkpoint_before(seq)
            view = self._view
            if view is not None and base <= view[0] <= seq:
                base = view[0]
        return bisect.bisect_right(self.refreshes, seq) - bisect.bisect_right(self.refreshes, base)

    def plan(self, seq: int) -> FoldJob:
        """A fold to ``seq`` for a worker, on its own copy: of the front when ``seq`` is ahead of it
        (the job's checkpoints are then the front's next ones), else of the checkpoint before."""
        at = self.time_of(seq) or self.meta.started_at
        if seq >= self._front_seq:
            return FoldJob(seq, self._front_seq, _copy(self._front), True, self._every, self._since_checkpoint, at)
        start, checkpoint = self._checkpoint_before(seq)
        return FoldJob(seq, start, _copy(checkpoint), False, self._every, 0, at)

    def adopt(self, result: FoldResult) -> None:
        """Main thread: take a finished job's state (and checkpoints) as the driver's own.  A job
        planned from a front that has moved since (``--follow`` folded on) is a view only."""
        job = result.job
        if job.front and job.after == self._front_seq:
            self._front, self._front_seq = result.state, job.target
            for seq, state in result.checkpoints:
                self._keep_checkpoint(seq, state)
            self._since_checkpoint = result.since
        else:
            self._view = (job.target, result.state)
        self._ranked = ((job.target, self.last_seq), result.ranking)


class RecordedClock:
    """A state's own clock: the recorded time of the last frame folded into it.  It is copied with
    the state, so a worker folding its copy never moves the clock of the state on screen."""

    __slots__ = ("now",)

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _fold(state: CockpitState, frame: Frame) -> None:
    if frame.kind in STATE_KINDS:
        if isinstance(state.clock, RecordedClock):
            state.clock.now = frame.at
        apply_frame(state, frame)


@dataclass(frozen=True, slots=True)
class FoldResult:
    job: FoldJob
    state: CockpitState
    checkpoints: tuple[tuple[int, CockpitState], ...]
    since: int
    """Refreshes folded since the last checkpoint (the front's count, when the job extends it)."""
    ranking: CauseRanking


@dataclass(frozen=True, slots=True)
class FoldJob:
    """A fold of ``state`` (the job's own copy, folded to ``after``) on to ``target``.  Made on the
    main thread by ``ReplayDriver.plan``, run in one worker thread, which alone touches ``state``
    until ``ReplayDriver.adopt`` takes the result back on the main thread."""

    target: int
    after: int
    state: CockpitState
    front: bool
    every: int
    since: int
    at: datetime

    def run(self, frames_after: Callable[[int], Iterable[Frame]], *, progress: Callable[[float], None],
            cancelled: Callable[[], bool]) -> FoldResult | None:
        """Fold the frames ``frames_after(after)`` gives up to ``target`` (a reader of the worker's
        own: a reader's chains are one thread's); None when ``cancelled`` (a newer jump) says so."""
        checkpoints: list[tuple[int, CockpitState]] = []
        since = self.since
        span = max(1, self.target - self.after)
        for frame in frames_after(self.after):
            if frame.seq > self.target:
                break
            if cancelled():
                return None
            _fold(self.state, frame)
            if self.front and frame.kind == "apply" and isinstance(frame.payload, KubeSnapshot):
                since += 1
                if since >= self.every:
                    checkpoints.append((frame.seq, _copy(self.state)))
                    since = 0
            progress((frame.seq - self.after) / span)
        if cancelled():
            return None
        return FoldResult(self, self.state, tuple(checkpoints), since, rank(self.state, self.at))


def _copy(state: CockpitState) -> CockpitState:
    """A deep copy of ``state`` that shares its snapshots: they are frozen values the state only
    replaces, never changes (a 1,000-pod ``KubeSnapshot`` was most of what ``deepcopy`` walked)."""
    memo: dict[int, Any] = {}
    for name in CockpitState.__slots__:
        value = getattr(state, name, None)
        if type(value) in CockpitState._APPLY:
            memo[id(value)] = value
    return copy.deepcopy(state, memo)
