"""Checking the hash chain, and naming the first place it breaks.

Each line must parse, its ``hash`` must match its content, its ``prev_hash`` must be the previous
entry's ``hash`` and its ``seq`` the previous ``seq`` + 1.  After a problem the check carries on
from the broken entry's own ``hash``, so one edited line is reported once rather than poisoning
every line after it, and a second, unrelated problem further down is still found.

The end of the file is checked against its chain head (``<log>.head``, see ``head``): a log whose
last lines were cut, that was emptied or deleted, is reported even though what is left is a valid
shorter chain.  A log without a head (written before memtui kept one) passes with a warning that
its end could not be checked.

The chain shows accidental damage and casual edits; it is not a signature.  Someone with write
access can rewrite the whole file, recompute every hash and rewrite the head; the ``MemtuiAction``
Events in the cluster carry each action's seq and hash for that (see ``cluster``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from memtui.audit.canonical import GENESIS_HASH, entry_hash
from memtui.audit.head import ChainPosition, HeadError, head_path, read_head
from memtui.audit.reader import LineProblem, parse_line, read_raw_lines


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    entries: int
    """Lines that are complete entries, whether or not their hashes check out."""
    problems: tuple[LineProblem, ...]
    end_problem: str | None = None
    """The file's end disagrees with its head: ``truncated: the log ends at seq 5, its head says 7 …``."""
    warnings: tuple[str, ...] = ()
    """Not a break, but not proof either: no head file, so the end could not be checked."""
    head: ChainPosition | None = None
    last: ChainPosition | None = None
    """The file's last complete entry."""
    hashes: dict[int, str] = field(default_factory=dict, repr=False)
    """seq -> hash of every complete entry (the first one with that seq), for the cluster check."""
    ids: dict[str, ChainPosition] = field(default_factory=dict, repr=False)
    """entry id -> where the file holds it, for the cluster check."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.end_problem is None

    @property
    def chain(self) -> str | None:
        """The chain's name (hash of entry 1): from the head, or from the file when it still starts at 1."""
        if self.head is not None and self.head.chain:
            return self.head.chain
        return self.hashes.get(1)

    @property
    def first_problem(self) -> LineProblem | None:
        return self.problems[0] if self.problems else None

    @property
    def all_problems(self) -> tuple[str, ...]:
        """Every problem as one line each, in file order, the end last."""
        return tuple(str(p) for p in self.problems) + ((self.end_problem,) if self.end_problem else ())

    def describe(self) -> str:
        """``OK: 42 entries, chain intact`` or the first problem, for a terminal."""
        if self.ok:
            text = f"OK: {self.entries} entries, chain intact"
            return text + ", end not checked (no chain head)" if self.warnings else text
        problems = self.all_problems
        text = f"BROKEN: {problems[0]}"
        if len(problems) > 1:
            text += f" ({len(problems) - 1} more problem{'s' if len(problems) > 2 else ''} after it)"
        return text


def verify_log(path: Path | str) -> VerifyReport:
    """Check the whole file and its end; raises ``AuditError`` only if it cannot be read at all."""
    path = Path(path)
    head_problem: str | None = None
    try:
        head = read_head(path)
    except HeadError as exc:
        head, head_problem = None, str(exc)
    if head is not None and head.seq > 0 and not path.exists():
        return VerifyReport(path, 0, (), f"deleted: the log is gone, its head says it ended at {head.short()}", (),
                            head)
    report = _verify_chain(path)
    last = report.last
    warnings: tuple[str, ...] = ()
    if head_problem is not None:
        end_problem: str | None = head_problem
    elif head is None:
        end_problem = None
        warnings = (f"no chain head {head_path(path).name} beside the log, so lines cut from its end cannot be "
                    "detected (a log written before memtui kept one, or the head was deleted)",)
    else:
        end_problem = _end_problem(report, head)
    return VerifyReport(path, report.entries, report.problems, end_problem, warnings, head, last, report.hashes,
                        report.ids)


def _end_problem(report: VerifyReport, head: ChainPosition) -> str | None:
    last = report.last
    if head.seq == 0:
        return None  # nothing recorded yet (or a crash before the first head was written)
    if last is None:
        return f"emptied: the log has no entries, its head says it ends at {head.short()}"
    if last.seq < head.seq:
        return f"truncated: the log ends at seq {last.seq}, its head says {head.seq} (hash {head.hash[:12]}…)"
    if report.hashes.get(head.seq) != head.hash:
        if last.seq == head.seq:
            return f"rewritten: the last entry (seq {last.seq}) is not the one its head names (hash {head.hash[:12]}…)"
        return f"rewritten: the entry its head names, {head.short()}, is not in the log"
    return None


def _verify_chain(path: Path) -> VerifyReport:
    problems: list[LineProblem] = []
    hashes: dict[int, str] = {}
    ids: dict[str, ChainPosition] = {}
    last: ChainPosition | None = None
    count = 0
    prev_hash, prev_seq = GENESIS_HASH, 0
    for raw in read_raw_lines(path):
        parsed = parse_line(raw)
        if isinstance(parsed, LineProblem):
            problems.append(parsed)
            continue
        seq = parsed.get("seq")
        seq = seq if isinstance(seq, int) and not isinstance(seq, bool) else None
        stored = parsed.get("hash")
        missing = [k for k in ("seq", "hash", "prev_hash") if not isinstance(parsed.get(k), int if k == "seq" else str)]
        if missing or not isinstance(stored, str):
            problems.append(LineProblem(raw.number, seq, f"not an audit entry: no {', '.join(missing)}"))
            continue
        count += 1
        if seq is not None:
            hashes.setdefault(seq, stored)
            last = ChainPosition(seq, stored)
            if isinstance(parsed.get("id"), str):
                ids.setdefault(parsed["id"], last)
        if entry_hash(parsed) != stored:
            problems.append(LineProblem(raw.number, seq, "hash mismatch: entry was edited"))
        elif parsed["prev_hash"] != prev_hash:
            if prev_seq == 0:
                message = "prev_hash is not the start of a chain: entries before it were removed"
            else:
                message = f"prev_hash does not match entry {prev_seq}: an entry was removed or reordered"
            problems.append(LineProblem(raw.number, seq, message))
        elif seq != prev_seq + 1:
            problems.append(LineProblem(raw.number, seq, f"seq {seq} does not follow {prev_seq}"))
        prev_hash, prev_seq = stored, seq if seq is not None else prev_seq
    return VerifyReport(path, count, tuple(problems), last=last, hashes=hashes, ids=ids)
