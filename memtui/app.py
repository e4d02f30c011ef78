"""The memtui cockpit: live pods, events and incident state for one namespace.

Data flow: a one-shot thread worker per refresh reads the sources and posts an immutable
snapshot; the main thread folds it into ``CockpitState`` and hands widgets what to draw; the
next refresh is armed with a timer only after this one finished, so polls never overlap and a
slow API server stretches the interval instead of piling requests up.  A failed refresh keeps
the last data on screen, marks the pane stale with the reason, and retries by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input
from textual.widgets import HelpPanel

from memtui.cockpit_state import CockpitState, SourceHealth
from memtui.keymap import Keymap
from memtui.messages import KubeRefreshed, KubeRefreshFailed
from memtui.settings import Settings
from memtui.sources.errors import SourceError, describe_failure
from memtui.sources.kube_connection import KubeConnection
from memtui.sources.kubernetes import KubeSource
from memtui.units import format_bytes
from memtui.widgets.events_pane import EventsPane
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.pod_table import PodTable
from memtui.widgets.side_panel import SidePanel

NARROW_WIDTH = 120
MAX_BACKOFF_SECONDS = 30.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class MemtuiApp(App[None]):
    """The incident cockpit for one namespace of one cluster."""

    CSS_PATH = "app.tcss"
    TITLE = "memtui"

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("slash", "filter", "Filter", id="app.filter"),
        Binding("r", "refresh_now", "Refresh", id="app.refresh"),
        Binding("e", "toggle_events", "Events", id="app.toggle-events"),
        Binding("p", "toggle_side", "Panel", id="app.toggle-side"),
        Binding("question_mark,f1", "toggle_help", "Keys", id="app.help"),
    ]

    def __init__(
        self,
        settings: Settings,
        connection: KubeConnection,
        *,
        keymap: Keymap | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.connection = connection
        self.clock = clock
        self.kube_source = KubeSource(connection, timeout=settings.request_timeout)
        self.state = CockpitState(threshold_bytes=settings.threshold_bytes, clock=clock)
        self._keymap = keymap
        self._refresh_timer = None
        self._refreshing = False
        self._failures = 0

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        header = IncidentHeader(
            context=self.connection.context,
            namespace=self.connection.namespace,
            threshold_bytes=self.settings.threshold_bytes,
            read_only=self.settings.read_only,
            demo=self.settings.demo,
            id="header",
        )
        header.now = self.clock
        yield header
        with Horizontal(id="body"):
            with Vertical(id="main"):
                with Vertical(id="pods-pane", classes="pane") as pods_pane:
                    pods_pane.border_title = "Pods"
                    table = PodTable(id="pods")
                    table.now = self.clock
                    table.threshold_bytes = self.settings.threshold_bytes
                    yield table
                with Vertical(id="events-pane", classes="pane") as events_pane:
                    events_pane.border_title = "Events (newest first)"
                    events = EventsPane(id="events")
                    events.now = self.clock
                    yield events
            side = SidePanel(id="side")
            side.now = self.clock
            side.border_title = "Incident"
            yield side
        yield Input(placeholder="filter pods (regex on name/status) – Enter keeps, Esc clears", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        if self._keymap is not None:
            self.set_keymap(self._keymap.bindings)
        self.query_one(PodTable).focus()
        self._apply_narrow(self.size.width)
        self._update_pods_title()
        self._start_refresh()

    def on_resize(self, event) -> None:
        self._apply_narrow(event.size.width)

    def _apply_narrow(self, width: int) -> None:
        self.screen.set_class(width < NARROW_WIDTH, "-narrow")

    # -- refresh loop -----------------------------------------------------------------------

    def _start_refresh(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True
        self.collect_kube()

    def _schedule_next(self) -> None:
        delay = self.settings.refresh
        if self._failures:
            delay = min(MAX_BACKOFF_SECONDS, self.settings.refresh * 2 ** min(self._failures - 1, 4))
        self._refresh_timer = self.set_timer(delay, self._start_refresh)

    @work(thread=True, exclusive=True, group="kube", exit_on_error=False)
    def collect_kube(self) -> None:
        """One Kubernetes refresh, off the event loop."""
        try:
            snapshot = self.kube_source.fetch()
        except SourceError as exc:
            self.post_message(KubeRefreshFailed(exc.reason))
        except Exception as exc:  # noqa: BLE001 - a refresh must never kill the app
            self.post_message(KubeRefreshFailed(describe_failure(exc)))
        else:
            self.post_message(KubeRefreshed(snapshot))

    def on_kube_refreshed(self, message: KubeRefreshed) -> None:
        self._refreshing = False
        self._failures = 0
        self.state.apply(message.snapshot)
        self._render_state()
        self._schedule_next()

    def on_kube_refresh_failed(self, message: KubeRefreshFailed) -> None:
        self._refreshing = False
        self._failures += 1
        self.state.fail(message.reason)
        self._render_state()
        self._schedule_next()

    # -- rendering --------------------------------------------------------------------------

    def _render_state(self) -> None:
        state = self.state
        table = self.query_one(PodTable)
        table.rows = state.rows
        header = self.query_one(IncidentHeader)
        header.incident = state.incident
        header.sources = (state.kube_health, state.metrics_health)
        self.query_one(EventsPane).show(state.events())
        side = self.query_one(SidePanel)
        side.escalation = state.incident.escalation(self.clock())
        self._update_side_pod()
        self._mark(self.query_one("#pods-pane"), state.kube_health, extra=state.metrics_health)
        events_health = SourceHealth(
            "events", last_ok=state.kube_health.last_ok, error=state.snapshot.events_error if state.snapshot else None
        ) if not state.kube_health.stale or state.snapshot is None else state.kube_health
        self._mark(self.query_one("#events-pane"), events_health)
        self._update_pods_title()

    def _mark(self, pane, health: SourceHealth, extra: SourceHealth | None = None) -> None:
        """Border subtitle: when it was updated, or since when it is stale and why."""
        problem = health if health.stale else (extra if extra is not None and extra.stale else None)
        if problem is not None:
            since = problem.last_ok.astimezone().strftime("%H:%M:%S") if problem.last_ok else "start"
            pane.border_subtitle = f"stale since {since}: {problem.error}"
            pane.add_class("-stale")
        else:
            when = health.last_ok.astimezone().strftime("%H:%M:%S") if health.last_ok else "—"
            detail = f" · {health.detail}" if health.detail else ""
            pane.border_subtitle = f"updated {when}{detail}"
            pane.remove_class("-stale")

    def _update_pods_title(self) -> None:
        table = self.query_one(PodTable)
        total = len(table.rows)
        shown = len(table.visible_rows)
        title = f"Pods {shown}/{total}" if table.filter_text else f"Pods {total}"
        if table.filter_text:
            title += f"  filter: /{table.filter_text}/"
        order = "reversed " if table.sort_reverse else ""
        title += f"  sort: {order}{table.sort_key}"
        title += f"  threshold {format_bytes(self.settings.threshold_bytes, precision=2)}"
        self.query_one("#pods-pane").border_title = title

    def _update_side_pod(self) -> None:
        table = self.query_one(PodTable)
        pod = table.cursor_pod
        row = next((r for r in table.visible_rows if r.name == pod), None)
        self.query_one(SidePanel).pod = row

    @on(PodTable.PodHighlighted)
    def _pod_highlighted(self, _: PodTable.PodHighlighted) -> None:
        self._update_side_pod()

    # -- actions ----------------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        self._start_refresh()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-active")
        box.value = self.query_one(PodTable).filter_text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(PodTable).filter_text = event.value
        self._update_pods_title()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, _: Input.Submitted) -> None:
        self._close_filter(keep=True)

    def _close_filter(self, *, keep: bool) -> None:
        box = self.query_one("#filter", Input)
        table = self.query_one(PodTable)
        if not keep:
            box.value = ""
            table.filter_text = ""
        box.remove_class("-active")
        table.focus()
        self._update_pods_title()

    def on_key(self, event) -> None:
        box = self.query_one("#filter", Input)
        if event.key == "escape" and box.has_class("-active"):
            event.stop()
            self._close_filter(keep=False)

    def action_toggle_events(self) -> None:
        self.query_one("#events-pane").toggle_class("-hidden")

    def action_toggle_side(self) -> None:
        self.query_one("#side").toggle_class("-hidden")

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    @on(PodTable.ViewChanged)
    def _view_changed(self, _: PodTable.ViewChanged) -> None:
        self._update_pods_title()
