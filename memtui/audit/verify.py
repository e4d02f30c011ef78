"""Checking the hash chain, and naming the first place it breaks.

Each line must parse, its ``hash`` must match its content, its ``prev_hash`` must be the previous
entry's ``hash`` and its ``seq`` the previous ``seq`` + 1.  After a problem the check carries on
from the broken entry's own ``hash``, so one edited line is reported once rather than poisoning
every line after it, and a second, unrelated problem further down is still found.

The chain shows accidental damage and casual edits; it is not a signature.  Someone with write
access can rewrite the whole file and recompute every hash, and cutting entries off the *end*
leaves a valid shorter chain.  Copy the file (or ship it) somewhere else for that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memtui.audit.canonical import GENESIS_HASH, entry_hash
from memtui.audit.reader import LineProblem, parse_line, read_raw_lines


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    entries: int
    """Lines that are complete entries, whether or not their hashes check out."""
    problems: tuple[LineProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> LineProblem | None:
        return self.problems[0] if self.problems else None

    def describe(self) -> str:
        """``OK: 42 entries, chain intact`` or the first broken entry, for a terminal."""
        if self.ok:
            return f"OK: {self.entries} entries, chain intact"
        text = f"BROKEN: {self.problems[0]}"
        if len(self.problems) > 1:
            text += f" ({len(self.problems) - 1} more problem{'s' if len(self.problems) > 2 else ''} after it)"
        return text


def verify_log(path: Path | str) -> VerifyReport:
    """Check the whole file; raises ``AuditError`` only if it cannot be read at all."""
    path = Path(path)
    problems: list[LineProblem] = []
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
    return VerifyReport(path, count, tuple(problems))
