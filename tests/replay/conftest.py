"""Fixtures: a recording of the simulator made for real, and the replay app over it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from memtui.config.settings import Settings
from memtui.recording.store import RecordingReader
from memtui.ui.replay import ReplayApp
from tests.app.conftest import make_app  # noqa: F401 - the real cockpit on the simulator, for its recordings
from tests.replay.recordings import Recorded, record_session


@pytest.fixture
def recorded(sim, tmp_path) -> Recorded:
    """Six refreshes 20 s apart on the frozen simulator, an action after the 2nd and the 4th."""
    return record_session(sim, tmp_path / "session.memtui")


@pytest.fixture
def replay_app() -> Callable[..., ReplayApp]:
    readers: list[RecordingReader] = []

    def make(recorded: Recorded, **kwargs) -> ReplayApp:
        reader = RecordingReader(recorded.path)
        readers.append(reader)
        return ReplayApp(Settings(), reader, **kwargs)

    yield make
    for reader in readers:
        reader.close()
