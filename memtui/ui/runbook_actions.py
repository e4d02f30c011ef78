"""Runbook actions in the running app: keys and the side panel → plan → modal → execute → audit.

A mixin for ``MemtuiApp`` so the app module stays about layout and polling.  Every blocking
call (planning reads the cluster and runs a server-side dry run; executing sends requests) runs
in a thread worker; the main thread only opens screens and shows results.  The executor owns
the order preflight → audit intent (fsynced) → call → audit result; this module owns *when*:
after the operator confirmed, and an effect check ``plan.effect_after_s`` later.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding
from textual.command import Hit, Hits, Provider

from memtui.audit import AuditLog, default_audit_path, load_entries
from memtui.audit.errors import AuditError
from memtui.audit.export import charts_dir_for
from memtui.audit.paths import demo_audit_path
from memtui.audit.report_data import IncidentFacts
from memtui.audit.session_report import REACHED_WHEN, SessionInputs, write_session_report
from memtui.config.prometheus_access import prometheus_access
from memtui.reasoning.limit_advice import AdviceSettings
from memtui.localfiles import context_part, state_dir
from memtui.executor import ActionContext, Effect, Executor, Outcome, Plan, PlanError
from memtui.executor.effects import (
    ActionMark,
    EffectWindow,
    Samples,
    due_window,
    mark_of,
    merge_samples,
    start_read_patches,
)
from memtui.state.forecast_change import ForecastChange, ForecastWatch, Trend, forecast_change, trend_before
from memtui.ui.key_names import key_label
from memtui.runbook import Action
from memtui.widgets.actions_panel import ActionsPanel
from memtui.widgets.confirm_screen import ConfirmActionScreen, Confirmed, Retarget, SwitchTo
from memtui.widgets.output_screen import OutputScreen
from memtui.widgets.outside_text import markup_escaped, rich_markup_escaped, toast, visible
from memtui.widgets.planning_screen import PLANNED, PlanningScreen
from memtui.widgets.pod_table import PodTable
from memtui.widgets.ranking_panel import RankingPanel
from memtui.ui.workers import thread_worker

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from textual.app import App

    from memtui.clients.kube.connection import KubeConnection
    from memtui.config.settings import Settings
    from memtui.reasoning.model import CauseRanking
    from memtui.runbook import Catalogue
    from memtui.state.cockpit import CockpitState
    from memtui.ui.cluster_session import ClusterSession

    _AppBase = App[None]
else:
    _AppBase = object


class RunbookCommands(Provider):
    """Every runbook action in the command palette (ctrl+p): type part of its title."""

    async def search(self, query: str) -> Hits:
        app = cast("RunbookActionsMixin", self.app)
        matcher = self.matcher(query)
        for action in app.catalogue.actions:
            text = visible(f"{action.phase}: {action.title}", one_line=True)
            score = matcher.match(text)
            if score > 0:
                key = key_label(app.keymap_actions.get(action.id))
                summary = markup_escaped(action.summary)  # Hit.help is parsed as markup
                yield Hit(score, matcher.highlight(text), partial(app.run_runbook_action, action.id),
                          help=f"\\[{markup_escaped(key)}] {summary}" if key else summary)


class RunbookActionsMixin(_AppBase):
    """For ``MemtuiApp``: it sets what is declared here (and is the Textual App type checkers see)."""

    settings: Settings
    connection: KubeConnection
    state: CockpitState
    clock: Callable[[], datetime]
    catalogue: Catalogue
    keymap_actions: Mapping[str, str]
    keymap_bindings: Mapping[str, str]
    effects: list[Effect]
    executor: Executor | None
    ranking: CauseRanking
    outcomes: list[Outcome]
    audit_path: Path | None

    if TYPE_CHECKING:  # MemtuiApp's own, used here
        def _render_state(self) -> None: ...
        def _after_modal(self) -> None: ...
        def push_live_figures(self) -> None: ...
        def action_refresh_now(self) -> None: ...
        def action_toggle_pane(self, pane_id: str) -> None: ...
        def in_this_session(self, fn: Callable[..., Any]) -> Callable[..., Any]: ...
        def context_note(self) -> str: ...
        def show_session(self, session: ClusterSession) -> None: ...
        @property
        def multi_context(self) -> bool: ...
        session: ClusterSession
        displayed: ClusterSession

    @property
    def _runbook_executor(self) -> Executor:
        """The current cluster's executor, handed to the workers as an argument (a worker never
        asks the app: by then another cluster may be on screen).  They start from
        ``run_runbook_action`` (which refuses while there is none), from ``_setup_runbook`` once it
        made one, or from an outcome of it."""
        assert self.executor is not None
        return self.executor

    # -- setup ------------------------------------------------------------------------------

    def _bind_runbook_keys(self) -> None:
        """One binding per bound action, with an id (``runbook.<id>``) like every other binding."""
        for action_id, keys in self.keymap_actions.items():
            action = self.catalogue.get(action_id)
            for key in keys.split(","):
                self._bindings.key_to_bindings.setdefault(key, []).append(
                    # the keys panel parses descriptions as Rich markup; a runbook title is data
                    Binding(key, f"run_runbook_action('{action_id}')", rich_markup_escaped(action.title), show=False,
                            id=f"runbook.{action_id}")
                )

    def action_label(self, action_id: str) -> str:
        """An action as the operator knows it, for user text: its title and the key that runs it
        (``Reduce batch size (B)``), never its catalogue id.  Safe from worker threads (reads only)."""
        try:
            title = self.catalogue.get(action_id).title
        except KeyError:
            return action_id
        key = key_label(self.keymap_actions.get(action_id))
        return f"{title} ({key})" if key else title

    def _setup_runbook(self) -> None:
        self.executor = None
        self.outcomes = []
        self._effects_pending: dict[str, Outcome] = {}
        self._effects_started: dict[str, Outcome] = {}
        self._samples_before: dict[str, dict[str, tuple[tuple[float, float], ...]]] = {}
        """Handed to a worker; the executor writes one effect entry per action, so at quit these
        are offered too (a measurement in flight finishes, or is recorded as not measured)."""
        self.action_marks: list[ActionMark] = []
        """Every action executed in this session, numbered: effect windows and overlaps."""
        context, namespace = self.connection.context, self.connection.namespace
        if self.settings.audit_log:
            audit_path = Path(self.settings.audit_log)
        elif self.settings.demo:  # each drill its own log: see memtui.audit.paths
            audit_path = demo_audit_path(self.settings.scenario, self.clock())
        else:
            audit_path = default_audit_path(context, namespace)
        artifacts = state_dir() / "artifacts" / context_part(context, namespace)
        try:
            audit = AuditLog(audit_path, context=context, namespace=namespace, user=self.connection.user, clock=self.clock)
            self.executor = Executor(
                self.connection,
                audit=audit,
                read_only=self.settings.read_only,
                redis_url=self.settings.redis_url,
                redis_deployment=self.settings.redis_deployment or "redis",
                prometheus=prometheus_access(self.settings),
                alertmanager_url=self.settings.alertmanager_url,
                artifacts_dir=artifacts,
                threshold_bytes=self.settings.threshold_bytes,
                clock=self.clock,
                describe_action=self.action_label,
                advice_settings=AdviceSettings(horizon_s=self.settings.limit_horizon * 60.0),
            )
        except Exception as exc:  # noqa: BLE001 - a broken audit path must not stop the cockpit
            toast(self, f"runbook actions disabled: {exc}", severity="error", timeout=15)
            return
        self.audit_path = audit_path
        self._load_permissions(self.executor, self.in_this_session(self._set_permissions))
        self._load_restart_pending(audit_path, self.in_this_session(self._restore_restart_pending))

    @thread_worker("audit-history")
    def _load_restart_pending(self, audit_path: Path, back: Callable[..., Any]) -> None:
        """ConfigMap patches from earlier sessions whose start-read keys may still be pending."""
        try:
            patches = start_read_patches(load_entries(audit_path).entries)
        except Exception:  # noqa: BLE001 - an unreadable log is reported where it is used
            return
        if patches:
            self.call_from_thread(back, patches)

    def _restore_restart_pending(self, patches) -> None:
        for configmap, deployment, keys, at in patches:
            self.state.note_config_patch(configmap, deployment, keys, at)
        self._render_state()

    @thread_worker("permissions")
    def _load_permissions(self, executor: Executor, back: Callable[..., Any]) -> None:
        try:
            permissions = executor.permissions(self.catalogue.actions)
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(toast, self, f"could not check permissions: {exc}", severity="warning")
            return
        self.call_from_thread(back, permissions)

    def _set_permissions(self, permissions) -> None:
        self.permissions = permissions
        if self.session is not self.displayed:
            return  # drawn when its tab is shown
        self.query_one(ActionsPanel).permissions = permissions
        self.query_one(RankingPanel).permissions = permissions

    # -- context ------------------------------------------------------------------------------

    def action_context(self, reason: str | None = None) -> ActionContext:
        snapshot = self.state.snapshot
        pods = snapshot.pods if snapshot else ()
        usage = {name: u.working_set_bytes for name, u in (snapshot.usage.items() if snapshot else ())}
        forecast = {r.name: r.seconds_to_oom for r in self.state.rows if r.seconds_to_oom is not None}
        growth = {r.name: r.growth_per_minute / 60.0 for r in self.state.rows if r.growth_per_minute is not None}
        peaks: dict[str, tuple[int, float]] = {}
        for pod in pods:
            series = self.state.history.get(pod.name)
            peak = series.peak() if series is not None else None
            if peak is not None:
                peaks[pod.name] = (int(peak[0]), peak[1])
        shown = self.session is self.displayed
        return ActionContext(
            selected_pod=self.query_one(PodTable).cursor_pod if shown else self.session.cursor_pod,
            pods=pods,
            usage=usage,
            reason=reason,
            oom_kills=self.state.ledger.kills(),
            seconds_to_oom=forecast,
            growth=growth,
            peaks=peaks,
            ranking=self.ranking.to_record(),
        )

    # -- running ------------------------------------------------------------------------------

    def action_run_runbook_action(self, action_id: str) -> None:
        self.run_runbook_action(action_id)

    def on_actions_panel_chosen(self, message: ActionsPanel.Chosen) -> None:
        self.run_runbook_action(message.action_id)

    def run_runbook_action(self, action_id: str, *, pinned_pod: str | None = None) -> None:
        action = self.catalogue.get(action_id)
        permission = getattr(self, "permissions", {}).get(action_id)
        if permission is not None and not permission.allowed:  # also without an executor (replay)
            toast(self, f"{action.title}: not allowed: {permission.reason}", severity="warning", timeout=6)
            return
        if self.executor is None:
            toast(self, "runbook actions are disabled (see the earlier message)", severity="error")
            return
        if action.is_mutating:
            planning = self._open_planning(action)
            self._plan_when_drawn(planning, action.title, partial(self._plan_in_worker, self._runbook_executor, action,
                                                                  None), pinned_pod)
        else:
            ctx = replace(self.action_context(), pinned_pod=pinned_pod)
            toast(self, f"{action.title}{self.context_note()}: running…", timeout=2)
            self._read_in_worker(self._runbook_executor, action, ctx)

    @thread_worker("runbook")
    def _read_in_worker(self, executor: Executor, action: Action, ctx: ActionContext) -> None:
        values = {p.name: p.default for p in action.params}
        try:
            outcome = executor.run_read(action, values, ctx)
        except PlanError as exc:
            self.call_from_thread(toast, self, f"{action.title}: {exc}", severity="error", timeout=8)
            return
        self.call_from_thread(self._show_output, action, outcome)

    def _show_output(self, action: Action, outcome: Outcome) -> None:
        self.last_output = (action.title, outcome)
        self.push_screen(OutputScreen(action.title, outcome), callback=lambda _: self._after_modal())

    def action_last_output(self) -> None:
        last = getattr(self, "last_output", None)
        if last is None:
            toast(self, "no diagnose output yet: run a step from the side panel", timeout=4)
            return
        self.push_screen(OutputScreen(*last), callback=lambda _: self._after_modal())

    @thread_worker("runbook")
    def _plan_in_worker(self, executor: Executor, action: Action, values: dict[str, str] | None, ctx: ActionContext,
                        back: Callable[..., Any], refused: Callable[[str], Any]) -> None:
        """``values`` None: the modal's opening values (runbook defaults, or what the cluster suggests)."""
        try:
            if values is None:
                values = executor.initial_values(action, ctx)
            plan = executor.plan(action, values, ctx)
        except PlanError as exc:
            self.call_from_thread(refused, str(exc))
            return
        self.call_from_thread(back, action, plan, ctx)

    def _plan_when_drawn(self, planning: PlanningScreen, title: str, worker: Callable[..., Any],
                         pinned_pod: str | None = None) -> None:
        """After the planning modal's first frame, the context (every pod's usage, forecast and
        peak: tens of ms at 20,000 pods), then ``worker(ctx, landed, refused)``; the modal holds
        the keys meanwhile."""

        def begin() -> None:
            if planning not in self.screen_stack:
                return  # cancelled before its first frame: nothing to plan
            ctx = replace(self.action_context(), pinned_pod=pinned_pod)
            worker(ctx, self.in_this_session(partial(self._plan_landed, planning)),
                   self.in_this_session(partial(self._plan_refused, planning, title)))

        self.call_after_refresh(self.in_this_session(begin))

    def _open_planning(self, action: Action, title: str | None = None) -> PlanningScreen:
        """The modal's first frame, at the key: it takes the keys typed while the plan is made."""
        planning = PlanningScreen(action, title=title, keymap=self.keymap_bindings,
                                  context=self.connection.context if self.multi_context else None)
        self.push_screen(planning, callback=self.in_this_session(self._planning_closed))
        return planning

    def _planning_closed(self, result: str | None) -> None:
        if result is None:  # Esc before the plan came: the plan, when it comes, is dropped
            self._after_modal()
            toast(self, "cancelled: nothing was sent", timeout=3)

    def _take_down(self, planning: PlanningScreen) -> bool:
        """Close the planning modal for its plan; False when the operator had cancelled it."""
        if planning not in self.screen_stack:
            return False
        if self.screen is not planning:  # nothing opens over a modal today; if it did, it goes first
            planning.pop_until_active()
        planning.dismiss(PLANNED)  # dismiss pops the top screen, whichever it is: this one now
        return True

    def _plan_landed(self, planning: PlanningScreen, action: Action, plan: Plan, ctx: ActionContext) -> None:
        if self._take_down(planning):
            self._confirm(action, plan, ctx)

    def _plan_refused(self, planning: PlanningScreen, title: str, message: str) -> None:
        if not self._take_down(planning):
            return
        self._after_modal()
        toast(self, f"{title}: {message}", severity="error", timeout=8)

    def _confirm(self, action: Action, plan: Plan, ctx: ActionContext) -> None:
        executor = self._runbook_executor

        def replan(values) -> Plan:
            return executor.plan(action, values, ctx)

        if self.session is not self.displayed:
            self.show_session(self.session)  # the modal is drawn over the cluster it acts on
        gentler = {aid: self.catalogue.get(aid).title for aid in plan.gentler_first}
        # an undo restores the recorded values: nothing to edit, nothing to re-plan
        screen = ConfirmActionScreen(action, plan, None if plan.undo_of else replan, gentler_titles=gentler,
                                     keymap=self.keymap_bindings,
                                     context=self.connection.context if self.multi_context else None)
        self.push_screen(screen, callback=self.in_this_session(self._confirmed))
        self.call_after_refresh(self.push_live_figures)  # the target's figures at once, then each refresh

    def _confirmed(self, decision: Confirmed | SwitchTo | Retarget | None) -> None:
        self._after_modal()
        if decision is None:
            toast(self, "cancelled: nothing was sent", timeout=3)
        elif isinstance(decision, SwitchTo):
            self.run_runbook_action(decision.action_id)
        elif isinstance(decision, Retarget):
            self.run_runbook_action(decision.action_id, pinned_pod=decision.pod)
        else:
            toast(self, f"{decision.plan.title}{self.context_note()}: applying…", timeout=2)
            self._execute_in_worker(self._runbook_executor, decision, self.in_this_session(self._executed))

    @thread_worker("runbook")
    def _execute_in_worker(self, executor: Executor, decision: Confirmed, back: Callable[..., Any]) -> None:
        outcome = executor.execute(decision.plan, confirmation=decision.confirmation)
        self.call_from_thread(back, outcome)

    def _executed(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        if outcome.intent_id:
            self.state.note_own_action(outcome.intent_id)  # its MemtuiAction Event is not the team's
        severity = "information" if outcome.ok else "error"
        notes = ("\n" + "\n".join(outcome.notes)) if outcome.notes else ""
        where = f"[{self.connection.context}] " if self.multi_context else ""
        toast(self, where + outcome.summary + notes, severity=severity, timeout=10)
        if outcome.output and outcome.ok:
            self.last_output = (outcome.plan.action.title if outcome.plan else outcome.action_id, outcome)
        if outcome.ok and outcome.plan is not None and outcome.intent_id:
            self._schedule_effect(outcome, outcome.plan, outcome.intent_id)
        self.action_refresh_now()

    # -- effect check -------------------------------------------------------------------------
    #
    # When: on the app's clock (the cluster's time), checked after every Kubernetes refresh, not
    # on wall-clock timers: an effect is due when the next action on the same pods has happened
    # or the plan's wait has passed (for a rollout: once the new pods have run a while); see
    # ``effects.due_window``.  The worker gets the history of the pods concerned as tuples.

    def _schedule_effect(self, outcome: Outcome, plan: Plan, intent_id: str) -> None:
        self._effects_pending[intent_id] = outcome
        # the history up to the action, kept now: a rollout's old pods leave the history store
        # (``HistoryStore.grace``) long before the new pods' effect is due
        self._samples_before[intent_id] = self._effect_samples(outcome)
        mark = mark_of(plan, intent_id=intent_id, number=len(self.action_marks) + 1,
                       at=outcome.finished_at or self.clock(), label=self.action_label(plan.action.id))
        self.action_marks.append(mark)
        self._watch_forecast(mark)
        start_read = plan.before.get("start_read") or {}
        if start_read.get("keys"):
            self.state.note_config_patch(start_read.get("configmap", "?"), start_read.get("deployment", "?"),
                                         tuple(start_read["keys"]), outcome.finished_at or self.clock())

    # -- what the fix did to the forecast ----------------------------------------------------------
    #
    # The header shows, for the latest action that touched the workload's pods, growth and time to
    # OOM before it next to the same figures after it (state.forecast_change): before is what the
    # pods rows said when it ran, after is measured from memtui's own samples once enough exist.

    def _watch_forecast(self, mark: ActionMark) -> None:
        def names(kinds: frozenset[str]) -> frozenset[str]:
            return frozenset(w.split("/", 1)[1] for w in kinds if w.startswith("deployment/"))

        snapshot = self.state.snapshot
        watch = ForecastWatch(mark.label or mark.action_id, mark.at, Trend(None, None), mark.pods, names(mark.wide),
                              names(mark.owners))
        covered = {p.name for p in (snapshot.pods if snapshot else ()) if watch.covers(p)}
        if not covered:
            return  # a Redis action: no pod of the workload to forecast (the Redis pane shows its memory)
        self.forecast_watch = replace(watch, before=trend_before(self.state.rows, covered.__contains__))

    def forecast_now(self) -> ForecastChange | None:
        """The latest action's forecast change, from the pods and history now (main thread)."""
        watch = getattr(self, "forecast_watch", None)
        snapshot = self.state.snapshot
        if watch is None or snapshot is None:
            return None
        pods = [p for p in snapshot.pods if watch.covers(p)]
        samples = {}
        for pod in pods:
            ring = self.state.history.get(pod.name)
            if ring is not None:
                samples[pod.name] = ring.samples()
        return forecast_change(watch, pods, samples)

    def effects_due(self) -> None:
        """Start the effect check of every pending action whose window has closed (after a refresh)."""
        snapshot = self.state.snapshot
        pods = snapshot.pods if snapshot else ()
        now = self.clock()
        for intent_id, outcome in list(getattr(self, "_effects_pending", {}).items()):
            mark = self._mark_for(intent_id)
            window = due_window(mark, self.action_marks, pods, now, deployment=_plan_of(outcome).before.get("deployment"))
            if window is not None:
                self._start_effect(intent_id, window)

    def check_effect(self, intent_id: str) -> None:
        """Measure ``intent_id``'s effect now, whatever its window says."""
        outcome = self._effects_pending.get(intent_id)
        if outcome is not None:
            snapshot = self.state.snapshot
            window = due_window(self._mark_for(intent_id), self.action_marks, snapshot.pods if snapshot else (),
                                self.clock(), deployment=_plan_of(outcome).before.get("deployment"), force=True)
            assert window is not None  # force=True: always a window
            self._start_effect(intent_id, window)

    def check_effects_now(self) -> None:
        """Run every pending effect check at once (their windows would close later)."""
        for intent_id in list(self._effects_pending):
            self.check_effect(intent_id)

    def _mark_for(self, intent_id: str) -> ActionMark:
        return next(m for m in self.action_marks if m.intent_id == intent_id)

    def _start_effect(self, intent_id: str, window: EffectWindow) -> None:
        outcome = self._effects_pending.pop(intent_id)
        self._effects_started[intent_id] = outcome
        samples = merge_samples(self._samples_before.pop(intent_id, {}), self._effect_samples(outcome))
        self._effect_in_worker(self._runbook_executor, outcome, self.action_context(), samples, tuple(self.action_marks),
                               window, self.in_this_session(self._effect_measured))

    def _effect_samples(self, outcome: Outcome) -> dict[str, tuple[tuple[float, float], ...]]:
        """The history of the pods the effect concerns, copied (history belongs to the main thread)."""
        plan = _plan_of(outcome)
        names = set(plan.before.get("pods") or {})
        deployment = plan.before.get("deployment")
        if deployment and self.state.snapshot is not None:
            names |= {p.name for p in self.state.snapshot.pods if p.owner == deployment}
        samples = {}
        for name in names:
            ring = self.state.history.get(name)
            if ring is not None:
                samples[name] = tuple(ring.samples())
        return samples

    @thread_worker("effects")
    def _effect_in_worker(self, executor: Executor, outcome: Outcome, ctx: ActionContext, samples: Samples,
                          marks: tuple[ActionMark, ...], window: EffectWindow, back: Callable[..., Any]) -> None:
        try:
            effect = executor.check_effect(outcome, ctx, samples=samples, marks=marks, window=window)
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(toast, self, f"effect check failed: {exc}", severity="warning")
            return
        if effect is not None:
            self.call_from_thread(back, effect)

    def _effect_measured(self, effect: Effect) -> None:
        self._effects_started.pop(effect.intent_id, None)
        self.effects.append(effect)
        severity = "information" if effect.improved in (True, None) else "warning"
        toast(self, f"Effect of {self.action_label(effect.action_id)}: {effect.summary}", severity=severity,
              timeout=15)

    def effects_not_measured(self) -> None:
        """memtui is stopping: every action whose effect was still pending gets an audit entry
        saying so.  Runs on the main thread during shutdown, on purpose: a worker started now
        may never run, and the postmortem must not read silence as "no effect"."""
        pending = getattr(self, "_effects_pending", {})
        if self.executor is None:
            return
        for outcome in [*pending.values(), *getattr(self, "_effects_started", {}).values()]:
            self.executor.effect_not_measured(outcome)
        pending.clear()

    # -- undo and export ----------------------------------------------------------------------

    def action_undo(self) -> None:
        for outcome in reversed(self.outcomes):
            if outcome.ok and outcome.plan is not None and outcome.plan.undoable and not outcome.plan.undo_of:
                planning = self._open_planning(outcome.plan.action, title=f"Undo: {outcome.plan.action.title}")
                self._plan_when_drawn(planning, "cannot undo", partial(self._undo_in_worker, self._runbook_executor,
                                                                       outcome))
                return
        toast(self, "nothing to undo: no reversible action applied in this session", timeout=4)

    @thread_worker("runbook")
    def _undo_in_worker(self, executor: Executor, outcome: Outcome, ctx: ActionContext,
                        back: Callable[..., Any], refused: Callable[[str], Any]) -> None:
        try:
            plan = executor.undo_plan(outcome)
        except PlanError as exc:
            self.call_from_thread(refused, str(exc))
            return
        self.call_from_thread(back, plan.action, plan, ctx)

    def action_export(self) -> None:
        """The postmortem beside the audit log: the HTML report and the Markdown with its charts.
        What the worker needs from the main thread (the state's history and team changes, the
        incident clock, the recording's path) is gathered here and passed in."""
        path = getattr(self, "audit_path", None)
        if path is None:
            toast(self, "nothing to export: no audit log in this session", severity="warning", timeout=6)
            return
        recorder = getattr(self, "recorder", None)
        recording = Path(recorder.path) if recorder is not None and Path(recorder.path).exists() else None
        now = self.clock()
        status = self.state.incident
        incident = IncidentFacts(status.started_at, status.basis, now, REACHED_WHEN,
                                 note="" if status.started_at else "no pod over the threshold and no firing alert now")
        inputs = SessionInputs(
            audit_path=Path(path), stamp=datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"), now=now,
            incident=incident, recording=recording,
            history=None if recording else self._memory_series(),
            team=() if recording else tuple(self.state.team_changes),
        )
        self._export_in_worker(inputs)

    @thread_worker("export")
    def _export_in_worker(self, inputs: SessionInputs) -> None:
        try:
            report = write_session_report(inputs)
        except AuditError as exc:
            self.call_from_thread(toast, self, f"export failed: {exc}", severity="error", timeout=10)
            return
        if report is None:
            self.call_from_thread(toast, self, "nothing to export yet: no action audited, no team change seen",
                                  timeout=5)
            return
        self.last_export = report
        self.call_from_thread(toast, self, f"postmortem written: {report.html} and {report.markdown} "
                                           f"(charts in {report.markdown.parent / charts_dir_for(report.markdown)})",
                              timeout=15)

    def _memory_series(self) -> dict[str, list[tuple[datetime, float]]]:
        """memtui's own history of the pods, for the export's chart (Prometheus is used when set)."""
        series: dict[str, list[tuple[datetime, float]]] = {}
        for row in self.state.rows[:8]:
            ring = self.state.history.get(row.name)
            if ring is not None:
                series[row.name] = [(datetime.fromtimestamp(t, timezone.utc), v) for t, v in ring.samples()]
        return series

    def action_focus_actions(self) -> None:
        panel = self.query_one(ActionsPanel)
        if not panel.display or not self.query_one("#side").display:
            self.action_toggle_pane("side")
        panel.focus_list()


def _plan_of(outcome: Outcome) -> Plan:
    """The plan of an outcome whose effect is pending: ``_executed`` schedules only those with one."""
    assert outcome.plan is not None
    return outcome.plan
