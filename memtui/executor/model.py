"""The values that cross the executor's boundary: what the UI hands in, what it gets back.

Everything here is a frozen dataclass made of strings, numbers, tuples and read-only mappings,
so a Textual thread worker can build it and the main thread can render it without locks.  A
``Plan`` is *complete*: the confirmation modal shows it field by field, and ``execute`` sends
exactly the requests it holds, nothing rebuilt in between, so what the operator confirmed is
what reaches the cluster.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from memtui.state.incident import OomKill
from memtui.runbook import Action
from memtui.runbook.operations import Operation
from memtui.state.snapshots import PodState

EMPTY: Mapping[str, Any] = MappingProxyType({})


def frozen_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy, so a plan cannot change after the operator saw it."""
    return MappingProxyType(dict(value or {}))


class PlanError(ValueError):
    """The action cannot be planned; ``str()`` is one line for the modal or the status bar.

    ``param`` names the parameter at fault when the operator typed a bad value, so the modal
    can show the message under that field.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class Permission:
    """Whether the side panel may offer an action; ``reason`` says why not (or what is unknown)."""

    allowed: bool
    reason: str | None = None


@dataclass(frozen=True)
class ActionContext:
    """What the cockpit shows at the moment the operator presses the key.

    ``pods`` and ``usage`` (working set bytes per pod) are the collector's latest snapshot of
    the namespace; ``selected_pod`` the row under the cursor; ``reason`` the optional
    reason / incident id typed in the modal.  ``oom_kills`` is the OOM ledger, which still
    knows about kills that a rollout restart erased from pod status.
    """

    selected_pod: str | None
    pods: tuple[PodState, ...]
    usage: Mapping[str, int]
    reason: str | None = None
    oom_kills: tuple[OomKill, ...] = ()
    seconds_to_oom: Mapping[str, float] = field(default_factory=dict)
    """Per pod: the forecast time to its limit (the pods table's FORECAST), for ties of "worst"."""
    growth: Mapping[str, float] = field(default_factory=dict)
    """Per pod: working-set growth in bytes/s now (the pods table's GROWTH: Prometheus ``deriv`` or
    memtui's own slope), for the limit advice's growth term."""
    peaks: Mapping[str, tuple[int, float]] = field(default_factory=dict)
    """Per pod: (highest working set, seconds of history) in memtui's own history: the limit
    advice without Prometheus."""
    pinned_pod: str | None = None
    """A pod the operator chose in the modal instead of the one the action names ("the worst
    pod"): the action is re-planned for it, and its reason says it was the operator's choice."""
    ranking: Mapping[str, Any] | None = None
    """The cause ranking the operator was looking at (``CauseRanking.to_record()``: causes,
    confidences, facts with their sources, gaps), a plain JSON-able dict: it goes into the
    action's audit entry, so the postmortem shows why this fix was chosen."""


@dataclass(frozen=True)
class Target:
    """One object the action touches, and why this one (the runbook's traps are about *which*)."""

    kind: str
    """``ConfigMap``, ``Deployment``, ``Pod`` or ``Redis``."""
    name: str
    namespace: str
    why: str
    uid: str | None = None
    """The object's uid when known: ``kubectl describe`` finds Events by it."""


@dataclass(frozen=True)
class Change:
    """One field before and after; ``None`` means absent (a key that does not exist, no limit)."""

    path: str
    before: str | None
    after: str | None

    @property
    def changes_anything(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class HttpCall:
    """A Kubernetes API request exactly as it will be sent (the body is JSON text's source)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None
    body: Any = None

    @property
    def url(self) -> str:
        return self.path + (f"?{urlencode(self.query)}" if self.query else "")

    @property
    def text(self) -> str:
        head = f"{self.method} {self.url}"
        if self.content_type:
            head += f"\nContent-Type: {self.content_type}"
        if self.body is not None:
            head += "\n" + json.dumps(self.body, separators=(",", ":"))
        return head

    def summary(self) -> dict[str, Any]:
        """For the audit entry: method, path, query, content type and body."""
        return {"method": self.method, "path": self.path, "query": dict(self.query),
                "content_type": self.content_type, "body": self.body}


@dataclass(frozen=True)
class ExecCall:
    """A command run in one container as an argument list: no shell unless the argv is the
    catalogue's fixed ``sh -c`` script."""

    pod: str
    container: str
    argv: tuple[str, ...]
    timeout_s: float = 30.0
    binary: bool = False
    save_to: str | None = None
    """A plain file name under the executor's artifacts directory (heap profiles)."""

    @property
    def text(self) -> str:
        return f"exec pod/{self.pod} -c {self.container} -- {shlex.join(self.argv)}"

    def summary(self) -> dict[str, Any]:
        return {"exec": {"pod": self.pod, "container": self.container, "argv": list(self.argv)}}


@dataclass(frozen=True)
class RedisCall:
    """Redis command words, sent by redis-py to ``via`` or as ``redis-cli`` argv in ``pod``."""

    words: tuple[str, ...]
    via: str
    """``redis://:***@host:6379/0`` (password redacted) or ``redis-cli in pod/redis-x``."""
    pod: str | None = None
    container: str | None = None

    @property
    def argv(self) -> tuple[str, ...]:
        return ("redis-cli", *self.words)

    @property
    def text(self) -> str:
        return f"{shlex.join(self.words)}  ({self.via})"

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"redis": list(self.words), "via": self.via}
        if self.pod:
            out["argv"] = list(self.argv)
        return out


@dataclass(frozen=True)
class AlertmanagerCall:
    """A request to Alertmanager's API v2 (``--alertmanager-url``), exactly as it will be sent."""

    method: str
    url: str
    """The Alertmanager's base URL."""
    path: str
    body: Any = None

    @property
    def text(self) -> str:
        head = f"{self.method} {self.url}{self.path}"
        if self.body is not None:
            head += "\nContent-Type: application/json\n" + json.dumps(self.body, separators=(",", ":"))
        return head

    def summary(self) -> dict[str, Any]:
        return {"alertmanager": {"method": self.method, "url": self.url, "path": self.path, "body": self.body}}


Request = HttpCall | ExecCall | RedisCall | AlertmanagerCall


@dataclass(frozen=True)
class DryRun:
    """The server-side ``dryRun=All`` answer: accepted, or the API's Status message."""

    ok: bool
    message: str


@dataclass(frozen=True)
class Check:
    """One check made before anything is sent (a memory limit against quota, LimitRange, nodes)."""

    name: str
    status: str
    """``ok``; ``fail`` (the change would be refused or its pods would not start: Apply is off);
    ``caution`` (allowed, but worth knowing); ``unknown`` (it could not be checked, e.g.
    forbidden: said, not blocking)."""
    text: str

    @property
    def failed(self) -> bool:
        return self.status == "fail"


@dataclass(frozen=True)
class Plan:
    """Everything the confirmation modal shows, and everything ``execute`` sends."""

    id: str
    action: Action
    operation: Operation
    """The operation bound with the validated values (for the first target pod, if any)."""
    values: Mapping[str, str]
    """Parameters as given (text), so the modal can re-plan after an edit."""
    params: Mapping[str, Any]
    """Typed, validated parameters (``Action.validate``)."""
    namespace: str
    targets: tuple[Target, ...]
    changes: tuple[Change, ...]
    requests: tuple[Request, ...]
    equivalent: str
    dry_run: DryRun | None
    warnings: tuple[str, ...]
    confirm_name: str | None
    before: Mapping[str, Any]
    mutating: bool
    undoable: bool
    permission: Permission
    reason: str | None = None
    gentler_first: tuple[str, ...] = ()
    """Action ids the modal should offer before this one (FLUSHDB: eviction policy, PURGE)."""
    follow_up: tuple[str, ...] = ()
    """Action ids worth doing after this one (CONFIG SET → CONFIG REWRITE)."""
    undo_of: str | None = None
    """For an undo plan: the intent id of the action it reverts."""
    effect_after_s: float = 60.0
    """How long after ``execute`` an effect check makes sense (a rollout takes minutes)."""
    created_at: datetime | None = None
    notes: tuple[str, ...] = ()
    """How values were arrived at (a default derived from the cluster), shown beside the plan."""
    alternative_pod: str | None = None
    """The selected pod, when the action targets another pod by its own rule ("the worst pod"):
    the modal says so and offers to re-plan for the selected pod instead."""
    advice: tuple[str, ...] = ()
    """How a proposed value was computed from history (the memory-limit advice), one step a line."""
    advice_summary: str = ""
    """The advice in one line, shown beside the value it proposes (visible at 80x24)."""
    checks: tuple[Check, ...] = ()
    """Checks made before anything is sent; a failed one blocks Apply and ``execute``."""
    ranking: Mapping[str, Any] | None = None
    """The cause ranking when the action was chosen (``ActionContext.ranking``), for its audit intent."""

    @property
    def blockers(self) -> tuple[str, ...]:
        """The failed checks' texts: while there is one, nothing is sent."""
        return tuple(c.text for c in self.checks if c.failed)

    @property
    def audit_action(self) -> str:
        return f"{self.action.id}.undo" if self.undo_of else self.action.id

    @property
    def title(self) -> str:
        """What the modal and the toasts call this plan: ``Undo: <action>`` for an undo."""
        return f"Undo: {self.action.title}" if self.undo_of else self.action.title

    @property
    def restores(self) -> str:
        """For an undo: ``key=value, …`` put back (the changes' new values); empty otherwise."""
        if not self.undo_of:
            return ""
        return ", ".join(f"{c.path}={'(absent)' if c.after is None else c.after}" for c in self.changes)

    @property
    def request_texts(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.requests)


@dataclass(frozen=True)
class Outcome:
    """What happened: for the status line (``summary``), the output pane and undo."""

    ok: bool
    summary: str
    action_id: str
    output: str = ""
    artifact: Path | None = None
    error: str | None = None
    duration_s: float = 0.0
    intent_id: str | None = None
    previous: Mapping[str, Any] | None = None
    plan: Plan | None = None
    refused: bool = False
    """Nothing was sent (read-only mode, RBAC, wrong typed name, audit log not writable)."""
    notes: tuple[str, ...] = ()
    """Side matters: the Kubernetes Event could not be created, the result was not audited."""
    finished_at: datetime | None = None
    """When the requests had been sent (the executor's clock): the effect window starts here."""
