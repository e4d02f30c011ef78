"""The pods pane: one line per pod, highest memory first, drawn with the Line API.

A namespace under incident can hold thousands of pods and the pane is redrawn every refresh;
rendering only the visible lines keeps that cost flat (a ``DataTable`` rebuilt with 5,000 rows
took ~0.65 s of the event loop per refresh).  The cursor follows the pod, not the line number,
so a re-sort never moves the selection under the operator's finger.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from memtui.state.cockpit import SORT_KEYS, PodRow, filter_rows, sort_rows
from memtui.state.snapshots import ListProgress
from memtui.widgets import cells
from memtui.widgets.line_cache import RowLineCache
from memtui.state.units import format_bytes
from memtui.widgets.outside_text import plain, visible


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    """Minimum width; ``name`` and ``trend`` grow into spare room."""
    priority: int
    """Columns with a higher number are dropped first when the terminal is narrow."""
    align: str = "left"


COLUMNS = (
    Column("name", "POD", 20, 0),
    Column("status", "STATUS", 12, 2),
    Column("ready", "READY", 5, 7),
    Column("restarts", "RESTARTS", 8, 1, "right"),
    Column("last", "LAST EXIT", 13, 1),
    Column("memory", "WORKING SET", 13, 0, "right"),
    Column("percent", "%", 4, 0, "right"),
    Column("split", "RSS+CACHE", 13, 5, "right"),
    Column("bar", "", 10, 6),
    Column("trend", "TREND (0..limit)", 16, 3),
    Column("growth", "GROWTH", 12, 1, "right"),
    Column("forecast", "FORECAST", 8, 2),
    Column("age", "AGE", 6, 4, "right"),
)
NAME_COMFORT = 24
"""A ``sap-llm-<hash>-<id>`` pod name; names grow to this before the trend grows."""
NAME_MAX = 44
TREND_MAX = 48


@lru_cache(maxsize=16)
def layout_columns(width: int) -> tuple[tuple[Column, int], ...]:
    """Pick the columns that fit ``width`` by priority, then give spare room to name and trend.

    Cached by width: every line drawn asks for it."""
    chosen = list(COLUMNS)

    def total(cols: list[Column]) -> int:
        return sum(c.width for c in cols) + max(0, len(cols) - 1)

    while total(chosen) > width and len(chosen) > 1:
        drop = max(chosen, key=lambda c: (c.priority, COLUMNS.index(c)))
        chosen.remove(drop)
    spare = max(0, width - total(chosen))
    widths = {c.key: c.width for c in chosen}
    for key, cap in (("name", NAME_COMFORT), ("trend", TREND_MAX), ("name", NAME_MAX)):
        if key in widths and spare:
            extra = min(spare, max(0, cap - widths[key]))
            widths[key] += extra
            spare -= extra
    if "name" in widths:
        widths["name"] += spare
    return tuple((c, widths[c.key]) for c in chosen)


GRAPHIC_COLUMNS = frozenset({"trend", "bar"})
"""Columns drawn with block glyphs: their colours are the information, so the cursor keeps them."""
ROW_ROLES = ("ok", "warn", "crit", "oom", "dim", "accent", "over")
"""The roles a row's cells are drawn in (``pod-table--<role>``); the header and the cursor have their own."""


