"""An exception in one of the app's handlers: exit status 70, Textual's traceback with locals not
printed, the report (redacted) in the user state dir, and one line that names it."""

from __future__ import annotations

import re

import pytest

from memtui.ui.crash import EXIT_CRASH
from tests.app.conftest import wait_for
from tests.cli._crashing_memtui import SECRET_MESSAGE


async def test_a_crash_in_a_handler_sets_the_exit_code_and_writes_the_report(sim, make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = make_app()

    def broken_render() -> None:
        if app.state.snapshot is not None:
            raise RuntimeError(SECRET_MESSAGE)

    app._render_redis = broken_render
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: not app.is_running, timeout=15)
    assert app.return_code == EXIT_CRASH
    assert not app._exit_renderables  # Textual's traceback with locals is not printed
    assert app.crash_report is not None and app.crash_report.parent == tmp_path / "state" / "memtui" / "crashes"
    assert re.fullmatch(r"memtui: internal error: RuntimeError in memtui/ui/app\.py:\d+ in _render_panes; "
                        r"full report in " + re.escape(str(app.crash_report)), app.crash_line)
    text = app.crash_report.read_text()
    assert "broken_render" in text and "s3cret-pw" not in text and "tok.en-123" not in text
