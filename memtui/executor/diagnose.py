"""Diagnose steps: a read-only runbook entry run, its text for the output pane.

Each step does what the runbook *means*, not what its command does (logs read from every pod
and grepped here, ConfigMap keys filtered by name, rollout history from the ReplicaSets, a heap
profile kept as bytes); how, is the kind's handler in ``memtui.executor.kinds``.  This module
binds the entry and asks the registry.  Nothing here changes the cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memtui.clients.kube.names import DNS1123_SUBDOMAIN
from memtui.executor.kinds.base import Reading
from memtui.executor.kinds.registry import handler_for
from memtui.executor.model import ActionContext, PlanError
from memtui.executor.reading import Reader, ReadResult
from memtui.runbook import Action

__all__ = ["Reader", "ReadResult", "run"]


def run(reader: Reader, action: Action, typed: Mapping[str, Any], ctx: ActionContext) -> ReadResult:
    """Run one diagnose step; ``PlanError`` for a target that cannot be chosen (nothing read)."""
    pod = ctx.selected_pod
    if pod is not None and not DNS1123_SUBDOMAIN.fullmatch(pod):
        pod = None  # pod-reaching kinds check the selection themselves and say what is wrong with it
    matchers = reader.prometheus.matchers if reader.prometheus else ""
    op = action.bind(typed, namespace=reader.namespace, pod=pod, now=reader.clock(), matchers=matchers)
    handler = handler_for(op)
    if not isinstance(handler, Reading):
        raise PlanError(f"{action.id}: operation kind {op.kind!r} is not a read")
    return handler.read(reader, action, typed, op, ctx)
