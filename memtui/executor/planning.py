"""What every mutating plan is drafted with: the ``Draft`` under construction and the ``Planner``
context (the namespace's API, Redis, the workload, the clock, dry runs).

How each operation kind is planned lives with the kind, in ``memtui.executor.kinds``: each reads
what the modal needs to show *before* anything changes, builds the exact request(s) with the
patch type chosen on purpose, and asks the API server for a ``dryRun=All`` answer where the API
offers one.  Nothing here changes the cluster: a dry run is the only write-shaped call, and the
server discards it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from memtui.clients.prometheus import PrometheusAccess
from memtui.executor import pods
from memtui.executor.before import before_figures
from memtui.executor.kubeapi import ApiFailure, KubeApi
from memtui.executor.model import (
    ActionContext,
    Change,
    Check,
    DryRun,
    HttpCall,
    PlanError,
    Request,
    Target,
)
from memtui.executor.redis_calls import RedisRunner
from memtui.reasoning.limit_advice import AdviceSettings
from memtui.runbook import Action
from memtui.runbook.operations import Operation

T = TypeVar("T")


class Pending(Generic[T]):
    """A read started on a daemon thread of its own and waited for where its answer is needed.

    A plan's reads that do not depend on one another go side by side: a rollout's modal listed the
    PodDisruptionBudgets, then sent the dry run, then derived the figures before, one after the
    other (at 20,000 pods the budgets' list was half of the modal's wait).  A daemon: a read that
    hangs as memtui quits does not hold the exit up; each request has its own timeout."""

    __slots__ = ("_thread", "_result", "_error")

    def __init__(self, read: Callable[[], T], name: str = "memtui-plan-read") -> None:
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(read,), name=name, daemon=True)
        self._thread.start()

    def _run(self, read: Callable[[], T]) -> None:
        try:
            self._result = read()
        except BaseException as exc:  # noqa: BLE001 - raised again where the answer is asked for
            self._error = exc

    def result(self) -> T:
        """The read's answer, or what it raised, raised again on the asking thread."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


@dataclass
class Draft:
    """A plan under construction (mutable); ``Executor.plan`` freezes it into a ``Plan``."""

    operation: Operation
    targets: list[Target] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: DryRun | None = None
    confirm_name: str | None = None
    before: dict[str, Any] = field(default_factory=dict)
    follow_up: list[str] = field(default_factory=list)
    equivalent: str | None = None
    effect_after_s: float = 60.0
    alternative_pod: str | None = None
    notes: list[str] = field(default_factory=list)
    """How a value was arrived at (a default derived from the cluster); shown, not warned about."""
    advice: list[str] = field(default_factory=list)
    advice_summary: str = ""
    checks: list[Check] = field(default_factory=list)
    pending_warnings: list[tuple[int, Pending[list[str]]]] = field(default_factory=list)
    """Warning lines still being read, each with the place in ``warnings`` it was asked for at."""

    def warn_meanwhile(self, lines: Pending[list[str]]) -> None:
        """Lines read meanwhile, placed where they would have been read in line: the modal's
        warnings keep their order whichever read answers first."""
        self.pending_warnings.append((len(self.warnings), lines))

    def settle(self) -> Draft:
        """Waits for the reads still pending and puts their lines in place."""
        for at, lines in reversed(self.pending_warnings):
            self.warnings[at:at] = lines.result()
        self.pending_warnings.clear()
        return self


def dry_run(api: KubeApi, call: HttpCall, describe: Callable[[dict[str, Any]], str] | None = None) -> DryRun:
    """Send ``call`` with ``dryRun=All``: the server validates and admits it, then discards it."""
    try:
        answer = api.send(call, dry_run=True)
    except ApiFailure as exc:
        return DryRun(False, exc.message)
    detail = describe(answer) if describe else ""
    return DryRun(True, "accepted by the API server (dryRun=All)" + (f": {detail}" if detail else ""))


def read_deployment(api: KubeApi, name: str) -> dict[str, Any]:
    try:
        return api.get(api.path("deployments", name, group="apps"))
    except ApiFailure as exc:
        if exc.status == 404:
            raise PlanError(f"no deployment/{name} in namespace {api.namespace}") from None
        raise PlanError(f"cannot read deployment/{name}: {exc}") from None


def template_containers(deployment: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or [])


def template_labels(deployment: Mapping[str, Any]) -> dict[str, str]:
    return dict((((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {})


def find_container(deployment: Mapping[str, Any], name: str) -> dict[str, Any]:
    for container in template_containers(deployment):
        if container.get("name") == name:
            return container
    dep = (deployment.get("metadata") or {}).get("name", "?")
    names = ", ".join(c.get("name", "?") for c in template_containers(deployment))
    raise PlanError(f"deployment/{dep} has no container {name!r} (it has {names})")


class Planner:
    """What mutating plans in one namespace are drafted with; each kind's handler drafts its own."""

    def __init__(self, api: KubeApi, redis: RedisRunner, *, threshold_bytes: int, workload: str,
                 redis_deployment: str, clock: Callable[[], datetime], dry_runs: bool = True,
                 prometheus: PrometheusAccess | None = None, advice_settings: AdviceSettings | None = None) -> None:
        """``dry_runs`` False (``--read-only``): no write-shaped request at all, not even a dry run.
        ``prometheus``: where the memory-limit advice reads the history (None: memtui's own)."""
        self.prometheus = prometheus
        self.alertmanager_url: str | None = None
        """Where the silence action goes (``--alertmanager-url``); set by the executor."""
        self.author: tuple[str, str] = ("memtui", "default")
        """(who, where that name came from): a silence's ``createdBy``."""
        self.advice_settings = advice_settings or AdviceSettings()
        self.history_cache: dict[tuple[str, str], tuple[float, Any]] = {}
        """(deployment, container) -> (monotonic time, UsageHistory): re-plans within a minute reuse it."""
        self.history_lock = threading.Lock()
        self.dry_runs = dry_runs
        self.api = api
        self.redis = redis
        self.namespace = api.namespace
        self.threshold_bytes = threshold_bytes
        self.workload = workload
        self.redis_deployment = redis_deployment
        self.clock = clock

    def dry_run(self, draft: Draft, call: HttpCall,
                describe: Callable[[dict[str, Any]], str] | None = None) -> DryRun | None:
        if not self.dry_runs:
            draft.warnings.append("no server-side dry run: memtui runs in read-only mode")
            return None
        return dry_run(self.api, call, describe)

    def bind(self, action: Action, typed: Mapping[str, Any]) -> Operation:
        """The entry's operation with the validated values filled in (what is planned)."""
        return action.bind(typed, namespace=self.namespace, now=self.clock())

    def meanwhile(self, read: Callable[[], T]) -> Pending[T]:
        """``read`` started now, beside what the plan does next (``Pending``)."""
        return Pending(read)

    def workload_before(self, ctx: ActionContext, deployment: str | None = None, **extra: Any) -> dict[str, Any]:
        dep = deployment or self.workload
        names = [p.name for p in pods.pods_of(ctx, self.namespace, dep) if p.status_text != "Terminating"]
        return before_figures(ctx, self.namespace, scope="deployment", pods=names, deployment=dep, **extra)


def uid_of(obj: Mapping[str, Any]) -> str | None:
    return (obj.get("metadata") or {}).get("uid")
