"""A frame back into the cockpit's state: what the app did when it recorded it."""

from __future__ import annotations

from memtui.recording.model import Frame
from memtui.state.cockpit import CockpitState


def apply_frame(state: CockpitState, frame: Frame) -> None:
    """Fold one ``expect``/``disable``/``apply``/``fail`` frame; other kinds leave the state alone."""
    if frame.kind == "apply":
        state.apply(frame.payload)
    elif frame.kind == "fail":
        state.fail(frame.source, str(frame.payload))
    elif frame.kind == "expect":
        state.expect(frame.source)
    elif frame.kind == "disable":
        state.disable(frame.source, str(frame.payload))
