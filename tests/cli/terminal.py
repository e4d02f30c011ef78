"""memtui in a real pseudo-terminal, as a user's terminal runs it.

The child is the leader of its own session with the pty as its controlling terminal (as under an
xterm, or a tmux pane's shell), so closing the terminal (`hang_up`) is a real hangup: the kernel
sends SIGHUP and reads and writes on the terminal fail from then on.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path


def memtui_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without memtui settings or a kubeconfig, with its own HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMTUI_", "KUBECONFIG"))}
    env.update(
        HOME=str(home),
        TERM="xterm-256color",
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
    )
    env.update(extra)
    return env


def _take_terminal() -> None:
    """In the child, after setsid: the pty on stdin becomes the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """One program in one pty; ``seen`` is everything it wrote."""

    def __init__(
        self, argv: Sequence[str], *, env: dict[str, str], cwd: Path | None = None, size: tuple[int, int] = (160, 48)
    ) -> None:
        self.master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.proc = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, close_fds=True,
            start_new_session=True, preexec_fn=_take_terminal,
        )
        os.close(slave)
        self.seen = b""
        self._open = True

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _pump(self, wait: float) -> bool:
        """Read what is there; False once the terminal has nothing more to give."""
        if not self._open:
            return False
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every process closed its side
            return False
        self.seen += chunk
        return bool(chunk)

    def read_until(self, marker: bytes, timeout: float) -> bool:
        """Read until ``marker`` has been written (True), the program ended or time ran out (False)."""
        deadline = time.monotonic() + timeout
        while marker not in self.seen and time.monotonic() < deadline:
            if not self._pump(0.2) or self.proc.poll() is not None:
                self._pump(0)
                break
        return marker in self.seen

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def wait(self, timeout: float) -> int | None:
        """The exit status (negative: the signal), reading the terminal meanwhile; None if still running."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if not self._pump(0.2):
                time.sleep(0.1)
        return self.proc.poll()

    def hang_up(self) -> None:
        """Close the terminal, as closing the window or `tmux kill-session` does."""
        if self._open:
            os.close(self.master)
            self._open = False

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.hang_up()

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def python_memtui(python: str = sys.executable) -> list[str]:
    return [python, "-m", "memtui"]
