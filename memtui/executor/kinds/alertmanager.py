"""The Alertmanager kind: ``alertmanager-silence``, "silence MemoryUsageHigh for this namespace while
fixing", through ``--alertmanager-url``; undo expires the silence.

Planned, sent and undone here and in ``memtui.clients.alertmanager`` (the one client), nowhere else.
The silence is never broader than the alert: its matchers are equality matchers on the labels
every firing alert of the namespace shares, read from Alertmanager when the modal opens (always
``alertname`` and ``namespace``; a shared ``cluster`` or ``severity`` is kept, so another
cluster's alerts in a shared Alertmanager stay loud); no regex, never without the namespace.
The duration is bounded (``MAX_SILENCE``); ``createdBy`` is the kube context's user, else ``$USER``,
and the plan says which; the comment is the incident reason typed in the modal.  The POST body
the modal shows is the body sent.  No Kubernetes permission is needed for the silence itself;
the Event every applied action leaves in the namespace needs ``create events``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from memtui.clients.alertmanager import AlertmanagerClient, Matcher, seconds_text, silence_body
from memtui.clients.errors import SourceError
from memtui.executor.access import CREATE_EVENTS
from memtui.executor.kinds.base import Drafting, MarkScope, Previous, Restoring
from memtui.executor.model import ActionContext, AlertmanagerCall, Change, Plan, PlanError, Request, Target
from memtui.executor.planning import Draft, Planner
from memtui.runbook import Action
from memtui.runbook.operations import AlertmanagerSilence
from memtui.runbook.params import ParamError, parse_duration

MAX_SILENCE = timedelta(hours=24)
"""A silence longer than this outlives the fix: the next on-call would never hear the alert."""
TIMEOUT_S = 5.0


def silence_matchers(alertname: str, namespace: str, alerts: list[Mapping[str, str]]) -> tuple[Matcher, ...]:
    """``alertname`` and ``namespace``, then every other label all ``alerts`` share with one value
    (per-pod labels differ, so they drop out): equality matchers only."""
    fixed = {"alertname": alertname, "namespace": namespace}
    shared: dict[str, str] = {}
    if alerts:
        shared = dict(alerts[0])
        for labels in alerts[1:]:
            shared = {k: v for k, v in shared.items() if labels.get(k) == v}
    extra = {k: v for k, v in shared.items() if k not in fixed}
    if len(alerts) == 1:
        extra = {k: v for k, v in extra.items() if k not in ("pod", "container", "instance")}  # the namespace's, not one pod's
    return tuple(Matcher(k, v) for k, v in (*fixed.items(), *sorted(extra.items())))


@dataclass(frozen=True)
class SilencePrevious(Previous):
    """The silence memtui created: undo expires it."""

    TAG: ClassVar[str] = "alertmanager-silence"
    url: str
    silence_id: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.TAG, "url": self.url, "silence_id": self.silence_id}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SilencePrevious:
        return cls(str(data["url"]), str(data["silence_id"]))

    def describe(self) -> str:
        return f"no silence (expires {self.silence_id})"

    def as_values(self) -> Mapping[str, Any]:
        return {"silence": self.silence_id}


class SilenceHandler(Drafting[AlertmanagerSilence], Restoring[AlertmanagerSilence, SilencePrevious]):
    operation = AlertmanagerSilence
    PERMISSIONS = (CREATE_EVENTS,)
    """The silence needs none in Kubernetes; the action's Event in the namespace does."""
    NEEDS_ALERTMANAGER = True
    previous_type = SilencePrevious

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: AlertmanagerSilence,
              ctx: ActionContext) -> Draft:
        url = planner.alertmanager_url
        if not url:
            raise PlanError("no Alertmanager URL configured (--alertmanager-url)")
        try:
            seconds = parse_duration(op.duration, what="duration", param="duration").seconds
        except ParamError as exc:
            raise PlanError(exc.message, param="duration") from None
        if not 0 < seconds <= MAX_SILENCE.total_seconds():
            raise PlanError(f"duration {op.duration} must be above 0 and at most {seconds_text(MAX_SILENCE.total_seconds())}",
                            param="duration")
        try:
            alerts = AlertmanagerClient(url, timeout=TIMEOUT_S).firing(planner.namespace, op.alertname)
        except SourceError as exc:
            raise PlanError(f"cannot read the firing alerts: {exc.reason}") from None
        matchers = silence_matchers(op.alertname, planner.namespace, [dict(a.labels) for a in alerts])
        now = planner.clock()
        ends = now + timedelta(seconds=seconds)
        who, where = planner.author
        comment = (ctx.reason or "").strip() or f"memtui: fixing {op.alertname} in namespace {planner.namespace}"
        body = silence_body(matchers, starts_at=now, ends_at=ends, created_by=who, comment=comment)
        draft = Draft(op, effect_after_s=60.0)
        draft.requests.append(AlertmanagerCall("POST", url, "/api/v2/silences", body))
        shown = ", ".join(f'{m.name}="{m.value}"' for m in matchers)
        pods = sorted(a.pod for a in alerts if a.pod)
        draft.targets.append(Target("Alertmanager", op.alertname, planner.namespace,
                                    f"{len(alerts)} firing {op.alertname} alert(s) in namespace {planner.namespace}"
                                    + (f": {', '.join(pods)}" if pods else "")))
        draft.changes.append(Change("silence matchers", None, shown))
        draft.changes.append(Change("silence ends", None, f"{body['endsAt']} ({seconds_text(seconds)})"))
        draft.notes.append(f"createdBy {who!r}: {where}")
        if not alerts:
            draft.warnings.append(f"no {op.alertname} alert fires in namespace {planner.namespace} now: the silence "
                                  "covers alertname and namespace only")
        already = sorted({s for a in alerts for s in a.silenced_by})
        if already:
            draft.warnings.append(f"already silenced by {', '.join(already)}")
        args = [f"{m.name}={m.value}" for m in matchers]
        draft.equivalent = shlex.join(["amtool", "silence", "add", f"--alertmanager.url={url}",
                                       f"--duration={seconds_text(seconds)}", f"--author={who}",
                                       f"--comment={comment}", *args])
        draft.before = planner.workload_before(ctx)
        return draft

    def capture_previous(self, planner: Planner, op: AlertmanagerSilence,
                         requests: tuple[Request, ...]) -> SilencePrevious | None:
        first = requests[0] if requests else None
        if not isinstance(first, AlertmanagerCall) or first.method != "POST":
            return None  # expiring a silence: nothing to put back
        return SilencePrevious(first.url, "")

    def after_send(self, previous: SilencePrevious, responses: list[dict[str, Any]]) -> SilencePrevious:
        silence_id = next((r.get("silenceID") for r in responses if r.get("silenceID")), "")
        return SilencePrevious(previous.url, str(silence_id))

    def undo_draft(self, planner: Planner, op: AlertmanagerSilence, previous: SilencePrevious,
                   ctx: ActionContext) -> Draft:
        if not previous.silence_id:
            raise PlanError("the silence's id was not recorded: expire it in Alertmanager")
        draft = Draft(op, effect_after_s=60.0)
        draft.requests.append(AlertmanagerCall("DELETE", previous.url, f"/api/v2/silence/{previous.silence_id}"))
        draft.targets.append(Target("Alertmanager", op.alertname, planner.namespace, f"silence {previous.silence_id}"))
        draft.changes.append(Change(f"silence {previous.silence_id}", "active", "expired"))
        draft.equivalent = shlex.join(["amtool", "silence", "expire", f"--alertmanager.url={previous.url}",
                                       previous.silence_id])
        draft.before = planner.workload_before(ctx)
        return draft

    def mark_scope(self, plan: Plan) -> MarkScope:
        return MarkScope(wide=frozenset({f"alert/{plan.namespace}"}))


def send(call: AlertmanagerCall) -> dict[str, Any]:
    """Send ``call``; the facts for the audit ``response`` (``SourceError`` on failure)."""
    client = AlertmanagerClient(call.url, timeout=TIMEOUT_S)
    if call.method == "POST":
        silence_id = client.create_silence(call.body)
        return {"method": "POST", "path": call.path, "silenceID": silence_id}
    silence_id = call.path.rsplit("/", 1)[-1]
    client.expire_silence(silence_id)
    return {"method": "DELETE", "path": call.path, "expired": silence_id}


HANDLERS = (SilenceHandler(),)
