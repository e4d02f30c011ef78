"""SIGTERM, SIGHUP and SIGINT end memtui the way ``q`` does.

Python's default for SIGTERM and SIGHUP is to die on the spot: no ``finally``, no ``atexit``, so
nothing memtui started is stopped (the demo's Prometheus outlived closed terminals by hours) and
the terminal stays in raw mode on the alternate screen.  Textual (8.x) installs no handler for
them.  Here the first such signal asks the running app to exit, so Textual restores the terminal
and the normal way out runs; memtui then exits 128 + the signal's number, as a shell reports a
program ended by it.  Before the app runs (while the demo starts) the signal raises SystemExit,
which unwinds through the same cleanup.  Repeats while memtui is ending change nothing (a closing
terminal's shell forwards SIGHUP on top of the kernel's own).
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class Termination:
    """Which signal is ending memtui, if any, and the app it asks to exit."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._app: Any = None

    @property
    def exit_code(self) -> int | None:
        return None if self.signum is None else 128 + self.signum

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            return
        self.signum = signum
        if signum == signal.SIGHUP:
            _let_go_of_a_hung_up_terminal()
        try:
            loop = asyncio.get_running_loop()  # the handler runs on the main thread, the app's
        except RuntimeError:
            loop = None
        if self._app is None or loop is None:
            raise SystemExit(128 + signum)
        loop.call_soon_threadsafe(self._app.exit, None, 128 + signum)

    @contextmanager
    def running(self, app: Any) -> Iterator[None]:
        """While the app runs, a signal asks it to exit (``App.exit`` with the exit code)."""
        self._app = app
        try:
            yield
        finally:
            self._app = None


def _let_go_of_a_hung_up_terminal() -> None:
    """After a hangup every read and write on the terminal fails (EIO).  The kernel follows
    SIGHUP with SIGCONT, on which Textual would re-enter application mode, and the app's
    shutdown writes to the terminal: both hang on the dead device.  So the terminal's file
    descriptors go to /dev/null and SIGCONT to its default.  A SIGHUP sent by hand while the
    terminal is alive changes neither, and the terminal is restored as on ``q``."""
    dead = [fd for fd in (0, 1, 2) if not os.isatty(fd) and _was_a_terminal(fd)]
    if not dead:
        return
    signal.signal(signal.SIGCONT, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in dead:
        os.dup2(null, fd)
    os.close(null)


def _was_a_terminal(fd: int) -> bool:
    """A hung-up terminal is no tty any more, but tcgetattr says EIO instead of ENOTTY."""
    try:
        termios.tcgetattr(fd)
    except termios.error as exc:
        return exc.args[0] == errno.EIO
    return False


@contextmanager
def ending_on_signals() -> Iterator[Termination]:
    """Handle SIGTERM, SIGHUP and SIGINT as above; the previous handlers come back afterwards."""
    termination = Termination()
    previous = {signum: signal.signal(signum, termination._on_signal) for signum in SIGNALS}
    try:
        yield termination
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
