"""The memtui cockpit: live pods, events, GPU and Redis for one namespace, and the incident.

Composition and wiring only.  Each source the settings ask for is a spec (sources/bundle.py);
the app gives each one a poller (one-shot thread workers that post typed snapshots, ui/polling.py),
the main thread folds each snapshot into ``CockpitState`` (by its type; one at a time, a long fold
in slices that leave the event loop turns for keys, ui/folding.py) and hands widgets what to
draw; each pane's frame says how fresh its source is (widgets/source_pane.py).  A failed poll
keeps the last data on screen, marks its pane stale with the reason and retries by itself; the
other panes stay live and keys stay responsive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Input

from memtui.clients.kube.connection import KubeConnection
from memtui.config.settings import Settings
from memtui.reasoning.model import CauseRanking
from memtui.reasoning.ranking import rank
from memtui.recording.recorder import Recorder
from memtui.runbook import Catalogue, load_catalogue
from memtui.sources.bundle import SourceBundle, build_sources
from memtui.state.cockpit import CockpitState
from memtui.executor import Executor
from memtui.state.snapshots import BackfillSnapshot, KubeSnapshot
from memtui.ui.bindings import APP_BINDINGS, binding_ids
from memtui.config.prometheus_access import context_matchers
from memtui.ui.cluster_session import ClusterSession, SessionAttribute, per_context_path
from memtui.ui.crash import EXIT_CRASH, record_crash
from memtui.ui.folding import FoldQueue
from memtui.ui.gc_tuning import CollectorTuning
from memtui.ui.key_names import bound_key_label
from memtui.ui.keymap import Keymap, load_keymap
from memtui.ui.keys_help import help_sections
from memtui.ui.messages import SourceRefreshed
from memtui.ui.pod_details import PodDetailsMixin
from memtui.ui.polling import Poller
from memtui.ui.recording import RecordingMixin
from memtui.ui.runbook_actions import RunbookActionsMixin, RunbookCommands
from memtui.ui.themes import ThemedApp
from memtui.ui.workers import install_worker_pool
from memtui.widgets.actions_panel import ActionsPanel
from memtui.widgets.cluster_tabs import ClusterTab, ClusterTabs
from memtui.widgets.cockpit_footer import CockpitFooter
from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.events_pane import EventsPane
from memtui.widgets.gpu_pane import GpuPane
from memtui.widgets.help_screen import HelpScreen
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.pod_table import PodTable
from memtui.widgets.ranking_panel import RankingPanel
from memtui.widgets.reasons_screen import ReasonsScreen
from memtui.widgets.redis_pane import RedisPane
from memtui.widgets.side_panel import SidePanel
from memtui.widgets.outside_text import visible
from memtui.widgets.source_pane import SourcePane, clock_text, empty_text

NARROW_WIDTH = 140
SHORT_HEIGHT = 30

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ContextCommands(Provider):
    """The command palette's ``ctx NAME``: switch to a watched cluster by its context name."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if not isinstance(app, MemtuiApp) or not app.multi_context:
            return
        matcher = self.matcher(query)
        for session in app.sessions:
            text = visible(f"ctx {session.name}", one_line=True)
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.switch_context, session.name),
                          help="show this cluster's tab")


