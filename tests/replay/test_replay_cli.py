"""``memtui replay`` on the command line: bad input is one line and exit 2, never a traceback."""

from __future__ import annotations

import sqlite3

import pytest

from memtui.cli import main


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_missing_file(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "nope.memtui")]) == 2
    assert _one_line(capsys) == f"memtui: error: no recording at {tmp_path / 'nope.memtui'}"


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 20, b"SQLite format 3\x00garbage"])
def test_a_file_that_is_no_recording(tmp_path, capsys, content):
    path = tmp_path / "x.memtui"
    path.write_bytes(content)
    assert main(["replay", str(path)]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"memtui: error: {path} is not a memtui recording")


def test_a_database_of_something_else(tmp_path, capsys):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT, value BLOB)")
    assert main(["replay", str(path)]) == 2
    assert "is not a memtui recording: no header" in _one_line(capsys)


def test_a_directory(tmp_path, capsys):
    assert main(["replay", str(tmp_path)]) == 2
    assert _one_line(capsys).startswith("memtui: error: no recording at")


def test_options_outside_the_recording(recorded, capsys):
    assert main(["replay", str(recorded.path), "--speed", "3"]) == 2
    assert "--speed '3': use one of 1, 2, 5, 10, 30, 60" in _one_line(capsys)
    assert main(["replay", str(recorded.path), "--at", "not-a-time"]) == 2
    assert "--at 'not-a-time'" in _one_line(capsys)
    late = recorded.refreshes[-1][1].replace(hour=(recorded.refreshes[-1][1].hour + 2) % 24).strftime("%H:%M:%S")
    assert main(["replay", str(recorded.path), "--at", late]) == 2
    assert "is outside the recording" in _one_line(capsys)


def test_a_recording_with_no_refresh(tmp_path, capsys):
    from datetime import datetime, timezone

    from memtui.recording.model import RecordingMeta
    from memtui.recording.store import RecordingWriter

    path = tmp_path / "empty.memtui"
    RecordingWriter(path, RecordingMeta("ctx", "ns", "https://x", datetime.now(timezone.utc))).close()
    assert main(["replay", str(path)]) == 2
    assert "holds no refresh yet" in _one_line(capsys)


def test_no_file_and_no_recording_to_take(capsys):
    assert main(["replay"]) == 2
    assert "FILE" in _one_line(capsys)  # with no kubeconfig either: no context whose recordings to take


async def test_at_opens_on_the_last_refresh_at_or_before_the_time(recorded, replay_app):
    from memtui.ui.replay_cli import parse_at

    (_, first_at, _), (third, third_at, snapshot) = recorded.refreshes[0], recorded.refreshes[2]
    app = replay_app(recorded)
    last = recorded.refreshes[-1][1]
    from datetime import timedelta

    # a time between two refreshes (they are 20 s apart): the screen is the earlier one's
    when = parse_at((third_at + timedelta(seconds=1)).strftime("%H:%M:%S"), recorded.meta, first_at, last)
    app.start_at(when)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.cursor == third
        assert {r.name: r.working_set for r in app.query_one("#pods").rows} == {
            n: u.working_set_bytes for n, u in snapshot.usage.items()}
    assert parse_at(third_at.isoformat(), recorded.meta, first_at, last) == third_at


def test_memtui_replay_in_a_terminal_opens_and_quits(recorded, tmp_path):
    """The real command line in a pty: the replay cockpit draws, q quits with 0, nothing leaks."""
    import re

    from tests.cli.test_cli_tty import run_in_tty

    code, raw = run_in_tty(["replay", str(recorded.path)], home=tmp_path, until=b"refresh 1/6")
    shown = re.sub(rb"\x1b\[[0-9;?]*[ -/]*[@-~]", b"", raw).decode("utf-8", "replace")
    assert code == 0, shown[-2000:]
    assert "Traceback" not in shown and "replay" in shown


def test_no_file_takes_the_latest_recording_of_the_current_context(recorded, sim):
    """The recording the cockpit would have written for this kubeconfig's context and namespace,
    the latest of them; --demo: the latest demo drill's."""
    import shutil

    from memtui.audit.current import current_scope
    from memtui.config.settings import Settings
    from memtui.recording.paths import recording_dir
    from memtui.ui.replay_cli import ReplayUsageError, latest_recording

    settings = Settings(kubeconfig=str(sim.kubeconfig_path), namespace="sap-llm")
    scope, _ = current_scope(kubeconfig=settings.kubeconfig, context=None, namespace="sap-llm")
    assert scope is not None
    with pytest.raises(ReplayUsageError, match=f"no recording of {scope.context}/sap-llm in"):
        latest_recording(settings)
    folder = recording_dir(scope.context, "sap-llm")
    folder.mkdir(parents=True)
    older, newer = folder / "20261202T190000Z-11.memtui", folder / "20261202T200000Z-12.memtui"
    for path in (older, newer):
        shutil.copy(recorded.path, path)
    assert latest_recording(settings) == newer
    with pytest.raises(ReplayUsageError, match="no demo recording"):
        latest_recording(settings, demo=True)
