"""The recording file: SQLite in WAL mode, one row per frame, each write one transaction.

WAL lets a ``memtui replay --follow`` in another process read while the cockpit writes, and a
transaction either is in the file or is not: a SIGKILL at any point leaves every committed frame
readable (``tests/recording/test_crash.py`` kills a writer 50 times to show it).  The file is
created 0600 before SQLite opens it (its -wal and -shm files take the database file's mode).

Rows of a chain (``codec``) point at their keyframe (``chain``) and at the row they patch
(``base``), both earlier rows: a delta never refers to anything a later transaction writes, so a
crash cannot leave a patch without its base.  A damaged row costs the rest of its chain: readers
starting at a later keyframe do not read it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec

from memtui.recording import codec
from memtui.recording.model import FORMAT_VERSION, Frame, IndexRow, RecordingMeta

SCHEMA: tuple[str, ...] = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    """CREATE TABLE frames (
        seq INTEGER PRIMARY KEY,
        at REAL NOT NULL,          -- unix seconds, the cockpit's clock
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        type TEXT,                 -- the snapshot type of an apply frame
        chain INTEGER,             -- the seq of this frame's chain's keyframe; NULL: not in a chain
        base INTEGER,              -- NULL: body is whole; else the seq of the frame it is a delta against
        body BLOB                  -- last, so that scans of the other columns do not read it
    )""",
    "CREATE INDEX frames_kind ON frames (kind, seq)",
    f"PRAGMA user_version = {FORMAT_VERSION}",
)
"""Created with the header in one transaction: a file is a whole recording's start or no recording."""

_COLUMNS = "seq, at, kind, source, type, chain, base, body"
_COLUMNS_V1 = "seq, at, kind, source, type, NULL, base, body"
"""Format 1 (every body whole) had no ``chain`` column."""


class RecordingError(Exception):
    """A recording that cannot be created, opened or read; the message says which file and why."""


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # durable against a crash of the process, not of the machine
    return db


