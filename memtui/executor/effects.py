"""Before/after figures: did the fix actually lower memory?

``before`` is taken when the plan is made, from the snapshot the operator was looking at (pod
working sets, Redis ``used_memory``, pod names); ``after`` from a snapshot some refreshes later.
Both land in the audit log's ``effect`` entry, so the postmortem says not only what was done
but what it did.  Pods present before and gone after were replaced (a rollout, a delete): their
memory is compared as a group, since the new pods have new names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memtui.executor.model import ActionContext
from memtui.units import format_bytes


def before_figures(ctx: ActionContext, namespace: str, *, scope: str, pods: list[str],
                   deployment: str | None = None, redis_used_memory: int | None = None) -> dict[str, Any]:
    """``scope`` is ``pods`` (exactly these pods) or ``deployment`` (whatever pods it has later)."""
    figures: dict[str, Any] = {"scope": scope, "pods": {name: ctx.usage.get(name) for name in pods}}
    if deployment:
        figures["deployment"] = deployment
    if redis_used_memory is not None:
        figures["redis_used_memory"] = redis_used_memory
    return figures


def after_figures(before: Mapping[str, Any], ctx: ActionContext, namespace: str,
                  redis_used_memory: int | None = None) -> dict[str, Any]:
    if before.get("scope") == "deployment" and before.get("deployment"):
        names = sorted(p.name for p in ctx.pods if p.namespace == namespace and p.owner == before["deployment"]
                       and p.status_text != "Terminating")
    else:
        present = {p.name for p in ctx.pods if p.namespace == namespace}
        names = [n for n in before.get("pods", {}) if n in present]
    after: dict[str, Any] = {"pods": {name: ctx.usage.get(name) for name in names}}
    if redis_used_memory is not None:
        after["redis_used_memory"] = redis_used_memory
    return after


def _delta(a: float, b: float) -> str:
    sign = "−" if b < a else "+"
    return f"{sign}{format_bytes(abs(b - a))}"


def summarise(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, bool | None, tuple[str, ...]]:
    """One line for the status bar and the audit, whether memory went down, and the replaced pods.

    One pod kept: its own before → after.  Several pods, or pods replaced: totals would mislead
    (mid-rollout old and new pods coexist), so the highest pod and the mean per pod are compared.
    For Redis actions the verdict is Redis ``used_memory``; otherwise the highest pod's.
    """
    parts: list[str] = []
    pod_verdict: bool | None = None
    pods_before: Mapping[str, int | None] = before.get("pods") or {}
    pods_after: Mapping[str, int | None] = after.get("pods") or {}
    replaced = tuple(sorted(n for n in pods_before if n not in pods_after))
    new = [n for n in pods_after if n not in pods_before]
    if len(pods_before) == 1 and not replaced:
        name = next(iter(pods_before))
        a, b = pods_before[name], pods_after.get(name)
        if a is not None and b is not None:
            parts.append(f"{name}: {format_bytes(a)} → {format_bytes(b)} ({_delta(a, b)})")
            pod_verdict = b < a
        else:
            parts.append(f"{name}: working set not comparable (no figures)")
    elif pods_before:
        head = []
        if replaced:
            head.append(f"{len(replaced)} of {len(pods_before)} pods replaced")
        if new:
            head.append(f"{len(new)} new")
        known_before = [v for v in pods_before.values() if v is not None]
        known_after = [v for v in pods_after.values() if v is not None]
        if known_before and known_after:
            top_a, top_b = max(known_before), max(known_after)
            mean_a, mean_b = sum(known_before) / len(known_before), sum(known_after) / len(known_after)
            head.append(f"highest pod {format_bytes(top_a)} → {format_bytes(top_b)} ({_delta(top_a, top_b)}), "
                        f"mean {format_bytes(mean_a)} → {format_bytes(mean_b)} per pod "
                        f"({len(known_before)} → {len(known_after)} pods)")
            pod_verdict = top_b < top_a
        else:
            head.append("working set not comparable (no figures)")
        parts.append("; ".join(head))
    ra, rb = before.get("redis_used_memory"), after.get("redis_used_memory")
    redis_verdict: bool | None = None
    if ra is not None and rb is not None:
        parts.append(f"Redis used_memory {format_bytes(ra)} → {format_bytes(rb)} ({_delta(ra, rb)})")
        redis_verdict = rb < ra
    if not parts:
        return "no figures to compare", None, replaced
    improved = redis_verdict if "redis_used_memory" in before else pod_verdict
    return "; ".join(parts), improved, replaced
