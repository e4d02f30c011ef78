"""What an export reads out of a recording, without folding a whole ``CockpitState``.

A postmortem wants a few series from an hour of frames (the team's changes, a pod's working
set), not the cockpit's state at each frame: each function here walks the frames once and keeps
only what it is about.  It takes a ``RecordingReader`` or any iterable of frames (a test's list,
frames already read for another purpose).
"""

from __future__ import annotations

from collections.abc import Iterable

from memtui.recording.model import Frame
from memtui.recording.store import RecordingReader
from memtui.state.snapshots import TeamChange, TeamSnapshot


def _frames(source: RecordingReader | Iterable[Frame]) -> Iterable[Frame]:
    return source.frames() if isinstance(source, RecordingReader) else source


def team_changes(source: RecordingReader | Iterable[Frame]) -> tuple[TeamChange, ...]:
    """The team's changes the session saw, oldest first, each once (by ``key``, as the cockpit
    keeps them: a re-listed watch may deliver one again)."""
    seen: set[str] = set()
    out: list[TeamChange] = []
    for frame in _frames(source):
        if frame.kind != "apply" or not isinstance(frame.payload, TeamSnapshot):
            continue
        for change in frame.payload.changes:
            if change.key and change.key in seen:
                continue
            seen.add(change.key)
            out.append(change)
    return tuple(sorted(out, key=lambda c: c.at))
