"""The demo's temporary folder, owned by one live memtui, removed by the next start once its owner is gone.

A folder is proved alive by a lock, not by a pid: the owner holds ``flock`` on ``owner.lock``
inside it for as long as it runs, and the kernel drops that lock when the owner ends, SIGKILL
included, so a pid that was reused by another program can never keep a dead demo's folder.
The lock file appears under its final name only once it is locked (it is locked under a
temporary name, then renamed), so a start that sweeps while another demo is being set up never
takes a new folder for a dead one.  The pid written into it is for humans.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "memtui-demo-"
LOCK_NAME = "owner.lock"


@dataclass
class DemoWorkdir:
    path: Path
    _lock_fd: int | None = field(repr=False)

    def remove(self) -> None:
        """Delete the folder, then let go of it (idempotent)."""
        if self._lock_fd is None:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self._lock_fd)
        self._lock_fd = None


def create_workdir(parent: Path | None = None) -> DemoWorkdir:
    """Sweep folders of demos that ended, then make and lock a new one in ``parent`` (the temp dir)."""
    parent = Path(parent or tempfile.gettempdir())
    remove_abandoned(parent)
    path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    pending = path / f".{LOCK_NAME}.new"
    fd = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.rename(pending, path / LOCK_NAME)
    except BaseException:
        os.close(fd)
        shutil.rmtree(path, ignore_errors=True)
        raise
    return DemoWorkdir(path, fd)


def remove_abandoned(parent: Path) -> list[Path]:
    """Remove this user's ``memtui-demo-*`` folders whose owner has ended; returns them.

    Folders without a lock file are left alone: one being set up right now, or not memtui's.
    """
    removed = []
    for candidate in sorted(parent.glob(PREFIX + "*")):
        try:
            if candidate.is_symlink() or not candidate.is_dir() or candidate.stat().st_uid != os.getuid():
                continue
            fd = os.open(candidate / LOCK_NAME, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: its memtui is running
            continue
        else:
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
        finally:
            os.close(fd)
    return removed