class RecordingWriter:
    """Appends frames to a new recording.  Not thread-safe: one writer thread owns it.

    ``keyframe_seconds``/``keyframe_deltas`` bound each chain (``codec.KEYFRAME_SECONDS``)."""

    def __init__(self, path: Path | str, meta: RecordingMeta, *,
                 keyframe_seconds: float = codec.KEYFRAME_SECONDS, keyframe_deltas: int = codec.KEYFRAME_DELTAS) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            self._db = _connect(self.path)
            self._db.execute("BEGIN")
            for statement in SCHEMA:
                self._db.execute(statement)
            self._db.execute("INSERT INTO meta (key, value) VALUES ('header', ?)", (codec.encode_meta(meta),))
            self._db.execute("COMMIT")
        except (OSError, sqlite3.Error) as exc:
            raise RecordingError(f"cannot create recording {self.path}: {exc}") from None
        self._chains = codec.ChainEncoder(keyframe_seconds, keyframe_deltas)
        self.seq = 0

    def write(self, frames: Iterable[Frame]) -> int:
        """Write ``frames`` in one transaction (their ``seq`` is assigned here); the last seq written."""
        rows: list[tuple[Any, ...]] = []
        try:
            for frame in frames:
                seq = self.seq + len(rows) + 1
                row = self._chains.encode(seq, frame)
                rows.append((seq, frame.at.timestamp(), frame.kind, frame.source, frame.snapshot_type,
                             row.chain, row.base, row.body))
        except (msgspec.EncodeError, TypeError, ValueError, OverflowError) as exc:
            self._chains.reset()
            raise RecordingError(f"cannot record a frame in {self.path}: {exc}") from None
        if not rows:
            return self.seq
        db = self._db
        try:
            db.execute("BEGIN")
            db.executemany(f"INSERT INTO frames ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._chains.reset()  # the rows a later delta would patch are not in the file
            raise RecordingError(f"cannot write to recording {self.path}: {exc}") from None
        self.seq += len(rows)
        return self.seq

    def close(self) -> None:
        self._db.close()


class RecordingReader:
    """Reads a recording, also one another process is still writing (``frames(after=...)`` again).

    One ``frames`` iteration at a time.  Continuing where the last one stopped (``after`` its last
    seq, as ``replay --follow`` does) reuses the chains it has decoded; any other ``after`` first
    rebuilds each chain from its keyframe."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise RecordingError(f"no recording at {self.path}")
        try:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=5.0)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'header'").fetchone()
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise RecordingError(f"{self.path} is not a memtui recording: {exc}") from None
        if row is None:
            raise RecordingError(f"{self.path} is not a memtui recording: no header")
        if version > FORMAT_VERSION:
            raise self._newer(version)
        try:
            self.meta: RecordingMeta = codec.decode_meta(row[0])
        except codec.CodecError as exc:
            raise RecordingError(f"{self.path}: {exc}") from None
        if self.meta.format_version > FORMAT_VERSION:
            raise self._newer(self.meta.format_version)
        self._columns = _COLUMNS if version >= 2 else _COLUMNS_V1
        self._chains = codec.ChainDecoder()
        self._pos = 0
        """The seq the chains are decoded up to."""

    def _newer(self, version: int) -> RecordingError:
        return RecordingError(f"{self.path} was recorded by a newer memtui (recording format {version}; "
                              f"this one reads formats up to {FORMAT_VERSION}): upgrade memtui to read it")

    def last_seq(self) -> int:
        try:
            row = self._db.execute("SELECT MAX(seq) FROM frames").fetchone()
        except sqlite3.Error as exc:
            raise RecordingError(f"cannot read {self.path}: {exc}") from None
        return int(row[0] or 0)

    def frames(self, after: int = 0) -> Iterator[Frame]:
        """Frames with ``seq > after``, in order, decoded (a delta rebuilt on its chain's keyframe)."""
        try:
            if after != self._pos:
                self._rebuild(after)
            cursor = self._db.execute(f"SELECT {self._columns} FROM frames WHERE seq > ? ORDER BY seq", (after,))
            for row in cursor:
                frame = self._frame(row)
                self._pos = frame.seq
                yield frame
        except sqlite3.Error as exc:
            raise RecordingError(f"cannot read {self.path}: {exc}") from None
        except codec.CodecError as exc:
            self._chains.reset()
            self._pos = -1  # the next frames() rebuilds
            raise RecordingError(f"{self.path}: {exc}") from None

    def index(self, after: int = 0) -> tuple[IndexRow, ...]:
        """Every frame with ``seq > after`` as an ``IndexRow``: the columns without the bodies
        (``body`` is the table's last column: the scan skips the big blobs), and the body decoded
        only for ``audit`` frames (stored whole, never in a chain).  What a replay needs to open an
        hour at 1,000 pods without decoding one snapshot; it leaves ``frames``' chains alone."""
        try:
            rows = self._db.execute(
                "SELECT seq, at, kind, source, type, CASE WHEN kind = 'audit' THEN body END "
                "FROM frames WHERE seq > ? ORDER BY seq", (after,)).fetchall()
            return tuple(IndexRow(seq, datetime.fromtimestamp(at, timezone.utc), kind, source, type_name,
                                  codec.decode(body, None) if body is not None else None)
                         for seq, at, kind, source, type_name, body in rows)
        except sqlite3.Error as exc:
            raise RecordingError(f"cannot read {self.path}: {exc}") from None
        except codec.CodecError as exc:
            raise RecordingError(f"{self.path}: {exc}") from None

    def _rebuild(self, after: int) -> None:
        """Decode each chain from its last keyframe up to ``after``, so the next deltas have their bases."""
        self._chains.reset()
        self._pos = after
        if after <= 0:
            return
        keyframes = [r[0] for r in self._db.execute(
            "SELECT MAX(chain) FROM frames WHERE seq <= ? AND chain IS NOT NULL GROUP BY kind, source, type",
            (after,))]
        if not keyframes:
            return
        marks = ", ".join("?" * len(keyframes))
        rows = self._db.execute(
            f"SELECT {self._columns} FROM frames WHERE chain IN ({marks}) AND seq <= ? ORDER BY seq",
            (*keyframes, after))
        for seq, _at, kind, source, type_name, chain, base, body in rows:
            key = codec.chain_key(kind, source, type_name)
            if body is not None and key is not None:
                self._chains.payload(seq, key, chain, base, type_name, body)

    def _frame(self, row: tuple[Any, ...]) -> Frame:
        seq, at, kind, source, type_name, chain, base, body = row
        when = datetime.fromtimestamp(at, timezone.utc)
        if body is None:
            return Frame(seq, when, kind, source, None)
        key = codec.chain_key(kind, source, type_name)
        if chain is None or key is None:
            return Frame(seq, when, kind, source, codec.decode(body, type_name))
        return Frame(seq, when, kind, source, self._chains.payload(seq, key, chain, base, type_name, body))

    def close(self) -> None:
        self._db.close()
