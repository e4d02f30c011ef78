"""Where recordings live, which is the latest, and the retention prune at start.

One folder per kube context and namespace in the user state dir
(``~/.local/state/memtui/recordings/<context>__<namespace>/``), one file per run, named by its
UTC start and the recording process's pid (``20261201T223012Z-41873.memtui``): two memtui
processes on the same namespace (the on-call and the incident commander) never share a file, and
the name sorts by start.  Demo runs go under ``recordings/demo/``: the simulator's context and
namespace are the same for every drill, and a drill's recording is not an incident's.

Retention: recordings whose last write is older than the retention are deleted when memtui
starts.  Age is the newest mtime of the file and its ``-wal`` (SQLite writes a live recording's
frames to the WAL and copies them into the file only at checkpoints), never the start time in
the name: a session that started ten days ago and is still recording has a fresh WAL.  A live
writer commits at least every refresh (at most an hour apart; the retention is at least a day),
so a file another memtui is still writing is always younger than the retention and is kept.
(A pid check would not do: the other process may be on another host sharing the home folder, and
pids are reused.)  Only files of this naming under the recordings folder are pruned; a recording
written to a path the user chose (``--record FILE``) is theirs to keep.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from memtui.localfiles import context_part, state_dir

SUFFIX = ".memtui"
DEMO_DIR = "demo"
SIDE_FILES = ("-wal", "-shm", "-journal")
"""SQLite's companions of a database file: deleted with it."""
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)-(?P<pid>\d+)(?:-(?P<n>\d+))?" + re.escape(SUFFIX) + "$")
_STAMP = "%Y%m%dT%H%M%SZ"


def recordings_root() -> Path:
    """``~/.local/state/memtui/recordings`` on Linux (``$XDG_STATE_HOME`` honoured)."""
    return state_dir() / "recordings"


def recording_dir(context: str, namespace: str, *, demo: bool = False) -> Path:
    """The folder of one context and namespace's recordings (``demo/`` for the simulator's)."""
    return recordings_root() / (DEMO_DIR if demo else context_part(context, namespace))


def new_recording_path(context: str, namespace: str, started: datetime, pid: int, *, demo: bool = False) -> Path:
    """A file name not taken yet: ``<UTC start>-<pid>.memtui`` (``-2`` … after it if it is)."""
    folder = recording_dir(context, namespace, demo=demo)
    stem = f"{started.astimezone(timezone.utc).strftime(_STAMP)}-{pid}"
    path = folder / f"{stem}{SUFFIX}"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}{SUFFIX}"
    return path


@dataclass(frozen=True)
class RecordingFile:
    """A recording found on disk, with what its name says."""

    path: Path
    started: datetime
    pid: int


def _listed(folder: Path) -> list[RecordingFile]:
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for path in entries:
        match = _NAME.match(path.name)
        if match and path.is_file():
            started = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=timezone.utc)
            found.append(RecordingFile(path, started, int(match["pid"])))
    return sorted(found, key=lambda r: (r.started, r.path.name))


def list_recordings(context: str, namespace: str, *, demo: bool = False) -> list[RecordingFile]:
    """One context and namespace's recordings (or the demo's), oldest first: the last is the latest."""
    return _listed(recording_dir(context, namespace, demo=demo))


def latest_recording(context: str, namespace: str, *, demo: bool = False) -> Path | None:
    found = list_recordings(context, namespace, demo=demo)
    return found[-1].path if found else None


def last_write(path: Path) -> float | None:
    """The newest mtime of a recording and its SQLite companions (None: it is gone)."""
    times = []
    for candidate in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        try:
            times.append(candidate.stat().st_mtime)
        except OSError:
            continue
    return max(times) if times else None


def prune(retention_days: float, *, now: datetime, root: Path | None = None) -> list[Path]:
    """Delete recordings under ``root`` last written more than ``retention_days`` before ``now``.

    ``retention_days`` 0 keeps everything.  Returns the files deleted.  A file that vanishes or
    cannot be deleted meanwhile (another memtui pruning at the same start) is skipped.
    """
    if retention_days <= 0:
        return []
    base = recordings_root() if root is None else root
    cutoff = (now - timedelta(days=retention_days)).timestamp()
    try:
        folders = [p for p in base.iterdir() if p.is_dir()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed = []
    for folder in folders:
        for recording in _listed(folder):
            written = last_write(recording.path)
            if written is None or written >= cutoff:
                continue
            try:
                recording.path.unlink()
            except OSError:
                continue
            for side in SIDE_FILES:
                with suppress(OSError):
                    recording.path.with_name(recording.path.name + side).unlink(missing_ok=True)
            removed.append(recording.path)
    return removed
