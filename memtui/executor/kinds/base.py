"""The one protocol every operation kind's handler implements, and its small capabilities.

A handler is where one operation kind (one schema class of ``memtui.runbook.operations``) meets
the cluster: which API permissions it needs, how it is planned (or read, for a diagnose step),
what it records so undo can put things back, how undo is drafted, how the API server's answer
is summarised, and how its effect shows (``EFFECT``, ``mark_scope``, ``effect_inputs``).  The
schema says *what* an entry asks for; the handler says *how* memtui carries it out.

As k9s's ``internal/dao/types.go`` does with ``Scalable``, ``Nuker`` and ``Restartable``, the
optional behaviours are small capability classes a handler opts into:

- ``Drafting``: the kind can change something, so it is planned into a ``Draft`` the
  confirmation modal shows;
- ``Reading``: the kind can run as a diagnose step (no modal, a ``ReadResult``);
- ``Restoring``: the kind records typed ``Previous`` values at execute time and drafts the plan
  that puts them back.

``memtui.executor.kinds.registry`` maps each schema class to one handler and refuses, at import,
a schema kind without a handler, a mutating kind that declares no permission, or a handler
whose capabilities do not fit the schema's policy (a mutating kind that cannot be drafted, an
undoable kind that cannot restore).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from memtui.executor.access import Access
from memtui.executor.model import ActionContext, HttpCall, Plan, PlanError, Request
from memtui.executor.planning import Draft, Planner
from memtui.executor.reading import Reader, ReadResult
from memtui.runbook import Action
from memtui.runbook.operations import Operation

O = TypeVar("O", bound=Operation)
P = TypeVar("P", bound="Previous")


@dataclass(frozen=True)
class EffectInputs:
    """What the effect check needs beyond the pods' figures, by kind: the memory limit a limit
    change sets (to look for on the new pods), Redis ``used_memory`` after a Redis command."""

    limit_expected: int | None = None
    redis_after: int | None = None


@dataclass(frozen=True)
class EffectProfile:
    """How a kind's effect shows, for the effect check (``memtui.executor.effects``)."""

    replaces_pods: bool = False
    """A rollout: every pod of the deployment is replaced (a new ReplicaSet); the check waits for
    the new pods and measures them."""
    expects_new_pods: bool = False
    """Pods are replaced on purpose (a rollout, a delete): new pods are not "restarted"."""
    on_redis: bool = False
    """Measured on Redis ``used_memory`` rather than only the pods."""


@dataclass(frozen=True)
class MarkScope:
    """What an executed action touches, so the effect windows of actions on the same pods meet:
    whole workloads (``deployment/sap-llm``, ``redis/redis``), pods by name, their owners."""

    wide: frozenset[str] = frozenset()
    pods: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Previous(ABC):
    """Typed values read just before a reversible change, for undo.

    The audit log stores them as JSON (``previous`` of the ``result`` entry) with a ``kind``
    tag; ``to_json``/``from_json`` keep that format exactly, so undo still reads what older
    memtui versions wrote.
    """

    TAG: ClassVar[str]
    """The ``kind`` field of the JSON form (``configmap``, ``scale``, ``memory-limit``, ``env``, ``redis-config``)."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The audit log's form: ``{"kind": TAG, ...}``."""

    @classmethod
    @abstractmethod
    def from_json(cls: type[P], data: Mapping[str, Any]) -> P:
        """Read the audit log's form (the tag is checked by ``Restoring.previous_from_json``)."""

    @abstractmethod
    def describe(self) -> str:
        """One line for the outcome: what undo would restore."""

    @abstractmethod
    def as_values(self) -> Mapping[str, Any]:
        """What the undo plan shows as its values (the modal's parameter rows)."""


def describe_values(values: Mapping[str, str | None]) -> str:
    """``a=1, b=(absent)``: a mapping of previous values, absent ones said so."""
    return ", ".join(f"{k}={v if v is not None else '(absent)'}" for k, v in values.items())


