"""``memtui --demo`` as the operator runs it, in a real pty: the run is recorded under the state
dir's ``recordings/demo/`` and says so in the header; a recording path that cannot be written
leaves the cockpit running and the exit code 0."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from memtui.demo.local_prometheus import binaries_available
from memtui.recording.fold import apply_frame
from memtui.recording.store import RecordingReader
from memtui.state.cockpit import CockpitState
from tests.cli.terminal import Terminal, memtui_env

pytestmark = [pytest.mark.timeout(300),
              pytest.mark.skipif(not binaries_available(), reason="prometheus missing: scripts/test installs it")]


def run_demo(tmp_path: Path, *options: str, marker: bytes) -> tuple[int | None, bytes]:
    env = memtui_env(tmp_path / "home", TMPDIR=str(tmp_path))
    terminal = Terminal([sys.executable, "-m", "memtui", "--demo", "--seed", "11", *options], env=env)
    with terminal:
        drawn = terminal.read_until(b"OOMKilled", timeout=120) and terminal.read_until(marker, timeout=30)
        assert drawn, terminal.seen[-3000:].decode(errors="replace")
        terminal.send(b"q")
        code = terminal.wait(timeout=60)
    return code, bytes(terminal.seen)


def test_a_demo_run_is_recorded_under_recordings_demo(tmp_path):
    code, _ = run_demo(tmp_path, marker="● rec".encode())
    assert code == 0
    (path,) = (tmp_path / "home" / ".local" / "state" / "memtui" / "recordings" / "demo").glob("*.memtui")
    assert path.stat().st_mode & 0o777 == 0o600
    reader = RecordingReader(path)
    try:
        assert reader.meta.demo_scenario == "leak" and reader.meta.namespace == "sap-llm"
        assert reader.meta.audit_log and "/audit/demo/" in reader.meta.audit_log
        state = CockpitState(threshold_bytes=reader.meta.threshold_bytes)
        for frame in reader.frames():
            apply_frame(state, frame)
    finally:
        reader.close()
    assert any(row.name.startswith("sap-llm-") for row in state.rows)


def test_a_recording_path_that_cannot_be_written_leaves_the_cockpit_running_and_exit_0(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, seen = run_demo(tmp_path, "--record", str(blocker / "x.memtui"), marker=b"rec failed")
    assert code == 0
    assert b"Traceback" not in seen
    after = seen.rsplit(b"\x1b[?1049l", 1)[-1]  # what was printed once the terminal was given back
    assert b"memtui: the session was not fully recorded: cannot create recording" in after
