"""Reversible actions: record what was there, and build the plan that puts it back.

The previous values are read at execute time, just before the audit intent (not at plan time,
when the modal opened: someone may have changed the object since), and stored in the audit
result as ``previous``.  An undo is an ordinary plan built from them, so it goes through the same
modal, dry run, execute and audit as the action it reverts.  What each kind records and how it
is restored is the kind's ``Restoring`` handler (``memtui.executor.kinds``): its typed
``Previous`` values keep the audit log's JSON form, so a ``previous`` written by an older memtui
is read the same way.  This module holds the rules every undo shares.
"""

from __future__ import annotations

from memtui.executor.kinds.base import Previous, Restoring
from memtui.executor.kinds.registry import handler_for
from memtui.executor.model import ActionContext, Outcome, PlanError, Request
from memtui.executor.planning import Draft, Planner
from memtui.runbook.operations import Operation


def capture_previous(planner: Planner, operation: Operation, requests: tuple[Request, ...]) -> Previous | None:
    """The current values of exactly what the plan's requests will change, or None when the kind
    cannot restore them (raises ``ApiFailure``, ``PlanError`` or ``RuntimeError`` when they cannot
    be read: then nothing is sent)."""
    handler = handler_for(operation)
    if not isinstance(handler, Restoring):
        return None
    return handler.capture_previous(planner, operation, requests)


def recorded_previous(outcome: Outcome) -> tuple[Restoring, Previous]:
    """The handler and typed previous values of ``outcome``; ``PlanError`` when there is nothing to undo."""
    plan = outcome.plan
    recorded = outcome.previous
    if plan is None or not plan.mutating:
        raise PlanError(f"{outcome.action_id} changed nothing; there is nothing to undo")
    if not plan.undoable:
        raise PlanError(f"{plan.action.title} cannot be undone ({plan.action.risk}): nothing restores what it changed")
    if not outcome.ok:
        raise PlanError(f"{plan.action.title} did not succeed ({outcome.error or outcome.summary}); nothing to undo")
    if not recorded:
        raise PlanError(f"{plan.action.title}: no previous values were recorded, so undo cannot restore them")
    op = plan.operation
    handler = handler_for(op)
    if not isinstance(handler, Restoring):
        raise PlanError(f"{plan.action.title}: recorded previous values of kind {recorded.get('kind')!r} "
                        f"do not fit operation {op.kind!r}")
    try:
        return handler, handler.previous_from_json(recorded, op)
    except PlanError as exc:
        raise PlanError(f"{plan.action.title}: {exc}") from None


def undo_draft(planner: Planner, outcome: Outcome, ctx: ActionContext) -> Draft:
    """The draft of a plan restoring ``outcome.previous``; ``PlanError`` when there is nothing to undo."""
    handler, previous = recorded_previous(outcome)
    assert outcome.plan is not None
    return handler.undo_draft(planner, outcome.plan.operation, previous, ctx)


def undo_values(outcome: Outcome) -> dict[str, str]:
    """The undo plan's values as text (what the modal lists): the recorded values it restores."""
    _, previous = recorded_previous(outcome)
    return {k: "" if v is None else str(v) for k, v in previous.as_values().items()}
