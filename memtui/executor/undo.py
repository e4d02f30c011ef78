"""Reversible actions: record what was there, and build the plan that puts it back.

The previous values are read at execute time, just before the audit intent (not at plan time,
when the modal opened: someone may have changed the object since), and stored in the audit
result as ``previous``.  An undo is an ordinary plan built from them, so it goes through the same
modal, dry run, execute and audit as the action it reverts.  A key that did not exist before is
removed again (``null`` in the merge patch), a limit that did not exist is removed, an env var
that was absent is deleted from the container.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from memtui.executor.model import ActionContext, HttpCall, Outcome, PlanError, RedisCall
from memtui.executor.planning import Draft, Planner, find_container, read_deployment
from memtui.runbook.operations import (
    ConfigMapPatch,
    DeploymentMemoryLimit,
    DeploymentScale,
    DeploymentSetEnv,
    Redis,
)

UNDO_KINDS = ("configmap-patch", "deployment-scale", "deployment-memory-limit", "deployment-set-env", "redis")


def capture_previous(planner: Planner, plan_operation: Any, requests: tuple[Any, ...]) -> dict[str, Any] | None:
    """The current values of exactly what the plan's requests will change (raises ``ApiFailure``,
    ``PlanError`` or ``RuntimeError`` when they cannot be read: then nothing is sent)."""
    op = plan_operation
    first = requests[0] if requests else None
    if isinstance(op, ConfigMapPatch) and isinstance(first, HttpCall):
        data = planner.read_configmap(op.name).get("data") or {}
        return {"kind": "configmap", "name": op.name, "data": {k: data.get(k) for k in first.body["data"]}}
    if isinstance(op, DeploymentScale):
        return {"kind": "scale", "deployment": op.deployment, "replicas": planner.read_replicas(op.deployment)}
    if isinstance(op, DeploymentMemoryLimit):
        container = find_container(read_deployment(planner.api, op.deployment), op.container)
        limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
        return {"kind": "memory-limit", "deployment": op.deployment, "container": op.container, "limit": limit}
    if isinstance(op, DeploymentSetEnv) and isinstance(first, HttpCall):
        container = find_container(read_deployment(planner.api, op.deployment), op.container)
        current = {e.get("name"): e for e in container.get("env") or []}
        names = [e["name"] for e in first.body["spec"]["template"]["spec"]["containers"][0]["env"]]
        env: dict[str, Any] = {}
        for name in names:
            entry = current.get(name)
            if entry is not None and "value" not in entry:
                return None  # valueFrom: not something a value can restore
            env[name] = None if entry is None else entry.get("value")
        return {"kind": "env", "deployment": op.deployment, "container": op.container, "env": env}
    if isinstance(op, Redis) and isinstance(first, RedisCall):
        words = first.words
        if tuple(w.upper() for w in words[:2]) != ("CONFIG", "SET"):
            return None
        where = {"pod": first.pod, "container": first.container} if first.pod else {}
        values = {}
        for parameter in words[2::2]:
            value = planner.redis.config_get(parameter, **where)
            if value is None:
                raise RuntimeError(f"CONFIG GET {parameter} returned nothing")
            values[parameter] = value
        return {"kind": "redis-config", "values": values}
    return None


def undo_draft(planner: Planner, outcome: Outcome, ctx: ActionContext) -> Draft:
    """The draft of a plan restoring ``outcome.previous``; ``PlanError`` when there is nothing to undo."""
    plan = outcome.plan
    previous = outcome.previous
    if plan is None or not plan.mutating:
        raise PlanError(f"{outcome.action_id} changed nothing; there is nothing to undo")
    if not plan.undoable:
        raise PlanError(f"{plan.action.title} cannot be undone ({plan.action.risk}): nothing restores what it changed")
    if not outcome.ok:
        raise PlanError(f"{plan.action.title} did not succeed ({outcome.error or outcome.summary}); nothing to undo")
    if not previous:
        raise PlanError(f"{plan.action.title}: no previous values were recorded, so undo cannot restore them")
    op = plan.operation
    namespace = planner.namespace
    kind = previous.get("kind")
    if kind == "configmap" and isinstance(op, ConfigMapPatch):
        data = dict(previous["data"])
        body = {"data": data}
        draft = planner.configmap_patch(op, ctx, body=body)
        draft.equivalent = (f"kubectl patch configmap {op.name} -n {namespace} --type merge -p "
                            f"{shlex.quote(json.dumps(body, separators=(',', ':')))}")
        return draft
    if kind == "scale" and isinstance(op, DeploymentScale):
        replicas = int(previous["replicas"])
        draft = planner.scale(op, ctx, replicas=replicas)
        draft.equivalent = f"kubectl scale deployment {op.deployment} -n {namespace} --replicas={replicas}"
        return draft
    if kind == "memory-limit" and isinstance(op, DeploymentMemoryLimit):
        limit = previous.get("limit")
        draft = planner.memory_limit(op, ctx, restore=limit, restoring=True)
        if limit is None:
            draft.equivalent = (f"kubectl patch deployment {op.deployment} -n {namespace} --type json -p "
                                f"{shlex.quote(json.dumps(draft.requests[0].body, separators=(',', ':')))}")  # type: ignore[union-attr]
        else:
            draft.equivalent = (f"kubectl set resources deployment/{op.deployment} -n {namespace} -c {op.container} "
                                f"--limits=memory={shlex.quote(limit)}")
        return draft
    if kind == "env" and isinstance(op, DeploymentSetEnv):
        env: Mapping[str, str | None] = previous["env"]
        draft = planner.set_env(op, ctx, env=env)
        words = [f"{k}={v}" if v is not None else f"{k}-" for k, v in env.items()]
        draft.equivalent = (f"kubectl set env deployment/{op.deployment} -n {namespace} -c {op.container} "
                            + " ".join(shlex.quote(w) for w in words))
        return draft
    if kind == "redis-config" and isinstance(op, Redis):
        words: list[str] = ["CONFIG", "SET"]
        for parameter, value in previous["values"].items():
            words += [parameter, str(value)]
        return planner.redis_command(op, ctx, words=tuple(words))  # its equivalent follows the path used
    raise PlanError(f"{plan.action.title}: recorded previous values of kind {kind!r} do not fit operation {op.kind!r}")


def describe_previous(previous: Mapping[str, Any] | None) -> str:
    """One line for the outcome: what undo would restore."""
    if not previous:
        return ""
    kind = previous.get("kind")
    if kind == "configmap":
        return ", ".join(f"{k}={v if v is not None else '(absent)'}" for k, v in previous["data"].items())
    if kind == "scale":
        return f"replicas={previous['replicas']}"
    if kind == "memory-limit":
        return f"limits.memory={previous.get('limit') or '(none)'}"
    if kind == "env":
        return ", ".join(f"{k}={v if v is not None else '(absent)'}" for k, v in previous["env"].items())
    if kind == "redis-config":
        return ", ".join(f"{k}={v}" for k, v in previous["values"].items())
    return ""

