"""What the postmortem's charts show: one home for the choice of pods, the window, the series and the marks.

The Markdown export (its text chart on stdout, its SVG files beside a written file) and the HTML
report draw the same charts from the same ``Chart`` values, so the two documents of one incident
cannot disagree on which pods were affected or where an action was.  The inputs are
``ReportSeries``: per pod working set and limit, Redis used/maxmemory, per pod GPU used/total,
whether they came from Prometheus (``memtui.audit.prometheus.report_series_from_prometheus``) or
from a recording (``memtui.audit.recording_export``).  Everything here is pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from memtui.audit.times import as_utc
from memtui.audit.timeline import Timeline
from memtui.state.incident import BASIS_CROSSING, EscalationLevel, escalation_for, first_crossing

Samples = Sequence[tuple[datetime, float]]
"""(time, bytes) samples; sorted here, naive times are UTC."""

CHART_MARGIN = timedelta(minutes=10)
"""How much history around the first and last row the charts show."""
MOST_PODS = 4
"""Pod charts at most: the pods the actions targeted first, then the highest peaks."""
MARKED_KINDS = frozenset({"action", "team"})
"""Timeline rows drawn as numbered vertical lines: changes (memtui's and the team's), not reads or notes."""
_SLACK = timedelta(seconds=1)
MIB = 1024**2


@dataclass(frozen=True)
class ChartMark:
    """A row of the timeline to mark on a chart: its number, time and label; ``kind`` is the row's."""

    number: int
    time: datetime
    label: str
    kind: str = "action"


