"""One pod in full, on Enter in the pods table (as k9s users expect); Esc returns to the same pod.

Each container with its own working set, limit and % of limit (a 12 GiB model server next to a
256 MiB log shipper must not be averaged into "50 % of the pod's limit" while the shipper is at
98 % of its own), its restarts and last termination with memtui's classification of the kill,
every kill memtui's ledger knows, the pod's events, its node and the node's MemoryPressure, the
working-set sparkline over the window, the last log lines matching the runbook's patterns (read
once, in a thread worker, when the screen opens), and the cause ranking's evidence about this pod.
The figures stay live while the screen is open (the app pushes them, ``show_live``).
Every string from the cluster (names, reasons, messages, log lines) is drawn through outside_text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Static

from memtui.reasoning.model import Fact
from memtui.state.oom_ledger import KillKind, OomKill
from memtui.state.pod_details import LOG_TAIL_LINES, ContainerFigures, PodDetails, PodLogExcerpt
from memtui.state.units import format_age, format_bytes, format_rate
from memtui.widgets import cells
from memtui.widgets.outside_text import plain
from memtui.widgets.roles import role

KIND_ROLE = {KillKind.LIMIT: "bold bad", KillKind.NODE: "bold warn", KillKind.OTHER: "accent"}
EVENTS_SHOWN = 10


def _title(title: str, *, newline: bool = True) -> Text:
    """A section title; only the title is underlined (a Text's own style would cover all it holds)."""
    text = Text()
    text.append(title, style="bold underline")
    return text.append("\n") if newline else text


def _clock(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M:%S") if when else "—"


def _percent(value: float | None) -> Text:
    if value is None:
        return Text("—", style=role("muted"))
    return Text(f"{value:.0f} %", style=cells.fragment_style(cells.severity(value)))


def _kind(kill: OomKill | None) -> Text:
    if kill is None:
        return Text()
    return Text(kill.kind.value, style=role(KIND_ROLE[kill.kind]))


def head_text(details: PodDetails, now: datetime) -> Text:
    text = Text()
    text.append_text(plain(details.pod, "bold", one_line=True))
    row = details.row
    if row is None:
        text.append("  gone: no longer in the pod list (memtui's ledger keeps its kills)", style=role("muted"))
    else:
        text.append("  ").append_text(plain(f"{row.status_text} {row.ready_text}", one_line=True))
        if row.created_at:
            text.append(f"  age {format_age((now - row.created_at).total_seconds())}", style=role("muted"))
    if details.reason:
        text.append("  ").append_text(plain(details.reason, role("bold warn"), one_line=True))
    text.append("\nEsc back to the pods table · ↑↓ scroll", style=role("muted"))
    return text


def _last_termination(c: ContainerFigures) -> Text:
    if not c.last_reason and c.last_exit_code is None:
        return Text("none", style=role("muted"))
    text = plain(c.last_reason or "terminated", one_line=True)
    if c.last_exit_code is not None:
        text.append(f" exit {c.last_exit_code}")
    text.append(f" {_clock(c.last_at)}", style=role("muted"))
    if c.last_kill is not None:
        text.append(" · ").append_text(_kind(c.last_kill))
    return text


def containers_text(details: PodDetails) -> Text:
    """One line per container, its % of its own limit; a pod total only beside them, never instead."""
    text = _title("Containers")
    if not details.containers:
        return text.append("none known (the pod is gone)\n", style=role("muted"))
    text.append(f"{'CONTAINER':<14} {'WORKING SET':>11} {'LIMIT':>8} {'% LIMIT':>7} {'RESTARTS':>8} LAST TERMINATION\n",
                style=role("muted"))
    for c in details.containers:
        name = cells.crop_middle(plain(c.name, one_line=True).plain, 14)
        text.append(f"{name:<14} ", style="bold")
        text.append(f"{format_bytes(c.working_set):>11} {format_bytes(c.limit) if c.limit else 'none':>8} ")
        pct = _percent(c.percent)
        text.append(" " * max(0, 7 - len(pct.plain))).append_text(pct)
        text.append(f" {c.restarts:>8} ")
        if c.state != "running":
            text.append_text(plain(c.state_reason or c.state, role("warn"), one_line=True)).append(" · ")
        text.append_text(_last_termination(c)).append("\n")
    if len(details.containers) > 1:
        worst = max(details.containers, key=lambda c: c.percent or -1.0)
        if worst.percent is not None:
            text.append("each container against its own limit; the fullest is ", style=role("muted"))
            text.append_text(plain(worst.name, "bold", one_line=True))
            text.append(f" at {worst.percent:.0f} %\n", style=role("muted"))
    return text


def kills_text(kills: Sequence[OomKill]) -> Text:
    text = _title("Why it died (memtui's record, per container)")
    if not kills:
        return text.append("no kill seen\n", style=role("muted"))
    for kill in kills[:8]:
        text.append(f"{_clock(kill.finished_at)} ")
        text.append_text(plain(kill.container or "(pod)", "bold", one_line=True)).append(" ")
        text.append_text(_kind(kill)).append("  ")
        text.append_text(plain(kill.reason or "?", one_line=True))
        if kill.exit_code is not None:
            text.append(f" exit {kill.exit_code}")
        before = format_bytes(kill.working_set_before) if kill.working_set_before is not None else "?"
        limit = format_bytes(kill.limit) if kill.limit else "?"
        text.append(f"  ws before {before} of {limit}", style=role("muted"))
        delta = kill.restart_delta
        text.append(f"  restarts +{delta}" if delta is not None else "", style=role("muted"))
        text.append("\n  ").append(kill.why, style=role("muted"))
        if kill.message:
            text.append("\n  ").append_text(plain(kill.message[:200], role("muted"), one_line=True))
        text.append("\n")
    if len(kills) > 8:
        text.append(f"… {len(kills) - 8} older\n", style=role("muted"))
    return text


def node_text(details: PodDetails) -> Text:
    node = details.node
    text = _title("Node", newline=False).append(" ")
    text.append_text(plain(node.name or "—", "bold", one_line=True)).append("  ")
    if node.memory_pressure is True:
        text.append(f"MemoryPressure True since {_clock(node.since)}", style=role("bold bad"))
    elif node.memory_pressure is False:
        text.append("MemoryPressure False", style=role("ok"))
    else:
        text.append_text(plain(node.note or "MemoryPressure unknown", role("warn"), one_line=True))
    if node.allocatable:
        text.append(f"  allocatable {format_bytes(node.allocatable)}", style=role("muted"))
    return text.append("\n")


def trend_text(details: PodDetails, width: int) -> Text:
    text = _title("Working set over the window (scaled to the limit)")
    row = details.row
    values = row.trend if row is not None else ()
    if not values:
        return text.append("no samples yet\n", style=role("muted"))
    spark = cells.sparkline(values, max(10, width), limit=float(row.limit) if row and row.limit else None)
    for fragment, fragment_role in spark:
        if fragment.strip():  # left-aligned here: the pods table's right-alignment padding would wrap
            text.append(fragment, style=cells.fragment_style(fragment_role))
    if row is not None:
        text.append(f"\nnow {format_bytes(row.working_set)} of {format_bytes(row.limit) if row.limit else 'no limit'}"
                    f" · growth {format_rate(row.growth_per_minute)}", style=role("muted"))
    return text.append("\n")


def events_text(details: PodDetails) -> Text:
    text = _title("Events (this pod, newest first)")
    if not details.events:
        return text.append("none\n", style=role("muted"))
    for event in details.events[:EVENTS_SHOWN]:
        warn = event.type == "Warning"
        text.append(f"{_clock(event.last_seen)} ")
        text.append_text(plain(event.reason, role("warn") if warn else "", one_line=True))
        if event.count > 1:
            text.append(f" ×{event.count}")
        text.append(" ").append_text(plain(event.message, role("muted"), one_line=True)).append("\n")
    return text


def logs_text(excerpt: PodLogExcerpt | None, *, reading: bool) -> Text:
    text = _title("Log lines matching the runbook (memory|leak|oom, model loaded|cached, allocated|freed|gc, batch_size)")
    if excerpt is None:
        return text.append(f"reading the last {LOG_TAIL_LINES} lines of each container…\n" if reading
                           else "not read\n", style=role("muted"))
    for line in excerpt.lines:
        text.append(f"{line.label:<6} ", style=role("accent"))
        if len(excerpt.containers_read) > 1:
            text.append_text(plain(line.container, "bold", one_line=True)).append(" ")
        text.append_text(plain(line.text, one_line=True)).append("\n")
    if not excerpt.lines and excerpt.containers_read:
        text.append(f"no matching line in the last {excerpt.lines_scanned} lines\n", style=role("muted"))
    for error in excerpt.errors:
        text.append("not read: ", style=role("warn")).append_text(plain(error, role("warn"), one_line=True)).append("\n")
    return text


def evidence_text(facts: Sequence[Fact]) -> Text:
    text = _title("Cause ranking: evidence about this pod")
    if not facts:
        return text.append("none about this pod yet\n", style=role("muted"))
    for fact in facts:
        sign = "+" if fact.weight > 0 else "−" if fact.weight < 0 else "·"
        text.append(f"{sign} {fact.cause:<13} ", style=role("ok" if fact.weight > 0 else "muted"))
        text.append_text(plain(fact.text, one_line=True)).append(f"  ({fact.source})\n", style=role("muted"))
    return text


class PodDetailsScreen(ModalScreen[str]):
    """The details of one pod; dismissed with its name, so the table lands on the same pod."""

    DEFAULT_CSS = """
    PodDetailsScreen { align: center middle; }
    PodDetailsScreen > #details-dialog {
        width: 96%; height: 92%; border: thick $primary; background: $surface; padding: 0 1;
    }
    PodDetailsScreen Static { height: auto; margin-bottom: 1; }
    PodDetailsScreen #details-head { margin-bottom: 1; }
    """

    BINDINGS = [Binding("escape,q", "close", "Back to pods", id="details.close")]

    def __init__(self, details: PodDetails, *, facts: Sequence[Fact] = (),
                 fetch_logs: Callable[[], PodLogExcerpt] | None = None,
                 now: Callable[[], datetime]) -> None:
        super().__init__()
        self.details = details
        self.facts = tuple(facts)
        self.fetch_logs = fetch_logs
        self.now = now
        self.logs: PodLogExcerpt | None = None

    @property
    def pod(self) -> str:
        return self.details.pod

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details-dialog"):
            for part in ("head", "containers", "kills", "node", "trend", "events", "logs", "evidence"):
                yield Static(id=f"details-{part}")

    def on_mount(self) -> None:
        self.query_one("#details-dialog").focus()
        self._draw()
        self._draw_logs()
        if self.fetch_logs is not None:
            self._read_logs(self.fetch_logs)

    def show_live(self, details: PodDetails, facts: Sequence[Fact] = ()) -> None:
        """The latest figures (the app pushes them after each applied refresh while this is open)."""
        self.details = details
        self.facts = tuple(facts)
        self._draw()

    def _draw(self) -> None:
        details = self.details
        width = self.query_one("#details-dialog").content_size.width or 60
        for part, text in (("head", head_text(details, self.now())), ("containers", containers_text(details)),
                           ("kills", kills_text(details.kills)), ("node", node_text(details)),
                           ("trend", trend_text(details, width)), ("events", events_text(details)),
                           ("evidence", evidence_text(self.facts))):
            text.rstrip()
            self.query_one(f"#details-{part}", Static).update(text)

    def _draw_logs(self) -> None:
        text = logs_text(self.logs, reading=self.fetch_logs is not None)
        text.rstrip()
        self.query_one("#details-logs", Static).update(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pod-details-logs")
    def _read_logs(self, fetch: Callable[[], PodLogExcerpt]) -> None:
        """Once per opening, off the event loop: the read may take a request timeout."""
        try:
            excerpt = fetch()
        except Exception as exc:  # noqa: BLE001 - a bug in the read must not take the screen down
            excerpt = PodLogExcerpt(self.pod, (), (), (f"{type(exc).__name__}: {exc}",))
        self.app.call_from_thread(self._logs_read, excerpt)

    def _logs_read(self, excerpt: PodLogExcerpt) -> None:
        self.logs = excerpt
        try:
            self._draw_logs()
        except NoMatches:  # closed before the read came back
            pass

    def action_close(self) -> None:
        self.dismiss(self.pod)
