"""An unexpected exception: a crash report in a file, one line on the terminal, a non-zero exit.

Textual's default prints a Rich traceback with every frame's locals: in memtui those hold pod JSON,
API error bodies and connection objects, 1,500 lines an operator has to scroll past in the middle
of an incident, with bearer tokens and Redis passwords among them, and then the shell said 0.
Here the full traceback (no locals) goes to a file in the user state dir, redacted with the audit
log's rules, and the terminal gets what failed, where, and the file's name.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

from memtui import __version__
from memtui.audit.redact import redact_text
from memtui.localfiles import state_dir

EXIT_CRASH = 70
"""``EX_SOFTWARE`` (sysexits.h): an internal error, distinct from bad input (2) or no cluster (1)."""

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
"""The checkout (or site-packages) folder that holds ``memtui/`` and ``widgets/``."""


def crash_dir() -> Path:
    """``~/.local/state/memtui/crashes`` on Linux (``$XDG_STATE_HOME`` honoured)."""
    return state_dir() / "crashes"


def where(error: BaseException) -> str:
    """``memtui/ui/app.py:312 in _mark``: the innermost frame in memtui's code (else the innermost)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown location"
    ours = [f for f in frames if _in_package(f.filename)]
    frame = (ours or frames)[-1]
    path = Path(frame.filename)
    shown = path.resolve().relative_to(_PACKAGE_ROOT) if _in_package(frame.filename) else Path(path.name)
    return f"{shown}:{frame.lineno} in {frame.name}"


def _in_package(filename: str) -> bool:
    path = Path(filename).resolve()
    return path.is_relative_to(_PACKAGE_ROOT / "memtui") or path.is_relative_to(_PACKAGE_ROOT / "widgets")


def report_text(error: BaseException, *, argv: list[str] | None = None, now: datetime | None = None) -> str:
    """The report: versions, command line and the chained traceback, every line redacted."""
    import rich
    import textual

    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    header = [
        f"memtui {__version__} crashed at {when}",
        f"python {platform.python_version()} · textual {textual.__version__} · rich {_version(rich)} · {platform.platform()}",
        "command: " + " ".join(argv if argv is not None else sys.argv),
        "",
    ]
    body = "".join(traceback.format_exception(error))
    return redact_text("\n".join(header) + body)


def _version(module) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module.__name__)
    except PackageNotFoundError:
        return "?"


def write_report(error: BaseException, *, directory: Path | None = None) -> Path:
    """Write the report (mode 0600: it still shows what the cluster held) and return its path."""
    directory = directory or crash_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"crash-{stamp}-{os.getpid()}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(report_text(error))
    return path


def crash_line(error: BaseException, report: Path | None, problem: str | None = None) -> str:
    """The one line left on the terminal.  The exception's message stays in the file: it may hold
    cluster data or a secret, and it is not needed to know what broke or where to look."""
    head = f"memtui: internal error: {type(error).__name__} in {where(error)}"
    if report is not None:
        return f"{head}; full report in {report}"
    return f"{head}; the crash report could not be written ({problem})"


def record_crash(error: BaseException) -> tuple[Path | None, str]:
    """Write the report if possible; return its path and the line to print."""
    try:
        report = write_report(error)
    except OSError as exc:
        return None, crash_line(error, None, f"{crash_dir()}: {exc.strerror or exc}")
    return report, crash_line(error, report)
