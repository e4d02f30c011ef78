"""One runbook step as data: what it is, how risky, what it does, and what an SRE would type.

An ``Action`` is what the side panel lists (``title``, ``risk``), what the confirmation modal
shows (``summary``, ``why``, parameters, ``render_equivalent``), and what the executor runs
(``bind`` gives the operation with validated values filled in).  Its consistency rules are
checked when the catalogue loads, so that a wrong runbook file fails at start, not mid-incident:
a diagnose step never changes anything, a fix always does; an operation that mutates cannot be
labelled read-only (nor the reverse); a destructive action asks for the target's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memtui.runbook.errors import FieldError, ParamError
from memtui.runbook.fields import as_bool, as_choice, as_str, as_str_list, check_keys
from memtui.runbook.operations import BUILTINS, RISKS, BindContext, Operation, operation_from_table
from memtui.runbook.params import Param, param_from_table
from memtui.runbook.templates import Slot, Syntax, check_template, placeholders, render

PHASES = ("diagnose", "fix")
ROOT_CAUSES = ("model-loading", "leak", "batch", "cache")
"""The runbook's four root causes (35 %, 30 %, 20 %, 15 % of cases), for grouping fixes."""
UNDO_MODES = ("restore-previous",)
TITLE_MAX = 34
"""The side panel's width for a title, beside its key and risk marks."""

ID_RE = re.compile(r"[a-z]+(\.[a-z0-9]+(-[a-z0-9]+)*)+")

ACTION_FIELDS = (
    "id", "title", "phase", "risk", "root_cause", "summary", "why", "runbook_ref", "operation", "params",
    "equivalent", "confirm_name", "gentler_first", "persistence_note", "undo", "also_for",
)


