"""The incident as the on-call engineer lives it: since when, how bad, who to call.

The clock starts when the first pod crossed the alert threshold.  memtui may start long after
that, so OOM kills seen in the pod list and events (a container killed at its limit was over
the threshold before) can move the start earlier; the basis is always shown with the time so
nobody escalates on a guess.  Escalation levels are the runbook's: L1 on-call 0–15 min, L2
application engineer 15–30 min, L3 architecture team 30+ min.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from memtui.state.oom_ledger import OomKill as OomKill  # re-exported: its home is the ledger now

OOM_EVIDENCE_WINDOW = timedelta(hours=1)
"""An OOM kill older than this (before the first breach memtui saw) is another incident."""


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    level: int
    who: str
    minutes_from: int


ESCALATION_LEVELS = (
    EscalationLevel(1, "on-call engineer", 0),
    EscalationLevel(2, "application engineer", 15),
    EscalationLevel(3, "architecture team", 30),
)


def escalation_for(elapsed: timedelta) -> EscalationLevel:
    """The runbook's level for an incident this old."""
    minutes = elapsed.total_seconds() / 60
    current = ESCALATION_LEVELS[0]
    for level in ESCALATION_LEVELS:
        if minutes >= level.minutes_from:
            current = level
    return current


@dataclass(frozen=True, slots=True)
class IncidentStatus:
    started_at: datetime | None
    basis: str
    pods_over: int
    pods_total: int

    def elapsed(self, now: datetime) -> timedelta | None:
        return None if self.started_at is None else max(now - self.started_at, timedelta(0))

    def escalation(self, now: datetime) -> EscalationLevel | None:
        elapsed = self.elapsed(now)
        return None if elapsed is None else escalation_for(elapsed)


class IncidentClock:
    """Tracks the incident's start; it only ever moves earlier, never resets on its own."""

    def __init__(self) -> None:
        self.started_at: datetime | None = None
        self.basis = ""

    def observe(
        self,
        now: datetime,
        *,
        pods_over: int,
        pods_total: int,
        oom_times: list[datetime],
    ) -> IncidentStatus:
        if pods_over and self.started_at is None:
            self.started_at, self.basis = now, "first breach seen by memtui"
        # Follow the chain of OOM kills back in time: kills less than OOM_EVIDENCE_WINDOW apart
        # (and the first within it of the breach) are one incident.  Done to a fixpoint here, so
        # the answer does not depend on how many refreshes have happened.
        start = self.started_at or now
        earliest = None
        for t in sorted((t for t in oom_times if t <= now), reverse=True):
            if start - t <= OOM_EVIDENCE_WINDOW:
                if t < start:
                    start = t
                    earliest = t
            elif t < start:
                break
        if earliest is not None and (self.started_at is None or earliest < self.started_at):
            self.started_at, self.basis = earliest, "earliest OOM kill"
        return IncidentStatus(self.started_at, self.basis, pods_over, pods_total)
