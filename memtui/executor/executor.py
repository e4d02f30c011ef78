"""``Executor``: the one door through which a runbook action reaches the cluster or Redis.

The order is the point: preflight (read-only mode, RBAC, namespace, parameters, the typed name)
→ audit *intent*, fsynced → the call → audit *result* (outcome, duration, response, previous
values) → an *effect* entry some refreshes later.  If the intent cannot be written, nothing is
sent; if memtui dies after the intent, the export says "outcome unknown" rather than nothing.
A refused action is audited too (intent + ``refused`` result), so the timeline shows attempts.

Everything is blocking I/O meant for Textual thread workers; no Textual import here.  The
executor is thread-safe: the permission cache and the set of executed plans have locks, and the
audit log serialises its own appends.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from memtui.audit import AuditError, AuditLog
from memtui.audit.log import local_identity
from memtui.audit.times import utc_now
from memtui.clients.kube.connection import KubeConnection
from memtui.clients.kube.exec import exec_in_pod
from memtui.clients.prometheus import PrometheusAccess
from memtui.executor import diagnose, events
from memtui.executor.effects import (
    NOT_MEASURED,
    ActionMark,
    Effect,
    EffectWindow,
    Samples,
    due_window,
    mark_of,
    measure_effect,
    with_current,
)
from memtui.executor.guard import GuardError, check_label, check_path, check_subdomain
from memtui.clients.errors import SourceError
from memtui.executor.kinds import alertmanager as alertmanager_kind
from memtui.executor.kinds.base import Drafting, Previous, Restoring
from memtui.executor.kinds.registry import handler_for
from memtui.executor.kubectl_context import with_kube_context
from memtui.executor.kubeapi import ApiFailure, KubeApi
from memtui.executor.model import (
    ActionContext,
    AlertmanagerCall,
    DryRun,
    ExecCall,
    HttpCall,
    Outcome,
    Permission,
    Plan,
    PlanError,
    RedisCall,
    frozen_map,
)
from memtui.executor.planning import Draft, Planner
from memtui.executor.rbac import PermissionChecker, requirements
from memtui.executor.read_only import (
    CONTAINER_REASON,
    read_only_refusal,
    runs_in_container,
)
from memtui.executor.reading import Reader, ReadResult
from memtui.executor.redis_calls import RedisRunner
from memtui.executor.undo import capture_previous, undo_draft, undo_values
from memtui.reasoning.limit_advice import AdviceSettings
from memtui.runbook import Action, ParamError

NO_PROMETHEUS_REASON = "no Prometheus URL configured (--prometheus-url)"
NO_ALERTMANAGER_REASON = "no Alertmanager URL configured (--alertmanager-url)"


def silence_author(kube_user: str | None) -> tuple[str, str]:
    """(who, where that name came from) for a silence's ``createdBy``: the kube context's user,
    else ``$USER``, else the local account."""
    import getpass
    import os

    if kube_user:
        return kube_user, "the kube context's user"
    if os.environ.get("USER"):
        return os.environ["USER"], "$USER (the kube context names no user)"
    return getpass.getuser(), "the local account (no kube context user, no $USER)"


@dataclass
class _Sent:
    """What sending a plan's requests gave (internal)."""

    ok: bool = True
    any_applied: bool = False
    summaries: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Executor:
    """Plans, runs and audits runbook actions in the namespace memtui was started with."""

    def __init__(
        self,
        connection: KubeConnection,
        *,
        audit: AuditLog,
        read_only: bool,
        redis_url: str | None,
        redis_deployment: str = "redis",
        prometheus: PrometheusAccess | None,
        artifacts_dir: Path,
        threshold_bytes: int,
        clock: Callable[[], datetime] = utc_now,
        workload: str | None = None,
        describe_action: Callable[[str], str] | None = None,
        advice_settings: AdviceSettings | None = None,
        alertmanager_url: str | None = None,
    ) -> None:
        """``workload`` is the deployment the alert is about (default: named like the namespace,
        ``sap-llm``); ConfigMap, scale and Redis fixes measure their effect on its pods.
        ``describe_action`` names another action in user text the way the UI shows it (title and
        key); without it, by title or id.  ``advice_settings``: the memory-limit advice's headroom,
        horizon and window (``limit_advice.AdviceSettings``; its defaults when None)."""
        self.namespace = check_label(connection.namespace, "namespace")
        self.connection = connection
        self.audit = audit
        self.read_only = read_only
        self.prometheus = prometheus
        self.clock = clock
        self.describe_action = describe_action or (lambda action_id: action_id)
        self.api = KubeApi(connection.api_client, self.namespace)
        self.redis = RedisRunner(url=redis_url, exec_client=connection.exec_api_client, namespace=self.namespace)
        self.planner = Planner(self.api, self.redis, threshold_bytes=threshold_bytes,
                               workload=workload or self.namespace, redis_deployment=redis_deployment, clock=clock,
                               dry_runs=not read_only, prometheus=prometheus,
                               advice_settings=advice_settings)
        self.alertmanager_url = alertmanager_url
        self.planner.alertmanager_url = alertmanager_url
        self.planner.author = silence_author(connection.user)
        self.reader = Reader(self.api, self.planner, exec_client=connection.exec_api_client,
                             prometheus=prometheus, artifacts_dir=Path(artifacts_dir),
                             clock=clock)
        self.rbac = PermissionChecker(self.api, who=connection.user)
        self.who = f"{connection.user or 'unknown'} ({local_identity()})"
        self._lock = threading.Lock()
        self._executed: set[str] = set()
        self._effects_closed: set[str] = set()
        """Intents whose one effect entry is written (measured, or "not measured" at quit)."""
        self._effects_measuring: set[str] = set()
        self._last_ctx = ActionContext(None, (), {})

    # -- permissions --------------------------------------------------------------------------

    def permissions(self, actions: Sequence[Action], *, refresh: bool = False) -> dict[str, Permission]:
        """Per action id: allowed, or why not.  One SelfSubjectAccessReview per distinct
        permission across all ``actions`` (cached), none for what read-only mode already forbids."""
        result: dict[str, Permission] = {}
        needed: dict[str, tuple] = {}
        for action in actions:
            refusal = self._read_only_refusal(action)
            if refusal is not None:
                result[action.id] = Permission(False, refusal)
            elif handler_for(action.operation).NEEDS_PROMETHEUS and not self.prometheus:
                result[action.id] = Permission(False, NO_PROMETHEUS_REASON)
            elif handler_for(action.operation).NEEDS_ALERTMANAGER and not self.alertmanager_url:
                result[action.id] = Permission(False, NO_ALERTMANAGER_REASON)
            else:
                needed[action.id] = requirements(action.operation, redis_via_url=self.redis.via_url)
        answers = self.rbac.check([a for reqs in needed.values() for a in reqs], refresh=refresh)
        for action_id, reqs in needed.items():
            denied = [answers[a][1] for a in reqs if answers[a][0] is False]
            unknown = [answers[a][1] for a in reqs if answers[a][0] is None]
            if denied:
                result[action_id] = Permission(False, denied[0])
            elif unknown:
                result[action_id] = Permission(True, unknown[0])
            else:
                result[action_id] = Permission(True, None)
        return result

    def _read_only_refusal(self, action: Action) -> str | None:
        """Why ``--read-only`` refuses ``action`` (read_only.py holds the rule), or None."""
        return read_only_refusal(action, redis_via_url=self.redis.via_url) if self.read_only else None

    def _refuse_container_drafts(self, action: Action) -> None:
        """Drafting some plans already runs something in a container (redis-cli DBSIZE, CONFIG GET);
        under --read-only such a plan is refused before it is drafted."""
        if self.read_only and runs_in_container(action.operation, redis_via_url=self.redis.via_url):
            raise PlanError(f"{action.title}: refused: {CONTAINER_REASON}")

    # -- plan ---------------------------------------------------------------------------------------

    def _validate(self, action: Action, values: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return action.validate(values)
        except ParamError as exc:
            raise PlanError(exc.message, param=exc.param) from None

    def initial_values(self, action: Action, ctx: ActionContext | None = None) -> dict[str, str]:
        """The values a modal opens with: the runbook's defaults, except where the cluster says
        better (Redis maxmemory: a share of the Redis container's limit; a memory limit: the
        advice from history).  Blocking: a worker's."""
        values = {p.name: p.default for p in action.params}
        values.update(handler_for(action.operation).initial_values(self.planner, action,
                                                                   ctx or ActionContext(None, (), {})))
        return values

    def plan(self, action: Action, values: Mapping[str, str], ctx: ActionContext) -> Plan:
        """Everything the modal shows for a mutating action; ``PlanError`` (one line) when it cannot be."""
        self._last_ctx = ctx
        if not action.is_mutating:
            raise PlanError(f"{action.title} is a read-only diagnose step: run it, it needs no confirmation")
        typed = self._validate(action, values)
        self._refuse_container_drafts(action)
        permission = self.permissions([action])[action.id]
        draft = self._draft(lambda: self._plan_draft(action, typed, ctx))
        return self._freeze(action, draft, values=values, typed=typed, ctx=ctx, permission=permission)

    def _plan_draft(self, action: Action, typed: Mapping[str, Any], ctx: ActionContext) -> Draft:
        op = self.planner.bind(action, typed)
        handler = handler_for(op)
        if not isinstance(handler, Drafting):
            raise PlanError(f"{action.id}: operation kind {op.kind!r} changes nothing; run it as a diagnose step")
        return handler.draft(self.planner, action, typed, op, ctx)

    def _draft(self, build: Callable[[], Draft]) -> Draft:
        try:
            return build().settle()
        except PlanError:
            raise
        except ApiFailure as exc:
            raise PlanError(str(exc)) from None
        except RuntimeError as exc:
            raise PlanError(str(exc)) from None

    def _freeze(self, action: Action, draft: Draft, *, values: Mapping[str, Any], typed: Mapping[str, Any],
                ctx: ActionContext, permission: Permission, undo_of: str | None = None) -> Plan:
        equivalent = with_kube_context(draft.equivalent or action.render_equivalent(
            typed if not undo_of else None, namespace=self.namespace,
            pods=[t.name for t in draft.targets if t.kind == "Pod"]), self.connection.kubectl_context)
        warnings = list(draft.warnings)
        if not permission.allowed and permission.reason:
            warnings.insert(0, permission.reason)
        if action.gentler_first and not undo_of:
            warnings.append("gentler steps first: " + ", ".join(self.describe_action(a) for a in action.gentler_first))
        undoable = (action.undo == "restore-previous" or bool(undo_of)) and draft.operation.can_undo()
        return Plan(
            id=uuid.uuid4().hex,
            action=action,
            operation=draft.operation,
            values=frozen_map({k: str(v) for k, v in values.items()}),
            params=frozen_map(typed),
            namespace=self.namespace,
            targets=tuple(draft.targets),
            changes=tuple(draft.changes),
            requests=tuple(draft.requests),
            equivalent=equivalent,
            dry_run=draft.dry_run,
            warnings=tuple(warnings),
            confirm_name=draft.confirm_name or (draft.targets[0].name if action.confirm_name and draft.targets else None),
            before=frozen_map(draft.before),
            mutating=True,
            undoable=undoable,
            permission=permission,
            reason=ctx.reason,
            gentler_first=() if undo_of else tuple(action.gentler_first),
            follow_up=tuple(draft.follow_up),
            undo_of=undo_of,
            effect_after_s=draft.effect_after_s,
            created_at=self.clock(),
            alternative_pod=draft.alternative_pod,
            notes=tuple(draft.notes),
            advice=tuple(draft.advice),
            advice_summary=draft.advice_summary,
            checks=tuple(draft.checks),
            ranking=frozen_map(ctx.ranking) if ctx.ranking is not None else None,
        )

    # -- execute --------------------------------------------------------------------------------------

    def _preflight(self, plan: Plan, confirmation: str | None) -> str | None:
        """Why ``plan`` must not be sent, or None."""
        with self._lock:
            if plan.id in self._executed:
                return "this plan was already executed; plan the action again"
        if plan.namespace != self.namespace:
            return f"the plan is for namespace {plan.namespace}; memtui was started for {self.namespace}"
        if not plan.mutating:
            return f"{plan.action.title} is read-only: run it as a diagnose step"
        refusal = self._read_only_refusal(plan.action)
        if refusal is not None:
            return refusal
        permission = self.permissions([plan.action])[plan.action.id]
        if not permission.allowed:
            return permission.reason or "not permitted"
        if plan.blockers:
            return "a check before sending failed: " + "; ".join(plan.blockers)
        if plan.confirm_name is not None:
            if confirmation is None or not confirmation.strip():
                return f"not confirmed: type {plan.confirm_name!r} to confirm"
            if confirmation.strip() != plan.confirm_name:
                return f"typed name {confirmation.strip()!r} does not match {plan.confirm_name!r}"
        try:
            for request in plan.requests:
                if isinstance(request, HttpCall):
                    check_path(request.method, request.path, self.namespace)
                elif isinstance(request, ExecCall) or (isinstance(request, RedisCall) and request.pod):
                    check_subdomain(request.pod or "", "pod")
                    check_label(request.container or "", "container")
        except GuardError as exc:
            return exc.message
        return None

    def _target_summary(self, plan: Plan) -> dict[str, Any]:
        first = plan.targets[0] if plan.targets else None
        summary: dict[str, Any] = {"kind": first.kind if first else "Namespace",
                                   "name": first.name if first else self.namespace}
        pod_names = [t.name for t in plan.targets if t.kind == "Pod"]
        if len(pod_names) > 1 or (pod_names and summary["kind"] != "Pod"):
            summary["pods"] = pod_names
        if first and first.why:
            summary["why"] = first.why
        return summary

    def _dry_run_summary(self, dry_run: DryRun | None) -> dict[str, Any] | None:
        if dry_run is None:
            return None
        return {"outcome": "accepted" if dry_run.ok else "rejected", "message": dry_run.message}

    def execute(self, plan: Plan, *, confirmation: str | None = None) -> Outcome:
        """Preflight → audit intent (fsynced) → the call(s) → Event → audit result."""
        started = time.monotonic()
        refusal = self._preflight(plan, confirmation)
        previous: Previous | None = None
        if refusal is None and plan.undoable:
            try:
                previous = capture_previous(self.planner, plan.operation, plan.requests)
            except (ApiFailure, PlanError, RuntimeError) as exc:
                refusal = f"cannot read the current values that undo needs ({exc})"
        try:
            intent_id = self.audit.intent(
                action=plan.audit_action, target=self._target_summary(plan),
                parameters={k: str(v) for k, v in plan.values.items()},
                request={"requests": [r.summary() for r in plan.requests]},
                dry_run=self._dry_run_summary(plan.dry_run), reason=plan.reason,
                before=dict(plan.before), kubectl=plan.equivalent,
                ranking=dict(plan.ranking) if plan.ranking is not None else None,
            )
        except AuditError as exc:
            return Outcome(False, f"{plan.title}: not sent, the audit log cannot be written", plan.action.id,
                           error=f"{exc}; nothing was sent", duration_s=time.monotonic() - started, plan=plan,
                           refused=True)
        if refusal is not None:
            refusal_notes = self._audit_result(intent_id, outcome="refused", error=refusal,
                                               duration_s=time.monotonic() - started)
            return Outcome(False, f"{plan.title}: refused: {refusal}", plan.action.id, error=refusal,
                           duration_s=time.monotonic() - started, intent_id=intent_id, plan=plan, refused=True,
                           notes=tuple(refusal_notes))
        with self._lock:
            self._executed.add(plan.id)
        sent = self._send(plan)
        handler = handler_for(plan.operation)
        if previous is not None and sent.ok and isinstance(handler, Restoring):
            previous = handler.after_send(previous, sent.responses)
        notes: list[str] = []
        if sent.any_applied:
            verdict = "done" if sent.ok else "failed in part: " + "; ".join(sent.errors)
            notes.append(events.record(self.api, plan, who=self.who, outcome=verdict, now=self.clock(),
                                       audit=self.audit.position(intent_id), entry_id=intent_id))
        duration = time.monotonic() - started
        response: dict[str, Any] = {"responses": sent.responses}
        if notes:
            response["event"] = notes[0]
        error = "; ".join(sent.errors) or None
        notes += self._audit_result(intent_id, outcome="success" if sent.ok else "failure", duration_s=duration,
                                    response=response, error=error,
                                    previous=previous.to_json() if previous is not None and sent.ok else None)
        head = "; ".join(sent.summaries) or ("failed" if not sent.ok else "done")
        if sent.ok and plan.undo_of:
            head += f"; restored {plan.restores}"  # what this undo did, not what undoing it would do
        elif sent.ok and previous is not None:
            head += f"; undo restores {previous.describe()}"
        return Outcome(
            ok=sent.ok, summary=f"{plan.title}: {head}" if sent.ok else f"{plan.title} failed: {error}",
            action_id=plan.action.id, output="\n".join(sent.output), error=error, duration_s=duration,
            intent_id=intent_id, previous=frozen_map(previous.to_json()) if previous is not None and sent.ok else None,
            plan=plan,
            notes=tuple(notes), finished_at=self.clock(),
        )

    def _audit_result(self, intent_id: str, **fields: Any) -> list[str]:
        try:
            self.audit.result(intent_id, **fields)
        except AuditError as exc:
            return [f"the result was not written to the audit log ({exc}); the export will say 'outcome unknown'"]
        return []

    def _send(self, plan: Plan) -> _Sent:
        sent = _Sent()
        for request in plan.requests:
            if isinstance(request, HttpCall):
                try:
                    answer = self.api.send(request)
                except ApiFailure as exc:
                    sent.ok = False
                    sent.errors.append(exc.message)
                    sent.responses.append({"method": request.method, "path": request.path, "status": exc.status,
                                           "error": exc.message})
                    break  # a plan's HTTP calls are one change; do not go on after a refusal
                text, facts = handler_for(plan.operation).summarise(request, answer)
                sent.any_applied = True
                sent.summaries.append(text)
                sent.responses.append(facts)
            elif isinstance(request, ExecCall):
                self._send_exec(request, sent)
            elif isinstance(request, AlertmanagerCall):
                try:
                    facts = alertmanager_kind.send(request)
                except SourceError as exc:
                    sent.ok = False
                    sent.errors.append(exc.reason)
                    sent.responses.append({"method": request.method, "path": request.path, "error": exc.reason})
                    break
                sent.any_applied = True
                sent.summaries.append(f"silence {facts['silenceID']} created" if "silenceID" in facts
                                      else f"silence {facts['expired']} expired")
                sent.responses.append(facts)
            elif isinstance(request, RedisCall):
                reply = self.redis.call(request.words, pod=request.pod, container=request.container)
                words = " ".join(request.words)
                if reply.ok:
                    sent.any_applied = True
                    first = reply.text.split("\n", 1)[0]
                    sent.summaries.append(f"{words}: {first}")
                    sent.output.append(f"{words} ({request.via})\n{reply.text}")
                    sent.responses.append({"redis": list(request.words), "reply": first[:200]})
                else:
                    sent.ok = False
                    sent.errors.append(reply.error or "failed")
                    sent.responses.append({"redis": list(request.words), "error": reply.error})
        return sent

    def _send_exec(self, call: ExecCall, sent: _Sent) -> None:
        result = exec_in_pod(self.connection.exec_api_client, self.namespace, call.pod, list(call.argv), container=call.container,
                             timeout=call.timeout_s, binary=False)
        out = result.stdout if isinstance(result.stdout, str) else result.stdout.decode("utf-8", "replace")
        facts = {"pod": call.pod, "argv": list(call.argv), "exit_code": result.exit_code}
        sent.output.append(f"── {call.text}\n{out.rstrip() or '(no output)'}"
                           + (f"\nstderr: {result.stderr.strip()}" if result.stderr.strip() else ""))
        if result.ok:
            sent.any_applied = True
            first = out.strip().split("\n", 1)[0][:120]
            sent.summaries.append(f"pod/{call.pod}: done" + (f" ({first})" if first else ""))
            facts["stdout"] = out.strip()[:500]
        else:
            reason = result.error or result.stderr.strip().split("\n")[0] or f"exit code {result.exit_code}"
            sent.ok = False
            sent.errors.append(f"pod/{call.pod}: {reason}")
            facts["error"] = reason
            if result.exit_code is not None:
                sent.any_applied = True  # the command ran; it may have done part of its work
        sent.responses.append(facts)

    # -- read-only steps --------------------------------------------------------------------------------

    def run_read(self, action: Action, values: Mapping[str, str], ctx: ActionContext) -> Outcome:
        """A diagnose step: no modal, one audit ``read`` entry, text for the output pane."""
        self._last_ctx = ctx
        if action.is_mutating:
            raise PlanError(f"{action.title} changes things: plan it and confirm it in the modal")
        typed = self._validate(action, values)
        parameters = {k: str(v) for k, v in action.texts(typed).items()}
        permission = self.permissions([action])[action.id]
        started = time.monotonic()
        if not permission.allowed:
            reason = permission.reason or "not permitted"
            entry_id, notes = self._audit_read(action.id, {"kind": "Namespace", "name": self.namespace}, parameters,
                                               "refused", 0.0, reason, None, reason, ctx.ranking)
            return Outcome(False, f"{action.title}: refused: {reason}", action.id, error=reason, refused=True,
                           intent_id=entry_id, notes=notes)
        try:
            result = diagnose.run(self.reader, action, typed, ctx)
        except PlanError:
            raise
        except (ApiFailure, RuntimeError, OSError, ValueError) as exc:
            message = exc.message if isinstance(exc, ApiFailure) else str(exc)
            result = ReadResult(False, message, "failed", {"kind": "Namespace", "name": self.namespace}, error=message)
        duration = time.monotonic() - started
        entry_id, notes = self._audit_read(action.id, dict(result.target), parameters,
                                           "success" if result.ok else "failure", duration, result.summary,
                                           result.artifact, result.error, ctx.ranking)
        summary = f"{action.title}: {result.summary}" if result.ok else f"{action.title} failed: {result.error}"
        return Outcome(result.ok, summary, action.id, output=result.text, artifact=result.artifact, error=result.error,
                       duration_s=duration, intent_id=entry_id, notes=notes)

    def _audit_read(self, action_id: str, target: dict[str, Any], parameters: dict[str, str], outcome: str,
                    duration: float, summary: str | None, artifact: Path | None,
                    error: str | None, ranking: Mapping[str, Any] | None = None) -> tuple[str | None, tuple[str, ...]]:
        """(the read entry's id, notes); a read already happened, so a failed audit is a note, not a refusal.
        ``ranking`` is the cause ranking when the step was run (a plain dict: the executor does not rank)."""
        try:
            entry = self.audit.read(action=action_id, target=target, parameters=parameters or None, outcome=outcome,
                                    duration_s=duration, output_summary=summary, artifact=artifact, error=error,
                                    ranking=ranking)
        except AuditError as exc:
            return None, (f"not written to the audit log ({exc})",)
        return entry.id, ()

    # -- effect and undo ------------------------------------------------------------------------------

    def check_effect(self, outcome: Outcome, ctx_after: ActionContext, *, samples: Samples | None = None,
                     marks: Sequence[ActionMark] = (), window: EffectWindow | None = None) -> Effect | None:
        """The effect of a mutating action that went through, appended to the audit as ``effect``.

        ``samples`` is memtui's history of the pods (pod → (unix time, working set)); without it
        only the figures at the plan and now are compared.  ``marks`` are the session's executed
        actions (for the window's end at the next action on the same pods, and overlaps);
        ``window`` the window to credit (default: from the action to now, or to the next action).
        The figures are computed by ``effects.measure_effect``; this method only adds what needs
        I/O (Redis ``used_memory``) and writes the entry.
        """
        plan = outcome.plan
        if plan is None or not plan.mutating or not outcome.ok or outcome.intent_id is None:
            return None
        with self._lock:
            if outcome.intent_id in self._effects_closed:
                return None  # already measured, or memtui stopped first
            self._effects_measuring.add(outcome.intent_id)
        try:
            return self._measure_effect(outcome, outcome.intent_id, plan, ctx_after, samples=samples, marks=marks,
                                        window=window)
        finally:
            with self._lock:
                self._effects_measuring.discard(outcome.intent_id)

    def _measure_effect(self, outcome: Outcome, intent_id: str, plan: Plan, ctx_after: ActionContext, *,
                        samples: Samples | None, marks: Sequence[ActionMark], window: EffectWindow | None) -> Effect | None:
        self._last_ctx = ctx_after
        now = self.clock()
        mark = self.mark(outcome, marks)
        if window is None:
            window = due_window(mark, marks, ctx_after.pods, now, deployment=plan.before.get("deployment"), force=True)
            assert window is not None  # force=True: always a window
        inputs = handler_for(plan.operation).effect_inputs(self.planner, plan, ctx_after)
        if samples is None:
            at = mark.at.timestamp()
            samples = {name: ((at, float(value)),) for name, value in (plan.before.get("pods") or {}).items()
                       if value is not None}
        samples = with_current(samples, ctx_after, now) if window.cut_by is None else samples
        start_read = plan.before.get("start_read") or {}
        report = measure_effect(mark, plan.before, window, marks=marks or (mark,), pods_now=ctx_after.pods,
                                samples=samples, redis_after=inputs.redis_after, limit_expected=inputs.limit_expected,
                                start_read_keys=tuple(start_read.get("keys") or ()), oom_kills=ctx_after.oom_kills)
        summary = report.summary()
        after = report.after_json()
        with self._lock:
            if intent_id in self._effects_closed:
                return None  # memtui stopped while this was measured: "not measured" is on record
            self._effects_closed.add(intent_id)
        try:
            self.audit.effect(intent_id, before=dict(plan.before), after=after, summary=summary)
        except AuditError as exc:
            summary += f" (not written to the audit log: {exc})"
        return Effect(intent_id, plan.action.id, plan.before, frozen_map(after), summary, report.improved,
                      report.replaced, report)

    def mark(self, outcome: Outcome, marks: Sequence[ActionMark] = ()) -> ActionMark:
        """``outcome``'s mark among ``marks``, or a new one (number 0: not numbered in a session)."""
        found = next((m for m in marks if m.intent_id == outcome.intent_id), None)
        if found is not None:
            return found
        plan = outcome.plan
        if plan is None:
            raise ValueError(f"outcome {outcome.action_id!r} has no plan, so no mark")
        at = outcome.finished_at or plan.created_at or self.clock()
        return mark_of(plan, intent_id=outcome.intent_id or "", number=0, at=at,
                       label=self.describe_action(plan.action.id))

    def effect_not_measured(self, outcome: Outcome, *, wait_s: float = 2.0) -> str | None:
        """memtui is stopping before ``outcome``'s effect could be measured: say so in the audit log,
        so the postmortem does not read silence as "no effect".  A measurement in flight gets
        ``wait_s`` to finish first; an action gets one effect entry either way.  Returns a note if
        writing failed."""
        if outcome.intent_id is None:
            return None
        deadline = time.monotonic() + wait_s
        while True:
            with self._lock:
                if outcome.intent_id in self._effects_closed:
                    return None
                if outcome.intent_id not in self._effects_measuring or time.monotonic() >= deadline:
                    self._effects_closed.add(outcome.intent_id)
                    break
            time.sleep(0.02)
        try:
            self.audit.effect(outcome.intent_id, summary=NOT_MEASURED)
        except AuditError as exc:
            return f"{outcome.action_id}: {NOT_MEASURED} was not written to the audit log ({exc})"
        return None

    def undo_plan(self, outcome: Outcome) -> Plan:
        """A plan restoring the previous values ``outcome`` recorded; ``PlanError`` if not undoable."""
        plan = outcome.plan
        if plan is None:
            raise PlanError(f"{outcome.action_id}: nothing to undo")
        ctx = self._last_ctx
        self._refuse_container_drafts(plan.action)
        draft = self._draft(lambda: undo_draft(self.planner, outcome, ctx))
        permission = self.permissions([plan.action])[plan.action.id]
        return self._freeze(plan.action, draft, values=undo_values(outcome), typed=dict(outcome.previous or {}), ctx=ctx,
                            permission=permission,
                            undo_of=outcome.intent_id)

    def close(self) -> None:
        self.redis.close()

