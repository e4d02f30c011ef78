"""A bug in memtui never exits 0 and never dumps objects on the terminal: the terminal is restored,
one line says what failed and where the report is, the report (traceback, secrets redacted) is in
the user state dir, and the exit status is EX_SOFTWARE (70)."""

from __future__ import annotations

import re

from memtui.ui.crash import EXIT_CRASH
from tests.cli.test_cli_tty import run_in_tty

ANSI = re.compile(rb"\x1b(\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def test_a_crash_in_the_running_cockpit_prints_one_line_and_exits_non_zero(sim, tmp_path):
    code, raw = run_in_tty(
        ["--kubeconfig", str(sim.kubeconfig_path), "-n", "sap-llm", "--redis-deployment", ""],
        home=tmp_path, until=b"never sent: the app crashes first", module="tests.cli._crashing_memtui",
    )
    assert code == EXIT_CRASH
    shown = ANSI.sub(b"", raw).decode("utf-8", "replace")
    assert "Traceback" not in shown and "locals" not in shown and "s3cret" not in shown and "tok.en" not in shown
    assert shown.count("memtui: internal error") == 1, shown[-2000:]
    # the line comes last, after Textual restored the terminal, and is the only thing printed then
    match = re.search(r"memtui: internal error: RuntimeError in memtui/ui/app\.py:\d+ in _render_panes; "
                      r"full report in (\S+)\r?\n\Z", shown)
    assert match, shown[-2000:]
    after_restore = raw[raw.rindex(b"\x1b[?1049l"):]  # leaving the alternate screen
    assert ANSI.sub(b"", after_restore).decode().strip() == match.group(0).strip()
    report = tmp_path / ".local" / "state" / "memtui" / "crashes"
    files = list(report.glob("crash-*.txt"))
    assert [str(f) for f in files] == [match.group(1)]
    text = files[0].read_text()
    assert "Traceback (most recent call last)" in text and "_render_gpu_then_break" in text
    assert "RuntimeError: INFO via redis://:***@redis:6379/0 failed" in text
    assert "s3cret-pw" not in text and "tok.en-123" not in text
    assert files[0].stat().st_mode & 0o077 == 0
