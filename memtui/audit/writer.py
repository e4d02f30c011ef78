"""Durable, locked appends: the only code that writes an audit file.

Each append opens the file with ``O_APPEND``, takes an exclusive ``flock``, reads the chain tip
(last valid entry's ``seq`` and ``hash``) *under the lock*, writes the whole line with one
``os.write`` and ``fsync``s before the lock is released.  Reading the tip under the lock is what
keeps one valid chain when two memtui processes (two operators, or a second terminal) append to
the same file; ``flock`` is per open file description, so it also serialises two ``AuditLog``
objects in one process.  The file is reopened per append: an action is rare next to the cost of
an ``open``, nothing has to be closed on exit, and a log deleted mid-incident is recreated
instead of being written into the void.

A torn last line (see ``reader``) is skipped when looking for the tip, and the new line is
prefixed with ``\\n`` so it starts on a line of its own.  The new entry chains to the last *valid*
entry; ``verify`` still names the torn line, because a fragment in the file is evidence that
something stopped mid-write, and an audit tool should not quietly forget that.

After the line is fsynced, the chain head (see ``head``) is replaced, still under the lock.  When
the head is *ahead* of the file (lines were cut from its end, or it was emptied or deleted), the
new entry chains to the head, not to what is left of the file: the gap then stays in the chain
for ``verify`` to name, instead of being papered over by a valid shorter chain.  A head that
lags the file by one entry is what a crash between the two writes leaves, and is simply updated.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from memtui.audit.canonical import GENESIS_HASH
from memtui.audit.errors import AuditError
from memtui.audit.head import ChainPosition, HeadError, head_path, read_head, write_head

FILE_MODE = 0o600
DIR_MODE = 0o700
_TAIL_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ChainTip:
    """What the next entry chains to."""

    seq: int
    """``seq`` of the last valid entry; 0 for an empty file."""
    hash: str
    """``hash`` of the last valid entry; 64 zeros for an empty file."""
    ends_with_newline: bool
    """False when the file ends in a torn line: the next line must start with ``\\n``."""


def ensure_private_dir(directory: Path) -> None:
    """Create the missing part of ``directory`` with mode 0700; existing ancestors are not touched."""
    missing: list[Path] = []
    probe = directory
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, DIR_MODE)
        except FileExistsError:  # another memtui got there first
            continue
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask


def open_log(path: Path, warnings: list[str]) -> int:
    """Open (creating if needed) for appending, with mode 0600 whatever the umask.

    A file that already exists with wider permissions is tightened, and a line explaining it is
    appended to ``warnings``: an audit log can hold Redis keys, ConfigMap values and pod names
    that others on a shared jump host should not read.
    """
    flags = os.O_RDWR | os.O_APPEND | os.O_CLOEXEC
    created = False
    for _attempt in range(3):
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
            created = True
            break
        except FileExistsError:
            try:
                fd = os.open(path, flags)
                break
            except FileNotFoundError:  # removed between the two opens: create it again
                continue
        except FileNotFoundError:
            ensure_private_dir(path.parent)
    else:  # pragma: no cover - a file appearing and vanishing three times in a row
        raise AuditError(f"cannot open audit log {path}: it keeps disappearing")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AuditError(f"audit log {path} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode != FILE_MODE:
            try:
                os.fchmod(fd, FILE_MODE)
            except PermissionError:
                if mode & 0o077:
                    warnings.append(f"audit log {path} has mode {mode:04o} and could not be tightened to 0600")
            else:
                if not created and mode & 0o077:
                    warnings.append(
                        f"audit log {path} had mode {mode:04o} (readable by others); tightened to 0600"
                    )
        if created:
            _fsync_dir(path.parent)  # the new name itself must survive a power cut
    except BaseException:
        os.close(fd)
        raise
    return fd


def _fsync_dir(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def lock(fd: int, path: Path, timeout: float) -> None:
    """Exclusive ``flock``, giving up after ``timeout`` seconds rather than hanging the executor."""
    # Polling (not a blocking flock) so a process stuck while holding the lock cannot hang us;
    # a short, constant pause rather than a growing back-off, so a writer that appends in quick
    # succession cannot starve the other one.  Waiting is rare: appends take milliseconds.
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise AuditError(
                    f"audit log {path} stayed locked by another process for {timeout:g} s"
                ) from None
            time.sleep(0.001)


def read_tip(fd: int) -> ChainTip:
    """Find the last line that is a complete entry, reading backwards from the end."""
    size = os.fstat(fd).st_size
    if size == 0:
        return ChainTip(0, GENESIS_HASH, True)
    ends_with_newline = os.pread(fd, 1, size - 1) == b"\n"
    position = size
    carry = b""
    while position > 0:
        step = min(_TAIL_CHUNK, position)
        position -= step
        block = os.pread(fd, step, position) + carry
        lines = block.split(b"\n")
        carry = lines[0] if position > 0 else b""
        complete = lines[1:] if position > 0 else lines
        for line in reversed(complete):
            tip = _tip_of(line, ends_with_newline)
            if tip is not None:
                return tip
    return ChainTip(0, GENESIS_HASH, ends_with_newline)


def _tip_of(line: bytes, ends_with_newline: bool) -> ChainTip | None:
    if not line.strip():
        return None
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(obj, dict):
        return None
    seq, digest = obj.get("seq"), obj.get("hash")
    if isinstance(seq, int) and not isinstance(seq, bool) and isinstance(digest, str):
        return ChainTip(seq, digest, ends_with_newline)
    return None


def initialise(path: Path, *, warnings: list[str], lock_timeout: float) -> None:
    """Create the log (0600, never truncated) and, for a new empty log, its head at seq 0.

    An existing log without a head (written by an older memtui) is left alone: its head appears
    with the next append, and until then ``verify`` says that its end cannot be checked.
    """
    try:
        fd = open_log(path, warnings)
    except OSError as exc:
        raise AuditError(f"cannot create audit log {path}: {exc.strerror or exc}") from None
    try:
        lock(fd, path, lock_timeout)
        if os.fstat(fd).st_size == 0 and not head_path(path).exists():  # a damaged head stays as evidence
            write_head(path, ChainPosition(0, GENESIS_HASH))
    except OSError as exc:
        warnings.append(f"chain head of {path} could not be written ({exc.strerror or exc})")
    finally:
        os.close(fd)


def append(
    path: Path, build_line: Callable[[ChainTip], bytes], *, warnings: list[str], lock_timeout: float
) -> ChainPosition:
    """Append the line ``build_line(tip)`` returns, durably, as one step under the file lock.

    ``build_line`` runs under the lock, so the ``seq`` and ``prev_hash`` it puts in the line are
    the file's (or its head's, see the module docstring), not a stale copy.  It must return one
    line ending in ``\\n``.  Returns the new entry's position, which is also the new head.
    """
    try:
        fd = open_log(path, warnings)
    except OSError as exc:
        raise AuditError(f"cannot open audit log {path}: {exc.strerror or exc}") from None
    try:
        lock(fd, path, lock_timeout)
        tip = read_tip(fd)
        head = _read_head_or_warn(path, warnings)
        base = _chain_base(path, tip, head, warnings)
        line = build_line(base)
        data = line if tip.ends_with_newline else b"\n" + line
        _write_all(fd, data, path)
        os.fsync(fd)
        written = _tip_of(line.rstrip(b"\n"), True)
        if written is None:  # pragma: no cover - build_line always writes an entry
            raise AuditError(f"audit log {path}: the appended line is not an entry")
        chain = written.hash if written.seq == 1 else (head.chain if head else None) or _first_entry_hash(fd)
        position = ChainPosition(written.seq, written.hash, chain)
        try:
            write_head(path, position)
        except OSError as exc:  # the entry itself is durable; only the end-of-log check lags
            warnings.append(
                f"chain head of {path} could not be updated ({exc.strerror or exc}): "
                f"lines cut after seq {written.seq} would go unnoticed until the next append"
            )
        return position
    except OSError as exc:
        raise AuditError(f"cannot write audit log {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)  # releases the lock, after the fsyncs


def _read_head_or_warn(path: Path, warnings: list[str]) -> ChainPosition | None:
    try:
        return read_head(path)
    except HeadError as exc:
        warnings.append(f"{exc}; it is rewritten with this append")
        return None


def _chain_base(path: Path, tip: ChainTip, head: ChainPosition | None, warnings: list[str]) -> ChainTip:
    """What the next entry chains to: the file's last entry, unless the head says the file lost its end."""
    if head is None or tip.seq > head.seq or (tip.seq, tip.hash) == (head.seq, head.hash):
        return tip
    warnings.append(
        f"audit log {path} ends at seq {tip.seq} but its head says {head.seq}: its end was cut; "
        f"new entries continue from seq {head.seq} so the gap stays visible to `memtui audit verify`"
    )
    return ChainTip(head.seq, head.hash, tip.ends_with_newline)


def _first_entry_hash(fd: int) -> str | None:
    """Hash of the file's first line when it is entry seq 1: the chain's name, for a log without a head."""
    data = b""
    while b"\n" not in data and len(data) < 16 * _TAIL_CHUNK:
        more = os.pread(fd, _TAIL_CHUNK, len(data))
        if not more:
            break
        data += more
    first = _tip_of(data.split(b"\n", 1)[0], True)
    return first.hash if first is not None and first.seq == 1 else None


def _write_all(fd: int, data: bytes, path: Path) -> None:
    """One ``os.write``; a short write (disk full) is finished under the lock, or reported."""
    written = os.write(fd, data)
    while written < len(data):
        more = os.write(fd, data[written:])
        if more <= 0:
            raise AuditError(f"cannot write audit log {path}: short write")
        written += more
