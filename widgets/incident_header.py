"""The header: where am I, how bad is it, since when, who should I call.

Two lines the eye reads first at 3 a.m.: context/namespace/threshold with how many pods are over
it (and a ConfigMap patch that is not live yet: "restart pending"), and the incident clock with
the runbook's escalation level, the clock's basis ("since 02:41:07 (Alertmanager startsAt)") and
the firing MemoryUsageHigh alerts: how many, which pods, how many a silence covers.
"""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from memtui.state.cockpit import PodRow, RestartPending, SourceHealth
from memtui.state.forecast_change import ForecastChange
from memtui.state.incident import IncidentStatus
from memtui.state.snapshots import FiringAlert
from memtui.state.units import describe_threshold, format_decimal_bytes, format_duration
from memtui.widgets.outside_text import plain, visible
from memtui.widgets.roles import role


MAX_PODS_SHOWN = 3
"""Firing pods named in the header; more are counted ("+2")."""


class IncidentHeader(Widget):
    """Context, namespace, threshold, pods over it, incident clock and escalation level."""

    DEFAULT_CSS = """
    IncidentHeader {
        height: 2;
        background: $panel;
        padding: 0 1;
    }
    """

    incident: reactive[IncidentStatus] = reactive(IncidentStatus(None, "", 0, 0), always_update=True)
    """The incident clock and pod counts from the last refresh."""
    sources: reactive[tuple[SourceHealth, ...]] = reactive((), always_update=True)
    """Health of each data source, shown on the second line."""
    next_oom: reactive[PodRow | None] = reactive(None, always_update=True)
    """The pod whose forecast OOM comes first (within the hour), shown where the eye lands."""
    forecast_change: reactive[ForecastChange | None] = reactive(None)
    """What the last fix did to growth and time to OOM (before → after, or still measuring)."""
    restart_pending: reactive[tuple[RestartPending, ...]] = reactive((), always_update=True)
    """ConfigMap keys patched that running pods read only at start: the patch is not live yet."""
    recording: reactive[str] = reactive("")
    """The flight recorder: "" off, "on" recording this session, "failed" stopped (the reasons screen says why)."""

    def __init__(
        self,
        *,
        context: str,
        namespace: str,
        threshold_bytes: int,
        read_only: bool = False,
        demo: bool = False,
        replay: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.context = context
        self.namespace = namespace
        self.threshold_bytes = threshold_bytes
        self.read_only = read_only
        self.demo = demo
        self.replay = replay
        """``memtui replay``: ``now`` is the recorded time of the frame on screen, shown first."""
        self.now = lambda: datetime.now(timezone.utc)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)  # the clock ticks between refreshes

    def render(self) -> Text:
        width = max(20, self.size.width - 2)
        # the widest version that fits: full, full without the pending detail, compact
        for compact, detail in ((False, True), (False, False), (True, False)):
            first = self._first_line(compact=compact, detail=detail)
            if first.cell_len <= width:
                break
        first.truncate(width, overflow="ellipsis")
        off = sum(1 for health in self.sources if not health.enabled)
        # the widest that fits: everything, then without the sources that are off (the last first),
        # then only the sources that need attention, the alerts as counts, narrow
        tries = [(0, hidden) for hidden in range(off + 1)] + [(level, off) for level in (2, 3, 4)]
        for level, hidden in tries:
            second = self._second_line(level=level, hide_off=hidden)
            if second.cell_len <= width:
                break
        second.truncate(width, overflow="ellipsis")
        return Text("\n").join([first, second])

    def _first_line(self, *, compact: bool, detail: bool = False) -> Text:
        incident = self.incident
        line = Text()
        if not compact:
            line.append("memtui ", style="bold")
        if self.demo:
            line.append("DEMO", style="bold reverse").append(" ")
        if self.replay:
            line.append(f" replay · {self.now().astimezone(timezone.utc):%H:%M:%S} UTC ", style=role("bold banner"))
            line.append(" ")
        line.append("ctx " if not compact else "", style=role("muted")).append_text(plain(self.context, "bold", one_line=True))
        line.append("  ns " if not compact else " ns ", style=role("muted")).append_text(plain(self.namespace, "bold", one_line=True))
        if compact:
            line.append(" >", style=role("muted")).append(format_decimal_bytes(self.threshold_bytes))
        else:
            line.append("  threshold ", style=role("muted")).append(describe_threshold(self.threshold_bytes))
        over_style = role("bold bad") if incident.pods_over else role("ok")
        line.append("  over " if not compact else " ", style=role("muted")).append(
            f"{incident.pods_over}/{incident.pods_total}" + ("" if compact else " pods"), style=over_style
        )
        if self.read_only:
            line.append("  READ-ONLY" if not compact else " RO", style=role("bold warn"))
        if self.recording == "on":
            line.append("  ● rec" if not compact else " ●", style=role("bad"))
        elif self.recording == "failed":
            line.append("  rec failed" if not compact else " rec!", style=role("bold warn"))
        soonest = self.next_oom
        if soonest is not None and soonest.seconds_to_oom is not None:
            minutes = max(1, int(round(soonest.seconds_to_oom / 60)))
            line.append("  ")
            name = visible(soonest.name, one_line=True)
            label = f" OOM in ~{minutes} min: {name} " if not compact else f" OOM ~{minutes}m {name} "
            line.append(label, style=role("bold banner"))
        for pending in self.restart_pending:
            keys = ", ".join(pending.keys)  # appended as plain text: never parsed as markup
            line.append("  ").append(f"restart pending for {keys}", style=role("bold warn"))
            if detail and pending.pods_total:
                line.append(f" ({pending.pods_waiting}/{pending.pods_total} pods of {pending.deployment} "
                            "started before the patch)", style=role("warn"))
        change = self.forecast_change  # after restart pending: a patch not live yet comes first
        if change is not None:
            line.append("  ")
            if not compact:
                line.append("after ", style=role("muted")).append_text(plain(change.label, "bold", one_line=True))
                line.append(": ", style=role("muted"))
            else:
                line.append("fix: ", style=role("muted"))
            line.append(change.text(), style=_change_style(change))
        return line

    def _second_line(self, *, level: int, hide_off: int = 0) -> Text:
        """Level 0: everything but the last ``hide_off`` sources that are off; 2: only the sources
        that need attention; 3: the alerts as counts; 4: narrow (the short basis)."""
        compact = level >= 4
        now = self.now()
        incident = self.incident
        line = Text()
        elapsed = incident.elapsed(now)
        escalation = incident.escalation(now)
        if elapsed is None or escalation is None:
            line.append("no incident: no pod over the threshold, no MemoryUsageHigh alert firing", style=role("ok"))
        else:
            level_style = role({1: "bold", 2: "bold warn", 3: "bold bad"}[escalation.level])
            line.append("INCIDENT ", style=role("bold bad")).append(format_duration(elapsed.total_seconds()), style="bold")
            line.append(f"  L{escalation.level} {escalation.who}", style=level_style)
            if incident.started_at is not None:
                started = incident.started_at.astimezone()
                if compact:
                    line.append(f" since {started.strftime('%H:%M')} ({incident.short_basis})", style=role("muted"))
                else:
                    line.append(f"  since {started.strftime('%H:%M:%S')} ({incident.basis})", style=role("muted"))
            self._alerts(line, incident.alerts, pods=level <= 2, compact=compact)
        line.append("  ")
        off = [health.name for health in self.sources if not health.enabled]
        hidden = set(off[len(off) - hide_off:]) if hide_off else set()
        for health in self.sources:
            if health.name in hidden or (level >= 2 and not health.stale):
                continue  # narrower: only what needs attention
            line.append("  ")
            if not health.enabled:
                line.append(f"{health.name} off", style=role("muted"))
            elif health.stale:
                since = health.last_ok.astimezone().strftime("%H:%M:%S") if health.last_ok else "start"
                line.append(f"{health.name} stale since {since}", style=role("bold warn"))
            elif health.last_ok is not None:
                line.append(f"{health.name} ✓", style=role("ok"))
            else:
                line.append(f"{health.name} …", style=role("muted"))
        return line

    @staticmethod
    def _alerts(line: Text, alerts: tuple[FiringAlert, ...], *, pods: bool, compact: bool) -> None:
        """Which pods fire, and which of them a silence covers (pod names are outside text)."""
        if not alerts:
            return
        silenced = [a for a in alerts if a.silenced]
        line.append("  " if not compact else " ")
        count = len(alerts)
        if compact:
            line.append(f"{count} firing", style=role("bad"))
        else:
            line.append(f"{count} alert{'' if count == 1 else 's'} firing", style=role("bad"))
        if pods:
            names = [visible(a.pod or "(no pod label)", one_line=True) for a in alerts[:MAX_PODS_SHOWN]]
            more = f" +{count - MAX_PODS_SHOWN}" if count > MAX_PODS_SHOWN else ""
            line.append(": " + ", ".join(names) + more, style=role("bad"))
        if silenced:
            text = "all silenced" if len(silenced) == count else f"{len(silenced)} silenced"
            line.append(f" ({text})", style=role("warn"))


def _change_style(change: ForecastChange):
    """Better after the fix (slower growth): ok; not better: warn; still measuring: muted."""
    if change.after is None:
        return role("muted")
    before, after = change.before.growth_per_minute, change.after.growth_per_minute
    if before is not None and after is not None and after < 0.9 * before:
        return role("bold ok")
    return role("bold warn")
