"""The chain head: where the log ended, kept *outside* the log so that cutting its end shows.

A hash chain proves that no entry was edited or removed from the middle, but a file whose last
lines were cut (or that was emptied) is still a valid, shorter chain.  So after every append the
writer also records the new last entry's ``seq`` and ``hash`` in ``<log>.head`` (mode 0600),
under the same ``flock``, replaced atomically (temporary file, ``fsync``, ``rename``, ``fsync`` of
the directory: a crash leaves the old head or the new one, never half of one).  ``verify``
compares the log's end with it.

The head also names the chain: ``chain`` is the hash of the log's first entry (seq 1), carried
from head to head.  The ``MemtuiAction`` Events memtui creates carry it too, so a check against
the cluster can tell this log's Events from those of a teammate's log in the same namespace.

What it does not do: someone who can write the log can rewrite the head as well; Events in the
cluster (``memtui audit verify --against-cluster``) are the copy they cannot reach as easily.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from memtui.audit.errors import AuditError

HEAD_SUFFIX = ".head"
FILE_MODE = 0o600


@dataclass(frozen=True)
class ChainPosition:
    """Where an entry sits in its chain: what the head file holds, and what an Event carries."""

    seq: int
    """0 for a log with no entries yet."""
    hash: str
    chain: str | None = None
    """Hash of the log's first entry; None until it has one."""

    def short(self) -> str:
        return f"seq {self.seq} (hash {self.hash[:12]}…)"


class HeadError(AuditError):
    """The head file exists but is not a head: damaged, or written by hand."""


def head_path(log_path: Path | str) -> Path:
    """``prod__sap-llm.jsonl`` → ``prod__sap-llm.jsonl.head``, in the same directory."""
    path = Path(log_path)
    return path.with_name(path.name + HEAD_SUFFIX)


def read_head(log_path: Path | str) -> ChainPosition | None:
    """The recorded end of the log; None when there is no head file (a log from an older memtui)."""
    path = head_path(log_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HeadError(f"cannot read chain head {path}: {exc.strerror or exc}") from None
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HeadError(f"chain head {path} is not JSON: damaged or edited") from None
    seq, digest, chain = (obj.get(k) for k in ("seq", "hash", "chain")) if isinstance(obj, dict) else (None,) * 3
    if (
        not isinstance(seq, int) or isinstance(seq, bool) or seq < 0
        or not isinstance(digest, str) or not isinstance(chain, str | None)
    ):
        raise HeadError(f"chain head {path} has no valid seq and hash: damaged or edited")
    return ChainPosition(seq, digest, chain)


def write_head(log_path: Path | str, position: ChainPosition) -> None:
    """Replace the head atomically; the caller holds the log's lock. Raises ``OSError``."""
    path = head_path(log_path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    body = json.dumps({"seq": position.seq, "hash": position.hash, "chain": position.chain},
                      separators=(",", ":")).encode("utf-8") + b"\n"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # O_CREAT's mode is filtered by the umask
        os.write(fd, body)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