class KindHandler(ABC, Generic[O]):
    """What every kind answers, whatever it does.

    Subclasses set ``operation`` (the schema class) and ``PERMISSIONS`` (the RBAC attributes it
    needs in the namespace, reads made while planning included; the registry refuses a mutating
    kind that declares none), and opt into ``Drafting``, ``Reading`` and ``Restoring``.
    """

    operation: ClassVar[type[Operation]]
    PERMISSIONS: ClassVar[tuple[Access, ...]]
    RUNS_IN_CONTAINER: ClassVar[bool] = False
    """Whether carrying it out starts a process in a container (``--read-only`` forbids that)."""
    NEEDS_PROMETHEUS: ClassVar[bool] = False
    """Whether it talks to Prometheus (offered only with ``--prometheus-url``)."""
    NEEDS_ALERTMANAGER: ClassVar[bool] = False
    """Whether it talks to Alertmanager (offered only with ``--alertmanager-url``)."""
    EFFECT: ClassVar[EffectProfile] = EffectProfile()

    def permissions(self, op: O, *, redis_via_url: bool) -> tuple[Access, ...]:
        """The permissions ``op`` needs in the namespace."""
        return self.PERMISSIONS

    def runs_in_container(self, op: O, *, redis_via_url: bool) -> bool:
        return self.RUNS_IN_CONTAINER

    def summarise(self, call: HttpCall, answer: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """(one line for the outcome, facts for the audit ``response``) of one API answer."""
        facts = response_facts(call, answer)
        return f"{facts['kind'].lower()}/{facts['name']} patched", facts

    def mark_scope(self, plan: Plan) -> MarkScope:
        """What the executed ``plan`` touches: its deployment's every pod when it planned for the
        deployment (``before`` scope ``deployment``), else the pods it reached and their owners."""
        before = plan.before or {}
        pods = frozenset(before.get("pods") or ())
        if before.get("scope") == "deployment" and before.get("deployment"):
            return MarkScope(wide=frozenset({f"deployment/{before['deployment']}"}), pods=pods)
        return MarkScope(pods=pods, owners=frozenset(f"deployment/{o}" for o in before.get("owners") or ()))

    def effect_inputs(self, planner: Planner, plan: Plan, ctx_after: ActionContext) -> EffectInputs:
        """Figures the effect check needs for this kind besides the pods' (blocking I/O allowed)."""
        return EffectInputs()

    def initial_values(self, planner: Planner, action: Action, ctx: ActionContext) -> dict[str, str]:
        """Defaults the cluster knows better than the runbook (overrides of ``action.params``)."""
        return {}


def response_facts(call: HttpCall, answer: Mapping[str, Any]) -> dict[str, Any]:
    """The facts every API answer is audited with: method, path, kind, name, resourceVersion."""
    meta = answer.get("metadata") or {}
    facts: dict[str, Any] = {"method": call.method, "path": call.path, "kind": answer.get("kind", "?"),
                             "name": meta.get("name", "?")}
    if meta.get("resourceVersion"):
        facts["resourceVersion"] = meta["resourceVersion"]
    return facts


class Drafting(KindHandler[O]):
    """A kind that changes something: planned into a ``Draft`` (reads and a dry run, no change)."""

    @abstractmethod
    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: O, ctx: ActionContext) -> Draft:
        """The plan under construction for the bound ``op``; ``PlanError`` when it cannot be."""


class Reading(KindHandler[O]):
    """A kind that runs as a diagnose step: read, no modal, text for the output pane."""

    @abstractmethod
    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: O, ctx: ActionContext) -> ReadResult:
        """Run the bound ``op``; ``PlanError`` for a target that cannot be chosen (nothing read)."""


class Restoring(KindHandler[O], Generic[O, P]):
    """A kind whose change undo can put back, from typed ``Previous`` values."""

    previous_type: ClassVar[type[Previous]]

    @abstractmethod
    def capture_previous(self, planner: Planner, op: O, requests: tuple[Request, ...]) -> P | None:
        """The current values of exactly what ``requests`` will change; None when nothing can
        restore them (raises ``ApiFailure``, ``PlanError`` or ``RuntimeError`` when they cannot be
        read: then nothing is sent)."""

    @abstractmethod
    def undo_draft(self, planner: Planner, op: O, previous: P, ctx: ActionContext) -> Draft:
        """The draft of the plan that puts ``previous`` back."""

    def after_send(self, previous: P, responses: list[dict[str, Any]]) -> P:
        """``previous`` completed from the answers (a silence's id is known only once it exists)."""
        return previous

    def previous_from_json(self, data: Mapping[str, Any], op: Operation) -> P:
        """The typed form of a recorded ``previous``; ``PlanError`` when it belongs to another kind."""
        tag = data.get("kind")
        if tag != self.previous_type.TAG:
            raise PlanError(f"recorded previous values of kind {tag!r} do not fit operation {op.kind!r}")
        return self.previous_type.from_json(data)  # type: ignore[return-value]