class PodTable(ScrollView, can_focus=True):
    """Pods with working set against limit, a trend sparkline, growth and OOM history."""

    COMPONENT_CLASSES = {"pod-table--header", "pod-table--cursor", *(f"pod-table--{role}" for role in ROW_ROLES)}

    DEFAULT_CSS = """
    PodTable {
        background: $surface;
        scrollbar-gutter: stable;
    }
    PodTable > .pod-table--header { text-style: bold; color: $text-muted; background: $panel; }
    /* the selected row is drawn in the cursor's own colours (the figures' roles step aside, the
       trend and bar keep theirs): role colours on a blue bar were unreadable */
    PodTable > .pod-table--cursor {
        background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
    }
    PodTable:focus > .pod-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    PodTable:nocolor > .pod-table--cursor { text-style: bold reverse; }
    PodTable > .pod-table--ok { color: $success; }
    PodTable > .pod-table--warn { color: $warning; }
    PodTable > .pod-table--crit { color: $error; text-style: bold; }
    PodTable > .pod-table--oom { color: $error; text-style: bold reverse; }
    PodTable > .pod-table--dim { color: $text-muted; }
    PodTable > .pod-table--accent { color: $accent; }
    PodTable > .pod-table--over { text-style: bold; }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="pods.cursor-up"),
        # shown in the footer as "↑↓ pods": which pane the arrows move right now
        Binding("down,j", "cursor_down", "pods", id="pods.cursor-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="pods.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="pods.page-down"),
        Binding("home", "first", "First", show=False, id="pods.first"),
        Binding("end", "last", "Last", show=False, id="pods.last"),
        Binding("s", "cycle_sort", "Sort", id="pods.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="pods.sort-reverse"),
        Binding("enter", "open_details", "Details", show=False, id="pods.details"),
    ]

    rows: reactive[tuple[PodRow, ...]] = reactive((), always_update=True, layout=False)
    """Every pod of the namespace, as the cockpit state derived them."""
    sort_key: reactive[str] = reactive("memory")
    """One of ``SORT_KEYS``."""
    sort_reverse: reactive[bool] = reactive(False)
    """Flip the order of the current sort."""
    filter_text: reactive[str] = reactive("")
    """A case-insensitive regular expression on pod name, status and last exit reason."""
    threshold_bytes: reactive[int] = reactive(10**10)
    """The alert threshold, marked on the bars."""
    list_progress: reactive[ListProgress | None] = reactive(None)
    """The first LIST of pods while it is under way: drawn instead of the empty table."""

    class PodHighlighted(Message):
        """The cursor moved onto a pod."""

        def __init__(self, pod: str | None) -> None:
            super().__init__()
            self.pod = pod

    class DetailsRequested(Message):
        """Enter on a pod: the app opens its details screen."""

        def __init__(self, pod: str) -> None:
            super().__init__()
            self.pod = pod

    class ViewChanged(Message):
        """Sort or filter changed, so titles that describe the view need redrawing."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._visible: tuple[PodRow, ...] = ()
        self._ordered_from: tuple[tuple[PodRow, ...], tuple[str, bool, str]] = ((), ("", False, ""))
        """The rows and the view (sort, reverse, filter) ``_visible`` was ordered from."""
        self._cursor_pod: str | None = None
        self._line_cache = RowLineCache()
        """The state hands an unchanged pod over as the same row: its line is not formatted again."""
        self._styles_checked = False
        """The styles rows are drawn with were told to the line cache since the last restyle."""
        self._cursor = 0
        self.now = lambda: datetime.now(timezone.utc)

    # -- data -------------------------------------------------------------------------------

    @property
    def visible_rows(self) -> tuple[PodRow, ...]:
        return self._visible

    @property
    def cursor_pod(self) -> str | None:
        return self._cursor_pod

    def _recompute(self) -> None:
        view = (self.sort_key, self.sort_reverse, self.filter_text)
        rows = self.rows
        before, before_view = self._ordered_from
        # the state hands an unchanged pod over as the same row object: when every row is, the
        # order is the one already computed (no filter and sort of every pod at each refresh)
        if view != before_view or (rows is not before and (
                len(rows) != len(before) or any(a is not b for a, b in zip(rows, before)))):
            ordered = sort_rows(filter_rows(rows, self.filter_text), self.sort_key)
            self._visible = tuple(reversed(ordered)) if self.sort_reverse else ordered
            self._ordered_from = (rows, view)
        # the cursor's pod where it was, else where it went: no list of every name per refresh
        # (the state draws at every source's answer; at 20,000 pods that list cost 7 ms each)
        visible, at = self._visible, self._cursor
        if not (0 <= at < len(visible) and visible[at].name == self._cursor_pod):
            found = next((i for i, r in enumerate(visible) if r.name == self._cursor_pod), None)
            if found is not None:
                self._cursor = found
            else:
                self._cursor = min(self._cursor, max(0, len(visible) - 1))
                self._set_cursor_pod()
        self.virtual_size = Size(self.size.width, len(self._visible) + 1)
        self.refresh()

    def _set_cursor_pod(self) -> None:
        pod = self._visible[self._cursor].name if self._visible else None
        if pod != self._cursor_pod:
            self._cursor_pod = pod
            self.post_message(self.PodHighlighted(pod))

    def watch_rows(self) -> None:
        self._recompute()

    def loading_text(self) -> str | None:
        """While the first LIST runs: how far it came (a 20,000-pod LIST takes seconds)."""
        progress = self.list_progress
        if progress is None or self.rows:
            return None
        if not progress.pages:
            return "loading pods: waiting for the first page…"
        plural = "" if progress.pages == 1 else "s"
        return f"loading pods: {progress.items:,} so far, {progress.pages} page{plural}…"

    def title_text(self) -> Text:
        """The pods pane's title: the count (shown/total under a filter), the filter, the sort, the threshold."""
        total, shown = len(self.rows), len(self.visible_rows)
        if self.list_progress is not None and not total:
            return Text(f"Pods loading… {self.list_progress.items:,}")
        title = Text(f"Pods {shown}/{total}" if self.filter_text else f"Pods {total}")
        if self.filter_text:
            title.append("  filter: /").append_text(plain(self.filter_text, one_line=True)).append("/")
        order = "reversed " if self.sort_reverse else ""
        title.append(f"  sort: {order}{self.sort_key}")
        title.append(f"  threshold {format_bytes(self.threshold_bytes, precision=2)}")
        return title

    def watch_list_progress(self) -> None:
        self.refresh()

    def watch_sort_key(self) -> None:
        self._recompute()
        self.post_message(self.ViewChanged())

    def watch_sort_reverse(self) -> None:
        self._recompute()
        self.post_message(self.ViewChanged())

    def watch_filter_text(self) -> None:
        self._recompute()
        self.post_message(self.ViewChanged())

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._visible) + 1)

    # -- rendering --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Every key that moves focus or toggles a class restyles the table (``/``, a modal, Esc).
        Its lines are drawn again only if the styles they are drawn with changed (a theme): a
        focus change changes the cursor's alone, which is in the cursor line's key.  Textual
        restyles the component classes after this call, so they are compared at the next line
        drawn (``_rows_drawn_with``).  Clearing here re-formatted every row on screen at each
        ``/`` and Esc: 40 rows, 11-16 ms of the key's 90-145 ms at 5,000-20,000 pods."""
        super().notify_style_update()
        self._styles_checked = False

    def _rows_drawn_with(self) -> tuple[Style, ...]:
        """What every row's line is drawn with: the table's style and each role's, but the cursor's."""
        return (self.rich_style, *(self._style(role) for role in ROW_ROLES))

    def _style(self, role: str) -> Style:
        if not role:
            return Style()
        return self.get_component_rich_style(f"pod-table--{role}", partial=True)

    def _cell(self, fragments: list[cells.Fragment], width: int, align: str, *, middle: bool = False) -> list[Segment]:
        # names, statuses and exit reasons come from the API: their control characters are shown
        fragments = [(visible(t, one_line=True), r) for t, r in fragments]
        text_len = sum(len(t) for t, _ in fragments)
        if text_len > width:  # crop: names in the middle, text at the end, figures at the start
            joined = "".join(t for t, _ in fragments)
            if middle:
                cut = cells.crop_middle(joined, width)
            elif align == "left":
                cut = joined[: width - 1] + "…"
            else:
                cut = joined[-width:]
            role = fragments[0][1] if fragments else ""
            return [Segment(cut, self._style(role))]
        pad = " " * (width - text_len)
        segments = [Segment(t, self._style(r)) for t, r in fragments if t]
        return ([Segment(pad)] + segments) if align == "right" else (segments + [Segment(pad)])

    def _header_fragments(self, column: Column) -> list[cells.Fragment]:
        title = column.title
        if column.key == _SORT_COLUMN.get(self.sort_key):
            title += " ▲" if self.sort_reverse else " ▼"
        return [(title, "")]

    def _ages(self, row: PodRow) -> tuple[str, str]:
        """The line's texts that move with the clock: the last exit's age and the pod's age."""
        now = self.now()
        last = ""
        if row.last_reason and row.last_terminated_at is not None:
            last = " " + cells.coarse_age((now - row.last_terminated_at).total_seconds())
        age = (now - row.created_at).total_seconds() if row.created_at else None
        return last, cells.age_text(age)

    def _row_fragments(self, row: PodRow, column: Column, width: int,
                       ages: tuple[str, str] | None = None) -> list[cells.Fragment]:
        key = column.key
        last_ago, age_text = ages if ages is not None else self._ages(row)
        percent = row.percent
        if key == "name":
            healthy = row.status_text == "Running" and _all_ready(row.ready_text)
            return [(row.name, "crit" if row.over_threshold else ("" if healthy else "warn"))]
        if key == "status":
            role = "oom" if row.status_text == "OOMKilled" else (
                "ok" if row.status_text == "Running" and _all_ready(row.ready_text) else "warn"
            )
            return [(row.status_text, role)]
        if key == "ready":
            return [(row.ready_text, "")]
        if key == "restarts":
            return [(str(row.restarts), "warn" if row.restarts else "dim")]
        if key == "last":
            if not row.last_reason:
                # a rollout erased lastState; Prometheus or memtui's own ledger still know
                if row.oom_within_2h or row.oom_kills_seen:
                    return [("OOMKilled ≤2h", "oom")]
                return [("—", "dim")]
            return [(row.last_reason + last_ago, "oom" if row.last_reason == "OOMKilled" else "warn")]
        if key == "memory":
            return [(cells.memory_text(row.working_set, row.limit), severity_or_dim(percent))]
        if key == "percent":
            return [(cells.percent_text(percent), cells.severity(percent))]
        if key == "split":
            if row.rss is None:
                return [("—", "dim")]
            return [(cells.split_text(row.rss, row.cache), "dim")]
        if key == "bar":
            threshold_pct = 100.0 * self.threshold_bytes / row.limit if row.limit else None
            return cells.bar(percent, width, threshold_percent=threshold_pct)
        if key == "trend":
            return cells.sparkline(row.trend, width, limit=row.limit)
        if key == "growth":
            growth = row.growth_per_minute
            role = "dim" if growth is None or abs(growth) < 1024**2 else ("warn" if growth > 0 else "ok")
            return [(cells.growth_text(growth), role)]
        if key == "forecast":
            return [cells.oom_eta_text(row.seconds_to_oom)]
        if key == "age":
            return [(age_text, "dim")]
        return [("", "")]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y > 0:
            index = int(self.scroll_offset.y) + y - 1
            if index >= len(self._visible):
                base = self.rich_style
                loading = self.loading_text() if y == 1 else None
                if loading is not None:
                    dim = base + self._style("dim")
                    return Strip([Segment(" " + loading, dim)], width).crop_extend(0, width, dim)
                return Strip.blank(width, base)
            row = self._visible[index]
            ages = self._ages(row)
            if not self._styles_checked:
                self._line_cache.drawn_with(self._rows_drawn_with())
                self._styles_checked = True
            # the cursor's style follows the focus (and the theme): only the cursor's line has it
            cursor = self._style("cursor") if index == self._cursor else None
            key = (width, cursor, self.threshold_bytes, ages)
            cached = self._line_cache.get(row, key)
            if cached is not None:
                return cached
            strip = self._row_line(row, width, index == self._cursor, ages)
            self._line_cache.put(row, key, strip, screen_height=self.size.height)
            return strip
        layout = layout_columns(width)
        base = self.rich_style
        if y == 0:
            segments = self._join([self._cell(self._header_fragments(c), w, "left") for c, w in layout])
            return Strip(Segment.apply_style(segments, base + self._style("header")), width).extend_cell_length(width, base + self._style("header"))
        return Strip.blank(width, base)

    def _row_line(self, row: PodRow, width: int, on_cursor: bool, ages: tuple[str, str]) -> Strip:
        layout = layout_columns(width)
        base = self.rich_style
        cursor = self._style("cursor") if on_cursor else Style()
        text_colour = Style(color=cursor.color) if on_cursor and cursor.color else None
        columns = []
        for c, w in layout:
            segs = self._cell(self._row_fragments(row, c, w, ages), w, c.align, middle=c.key == "name")
            if text_colour is not None and c.key not in GRAPHIC_COLUMNS:
                segs = list(Segment.apply_style(segs, post_style=text_colour))
            columns.append(segs)
        segments = self._join(columns)
        line_style = base + cursor
        return Strip(Segment.apply_style(segments, line_style), width).extend_cell_length(width, line_style)

    @staticmethod
    def _join(columns: list[list[Segment]]) -> list[Segment]:
        out: list[Segment] = []
        for i, segs in enumerate(columns):
            if i:
                out.append(Segment(" "))
            out.extend(segs)
        return out

    # -- cursor and actions -----------------------------------------------------------------

    def _move_cursor(self, index: int) -> None:
        if not self._visible:
            return
        self._cursor = max(0, min(index, len(self._visible) - 1))
        self._set_cursor_pod()
        self.scroll_to_region(Region(0, self._cursor + 1, 1, 1), animate=False, top=False, spacing=None, immediate=True)
        # keep the header line out of the cursor's way
        if self._cursor < self.scroll_offset.y:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        self.refresh()

    def select_pod(self, pod: str) -> bool:
        names = [r.name for r in self._visible]
        if pod not in names:
            return False
        self._move_cursor(names.index(pod))
        return True

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self._move_cursor(int(self.scroll_offset.y) + event.y - 1)

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor - max(1, self.size.height - 2))

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor + max(1, self.size.height - 2))

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._visible) - 1)

    def action_cycle_sort(self) -> None:
        self.sort_key = SORT_KEYS[(SORT_KEYS.index(self.sort_key) + 1) % len(SORT_KEYS)]
        self.sort_reverse = False

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse

    def action_open_details(self) -> None:
        if self._cursor_pod is not None:
            self.post_message(self.DetailsRequested(self._cursor_pod))


_SORT_COLUMN = {
    "memory": "memory",
    "forecast": "forecast",
    "percent": "percent",
    "growth": "growth",
    "restarts": "restarts",
    "name": "name",
    "age": "age",
}


def _all_ready(ready_text: str) -> bool:
    ready, _, total = ready_text.partition("/")
    return ready == total


def severity_or_dim(percent: float | None) -> str:
    return cells.severity(percent) if percent is not None else "dim"
