"""Pod events, newest first: OOMKilling, Killing and BackOff are the story of the incident.

The team's changes (what others changed in the namespace meanwhile: a ``kubectl patch``, an HPA
rescale, another memtui's action) are rows among them, in time order, marked ``team`` with who
did it as the API says, the object and the one-line summary of what changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style

from rich.text import Text
from textual.binding import Binding
from textual.renderables.styled import Styled
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from memtui.state.snapshots import KubeEvent, TeamChange
from memtui.state.units import format_age
from memtui.widgets.line_cache import RowLineCache
from memtui.widgets.outside_text import visible
from memtui.widgets.roles import role

TEAM_MARK = "team"
ALARM_REASONS = {"OOMKilling", "OOMKilled", "Evicted", "BackOff", "Killing", "FailedScheduling", "Unhealthy"}
COLUMNS = (("AGE", 5), ("REASON", 12), ("OBJECT", 26), ("MESSAGE", None))
"""Title and width; ``None``: as wide as its widest cell (the pane scrolls sideways to read it)."""
CELL_PADDING = 1

Cells = tuple[Text, Text, Text, Text]


class EventsPane(ScrollView, can_focus=True):
    """The namespace's events, drawn with the Line API: only the lines on screen are formatted.

    Up to 200 rows were a ``DataTable`` cleared and refilled whenever an event changed (and each
    age's ``update_cell`` repainted the whole table): a third of the main thread's repaint time at
    5,000 pods.  It looks as that table did (header, cell padding, sideways scroll)."""

    COMPONENT_CLASSES = {"events-pane--header"}

    DEFAULT_CSS = """
    EventsPane { height: 1fr; background: $surface; color: $foreground; }
    EventsPane:focus { background-tint: $foreground 5%; }
    EventsPane > .events-pane--header { text-style: bold; background: $panel; color: $foreground; }
    EventsPane:focus > .events-pane--header { background-tint: $foreground 5%; }
    EventsPane:ansi > .events-pane--header { background: ansi_bright_blue; color: ansi_default; }
    """

    BINDINGS = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_home", "Top", show=False),
        Binding("ctrl+end", "scroll_end", "Bottom", show=False),
        Binding("home", "scroll_leftmost", "Home", show=False),
        Binding("end", "scroll_rightmost", "End", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._signature: tuple = ()
        self._rows: list[Cells] = []
        """The rows' cells, the note first."""
        self._rests: list[tuple[Text, Text, Text]] = []
        """Each row but its age: the key of its drawn part in the line cache (an age moves each second)."""
        self._widths: tuple[int, ...] = tuple(w or len(t) for t, w in COLUMNS)
        self._line_cache = RowLineCache()
        self._header: tuple[tuple, Strip] | None = None
        """The header line and what it was drawn for (style, width, column widths)."""
        self.now = lambda: datetime.now(timezone.utc)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_at(self, index: int) -> Cells:
        """The cells of the row at ``index`` (0: the note when there is one), as drawn."""
        return self._rows[index]

    def show(self, events: tuple[KubeEvent, ...], limit: int = 200, *, team: tuple[TeamChange, ...] = (),
             note: str | None = None) -> None:
        """``events`` newest first; ``team`` (oldest first, as the state keeps them) merged in by
        time; ``note``: why some of the team's changes cannot be seen, as the first row."""
        shown = _merged(events, team)[:limit]
        signature = (note, tuple((e.uid, e.count, e.last_seen) if isinstance(e, KubeEvent) else e.key for e in shown))
        if signature == self._signature:
            self._refresh_ages(shown, first=1 if note else 0)
            return
        self._signature = signature
        now = self.now()
        rows: list[Cells] = []
        if note:
            rows.append((Text(""), Text(TEAM_MARK, style=role("warn")), Text(""),
                         Text(visible(note, one_line=True), style=role("warn"), overflow="ellipsis", no_wrap=True)))
        for row in shown:
            rows.append(self._cells(row, now) if isinstance(row, KubeEvent) else self._team_cells(row, now))
        self._rows = rows
        self._rests = [r[1:] for r in rows]
        self._line_cache.clear()
        self._widths = tuple(
            width if width is not None else max([len(title), *(r[i].cell_len for r in rows)])
            for i, (title, width) in enumerate(COLUMNS)
        )
        self._header = None
        self.virtual_size = Size(sum(w + 2 * CELL_PADDING for w in self._widths), len(rows) + 1)
        self.scroll_to(0, 0, animate=False, immediate=True)  # new events: back to the newest, at the top
        self.refresh()

    def _refresh_ages(self, rows: tuple[KubeEvent | TeamChange, ...], *, first: int) -> None:
        now = self.now()
        changed = False
        for i, row in enumerate(rows, start=first):
            when = row.last_seen if isinstance(row, KubeEvent) else row.at
            age = self._age_of(when, now)
            cells = self._rows[i]
            if cells[0].plain != age.plain:
                self._rows[i] = (age, *cells[1:])
                changed = True
        if changed:
            self.refresh()

    # -- rendering --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()  # a theme or focus change: every line in its new colours
        self._header = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            drawn_for = (base, width, self._widths)
            if self._header is None or self._header[0] != drawn_for:
                style = self.get_component_styles("events-pane--header").rich_style
                titles = [Text.from_markup(title) for title, _ in COLUMNS]
                self._header = (drawn_for, self._line(-1, titles, style))
            line = self._header[1]
        else:
            index = y - 1 + scroll_y
            if index >= len(self._rows):
                return Strip.blank(width, base)
            cells = self._rows[index]
            rest = self._rests[index]
            key = (index, base, width, self._widths)
            drawn = self._line_cache.get(rest, key)
            if drawn is None:  # the reason, object and message: drawn once while the event is unchanged
                drawn = self._segments(index, rest, base, first_column=1)
                self._line_cache.put(rest, key, drawn, screen_height=self.size.height)
            line = Strip([*self._segments(index, cells[:1], base), *drawn])
        return line.crop(scroll_x, scroll_x + width).adjust_cell_length(width, base).simplify()

    def _line(self, index: int, cells: Cells | list[Text], row_style: Style) -> Strip:
        """One row at full width, as ``DataTable`` drew it: each cell padded by one cell, the row's
        style under its text's, the cells' position as meta (clicks), the rest of the width filled."""
        return Strip([*self._segments(index, cells[:1], row_style),
                      *self._segments(index, cells[1:], row_style, first_column=1)])

    def _segments(self, index: int, cells: Sequence[Text], row_style: Style, *, first_column: int = 0) -> Strip:
        """The cells from column ``first_column`` on; the last column's part fills the width."""
        console = self.app.console
        segments: list[Segment] = []
        for column, cell in enumerate(cells, start=first_column):
            width = self._widths[column]
            options = self.app.console_options.update_dimensions(width + 2 * CELL_PADDING, 1).update(no_wrap=True)
            style = row_style + Style.from_meta({"row": index, "column": column})
            lines = console.render_lines(Styled(Padding(cell, (0, CELL_PADDING)), pre_style=style,
                                                post_style=Style.null()), options)
            segments.extend(lines[0])
        if first_column + len(cells) == len(COLUMNS):
            table_width = sum(w + 2 * CELL_PADDING for w in self._widths)
            remaining = max(0, self.size.width - table_width)
            extend = row_style + Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
            segments.append(Segment(" " * remaining, extend))
        return Strip(segments)

    def action_scroll_leftmost(self) -> None:
        self.scroll_x = 0

    def action_scroll_rightmost(self) -> None:
        self.scroll_x = self.max_scroll_x

    @staticmethod
    def _age_of(when: datetime | None, now: datetime) -> Text:
        age = (now - when).total_seconds() if when else None
        return Text(format_age(age), style=role("muted"))

    def _team_cells(self, change: TeamChange, now: datetime) -> Cells:
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

    def _cells(self, event: KubeEvent, now: datetime) -> Cells:
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
