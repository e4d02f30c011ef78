"""Child processes that die with memtui, however memtui ends.

memtui's own exits (``q``, a crash, SIGTERM, SIGHUP) stop its children on the way out; SIGKILL and
anything else that gives no chance to run code would leave them running, re-parented to PID 1.
On Linux the kernel covers that case: the child asks for SIGKILL when its parent dies
(``PR_SET_PDEATHSIG``, set between fork and exec, so it holds for the program it runs).  The child
also gets a process group of its own, so the terminal's signals (SIGHUP when it closes, SIGINT,
SIGTSTP) reach memtui only and memtui decides what its children do; Prometheus, for one, takes
SIGHUP as "reload the configuration" and would outlive the terminal otherwise.

The kernel sends the signal when the *thread* that started the child ends, not the process, so
children are started from the main thread only (which lives as long as memtui).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()
"""Looked up once, here: after fork the child only calls it."""


def _die_with(parent: int) -> Callable[[], None]:
    def in_child() -> None:
        if _PRCTL is not None:
            _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was in place
            os._exit(1)

    return in_child


def _tied(kwargs: dict[str, Any]) -> dict[str, Any]:
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("memtui's children are started from the main thread (PR_SET_PDEATHSIG follows the thread)")
    return {**kwargs, "preexec_fn": _die_with(os.getpid()), "process_group": 0}


def popen(argv: Sequence[str], **kwargs: Any) -> subprocess.Popen:
    """``subprocess.Popen`` for a child that must not outlive memtui."""
    return subprocess.Popen(list(argv), **_tied(kwargs))


def run(argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """``subprocess.run`` for a child that must not outlive memtui."""
    return subprocess.run(list(argv), **_tied(kwargs))


def stop(process: subprocess.Popen, *, grace: float = 10.0) -> None:
    """End a child: SIGTERM, then SIGKILL after ``grace`` seconds, and reap it (no zombie left
    behind by a server that ignores SIGTERM while it flushes its storage)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_ready(process: subprocess.Popen, url: str, *, log: Path, what: str, timeout: float,
               error: type[Exception] = RuntimeError, poll: float = 0.2) -> None:
    """Wait until ``url`` (a Prometheus-style ``/-/ready``) answers 200.  A child that exits first
    raises ``error`` with the tail of its ``log``; one not ready in ``timeout`` is killed, and says so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
            raise error(f"{what} exited: {tail}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(poll)
    process.kill()
    process.wait()
    raise error(f"{what} not ready after {timeout:.0f} s")
