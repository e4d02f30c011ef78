"""The recording file: SQLite in WAL mode, one row per frame, each write one transaction.

WAL lets a ``memtui replay --follow`` in another process read while the cockpit writes, and a
transaction either is in the file or is not: a SIGKILL at any point leaves every committed frame
readable.  The file is created 0600 before SQLite opens it (its -wal and -shm files take the
database file's mode).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from memtui.recording import codec
from memtui.recording.model import Frame, RecordingMeta

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS frames (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,          -- unix seconds, the cockpit's clock
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    type TEXT,                 -- the snapshot type of an apply frame
    base INTEGER,              -- NULL: body is whole; else the seq of the frame it is a delta against
    body BLOB
);
CREATE INDEX IF NOT EXISTS frames_kind ON frames (kind, seq);
"""


class RecordingError(Exception):
    """A recording that cannot be created, opened or read; the message says which file and why."""


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # durable against a crash of the process, not of the machine
    return db


class RecordingWriter:
    """Appends frames to a new recording.  Not thread-safe: one writer thread owns it."""

    def __init__(self, path: Path | str, meta: RecordingMeta) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            self._db = _connect(self.path)
            self._db.executescript(SCHEMA)
            self._db.execute("INSERT INTO meta (key, value) VALUES ('header', ?)", (codec.encode_meta(meta),))
        except (OSError, sqlite3.Error) as exc:
            raise RecordingError(f"cannot create recording {self.path}: {exc}") from None
        self.seq = 0

    def write(self, frames: Iterable[Frame]) -> int:
        """Write ``frames`` in one transaction (their ``seq`` is assigned here); the last seq written."""
        rows = []
        for frame in frames:
            self.seq += 1
            type_name = frame.snapshot_type
            body = None if frame.payload is None else codec.encode(frame.payload)
            rows.append((self.seq, frame.at.timestamp(), frame.kind, frame.source, type_name, None, body))
        if not rows:
            return self.seq
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("INSERT INTO frames (seq, at, kind, source, type, base, body) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            self.seq -= len(rows)
            raise RecordingError(f"cannot write to recording {self.path}: {exc}") from None
        return self.seq

    def close(self) -> None:
        self._db.close()


class RecordingReader:
    """Reads a recording, also one another process is still writing (``frames(after=...)`` again)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise RecordingError(f"no recording at {self.path}")
        try:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=5.0)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'header'").fetchone()
        except sqlite3.Error as exc:
            raise RecordingError(f"{self.path} is not a memtui recording: {exc}") from None
        if row is None:
            raise RecordingError(f"{self.path} is not a memtui recording: no header")
        try:
            self.meta: RecordingMeta = codec.decode_meta(row[0])
        except codec.CodecError as exc:
            raise RecordingError(f"{self.path}: {exc}") from None

    def last_seq(self) -> int:
        row = self._db.execute("SELECT MAX(seq) FROM frames").fetchone()
        return int(row[0] or 0)

    def frames(self, after: int = 0) -> Iterator[Frame]:
        """Frames with ``seq > after``, in order, decoded."""
        try:
            cursor = self._db.execute(
                "SELECT seq, at, kind, source, type, base, body FROM frames WHERE seq > ? ORDER BY seq", (after,))
            for seq, at, kind, source, type_name, _base, body in cursor:
                payload = None if body is None else codec.decode(body, type_name)
                yield Frame(seq, datetime.fromtimestamp(at, timezone.utc), kind, source, payload)
        except sqlite3.Error as exc:
            raise RecordingError(f"cannot read {self.path}: {exc}") from None
        except codec.CodecError as exc:
            raise RecordingError(f"{self.path}: {exc}") from None

    def close(self) -> None:
        self._db.close()
