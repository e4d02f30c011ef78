"""The executor: runbook actions applied safely, in one namespace, with an audit trail.

The UI never builds API calls: it asks ``Executor.plan`` for what the confirmation modal shows,
``Executor.execute`` to send exactly that, ``run_read`` for diagnose steps, ``check_effect`` a
few refreshes later, and ``undo_plan`` to put reversible changes back.  All blocking I/O, for
Textual thread workers; nothing here imports Textual.

Module map: ``executor`` (the façade and the preflight → intent → call → result order) asks
``kinds`` (one handler per operation kind: permissions, draft or read, previous values, undo,
response summary, effect inputs; ``kinds.registry`` maps each schema class to its handler) and uses
``planning`` (the drafting context, dry runs), ``reading`` and ``diagnose`` (the read context, and
diagnose steps run through the registry), ``undo`` (the rules every undo shares), ``before``
(the figures a plan records), ``effects`` (before/after comparison, ``Effect``), ``access`` (one
RBAC permission), ``events``
(the ``MemtuiAction`` Event), ``rbac`` (SelfSubjectAccessReview, batched), ``pods`` (which pods
and why), ``cautions`` (readiness, PodDisruptionBudgets, GitOps), ``redis_calls`` (redis-py or
redis-cli), ``kubeapi`` (raw REST with chosen content types), ``guard`` (the namespace guard) and
``read_only`` (what ``--read-only`` refuses: every change, and anything that runs in a container);
``model`` holds the frozen types that cross the boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from memtui import lazy_names

if TYPE_CHECKING:  # what type checkers and editors see; at run time, _HOMES and __getattr__
    from memtui.executor.effects import Effect
    from memtui.executor.executor import Executor
    from memtui.executor.model import (
        ActionContext,
        Change,
        DryRun,
        ExecCall,
        HttpCall,
        Outcome,
        Permission,
        Plan,
        PlanError,
        RedisCall,
        Target,
    )

# Where each public name lives. Imported lazily: the UI's widgets need only ``model``'s frozen
# types, and ``executor`` loads the Kubernetes client, redis-py and the Prometheus client.
_HOMES = {
    "ActionContext": "memtui.executor.model",
    "Change": "memtui.executor.model",
    "DryRun": "memtui.executor.model",
    "Effect": "memtui.executor.effects",
    "ExecCall": "memtui.executor.model",
    "Executor": "memtui.executor.executor",
    "HttpCall": "memtui.executor.model",
    "Outcome": "memtui.executor.model",
    "Permission": "memtui.executor.model",
    "Plan": "memtui.executor.model",
    "PlanError": "memtui.executor.model",
    "RedisCall": "memtui.executor.model",
    "Target": "memtui.executor.model",
}

__all__ = [
    "ActionContext",
    "Change",
    "DryRun",
    "Effect",
    "ExecCall",
    "Executor",
    "HttpCall",
    "Outcome",
    "Permission",
    "Plan",
    "PlanError",
    "RedisCall",
    "Target",
]
__getattr__, __dir__ = lazy_names(__name__, _HOMES)