@dataclass(frozen=True)
class ReportSeries:
    """The figures behind the charts, from one source; ``notes`` say what is missing and why."""

    working_set: Mapping[str, Samples] = field(default_factory=dict)
    limit: Mapping[str, Samples] = field(default_factory=dict)
    """Memory limit per pod (the sum of its containers' limits), bytes."""
    redis_used: Samples = ()
    redis_max: Samples = ()
    """``maxmemory``; 0 means no bound (no line is drawn, a note says so)."""
    gpu_used: Mapping[str, Samples] = field(default_factory=dict)
    """GPU framebuffer memory per pod, bytes (DCGM's MiB converted)."""
    gpu_total: Mapping[str, Samples] = field(default_factory=dict)
    source: str = ""
    """Where the figures come from, said under the charts (``Prometheus at URL``, ``recording FILE``)."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentFacts:
    """The incident's start on the basis memtui had (``memtui.state.incident``) and the runbook's
    escalation level it reached by ``reached_at`` (the last change, or the end of a recording)."""

    started_at: datetime | None
    basis: str
    reached_at: datetime | None = None
    reached_when: str = ""
    """``at the last change (#7)``, ``at the end of the recording``."""
    note: str = ""
    """Why the start is unknown, when it is."""

    @property
    def escalation(self) -> EscalationLevel | None:
        if self.started_at is None or self.reached_at is None:
            return None
        return escalation_for(max(as_utc(self.reached_at) - as_utc(self.started_at), timedelta(0)))

    @property
    def minutes_in(self) -> float | None:
        if self.started_at is None or self.reached_at is None:
            return None
        return max(0.0, (as_utc(self.reached_at) - as_utc(self.started_at)).total_seconds() / 60)


@dataclass(frozen=True)
class Line:
    label: str
    points: tuple[tuple[datetime, float], ...]


@dataclass(frozen=True)
class Chart:
    """One chart: ``name`` is a file-safe slug (the Markdown's ``<name>.svg``), unique in a report."""

    name: str
    title: str
    lines: tuple[Line, ...]
    limit: Line | None
    limit_label: str
    marks: tuple[ChartMark, ...]
    start: datetime
    end: datetime
    note: str = ""


def last_change(timeline: Timeline) -> tuple[datetime, str] | None:
    """The moment escalation is read at for an audit export: its last change (else its last row)."""
    changes = [r for r in timeline.rows if r.kind in MARKED_KINDS] or list(timeline.rows)
    if not changes:
        return None
    return changes[-1].time, f"at the last {'change' if changes[-1].kind in MARKED_KINDS else 'row'} (#{changes[-1].number})"


def incident_from_crossing(timeline: Timeline, working_set: Mapping[str, Samples], threshold: float) -> IncidentFacts:
    """memtui's own basis when no alert source answers: the first threshold crossing of the episode
    running at the first change (``memtui.state.incident.first_crossing`` over the series)."""
    last = last_change(timeline)
    first = next((r.time for r in timeline.rows if r.kind in MARKED_KINDS), timeline.summary.start)
    if last is None or first is None:
        return IncidentFacts(None, "", note="no rows in this period")
    runs = [[(as_utc(t).timestamp(), float(v)) for t, v in sorted(samples) if as_utc(t) <= as_utc(first)]
            for samples in working_set.values()]
    started = first_crossing(runs, threshold)
    if started is None:
        return IncidentFacts(None, "", note=f"no pod over the threshold ({threshold / 1e9:g} GB) at the first change")
    return IncidentFacts(started, BASIS_CROSSING, last[0], last[1])


def marks_of(timeline: Timeline) -> tuple[ChartMark, ...]:
    return tuple(ChartMark(r.number, r.time, r.action, r.kind) for r in timeline.rows if r.kind in MARKED_KINDS)


def window_of(timeline: Timeline, margin: timedelta = CHART_MARGIN) -> tuple[datetime, datetime] | None:
    s = timeline.summary
    if s.start is None or s.end is None:
        return None
    return as_utc(s.start) - margin, as_utc(s.end) + margin


def clip(samples: Samples, start: datetime | None, end: datetime | None) -> tuple[tuple[datetime, float], ...]:
    """The samples within [start, end] (a second of slack: Prometheus' query_range takes whole
    seconds, so a series fetched for exactly this window may start a fraction before it), sorted."""
    lo = as_utc(start) - _SLACK if start else None
    hi = as_utc(end) + _SLACK if end else None
    points = ((as_utc(t), float(v)) for t, v in samples)
    return tuple(sorted((t, v) for t, v in points if (lo is None or t >= lo) and (hi is None or t <= hi)))


def clip_all(series: Mapping[str, Samples], start: datetime | None, end: datetime | None) -> dict[str, tuple]:
    out = {}
    for name, samples in series.items():
        kept = clip(samples, start, end)
        if kept:
            out[name] = kept
    return out


def pods_to_chart(series: Mapping[str, Samples], targeted: Iterable[str] = (), most: int = MOST_PODS) -> list[str]:
    """Which pods get a chart: those an action targeted (in the order named), then the highest peaks."""
    chosen = [p for p in dict.fromkeys(targeted) if p in series][:most]
    by_peak = sorted((p for p in series if p not in chosen), key=lambda p: (-max(v for _, v in series[p]), p))
    return chosen + by_peak[: most - len(chosen)]


def targeted_pods(timeline: Timeline) -> list[str]:
    """Pods the timeline's changes named (``target.pods`` of intents), in time order."""
    out: list[str] = []
    for entry in timeline.entries:
        if entry.kind != "intent":
            continue
        pods = (entry.target or {}).get("pods")
        if isinstance(pods, list):
            out.extend(str(p) for p in pods)
    return list(dict.fromkeys(out))


def slug(text: str) -> str:
    """A file-name-safe form of a pod name (which is a DNS label, but recordings are outside text)."""
    return re.sub(r"[^a-z0-9.-]+", "-", text.lower()).strip("-.") or "x"


def build_charts(timeline: Timeline, series: ReportSeries, *, most_pods: int = MOST_PODS,
                 until: datetime | None = None) -> list[Chart]:
    """The report's charts: per affected pod working set vs limit, Redis used vs maxmemory, GPU used
    vs total, each over the timeline's window with its changes marked.  Series with no sample in
    the window give no chart.  ``until``: no window beyond it (now, the end of a recording)."""
    window = window_of(timeline)
    if window is None:
        return []
    start, end = window
    if until is not None and as_utc(until) > start:
        end = min(end, as_utc(until))
    marks = tuple(m for m in marks_of(timeline) if start <= as_utc(m.time) <= end)
    working = clip_all(series.working_set, start, end)
    limits = clip_all(series.limit, start, end)
    charts: list[Chart] = []
    names: set[str] = set()

    def unique(name: str) -> str:
        base, n = name, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.add(name)
        return name

    for pod in pods_to_chart(working, targeted_pods(timeline), most_pods):
        limit = limits.get(pod)
        charts.append(Chart(
            name=unique("pod-" + slug(pod)), title=f"Pod {pod}: working set against its limit",
            lines=(Line("working set", working[pod]),), limit=Line("limit", limit) if limit else None,
            limit_label="limit", marks=marks, start=start, end=end,
            note="" if limit else "no memory limit known for this pod",
        ))
    used, maxmemory = clip(series.redis_used, start, end), clip(series.redis_max, start, end)
    if used:
        bounded = tuple(p for p in maxmemory if p[1] > 0)
        note = "" if bounded else ("maxmemory 0: no bound, Redis grows until it is OOMKilled" if maxmemory
                                   else "maxmemory unknown")
        charts.append(Chart(unique("redis"), "Redis memory: used_memory against maxmemory",
                            (Line("used_memory", used),), Line("maxmemory", bounded) if bounded else None,
                            "maxmemory", marks, start, end, note))
    gpu = clip_all(series.gpu_used, start, end)
    if gpu:
        shown = pods_to_chart(gpu, targeted_pods(timeline), most_pods)
        totals = clip_all(series.gpu_total, start, end)
        total = max((totals[p] for p in shown if p in totals), key=lambda pts: max(v for _, v in pts), default=None)
        more = len(gpu) - len(shown)
        charts.append(Chart(unique("gpu"), "GPU memory: framebuffer used against the GPU's total",
                            tuple(Line(p, gpu[p]) for p in shown), Line("total", total) if total else None,
                            "GPU total", marks, start, end,
                            f"{more} pods with lower peaks not drawn" if more > 0 else ""))
    return charts


def time_ticks(t0: datetime, t1: datetime, most: int = 6) -> list[datetime]:
    """Ticks on round minutes (02:00, 02:05...), not at awkward fractions of the span."""
    span_min = (t1 - t0).total_seconds() / 60
    step = next((s for s in _TICK_STEPS_MIN if span_min / s <= most), _TICK_STEPS_MIN[-1])
    # round up to a multiple of step (of the exact time: 20:00:05 gives 20:05, not 20:00, which is
    # before the chart's start)
    first = math.ceil(t0.timestamp() / 60 / step) * step
    ticks = []
    minute = first
    while minute * 60 <= t1.timestamp():
        ticks.append(datetime.fromtimestamp(minute * 60, t0.tzinfo))
        minute += step
    return ticks or [t0, t1]


_TICK_STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)
