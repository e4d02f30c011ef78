"""The incident as the on-call engineer lives it: since when, how bad, who to call.

The incident is the ``MemoryUsageHigh`` alert, so its start is the alert's, on the best basis
memtui has, in this order:

1. ``Alertmanager startsAt``: the earliest ``startsAt`` of the firing alerts for the namespace
   (``--alertmanager-url``), while Alertmanager answers;
2. ``Prometheus ALERTS_FOR_STATE``: the earliest active-since time of the firing alerts Prometheus
   holds (``--prometheus-url``), while Prometheus answers;
3. ``first crossing seen``: the first threshold crossing of the current firing episode, i.e. the
   earliest start of the current unbroken run above the threshold among the pods over it now, in
   memtui's history (backfilled from Prometheus or live).

OOM kills are evidence (the side panel lists them), not the start: a kill an hour ago followed by
a restart under the threshold is another episode, and dating the incident by it put the first
screen at "L3 architecture team" before anyone had looked.  The basis is always shown with the
time, so nobody escalates on a guess.  Escalation levels are the runbook's: L1 on-call 0–15 min,
L2 application engineer 15–30 min, L3 architecture team 30+ min.
"""

from __future__ import annotations

from collections.abc import Iterable, Reversible
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from memtui.state.oom_ledger import OomKill as OomKill  # re-exported: its home is the ledger now
from memtui.state.snapshots import FiringAlert

BASIS_ALERTMANAGER = "Alertmanager startsAt"
BASIS_PROMETHEUS = "Prometheus ALERTS_FOR_STATE"
BASIS_CROSSING = "first crossing seen"
BASES = (BASIS_ALERTMANAGER, BASIS_PROMETHEUS, BASIS_CROSSING)
"""The clock's bases, strongest first."""
SHORT_BASIS = {BASIS_ALERTMANAGER: "AM startsAt", BASIS_PROMETHEUS: "ALERTS_FOR_STATE", BASIS_CROSSING: "1st crossing"}
"""What a narrow header says instead."""

EPISODE_GAP = timedelta(minutes=30)
"""How long memtui's own basis (the first crossing) outlives the last pod over the threshold.

A leaking pod killed at its limit restarts under the threshold and crosses it again a while
later: for the person on call that sawtooth is one incident (the runbook's L2 is for "repeated
OOM events"), and starting the clock over at each kill would send them back to L1.  Within this
gap a new crossing continues the episode; after it, the next crossing starts a new one.  The
alert bases are taken as Alertmanager and Prometheus say (a rule's ``keep_firing_for`` is the
alert author's way of bridging the same gap).
"""


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
    alerts: tuple[FiringAlert, ...] = ()
    """The firing alerts behind an alert basis (Alertmanager's, else Prometheus's), earliest first."""

    @property
    def short_basis(self) -> str:
        return SHORT_BASIS.get(self.basis, self.basis)

    def elapsed(self, now: datetime) -> timedelta | None:
        return None if self.started_at is None else max(now - self.started_at, timedelta(0))

    def escalation(self, now: datetime) -> EscalationLevel | None:
        elapsed = self.elapsed(now)
        return None if elapsed is None else escalation_for(elapsed)


def current_run_start(samples: Iterable[tuple[float, float]] | Reversible[tuple[float, float]], threshold: float) -> float | None:
    """The time of the first sample of the unbroken run above ``threshold`` that ends with the
    newest sample; None when the newest sample is not above it.  ``samples`` are (unix time,
    value), oldest first."""
    run_start_above = getattr(samples, "run_start_above", None)
    if run_start_above is not None:  # a RingSeries: by index on its ring
        return run_start_above(threshold)
    start = None
    # newest first, and only as far back as the run goes
    newest_first = reversed(samples) if isinstance(samples, Reversible) else reversed(list(samples))
    for t, value in newest_first:
        if value > threshold:
            start = t
        else:
            break
    return start


def first_crossing(runs: Iterable[Iterable[tuple[float, float]]], threshold: float) -> datetime | None:
    """The first crossing of the current episode: the earliest current run start among ``runs``
    (the samples of each pod over the threshold now)."""
    return earliest_start(current_run_start(samples, threshold) for samples in runs)


def earliest_start(starts: Iterable[float | None]) -> datetime | None:
    """The earliest of the pods' current run starts (``current_run_start``), None when there is none."""
    known = [t for t in starts if t is not None]
    return datetime.fromtimestamp(min(known), timezone.utc) if known else None


class IncidentClock:
    """The incident's start on the strongest basis available now.

    An alert basis (Alertmanager, then Prometheus) is taken as it is each time: a re-fired
    alert has a new ``startsAt`` and so does the incident.  The first crossing only ever moves
    earlier while some pod stays over the threshold (older samples arrive with the backfill;
    samples age out of the history) and across a dip under it shorter than ``EPISODE_GAP`` (an OOM
    kill and restart); once no pod has been over and no alert has fired for that long, the
    episode is over and the next crossing starts a new one.
    """

    def __init__(self) -> None:
        self.started_at: datetime | None = None
        self.basis = ""
        self.last_active: datetime | None = None
        """The last time a basis was active (an alert firing or a pod over the threshold)."""

    def observe(
        self,
        now: datetime,
        *,
        pods_over: int,
        pods_total: int,
        alertmanager: datetime | None = None,
        alerts_for_state: datetime | None = None,
        crossing: datetime | None = None,
        alerts: tuple[FiringAlert, ...] = (),
    ) -> IncidentStatus:
        """``alertmanager``/``alerts_for_state``: the earliest start of the firing alerts from a
        source that answers now (None: no alert, or the source is off or stale); ``crossing``:
        ``first_crossing`` of the history; ``alerts``: the alerts of the strongest alert basis."""
        if alertmanager is not None:
            self.started_at, self.basis = alertmanager, BASIS_ALERTMANAGER
            self.last_active = now
        elif alerts_for_state is not None:
            self.started_at, self.basis = alerts_for_state, BASIS_PROMETHEUS
            self.last_active = now
        elif pods_over:
            start = min(crossing or now, now)
            if self.started_at is not None and self._continues(start):
                start = min(start, self.started_at)  # the same episode: only ever earlier
            self.started_at, self.basis = start, BASIS_CROSSING
            self.last_active = now
        elif self.last_active is None or now - self.last_active > EPISODE_GAP:
            self.started_at, self.basis, self.last_active = None, "", None
        # else: nothing active right now (a killed pod restarted under the threshold), but within
        # EPISODE_GAP of the last activity the incident is still open: keep its start
        shown = alerts if self.basis in (BASIS_ALERTMANAGER, BASIS_PROMETHEUS) else ()
        return IncidentStatus(self.started_at, self.basis, pods_over, pods_total, shown)

    def _continues(self, start: datetime) -> bool:
        """Whether a crossing at ``start`` belongs to the episode already on the clock."""
        if self.started_at is None or self.basis != BASIS_CROSSING:
            return False
        return self.last_active is None or start - self.last_active <= EPISODE_GAP
