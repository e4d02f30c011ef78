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
from typing import Any

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

    def workload_before(self, ctx: ActionContext, deployment: str | None = None, **extra: Any) -> dict[str, Any]:
        dep = deployment or self.workload
        names = [p.name for p in pods.pods_of(ctx, self.namespace, dep) if p.status_text != "Terminating"]
        return before_figures(ctx, self.namespace, scope="deployment", pods=names, deployment=dep, **extra)


def uid_of(obj: Mapping[str, Any]) -> str | None:
    return (obj.get("metadata") or {}).get("uid")
