"""The memtui cockpit: live pods, events, GPU and Redis for one namespace, and the incident.

Data flow: each source is polled by one-shot thread workers (``Poller``) that post immutable
snapshots; the main thread folds them into ``CockpitState`` and hands widgets what to draw.
A failed poll keeps the last data on screen, marks its pane stale with the reason, backs off and
retries by itself; the other panes stay live and keys stay responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Footer, Input

from memtui.state.cockpit import CockpitState, SourceHealth
from memtui.state.snapshots import KubeSnapshot
from memtui.ui.bindings import APP_BINDINGS, binding_ids
from memtui.ui.crash import EXIT_CRASH, record_crash
from memtui.ui.key_names import bound_key_label
from memtui.ui.keymap import Keymap, load_keymap
from memtui.ui.keys_help import help_sections
from memtui.runbook import Catalogue, load_catalogue
from memtui.ui.runbook_actions import RunbookActionsMixin, RunbookCommands
from memtui.ui.messages import SourceRefreshed
from memtui.ui.polling import Poller
from memtui.config.settings import Settings
from memtui.sources.bundle import SourceBundle, build_sources
from memtui.clients.kube.connection import KubeConnection
from memtui.state.units import format_bytes
from memtui.widgets.actions_panel import ActionsPanel
from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.events_pane import EventsPane
from memtui.widgets.gpu_pane import GpuPane
from memtui.widgets.help_screen import HelpScreen
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.outside_text import first_line, plain, visible
from memtui.widgets.pod_table import PodTable
from memtui.widgets.reasons_screen import ReasonsScreen
from memtui.widgets.redis_pane import RedisPane
from memtui.widgets.side_panel import SidePanel

NARROW_WIDTH = 140
SHORT_HEIGHT = 30
SUBTITLE_MARGIN = 6
"""Border corners and padding around a pane's subtitle."""
REASON_WIDTH_UNKNOWN = 100
"""Where a reason is cut before the pane has a size."""

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _clock_text(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M:%S") if when else "start"


class MemtuiApp(RunbookActionsMixin, App[None]):
    """The incident cockpit for one namespace of one cluster."""

    CSS_PATH = "app.tcss"
    TITLE = "memtui"
    COMMANDS = App.COMMANDS | {RunbookCommands}

    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        settings: Settings,
        connection: KubeConnection,
        *,
        keymap: Keymap | None = None,
        clock: Clock = utc_now,
        sources: SourceBundle | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        super().__init__()
        self.catalogue = catalogue or load_catalogue()
        if keymap is None:
            keymap = load_keymap(None, binding_ids(), {a.id for a in self.catalogue.actions})
        self.keymap_actions = keymap.actions
        self.keymap_bindings = keymap.bindings
        """Binding id → keys (the help screen lists these; Textual keeps its own copy in ``_keymap``)."""
        self.effects: list = []
        self._render_deferred = False
        self.settings = settings
        self.connection = connection
        self.clock = clock
        self.sources = sources or build_sources(settings, connection)
        self.state = CockpitState(threshold_bytes=settings.threshold_bytes, clock=clock)
        self._keymap = keymap
        self.pollers: dict[str, Poller] = {}
        self.crash_report: Path | None = None
        """Where the report of an unexpected exception was written (the app then exits non-zero)."""
        self.crash_line: str | None = None
        """The one line for it, printed by the command line once the terminal is restored."""

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
                with Vertical(id="pods-pane", classes="pane"):
                    table = PodTable(id="pods")
                    table.now = self.clock
                    table.threshold_bytes = self.settings.threshold_bytes
                    yield table
                with Horizontal(id="lower"):
                    with Vertical(id="events-pane", classes="pane") as events_pane:
                        events_pane.border_title = "Events (newest first)"
                        events = EventsPane(id="events")
                        events.now = self.clock
                        yield events
                    with Vertical(id="aux"):
                        with Vertical(id="gpu-pane", classes="pane") as gpu_pane:
                            gpu_pane.border_title = "GPU memory"
                            yield GpuPane(id="gpu")
                        with Vertical(id="redis-pane", classes="pane") as redis_pane:
                            redis_pane.border_title = "Redis"
                            yield RedisPane(id="redis")
            with Vertical(id="side"):
                side = SidePanel(id="incident")
                side.now = self.clock
                yield side
                yield ActionsPanel(self.catalogue.actions, self.keymap_actions, id="actions")
        yield Input(placeholder="filter pods (regex on name/status) – Enter keeps, Esc clears", id="filter")
        yield Footer()

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected exception: the report goes to a crash file, the terminal gets one line.

        Textual's handler sets the exit code, records the error for ``run_test`` and closes the
        app; what it would print (a traceback with every frame's locals: pod JSON, tokens) is
        replaced by the line naming the crash file.  Only the first error is reported: later ones
        are fallout of the shutdown it started.
        """
        first = self.crash_line is None
        if first:
            self.crash_report, self.crash_line = record_crash(error)
        errors_before = len(self._exit_renderables)
        super()._handle_exception(error)
        del self._exit_renderables[errors_before:]  # the command line prints ``crash_line`` instead
        self._return_code = EXIT_CRASH

    def on_mount(self) -> None:
        self._bind_runbook_keys()
        if self._keymap is not None:
            self.set_keymap(self._keymap.bindings)
        self.query_one("#side").border_title = "Incident · runbook"
        self._setup_runbook()
        self.query_one(PodTable).focus()
        self._apply_size(self.size.width, self.size.height)
        self._update_pods_title()
        self._start_polling()

    def on_unmount(self) -> None:
        self.effects_not_measured()
        for poller in self.pollers.values():
            poller.stop()
        self.sources.stop()

    def on_resize(self, event) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        """Small terminals: the pods pane keeps the room, auxiliary panes collapse (keys bring them back)."""
        self.screen.set_class(width < NARROW_WIDTH, "-narrow")
        self.screen.set_class(height < SHORT_HEIGHT, "-short")

    # -- polling ----------------------------------------------------------------------------

    def _start_polling(self) -> None:
        """One poller per source spec; a source that is off says why in its pane."""
        state = self.state
        for spec in self.sources.specs:
            state.expect(spec.health_name)
            if spec.off is not None:
                state.disable(spec.health_name, spec.off)
                continue
            inputs = partial(spec.inputs, state) if spec.inputs is not None else None
            self.pollers[spec.name] = Poller(self, spec, inputs=inputs)
        for poller in self.pollers.values():
            poller.start()
        self._render_state()

    @on(SourceRefreshed)
    def _source_refreshed(self, message: SourceRefreshed) -> None:
        with suppress(NoMatches):  # a poll that finishes while the app is shutting down
            self._apply_refresh(message)

    def _apply_refresh(self, message: SourceRefreshed) -> None:
        if message.error is not None:
            self.state.fail(message.spec.health_name, message.error)
        else:
            self.state.apply(message.snapshot)
            if isinstance(message.snapshot, KubeSnapshot):
                self.effects_due()  # effect windows close on a pods refresh
        poller = self.pollers.get(message.source)
        if poller is not None:
            poller.done(message.ok)
        self._render_state()

    # -- rendering --------------------------------------------------------------------------

    def _render_state(self) -> None:
        self._render_header()
        if len(self.screen_stack) > 1:
            # a modal is open: the header and the modal's own target figures stay live (the
            # operator deciding on a delete sees memory now); the panes behind it are drawn
            # once it closes (no repaint of what nobody can see)
            self._render_deferred = True
            self.push_live_figures()
            return
        self._render_deferred = False
        state = self.state
        table = self.query_one(PodTable)
        table.rows = state.rows
        self.query_one(EventsPane).show(state.events())
        side = self.query_one(SidePanel)
        side.escalation = state.incident.escalation(self.clock())
        side.oom_kills = state.oom_summary()
        self._update_side_pod()
        health = state.health
        self._mark("#pods-pane", state.health_with_notes("kubernetes", "prometheus"), health["metrics API"])
        self._mark("#events-pane", health["kubernetes"])
        self._render_gpu()
        self._render_redis()
        self._update_pods_title()

    def _render_header(self) -> None:
        state = self.state
        header = self.query_one(IncidentHeader)
        header.incident = state.incident
        header.next_oom = state.next_oom()
        header.restart_pending = state.restart_pending()
        header.sources = tuple(state.health.values())

    def push_live_figures(self) -> None:
        """The latest rows to an open confirmation modal, for its target figures."""
        screen = self.screen
        if isinstance(screen, ConfirmActionScreen):
            screen.show_live(self.state.rows, self.clock())

    def _render_gpu(self) -> None:
        pane = self.query_one(GpuPane)
        state = self.state
        pane.usage = state.gpu_rows()
        pane.trends = state.gpu_trends()
        gpu_health = state.health["gpu"]
        if not state.gpu:
            pane.message = gpu_health.detail if not gpu_health.enabled else (gpu_health.error or "waiting for GPU figures…")
        title = Text("GPU memory")
        if state.gpu_source:
            title.append(" · ").append_text(plain(state.gpu_source, one_line=True))
        self.query_one("#gpu-pane").border_title = title
        self._mark("#gpu-pane", gpu_health)

    def _render_redis(self) -> None:
        pane = self.query_one(RedisPane)
        state = self.state
        redis_health = state.health["redis"]
        pane.stats = state.redis
        pane.trend = state.redis_history.values()
        if state.redis is None:
            pane.message = redis_health.detail if not redis_health.enabled else (redis_health.error or "waiting for INFO…")
        title = Text("Redis")
        if state.redis is not None:
            title.append(" · ").append_text(plain(state.redis.source, one_line=True))
        self.query_one("#redis-pane").border_title = title
        self._mark("#redis-pane", redis_health)

    def _mark(self, selector: str, health: SourceHealth, extra: SourceHealth | None = None) -> None:
        """Border subtitle: when it was updated, since when it is stale and why, or that it is off.

        The reason is outside text (an API error body, a Redis reply): drawn literally, and cut
        to the one line the border has; ``H`` shows it in full.
        """
        pane = self.query_one(selector)
        problem = health if health.stale else (extra if extra is not None and extra.stale else None)
        if problem is not None:
            pane.border_subtitle = self._one_line(pane, f"stale since {_clock_text(problem.last_ok)}: ",
                                                  problem.error or "")
            pane.add_class("-stale")
            return
        pane.remove_class("-stale")
        if not health.enabled:
            pane.border_subtitle = "off"
        elif health.last_ok is None:
            pane.border_subtitle = "connecting…"
        else:
            detail = f" · {health.detail}" if health.detail and selector == "#pods-pane" else ""
            pane.border_subtitle = self._one_line(pane, f"updated {_clock_text(health.last_ok)}", detail)

    def _one_line(self, pane: Widget, head: str, reason: str) -> Text:
        """``head`` and the outside-text ``reason``, literal, cut to the border's one line with a
        pointer to the key that shows the whole of it."""
        room = (pane.size.width - SUBTITLE_MARGIN if pane.size.width else REASON_WIDTH_UNKNOWN) - len(head)
        reason = visible(reason, one_line=True)
        subtitle = Text(head)
        if Text(reason).cell_len <= room:
            return subtitle.append(reason)
        hint = f" · {self._key_for('app.reasons')}: full reason"
        return subtitle.append(first_line(reason, max(10, room - len(hint)))).append(hint, style="dim")

    def _key_for(self, binding_id: str) -> str:
        """The key the operator presses for a binding, as the keymap has it."""
        return bound_key_label(self.keymap_bindings, binding_id, self.BINDINGS)

    def _update_pods_title(self) -> None:
        table = self.query_one(PodTable)
        total = len(table.rows)
        shown = len(table.visible_rows)
        title = Text(f"Pods {shown}/{total}" if table.filter_text else f"Pods {total}")
        if table.filter_text:
            title.append("  filter: /").append_text(plain(table.filter_text, one_line=True)).append("/")
        order = "reversed " if table.sort_reverse else ""
        title.append(f"  sort: {order}{table.sort_key}")
        title.append(f"  threshold {format_bytes(self.settings.threshold_bytes, precision=2)}")
        self.query_one("#pods-pane").border_title = title

    def _after_modal(self) -> None:
        """A modal or the output viewer closed: back to the pods table, and draw what was deferred."""
        self.action_focus_pods()
        if self._render_deferred:
            self.call_after_refresh(self._render_state)

    def action_focus_pods(self) -> None:
        """Esc from the actions list, the filter or a closed modal: the pods table has the arrows again."""
        if self.query_one("#filter", Input).has_class("-active"):
            self._close_filter(keep=False)
        self.query_one(PodTable).focus()

    def _update_side_pod(self) -> None:
        table = self.query_one(PodTable)
        pod = table.cursor_pod
        row = next((r for r in table.visible_rows if r.name == pod), None)
        self.query_one(SidePanel).pod = row

    @on(PodTable.PodHighlighted)
    def _pod_highlighted(self, _: PodTable.PodHighlighted) -> None:
        with suppress(NoMatches):  # a message that arrives while the screen is torn down
            self._update_side_pod()

    @on(PodTable.ViewChanged)
    def _view_changed(self, _: PodTable.ViewChanged) -> None:
        with suppress(NoMatches):
            self._update_pods_title()

    # -- actions ----------------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        for poller in self.pollers.values():
            if not poller.spec.one_shot:
                poller.start()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-active")
        box.value = self.query_one(PodTable).filter_text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(PodTable).filter_text = event.value

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

    def on_key(self, event) -> None:
        box = self.query_one("#filter", Input)
        if event.key == "escape" and box.has_class("-active"):
            event.stop()
            self._close_filter(keep=False)

    def action_toggle_pane(self, pane_id: str) -> None:
        """Show or hide a pane.  Small terminals start with some panes collapsed; this brings them in."""
        pane: Widget = self.query_one(f"#{pane_id}")
        if pane.display:
            pane.remove_class("-shown")
            pane.add_class("-hidden")
        else:
            pane.remove_class("-hidden")
            pane.add_class("-shown")

    def get_key_display(self, binding: Binding) -> str:
        """The footer's "↑↓ pods" / "↑↓ actions" entry: which pane the arrows move.  (A keymap
        rebinds with ``key_display`` cleared, so the widgets' own ``key_display`` would not last.)"""
        if binding.action == "cursor_down" and binding.key == "down":
            return "↑↓"
        return super().get_key_display(binding)

    def action_show_reasons(self) -> None:
        """Every source's state with its full reason: pane borders only have room for one line."""
        self.push_screen(ReasonsScreen(tuple(self.state.health.values()), clock_text=_clock_text),
                         callback=lambda _: self._after_modal())

    def action_toggle_help(self) -> None:
        """memtui's own help (the runbook's keys included, grouped), not Textual's HelpPanel."""
        sections = help_sections(self.keymap_bindings, self.keymap_actions, self.catalogue)
        self.push_screen(HelpScreen(sections), callback=lambda _: self._after_modal())
