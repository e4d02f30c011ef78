"""Pod events, newest first: OOMKilling, Killing and BackOff are the story of the incident.

The team's changes (what others changed in the namespace meanwhile: a ``kubectl patch``, an HPA
rescale, another memtui's action) are rows among them, in time order, marked ``team`` with who
did it as the API says, the object and the one-line summary of what changed."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual.widgets import DataTable

from memtui.state.snapshots import KubeEvent, TeamChange
from memtui.state.units import format_age
from memtui.widgets.outside_text import visible
from memtui.widgets.roles import role

TEAM_MARK = "team"
ALARM_REASONS = {"OOMKilling", "OOMKilled", "Evicted", "BackOff", "Killing", "FailedScheduling", "Unhealthy"}


class EventsPane(DataTable):
    """A table of the namespace's events; rebuilt only when the events actually changed."""

    DEFAULT_CSS = """
    EventsPane { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_cursor=False)
        self._signature: tuple = ()
        self._ages_shown: dict[str, str] = {}
        """Row key → the age text on screen: a refresh updates only the ages that changed (each
        ``update_cell`` repaints the whole table)."""
        self.now = lambda: datetime.now(timezone.utc)

    def on_mount(self) -> None:
        self.add_column("AGE", key="age", width=5)
        self.add_column("REASON", key="reason", width=12)
        self.add_column("OBJECT", key="object", width=26)
        self.add_column("MESSAGE", key="message")

    def show(self, events: tuple[KubeEvent, ...], limit: int = 200, *, team: tuple[TeamChange, ...] = (),
             note: str | None = None) -> None:
        """``events`` newest first; ``team`` (oldest first, as the state keeps them) merged in by
        time; ``note``: why some of the team's changes cannot be seen, as the first row."""
        shown = _merged(events, team)[:limit]
        signature = (note, tuple((e.uid, e.count, e.last_seen) if isinstance(e, KubeEvent) else e.key for e in shown))
        if signature == self._signature:
            self._refresh_ages(shown)
            return
        self._signature = signature
        self.clear()
        self._ages_shown = {}
        now = self.now()
        if note:
            self.add_row(Text(""), Text(TEAM_MARK, style=role("warn")), Text(""),
                         Text(visible(note, one_line=True), style=role("warn"), overflow="ellipsis", no_wrap=True),
                         key="team-note")
        for i, row in enumerate(shown):
            cells = self._cells(row, now) if isinstance(row, KubeEvent) else self._team_cells(row, now)
            self.add_row(*cells, key=str(i))
            self._ages_shown[str(i)] = cells[0].plain

    def _refresh_ages(self, rows: tuple[KubeEvent | TeamChange, ...]) -> None:
        now = self.now()
        for i, row in enumerate(rows):
            when = row.last_seen if isinstance(row, KubeEvent) else row.at
            age = self._age_of(when, now)
            if self._ages_shown.get(str(i)) != age.plain:
                self.update_cell(str(i), "age", age, update_width=False)
                self._ages_shown[str(i)] = age.plain

    @staticmethod
    def _age_of(when: datetime | None, now: datetime) -> Text:
        age = (now - when).total_seconds() if when else None
        return Text(format_age(age), style=role("muted"))

    def _team_cells(self, change: TeamChange, now: datetime) -> tuple[Text, ...]:
        """``team · configmap/llm-config · batch_size 64→32 · kubectl-patch``: what changed first
        (the narrow column keeps it), then who (``TeamChange.who``, the operation left to the export)."""
        target = change.name if change.kind == "MemtuiAction" else f"{change.kind.lower()}/{change.name}"
        who = change.user or change.manager or "unknown"
        if change.subresource:
            who += f" ({change.subresource})"
        message = Text(no_wrap=True, overflow="ellipsis")
        message.append(visible(change.summary, one_line=True))
        message.append(" · ", style=role("muted"))
        message.append(visible(who, one_line=True), style=role("bold accent"))
        return (
            self._age_of(change.at, now),
            Text(TEAM_MARK, style=role("bold accent"), no_wrap=True),
            Text(visible(target, one_line=True), style=role("accent"), overflow="ellipsis", no_wrap=True),
            message,
        )

    @classmethod
    def _age(cls, event: KubeEvent, now: datetime) -> Text:
        return cls._age_of(event.last_seen, now)

    def _cells(self, event: KubeEvent, now: datetime) -> tuple[Text, ...]:
        alarm = event.reason in ALARM_REASONS or event.type == "Warning"
        if event.reason.startswith("OOM"):
            reason_style = role("bold alarm")
        elif alarm:
            reason_style = role("bold warn")
        else:
            reason_style = role("muted")
        message = visible(event.message, one_line=True)
        if event.count > 1:
            message += f" (×{event.count})"
        kind = "" if event.object_kind == "Pod" else f"{event.object_kind.lower()}/"
        return (
            self._age(event, now),
            Text(visible(event.reason, one_line=True), style=reason_style, overflow="ellipsis", no_wrap=True),
            Text(visible(kind + event.object_name, one_line=True), overflow="ellipsis", no_wrap=True),
            Text(message, overflow="ellipsis", no_wrap=True),
        )


def _merged(events: tuple[KubeEvent, ...], team: tuple[TeamChange, ...]) -> tuple[KubeEvent | TeamChange, ...]:
    """Events and team changes, newest first (an event without a time stays where it was: last).

    At the same second (managedFields times are whole seconds) the later team change comes first,
    then the events.  Another memtui's ``MemtuiAction`` Event shown as a team row is not shown twice."""
    if not team:
        return events
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    shown_as_team = {c.key.removeprefix("event/") for c in team if c.key.startswith("event/")}
    rows: list[KubeEvent | TeamChange] = [*reversed(team), *(e for e in events if e.uid not in shown_as_team)]
    return tuple(sorted(rows, key=lambda r: (r.last_seen if isinstance(r, KubeEvent) else r.at) or epoch, reverse=True))
