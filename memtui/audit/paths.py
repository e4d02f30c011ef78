"""Where audit logs live: one file per kube context and namespace, in the user's state dir.

One file per (context, namespace) keeps each incident's chain short and its export focused, and
makes "which cluster was this?" answerable from the file name alone.  Names are spelled by
``memtui.localfiles.sanitise`` (percent-encoded, reversible), shared with the recordings.

Demo runs are the exception: each ``memtui --demo`` run writes its own log under ``demo/``, named
by its start time and scenario (``demo/20261201T223012Z-leak.jsonl``).  A drill is one exercise
whose timeline should hold that drill alone; the simulator's context and namespace are the same
for every scenario and every run, so a per-context file would mix them.  ``memtui audit export
--demo [SCENARIO]`` finds the latest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from memtui.localfiles import SEPARATOR, sanitise, state_dir

SUFFIX = ".jsonl"


def audit_dir() -> Path:
    """``~/.local/state/memtui/audit`` on Linux (``$XDG_STATE_HOME`` honoured)."""
    return state_dir() / "audit"


def default_audit_path(context: str, namespace: str) -> Path:
    """``<audit dir>/<context>__<namespace>.jsonl``, names sanitised."""
    return audit_dir() / f"{sanitise(context)}{SEPARATOR}{sanitise(namespace)}{SUFFIX}"


@dataclass(frozen=True)
class AuditFile:
    """An audit log found on disk, with the context and namespace its name encodes."""

    path: Path
    context: str
    namespace: str


def list_audit_logs(directory: Path | None = None) -> list[AuditFile]:
    """The audit logs in ``directory`` (default: the audit dir), sorted by name."""
    from urllib.parse import unquote

    root = audit_dir() if directory is None else directory
    try:
        candidates = sorted(p for p in root.iterdir() if p.name.endswith(SUFFIX) and p.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for path in candidates:
        stem = path.name[: -len(SUFFIX)]
        # namespaces are DNS labels (no "_"), so the last separator is the split even when a
        # GKE context is full of underscores
        context, sep, namespace = stem.rpartition(SEPARATOR)
        if sep:
            found.append(AuditFile(path, unquote(context), unquote(namespace)))
    return found


DEMO_DIR = "demo"
_DEMO_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)-(?P<scenario>[a-z0-9-]+?)(?:-(?P<n>\d+))?" + re.escape(SUFFIX) + "$")


def demo_audit_dir() -> Path:
    return audit_dir() / DEMO_DIR


def demo_audit_path(scenario: str, started: datetime) -> Path:
    """A log of its own for a demo run: ``demo/<UTC start>-<scenario>.jsonl`` (``-2`` … if taken)."""
    stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = sanitise(scenario)
    for number in range(1, 1000):
        stem = f"{stamp}-{name}" + (f"-{number}" if number > 1 else "")
        path = demo_audit_dir() / f"{stem}{SUFFIX}"
        if not path.exists() and not path.with_name(path.name + ".head").exists():
            return path
    return path  # a thousand demos started in one second share the last file: the lock keeps it sound


@dataclass(frozen=True)
class DemoLog:
    path: Path
    started: str
    """UTC start as written in the name: ``20261201T223012Z``."""
    scenario: str
    number: int


def list_demo_logs(scenario: str | None = None) -> list[DemoLog]:
    """Demo runs' logs, oldest first (of ``scenario`` only, when given)."""
    try:
        names = [p for p in demo_audit_dir().iterdir() if p.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for path in names:
        match = _DEMO_NAME.match(path.name)
        if match and (scenario is None or match["scenario"] == scenario):
            found.append(DemoLog(path, match["stamp"], match["scenario"], int(match["n"] or 1)))
    return sorted(found, key=lambda d: (d.started, d.number, d.scenario))