@dataclass(frozen=True)
class Action:
    """A runbook step.  See ``memtui/runbook/__init__.py`` for the file format."""

    id: str
    title: str
    phase: str
    risk: str
    summary: str
    operation: Operation
    equivalent: str
    params: tuple[Param, ...] = ()
    root_cause: str | None = None
    also_for: tuple[str, ...] = ()
    """Other causes whose runbook resolution ends in this fix ("restart to apply changes", "restart
    pods to clear memory"): the cause ranking offers its key under them too, while the actions list
    keeps it in one group.  A rollout restart is how a leak is cleared for now, yet the leak's own
    group (PYTHONUNBUFFERED, force GC) holds neither it nor anything that frees the leaked heap."""
    why: str = ""
    runbook_ref: str = ""
    confirm_name: bool = False
    """Destructive: the modal asks the operator to type the target's name (the pod, or the
    Redis deployment's name for FLUSHDB)."""
    gentler_first: tuple[str, ...] = ()
    """Ids of gentler actions the modal offers before this one (before FLUSHDB: eviction
    policy, maxmemory, MEMORY PURGE)."""
    persistence_note: str = ""
    undo: str | None = None
    """``restore-previous``: the executor records the previous value and "undo" restores it."""
    source: str = field(default="", compare=False)
    """The file this entry (or its last override) came from, for messages."""

    @property
    def is_mutating(self) -> bool:
        return self.risk != "read-only"

    @property
    def equivalent_syntax(self) -> Syntax:
        return "promql" if self.operation.kind == "promql" else "shell"

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(f"action {self.id!r} has no parameter {name!r}")

    def validate(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Typed values for every parameter (defaults for those not given), or ``ParamError``.

        Values may be text as typed, or already-typed values from an earlier ``validate``.
        """
        values = dict(values or {})
        known = {p.name for p in self.params}
        for name in values:
            if name not in known:
                raise ParamError(name, f"{self.id} has no parameter {name!r}")
        typed = {p.name: p.coerce(values.get(p.name, p.default)) for p in self.params}
        for param in self.params:
            if param.at_most and typed[param.name] > typed[param.at_most]:
                raise ParamError(param.name, f"{param.name} {typed[param.name]} is larger than "
                                             f"{param.at_most} {typed[param.at_most]}")
        return typed

    def texts(self, typed: Mapping[str, Any]) -> dict[str, str]:
        """Validated values as they appear in templates (``true``, ``16Gi``, ``8gb``)."""
        return {p.name: p.to_text(typed[p.name]) for p in self.params}

    def bind(self, values: Mapping[str, Any] | None = None, *, namespace: str, pod: str | None = None,
             now: datetime | None = None, matchers: str = "") -> Operation:
        """The operation with validated values filled in: what the executor sends.

        ``pod`` is the pod this call reaches (for ``{pod}`` in queries and file names); an
        action that reaches several pods is bound once per pod.  ``matchers``: the Prometheus
        access's label matchers, for a PromQL query's ``{matchers}``.
        """
        typed = self.validate(values)
        return self.operation.bind(BindContext(typed, self.texts(typed), namespace, pod, now, matchers))

    def render_equivalent(self, values: Mapping[str, Any] | None = None, *, namespace: str,
                          pods: Sequence[str] = (), matchers: str = "") -> str:
        """The command an SRE would type, for the pods this action will reach.

        One line per pod when the command names a pod and several are given; ``<pod>`` when
        none is known yet.  Values are quoted for where they stand (``templates``).
        """
        typed = self.validate(values)
        texts = self.texts(typed)
        targets: Sequence[str | None] = [None]
        if "pod" in placeholders(self.equivalent) and pods:
            targets = list(pods)
        elif pods:
            targets = [pods[0]]
        lines = []
        for pod in targets:
            bound = self.operation.bind(BindContext(typed, texts, namespace, pod, matchers=matchers))
            slots = {**texts, **bound.builtin_values(namespace, pod)}
            lines.append(render(self.equivalent, self.equivalent_syntax, slots, fragments=bound.fragments()))
        return "\n".join(lines)


def _params_from_table(table: Any) -> tuple[Param, ...]:
    if not isinstance(table, Mapping):
        raise FieldError("params", "must be a table of [action.params.NAME] tables")
    params = []
    for name, body in table.items():
        if name in BUILTINS:
            raise FieldError(f"params.{name}", f"is a built-in placeholder name ({', '.join(BUILTINS)}); choose another")
        try:
            params.append(param_from_table(name, body))
        except FieldError as exc:
            raise exc.within(f"params.{name}") from None
    by_name = {p.name: p for p in params}
    for param in params:
        if param.at_most:
            other = by_name.get(param.at_most)
            if other is None or other.type != param.type or param.type != "int":
                raise FieldError(f"params.{param.name}.at_most", f"{param.at_most!r} must name another int parameter")
            if int(param.default) > int(other.default):
                raise FieldError(f"params.{param.name}.default", f"{param.default} is larger than {param.at_most} default {other.default}")
    return tuple(params)


def action_from_table(table: Mapping[str, Any], *, source: str = "") -> Action:
    """Build and check one ``[[action]]``; raises ``FieldError`` naming the field."""
    check_keys(table, ACTION_FIELDS, "an action")
    for name in ("id", "title", "phase", "risk", "summary", "operation", "equivalent"):
        if name not in table:
            raise FieldError(name, "is missing")
    action_id = as_str(table["id"], "id")
    if not ID_RE.fullmatch(action_id):
        raise FieldError("id", f"{action_id!r} must be dotted lowercase words, such as 'fix.reduce-batch-size'")
    phase = as_choice(table["phase"], "phase", PHASES)
    if not action_id.startswith(phase + "."):
        raise FieldError("id", f"{action_id!r} must start with its phase, '{phase}.'")
    title = as_str(table["title"], "title")
    if len(title) > TITLE_MAX or "\n" in title:
        raise FieldError("title", f"{title!r} is {len(title)} characters; the side panel fits {TITLE_MAX} on one line")
    risk = as_choice(table["risk"], "risk", RISKS)
    root_cause = as_choice(table["root_cause"], "root_cause", ROOT_CAUSES) if "root_cause" in table else None
    also_for = tuple(as_choice(c, "also_for", ROOT_CAUSES) for c in as_str_list(table["also_for"], "also_for")) \
        if "also_for" in table else ()
    if also_for and phase != "fix":
        raise FieldError("also_for", "is for fixes: the causes whose resolution ends in this fix")
    if root_cause is not None and root_cause in also_for:
        raise FieldError("also_for", f"{root_cause!r} is already this fix's root_cause")
    summary = as_str(table["summary"], "summary")
    if "\n" in summary.strip():
        raise FieldError("summary", "must be one line (one sentence for the modal); details go in 'why'")
    params = _params_from_table(table.get("params", {}))
    by_name = {p.name: p for p in params}
    try:
        operation = operation_from_table(table["operation"])
        operation.check(by_name)
    except FieldError as exc:
        raise exc.within("operation") from None

    equivalent = as_str(table["equivalent"], "equivalent")
    slots = operation.builtin_slots()
    slots.update({p.name: Slot(p.is_bare_safe) for p in params})
    syntax: Syntax = "promql" if operation.kind == "promql" else "shell"
    check_template(equivalent, syntax, slots, field="equivalent",
                   declared=f"params: {', '.join(by_name) or 'none'}; built-in: {', '.join(operation.builtin_slots())}")

    mutates = operation.mutates()
    if mutates is False and risk != "read-only":
        raise FieldError("risk", f"{risk!r} does not fit operation kind {operation.kind!r}, which only reads: use 'read-only'")
    if mutates is True and risk == "read-only":
        raise FieldError("risk", f"'read-only' does not fit operation kind {operation.kind!r}, which changes things: "
                                 f"use one of {', '.join(RISKS[1:])}")
    minimum = operation.minimum_risk()
    if RISKS.index(risk) < RISKS.index(minimum):
        raise FieldError("risk", f"{risk!r} understates operation kind {operation.kind!r}: it is at least {minimum!r}")
    if phase == "diagnose" and risk != "read-only":
        raise FieldError("risk", f"{risk!r}: a diagnose step must be read-only; a step that changes anything is a fix")
    if phase == "fix" and risk == "read-only":
        raise FieldError("risk", "'read-only': a fix changes something; a step that only reads is a diagnose step")

    confirm_name = as_bool(table.get("confirm_name", False), "confirm_name")
    if risk == "destructive" and not confirm_name:
        raise FieldError("confirm_name", "must be true for a destructive action (the operator types the target's name)")
    if confirm_name and risk == "read-only":
        raise FieldError("confirm_name", "makes no sense on a read-only action")
    gentler = as_str_list(table["gentler_first"], "gentler_first") if "gentler_first" in table else ()
    if gentler and risk == "read-only":
        raise FieldError("gentler_first", "makes no sense on a read-only action")
    note = as_str(table["persistence_note"], "persistence_note") if "persistence_note" in table else ""
    if note and operation.kind != "redis":
        raise FieldError("persistence_note", f"is for Redis CONFIG SET, not operation kind {operation.kind!r}")
    undo = None
    if "undo" in table:
        undo = as_choice(table["undo"], "undo", UNDO_MODES)
        if not operation.can_undo():
            raise FieldError("undo", f"{undo!r} is not possible for operation kind {operation.kind!r} "
                                     "(only ConfigMap patches, env, scale, memory limits and Redis CONFIG SET)")
    if risk == "reversible" and undo is None:
        # the side panel's ↺ promises that u takes it back: only what undo restores may say so
        raise FieldError("risk", "'reversible' needs undo = 'restore-previous' (only what memtui's undo restores "
                                 "is reversible); use 'disruptive' for a change that cannot be taken back")
    return Action(
        id=action_id, title=title, phase=phase, risk=risk, summary=summary.strip(), operation=operation,
        equivalent=equivalent, params=params, root_cause=root_cause, also_for=also_for,
        why=as_str(table.get("why", ""), "why", allow_empty=True).strip(),
        runbook_ref=as_str(table.get("runbook_ref", ""), "runbook_ref", allow_empty=True),
        confirm_name=confirm_name, gentler_first=gentler, persistence_note=note, undo=undo, source=source,
    )
