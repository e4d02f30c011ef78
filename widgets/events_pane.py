"""Pod events, newest first: OOMKilling, Killing and BackOff are the story of the incident."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual.widgets import DataTable

from memtui.state.snapshots import KubeEvent
from memtui.state.units import format_age
from memtui.widgets.outside_text import visible
from memtui.widgets.roles import role

ALARM_REASONS = {"OOMKilling", "OOMKilled", "Evicted", "BackOff", "Killing", "FailedScheduling", "Unhealthy"}


class EventsPane(DataTable):
    """A table of the namespace's events; rebuilt only when the events actually changed."""

    DEFAULT_CSS = """
    EventsPane { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_cursor=False)
        self._signature: tuple = ()
        self.now = lambda: datetime.now(timezone.utc)

    def on_mount(self) -> None:
        self.add_column("AGE", key="age", width=5)
        self.add_column("REASON", key="reason", width=12)
        self.add_column("OBJECT", key="object", width=26)
        self.add_column("MESSAGE", key="message")

    def show(self, events: tuple[KubeEvent, ...], limit: int = 200) -> None:
        shown = events[:limit]
        signature = tuple((e.uid, e.count, e.last_seen) for e in shown)
        if signature == self._signature:
            self._refresh_ages(shown)
            return
        self._signature = signature
        self.clear()
        now = self.now()
        for i, event in enumerate(shown):
            self.add_row(*self._cells(event, now), key=str(i))

    def _refresh_ages(self, events: tuple[KubeEvent, ...]) -> None:
        now = self.now()
        for i, event in enumerate(events):
            self.update_cell(str(i), "age", self._age(event, now), update_width=False)

    @staticmethod
    def _age(event: KubeEvent, now: datetime) -> Text:
        age = (now - event.last_seen).total_seconds() if event.last_seen else None
        return Text(format_age(age), style=role("muted"))

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