class MemtuiApp(RecordingMixin, RunbookActionsMixin, PodDetailsMixin, ThemedApp):
    """The incident cockpit for one namespace of one cluster, or of several (one tab each)."""

    CSS_PATH = "app.tcss"
    TITLE = "memtui"
    COMMANDS = App.COMMANDS | {RunbookCommands, ContextCommands}

    BINDINGS: ClassVar[list[BindingType]] = [*APP_BINDINGS]

    # what belongs to one cluster is its session's: these read and write ``self.session``'s
    settings = SessionAttribute[Settings]()
    connection = SessionAttribute[KubeConnection]()
    sources = SessionAttribute[SourceBundle]()
    state = SessionAttribute[CockpitState]()
    ranking = SessionAttribute[CauseRanking]()
    """The causes, most likely first, from the evidence folded so far (recomputed per snapshot)."""
    pollers = SessionAttribute[dict[str, Poller]]()
    executor = SessionAttribute[Executor | None]()
    audit_path = SessionAttribute[Path | None]()
    permissions = SessionAttribute[dict[str, Any]]()
    outcomes = SessionAttribute[list]()
    effects = SessionAttribute[list]()
    _effects_pending = SessionAttribute[dict]()
    _effects_started = SessionAttribute[dict]()
    _samples_before = SessionAttribute[dict]()
    action_marks = SessionAttribute[list]()
    forecast_watch = SessionAttribute[Any]()
    _log_reader = SessionAttribute[Any]()
    recorder = SessionAttribute[Recorder | None]()
    recording_error = SessionAttribute[str | None]()
    recording_status = SessionAttribute[str]()
    _last_ranking = SessionAttribute[dict[str, Any] | None]()

    def __init__(
        self,
        settings: Settings,
        connection: KubeConnection,
        *,
        keymap: Keymap | None = None,
        clock: Clock = utc_now,
        sources: SourceBundle | None = None,
        catalogue: Catalogue | None = None,
        more: Sequence[KubeConnection] = (),
        per_context: Mapping[str, Settings] | None = None,
    ) -> None:
        """``more``: the connections of further contexts to watch beside ``connection``'s
        (``--context a,b``), each with ``settings`` for its own context, or ``per_context``'s
        settings for it (``SettingsLayers.settings``: the config file's ``[contexts."NAME"]`` table)."""
        super().__init__()
        tables, run_wide = per_context or {}, settings

        def own(connection: KubeConnection) -> Settings:  # a file option names one file per context
            given = tables.get(connection.context, run_wide)
            return replace(given, context=connection.context,
                           audit_log=per_context_path(given.audit_log, connection.context),
                           record_path=per_context_path(given.record_path, connection.context),
                           prometheus_matchers=context_matchers(given.prometheus_matchers, connection.context))

        if more:
            settings = own(connection)
        else:
            settings = tables.get(connection.context, settings)
        if not more and "{context}" in settings.prometheus_matchers:
            settings = replace(settings, prometheus_matchers=context_matchers(settings.prometheus_matchers,
                                                                              connection.context))
        first = ClusterSession(settings, connection, sources or build_sources(settings, connection), clock)
        self.sessions: list[ClusterSession] = [first]
        """Every cluster watched, in the order given; one tab each when there are several."""
        for other in more:
            mine = own(other)
            self.sessions.append(ClusterSession(mine, other, build_sources(mine, other), clock))
        self.displayed = first
        """The session on screen."""
        self.session = first
        """The session the code running now works for: the one on screen, except while a result
        of another cluster is folded or shown (``working_for``)."""
        self.use_theme(settings.theme)
        self.catalogue = catalogue or load_catalogue()
        if keymap is None:
            keymap = load_keymap(None, binding_ids(), {a.id for a in self.catalogue.actions})
        self.keymap_actions = keymap.actions
        self.keymap_bindings = keymap.bindings
        """Binding id → keys (the help screen lists these; Textual keeps its own copy in ``_keymap``)."""
        self._render_deferred = False
        self.clock = clock
        self.user_keymap = keymap
        """The keymap memtui loaded (Textual's own copy, ``_keymap``, is set from it at mount)."""
        self.collector = CollectorTuning()
        self.folds = FoldQueue(self.set_timer)
        """Every source's snapshots fold here, in the order they came (``_source_refreshed``)."""
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
        tabs = ClusterTabs(id="clusters")
        tabs.keys = f"{self._key_for('app.previous-context')} {self._key_for('app.next-context')}"
        tabs.display = self.multi_context
        yield tabs
        reasons = self._key_for("app.reasons")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                with SourcePane(id="pods-pane", reasons_key=reasons, show_detail=True):
                    table = PodTable(id="pods")
                    table.now = self.clock
                    table.threshold_bytes = self.settings.threshold_bytes
                    yield table
                with Horizontal(id="lower"):
                    with SourcePane(title="Events (newest first)", id="events-pane", reasons_key=reasons):
                        events = EventsPane(id="events")
                        events.now = self.clock
                        yield events
                    with Vertical(id="aux"):
                        with SourcePane(title="GPU memory", id="gpu-pane", reasons_key=reasons):
                            yield GpuPane(id="gpu")
                        with SourcePane(title="Redis", id="redis-pane", reasons_key=reasons):
                            yield RedisPane(id="redis")
            with Vertical(id="side"):
                yield RankingPanel(self.catalogue.actions, self.keymap_actions, id="ranking")
                side = SidePanel(id="incident")
                side.now = self.clock
                yield side
                yield ActionsPanel(self.catalogue.actions, self.keymap_actions, id="actions")
        yield Input(placeholder="filter pods (regex on name/status) – Enter keeps, Esc clears", id="filter", compact=True)
        yield CockpitFooter()

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
        self.set_keymap(self.user_keymap.bindings)
        self.query_one("#side").border_title = "Incident · runbook"
        for session in self.sessions:
            with self.working_for(session):
                self._setup_runbook()
                self._start_recording()
        self.query_one(PodTable).focus()
        self._apply_size(self.size.width, self.size.height)
        self._update_pods_title()
        self.collector.start()
        install_worker_pool(sum(len(session.sources.polled) for session in self.sessions))
        for session in self.sessions:
            with self.working_for(session):
                self._start_polling()

    def on_unmount(self) -> None:
        for session in self.sessions:
            with self.working_for(session):
                self.effects_not_measured()
                for poller in self.pollers.values():
                    poller.stop()
                self.sources.stop()
                self.close_recording()  # after the last audit entries (effects not measured) are queued
        self.folds.stop()
        self.collector.stop()

    # -- sessions ---------------------------------------------------------------------------

    @property
    def multi_context(self) -> bool:
        """Several clusters watched: tabs show, and every action says which context it goes to."""
        return len(self.sessions) > 1

    @contextmanager
    def working_for(self, session: ClusterSession) -> Iterator[None]:
        """Run main-thread code for ``session`` (a poll of cluster b folds into b's state while a
        is on screen).  Rendering draws only the session on screen (``_render_state``)."""
        previous, shown = self.session, self.displayed
        self.session = session
        try:
            yield
        finally:  # a switch meanwhile (a modal of b opened) leaves the new one current
            self.session = self.displayed if previous is shown else previous

    def in_this_session(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` bound to the session current now: a worker's result lands where it started."""
        session = self.session

        def run(*args: Any) -> Any:
            with self.working_for(session):
                return fn(*args)

        return run

    def context_note(self) -> str:
        """`` on CONTEXT`` for the toasts of an action when several clusters are watched."""
        return f" on {self.session.name}" if self.multi_context else ""

    def show_session(self, session: ClusterSession) -> None:
        """Put ``session`` on screen: every pane drawn from its state, its own cursor and filter."""
        if session is self.displayed:
            return
        table = self.query_one(PodTable)
        self.displayed.cursor_pod, self.displayed.filter_text = table.cursor_pod, table.filter_text
        self.displayed = self.session = session
        header = self.query_one(IncidentHeader)
        header.context, header.namespace = session.connection.context, session.connection.namespace
        header.threshold_bytes = session.settings.threshold_bytes
        header.recording = session.recording_status
        header.refresh()
        table.filter_text = session.filter_text
        table.rows = session.state.rows
        if session.cursor_pod is not None:
            table.select_pod(session.cursor_pod)
        self.query_one(ActionsPanel).permissions = session.permissions
        self.query_one(RankingPanel).permissions = session.permissions
        self._render_state()

    def action_next_context(self, step: int = 1) -> None:
        """The next (or previous) cluster's tab."""
        index = self.sessions.index(self.displayed)
        self.show_session(self.sessions[(index + step) % len(self.sessions)])

    def switch_context(self, name: str) -> None:
        """The tab of the context called ``name`` (the command palette's ``ctx NAME``)."""
        for session in self.sessions:
            if session.name == name:
                self.show_session(session)
                return

    def _show_tabs(self) -> None:
        if not self.multi_context:
            return
        tabs = [ClusterTab(s.name, s.over_threshold(), s.stale()) for s in self.sessions]
        self.query_one(ClusterTabs).show(tabs, self.sessions.index(self.displayed))

    def on_resize(self, event) -> None:
        self._apply_size(event.size.width, event.size.height)

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def _focus_moved(self, _: events.Event) -> None:
        """On a short terminal the ranking shrinks to its causes' lines while the actions list has
        focus (the list needs the rows), and comes back in full when focus leaves it."""
        self.call_after_refresh(self._fit_ranking)

    def _fit_ranking(self) -> None:
        with suppress(NoMatches):
            actions = self.query_one(ActionsPanel)
            self.query_one(RankingPanel).minimal = self.screen.has_class("-short") and actions.has_focus_within

    def _apply_size(self, width: int, height: int) -> None:
        """Small terminals: the pods pane keeps the room, auxiliary panes collapse (keys bring them back)."""
        self.screen.set_class(width < NARROW_WIDTH, "-narrow")
        self.screen.set_class(height < SHORT_HEIGHT, "-short")
        with suppress(NoMatches):
            self.query_one(RankingPanel).compact = height < SHORT_HEIGHT

    # -- polling ----------------------------------------------------------------------------

    def _start_polling(self) -> None:
        """One poller per source spec; a source that is off says why in its pane."""
        state = self.state
        for spec in self.sources.specs:
            state.expect(spec.health_name)
            self.record_frame("expect", spec.health_name)
            if spec.off is not None:
                state.disable(spec.health_name, spec.off)
                self.record_frame("disable", spec.health_name, spec.off)
        for spec in self.sources.polled:
            inputs = partial(spec.inputs, state) if spec.inputs is not None else None
            self.pollers[spec.name] = Poller(self, spec, inputs=inputs, origin=self.session)
        for poller in self.pollers.values():
            if poller.spec.after in self.pollers:
                poller.hold()
            else:
                poller.start()
        self._render_state()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)) \
                and not event.is_forwarded:
            self.folds.note_input()  # its answer is drawn before the next slice of a long fold
        await super().on_event(event)

    @on(SourceRefreshed)
    def _source_refreshed(self, message: SourceRefreshed) -> None:
        self.folds.put(self._fold_steps(message))

    def _fold_steps(self, message: SourceRefreshed) -> Iterator[None]:
        """One poll's fold: the state's steps, then what follows it (ranking, pollers, drawing).

        ``working_for`` only around code that does not yield: between two steps a key of the
        session on screen may run."""
        session = message.origin if isinstance(message.origin, ClusterSession) else self.session
        stepped = False
        if message.error is None:
            for _ in session.state.apply_steps(message.snapshot):
                stepped = True
                yield
        if stepped:
            yield  # after a long fold, the ranking, the pods table and the other panes are a step each
        with suppress(NoMatches), self.working_for(session):  # NoMatches: a poll that ends at shutdown
            self._apply_refresh(message)
        if stepped:
            yield
        for _ in self._render_steps(session):
            if stepped:
                yield

    def _render_steps(self, session: ClusterSession) -> Iterator[None]:
        """``_render_state`` for ``session``, in two steps: the pods table (20,000 rows sorted
        again) and the rest are 60-160 ms together at 20,000 pods."""
        with suppress(NoMatches), self.working_for(session):
            if not self._render_table():
                return
        yield
        with suppress(NoMatches), self.working_for(session):
            self._render_panes()

    def _apply_refresh(self, message: SourceRefreshed) -> None:
        """After ``message``'s snapshot is folded (``_fold_steps``), before the drawing."""
        if message.error is not None:
            self.state.fail(message.spec.health_name, message.error)
            self.record_frame("fail", message.spec.health_name, message.error)
        else:
            self.record_frame("apply", message.spec.health_name, message.snapshot)
            self.ranking = rank(self.state, self.clock())
            self.record_ranking()
            if isinstance(message.snapshot, KubeSnapshot):
                self.effects_due()  # effect windows close on a pods refresh
                # after the frame: the first full listing's collection before the freeze is
                # 0.15-0.25 s at 5,000-20,000 pods, and the first full screen need not wait for it
                self.call_after_refresh(partial(self.collector.after_fold,
                                                still_loading=self.state.pods_loading is not None))
            elif isinstance(message.snapshot, BackfillSnapshot):
                self.collector.after_backfill()
        poller = self.pollers.get(message.source)
        if poller is not None:
            poller.done(message.ok)
            if message.error is not None or not poller.partial:  # its first full answer, or a failure
                for waiting in self.pollers.values():
                    if waiting.spec.after == message.source:
                        waiting.release()

    # -- rendering --------------------------------------------------------------------------

    def _render_state(self) -> None:
        if self._render_table():
            self._render_panes()

    def _render_table(self) -> bool:
        """The header and the pods table; False when nothing more is to be drawn now."""
        self._show_tabs()
        if self.session is not self.displayed:
            return False  # another cluster's: its tab's badge is all that shows until it is on screen
        self._render_header()
        if len(self.screen_stack) > 1:
            # a modal is open: the header and the modal's own target figures stay live (the
            # operator deciding on a delete sees memory now); the panes behind it are drawn
            # once it closes (no repaint of what nobody can see)
            self._render_deferred = True
            self.push_live_figures()
            return False
        self._render_deferred = False
        state = self.state
        table = self.query_one(PodTable)
        table.rows = state.rows
        table.list_progress = state.pods_loading
        return True

    def _render_panes(self) -> None:
        """What ``_render_state`` draws after the pods table: events, side panel, GPU, Redis."""
        state = self.state
        self.query_one(EventsPane).show(state.events(), team=state.team_changes, note=state.team_error)
        side = self.query_one(SidePanel)
        side.escalation = state.incident.escalation(self.clock())
        side.oom_kills = state.oom_summary()
        self.query_one(RankingPanel).show(self.ranking)
        self.query_one(ActionsPanel).show_ranking(self.ranking)
        self._update_side_pod()
        health = state.health
        self._pane("pods-pane").show_health(state.health_with_notes("kubernetes", "prometheus"), also=health["metrics API"])
        self._pane("events-pane").show_health(health["kubernetes"])
        self._render_gpu()
        self._render_redis()
        self._update_pods_title()

    def _render_header(self) -> None:
        state = self.state
        header = self.query_one(IncidentHeader)
        header.incident = state.incident
        header.next_oom = state.next_oom()
        header.forecast_change = self.forecast_now()
        header.restart_pending = state.restart_pending()
        header.sources = tuple(state.health.values())

    def push_live_figures(self) -> None:
        """The latest rows to an open confirmation modal, for its target figures."""
        screen = self.screen
        if isinstance(screen, ConfirmActionScreen):
            screen.show_live(self.state.rows, self.clock())
        self.push_pod_details()

    def _render_gpu(self) -> None:
        pane, state = self.query_one(GpuPane), self.state
        health = state.health["gpu"]
        pane.usage = state.gpu_rows()
        pane.trends = state.gpu_trends()
        if not state.gpu:
            pane.message = empty_text(health, "waiting for GPU figures…")
        chrome = self._pane("gpu-pane")
        chrome.show_source(state.gpu_source)
        chrome.show_health(health)

    def _render_redis(self) -> None:
        pane, state = self.query_one(RedisPane), self.state
        health = state.health["redis"]
        pane.stats = state.redis
        pane.trend = state.redis_history.values()
        if state.redis is None:
            pane.message = empty_text(health, "waiting for INFO…")
        chrome = self._pane("redis-pane")
        chrome.show_source(state.redis.source if state.redis is not None else None)
        chrome.show_health(health)

    def _pane(self, pane_id: str) -> SourcePane:
        return self.query_one(f"#{pane_id}", SourcePane)

    def _key_for(self, binding_id: str) -> str:
        """The key the operator presses for a binding, as the keymap has it."""
        return bound_key_label(self.keymap_bindings, binding_id, APP_BINDINGS)

    def _update_pods_title(self) -> None:
        self._pane("pods-pane").show_title(self.query_one(PodTable).title_text())

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

    @on(PodTable.DetailsRequested)
    def _details_requested(self, message: PodTable.DetailsRequested) -> None:
        self.open_pod_details(message.pod)

    @on(PodTable.ViewChanged)
    def _view_changed(self, _: PodTable.ViewChanged) -> None:
        with suppress(NoMatches):
            self._update_pods_title()

    # -- actions ----------------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        """Poll the current session's sources now."""
        for poller in self.pollers.values():
            if not poller.spec.one_shot:
                poller.start()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        self.query_one(CockpitFooter).display = False
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
        self.query_one(CockpitFooter).display = True
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
        self.push_screen(ReasonsScreen(tuple(self.state.health.values()), clock_text=clock_text,
                                       recording=self.recording_text()),
                         callback=lambda _: self._after_modal())

    def action_toggle_help(self) -> None:
        """memtui's own help (the runbook's keys included, grouped), not Textual's HelpPanel."""
        sections = help_sections(self.keymap_bindings, self.keymap_actions, self.catalogue)
        self.push_screen(HelpScreen(sections), callback=lambda _: self._after_modal())

