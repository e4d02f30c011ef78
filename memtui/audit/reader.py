"""Reading an audit file back, tolerating what a crash can leave behind.

A crash (SIGKILL mid-``write``, power loss before the page cache reached the disk) can leave the
last line incomplete.  Reading never fails because of that: every complete entry is returned and
each line that is not one is reported as a ``LineProblem`` with its line number.  Deciding whether
a problem means tampering is ``verify``'s job, not the reader's.

Lines are split on ``\\n`` bytes only: JSON escapes newlines inside strings, while
``str.splitlines`` would also split on U+2028 and friends, which ``ensure_ascii=False`` leaves raw.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from memtui.audit.entry import AuditEntry
from memtui.audit.errors import AuditError


@dataclass(frozen=True)
class RawLine:
    number: int
    """1-based, as an editor shows it."""
    data: bytes
    terminated: bool
    """False only for a last line with no ``\\n``: a write that did not finish, or an edit."""


@dataclass(frozen=True)
class LineProblem:
    """A line that is not a valid entry, or (from ``verify``) an entry that breaks the chain."""

    line: int
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (seq {self.seq})" if self.seq is not None else "")
        return f"{where}: {self.message}"


TORN_MESSAGE = "not JSON: the last line is incomplete (a torn write: memtui or the machine stopped mid-append)"


def read_raw_lines(path: Path) -> list[RawLine]:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise AuditError(f"audit log {path} does not exist") from None
    except IsADirectoryError:
        raise AuditError(f"audit log {path} is a directory, not a file") from None
    except OSError as exc:
        raise AuditError(f"cannot read audit log {path}: {exc.strerror or exc}") from None
    if not data:
        return []
    pieces = data.split(b"\n")
    terminated_last = pieces[-1] == b""
    if terminated_last:
        pieces.pop()
    return [
        RawLine(number, piece, terminated_last or number < len(pieces))
        for number, piece in enumerate(pieces, start=1)
    ]


def parse_line(raw: RawLine) -> dict[str, Any] | LineProblem:
    """The line's JSON object, or why it is not one."""
    if not raw.terminated:
        try:
            obj = json.loads(raw.data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return LineProblem(raw.number, None, TORN_MESSAGE)
        # the whole object made it, only the newline is missing: the entry is intact
    else:
        if not raw.data.strip():
            return LineProblem(raw.number, None, "empty line")
        try:
            text = raw.data.decode("utf-8")
        except UnicodeDecodeError:
            return LineProblem(raw.number, None, "not UTF-8 text")
        try:
            obj = json.loads(text)
        except ValueError:
            return LineProblem(raw.number, None, "not JSON")
    if not isinstance(obj, dict):
        return LineProblem(raw.number, None, "not an audit entry: not a JSON object")
    return obj


@dataclass(frozen=True)
class LoadedLog(Sequence[AuditEntry]):
    """The entries of a file, in file order, and the lines that were not entries.

    It is a sequence of ``AuditEntry``, so ``export_timeline(load_entries(path))`` and
    ``list(load_entries(path))`` work; ``problems`` says what was skipped and where.
    """

    path: Path
    entries: tuple[AuditEntry, ...]
    problems: tuple[LineProblem, ...]

    @property
    def torn_tail(self) -> LineProblem | None:
        """The incomplete last line, if the file ends with one."""
        last = self.problems[-1] if self.problems else None
        return last if last is not None and last.message == TORN_MESSAGE else None

    def __iter__(self) -> Iterator[AuditEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, index: int) -> AuditEntry: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[AuditEntry, ...]: ...
    def __getitem__(self, index: int | slice) -> AuditEntry | tuple[AuditEntry, ...]:
        return self.entries[index]


def load_entries(path: Path | str) -> LoadedLog:
    """Every complete entry of the file; torn or foreign lines are reported, not fatal.

    Raises ``AuditError`` only when the file itself cannot be read.
    """
    path = Path(path)
    entries: list[AuditEntry] = []
    problems: list[LineProblem] = []
    for raw in read_raw_lines(path):
        parsed = parse_line(raw)
        if isinstance(parsed, LineProblem):
            problems.append(parsed)
            continue
        try:
            entries.append(AuditEntry.from_json(parsed))
        except (TypeError, ValueError) as exc:
            seq = parsed.get("seq") if isinstance(parsed.get("seq"), int) else None
            problems.append(LineProblem(raw.number, seq, str(exc)))
    return LoadedLog(path, tuple(entries), tuple(problems))
