"""What ``--read-only`` forbids, decided here and nowhere else.

Read-only mode is the operator's promise to the cluster that memtui will change nothing.  An
entry's own ``risk`` cannot keep that promise: ``exec`` trusts the declared risk (memtui cannot
tell what a command does), so a user runbook's ``argv = ["rm", "-rf", "/tmp/cache/*"]`` marked
``risk = "read-only"`` would run.  The rule is therefore about what reaches a container, not what
an entry claims: under ``--read-only`` nothing runs in a container at all (exec, exec scripts,
HTTP calls made with curl inside a pod, ``redis-cli`` exec'd in the Redis pod), and nothing that
mutates is sent.  What is left is the API server's reads, Prometheus and Redis reads over
``--redis-url``.
"""

from __future__ import annotations

from memtui.executor.kinds.registry import handler_for
from memtui.runbook import Action
from memtui.runbook.operations import Operation

READ_ONLY_REASON = "read-only mode (--read-only)"
CONTAINER_REASON = f"{READ_ONLY_REASON}: nothing runs in containers"


def runs_in_container(operation: Operation, *, redis_via_url: bool) -> bool:
    """Whether carrying out ``operation`` starts a process in a container (its kind's handler
    says: exec, exec-script, pod-http, which is curl exec'd in the pod, and redis-cli in the pod)."""
    return handler_for(operation).runs_in_container(operation, redis_via_url=redis_via_url)


def read_only_refusal(action: Action, *, redis_via_url: bool) -> str | None:
    """Why read-only mode refuses ``action``, or None when it may run."""
    if action.is_mutating:
        return READ_ONLY_REASON
    if runs_in_container(action.operation, redis_via_url=redis_via_url):
        return CONTAINER_REASON  # whatever its risk says: exec trusts the declared risk
    if action.operation.mutates() is not False:
        return READ_ONLY_REASON
    return None
