"""A cockpit from the command line: the one way an error is printed, and the crash contract.

``memtui`` (memtui.cli) and ``memtui replay`` (memtui.ui.replay_cli) both end here: a bad input is
one line on stderr and an exit code; a crash inside the app exits non-zero with one line naming
the crash report (the app writes it), never a traceback.  Imports stay lazy: ``memtui --help``
loads no Textual and no client.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memtui.ui.app import MemtuiApp
    from memtui.ui.termination import Termination


def fail(message: str, code: int) -> int:
    """Print ``memtui: error: message``.  Messages quote text from outside (a credential plugin's
    stderr, API error bodies, names from a kubeconfig or a recording): control characters are
    shown, not obeyed."""
    from memtui.widgets.outside_text import visible

    print(f"memtui: error: {visible(message)}", file=sys.stderr)
    return code


def run_app(make_app: Callable[[], MemtuiApp], termination: Termination) -> int:
    """Run a cockpit (live or replay); a crash inside it exits non-zero with one line."""
    from memtui.ui.crash import EXIT_CRASH, record_crash

    try:
        app = make_app()
        with termination.running(app):
            app.run()
    except Exception as exc:  # noqa: BLE001 - outside Textual's loop: same contract, one line and a report
        _, line = record_crash(exc)
        print(line, file=sys.stderr)
        return EXIT_CRASH
    if app.recording_line is not None:  # the session went on unrecorded: said, but not an error exit
        from memtui.widgets.outside_text import visible

        print(visible(app.recording_line), file=sys.stderr)
    if app.crash_line is not None:
        print(app.crash_line, file=sys.stderr)  # after Textual restored the terminal
        return EXIT_CRASH
    return app.return_code or 0
