"""What a plan records before anything changes: the figures its effect check compares with.

Taken when the plan is made, from the snapshot the operator was looking at: pod working sets,
limits, container starts, owners, Redis ``used_memory``.  Its own module so that the kind
handlers (which take these figures while planning) and ``effects`` (which compares them later,
and asks the kind registry how a kind's effect shows) import it one way, with no cycle.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from memtui.executor.model import ActionContext


def before_figures(ctx: ActionContext, namespace: str, *, scope: str, pods: list[str],
                   deployment: str | None = None, redis_used_memory: int | None = None,
                   **extra: Any) -> dict[str, Any]:
    """``scope`` is ``pods`` (exactly these pods) or ``deployment`` (whatever pods it has later).

    Besides the working sets, the pods' limits and container starts are kept: growth before an
    action is measured over the current container life, and "new limit seen" compares limits.
    """
    by_name = {p.name: p for p in ctx.pods if p.namespace == namespace}
    figures: dict[str, Any] = {"scope": scope, "pods": {name: ctx.usage.get(name) for name in pods}}
    figures["limits"] = {name: by_name[name].memory_limit_bytes for name in pods if name in by_name}
    figures["started"] = {name: iso(by_name[name].container_started_at) for name in pods
                          if name in by_name and by_name[name].container_started_at is not None}
    owners = sorted({owner for name in pods if name in by_name and (owner := by_name[name].owner)})
    if owners:
        figures["owners"] = owners
    if deployment:
        figures["deployment"] = deployment
    if redis_used_memory is not None:
        figures["redis_used_memory"] = redis_used_memory
    figures.update({k: v for k, v in extra.items() if v is not None})
    return figures


def iso(moment: datetime | None) -> str | None:
    """UTC, to the second, as the audit log writes times."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
