"""The Redis kind: ``redis``, a command as a word list, through ``--redis-url`` or ``redis-cli``
exec'd in one pod of the Redis deployment.

Planned, checked, undone and read here, and nowhere else.  Read-only commands (INFO, MEMORY
STATS, CONFIG GET…) run as diagnose steps; anything else is a fix.  ``CONFIG SET`` shows the old
value (``CONFIG GET`` first) and is the one command undo can restore; it is not persistent, so
the plan offers ``CONFIG REWRITE`` after it.  FLUSHDB/FLUSHALL show the key count and ask for the
deployment's name.  A ``maxmemory`` above the Redis container's limit is refused (the kernel would
OOM-kill Redis before it evicts); the modal's default is a share of that limit.  Only the exec
path needs a Kubernetes permission (``create pods/exec``), and only it runs in a container.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from memtui.clients.kube.parse import parse_pod
from memtui.clients.redis_info import parse_info_text
from memtui.executor import pods
from memtui.executor.access import EXEC
from memtui.executor.guard import check_label, check_subdomain
from memtui.executor.kinds.base import (
    Drafting,
    EffectInputs,
    EffectProfile,
    MarkScope,
    Previous,
    Reading,
    Restoring,
)
from memtui.executor.kubeapi import ApiFailure
from memtui.executor.model import (
    ActionContext,
    Change,
    Plan,
    PlanError,
    RedisCall,
    Request,
    Target,
)
from memtui.executor.planning import (
    Draft,
    Planner,
    read_deployment,
    template_containers,
)
from memtui.executor.reading import Reader, ReadResult
from memtui.runbook import Action
from memtui.runbook.operations import Redis
from memtui.runbook.params import parse_quantity_text
from memtui.state.snapshots import PodState
from memtui.state.units import QuantityError, format_bytes, parse_bytes

MAXMEMORY_SHARE = 0.75
"""Redis maxmemory as a share of the Redis container's memory limit: fragmentation, client
buffers and the replication backlog come on top of maxmemory, so at 100 % the kernel OOM-kills
Redis before it evicts anything."""
CONFIG_REWRITE_ID = "fix.redis-config-rewrite"
"""Offered after a Redis CONFIG SET, which is lost when Redis restarts."""


def redis_equivalent(call: RedisCall, namespace: str) -> str:
    """The command an operator would type for ``call``, by the path memtui really uses: the
    ``redis-cli -u`` of ``--redis-url`` (password redacted), or ``kubectl exec`` into the pod."""
    if call.pod:
        check_subdomain(call.pod, "pod")
        check_label(call.container or "redis", "container")
        return f"kubectl exec -n {namespace} {call.pod} -c {call.container or 'redis'} -- {shlex.join(call.argv)}"
    return f"redis-cli -u {shlex.quote(call.via)} {shlex.join(call.words)}"


def maxmemory_param(action: Action) -> str | None:
    """The parameter an entry sends as ``CONFIG SET maxmemory {param}``, if it is such an entry."""
    command = getattr(action.operation, "command", None)
    if action.operation.kind != "redis" or not command or len(command) != 4:
        return None
    head = tuple(w.upper() for w in command[:2]) + (command[2].lower(),)
    value = command[3]
    if head != ("CONFIG", "SET", "maxmemory") or not (value.startswith("{") and value.endswith("}")):
        return None
    name = value[1:-1]
    return name if any(p.name == name for p in action.params) else None


def redis_size_text(size: int) -> str:
    """Bytes as Redis reads them (``gb`` is 1024³), rounded down to a whole ``mb`` when needed."""
    if size % 2**30 == 0:
        return f"{size // 2**30}gb"
    return f"{size // 2**20}mb"


def redis_pod(planner: Planner, ctx: ActionContext) -> PodState:
    """One running pod of the Redis deployment (``kubectl exec deployment/redis`` does the same)."""
    name = planner.redis_deployment
    live = [p for p in pods.pods_of(ctx, planner.namespace, name) if pods.is_live(p)]
    if not live:
        deployment = read_deployment(planner.api, name)
        labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        try:
            listed = planner.api.get(planner.api.path("pods"), (("labelSelector", selector),))
        except ApiFailure as exc:
            raise PlanError(f"cannot list the pods of deployment/{name}: {exc}") from None
        live = sorted((p for p in map(parse_pod, listed.get("items") or []) if pods.is_live(p)), key=lambda p: p.name)
    if not live:
        raise PlanError(f"no running pod of deployment/{name} to run redis-cli in")
    return live[0]


def redis_where(planner: Planner, ctx: ActionContext) -> tuple[dict[str, Any], Target, str]:
    """(call kwargs for ``RedisRunner``, the target, the ``via`` text)."""
    if planner.redis.via_url:
        via = planner.redis.display or "?"
        return {}, Target("Redis", planner.redis_deployment, planner.namespace,
                          f"the Redis at {via} (--redis-url), database {planner.redis.database()}"), via
    pod = redis_pod(planner, ctx)
    container = pods.container_of(pod, "redis" if any(c.name == "redis" for c in pod.containers) else None)
    via = f"redis-cli in pod/{pod.name}"
    return ({"pod": pod.name, "container": container},
            Target("Redis", planner.redis_deployment, planner.namespace,
                   f"redis-cli in pod/{pod.name}, one pod of deployment/{planner.redis_deployment} (database 0)"), via)


def redis_memory_limit(planner: Planner) -> tuple[int, str] | None:
    """(bytes, as written) of the Redis deployment's container memory limit; None when there
    is no such deployment, container limit or readable quantity (then nothing is checked)."""
    try:
        deployment = read_deployment(planner.api, planner.redis_deployment)
    except PlanError:
        return None
    containers = template_containers(deployment)
    container = next((c for c in containers if c.get("name") == "redis"), containers[0] if containers else {})
    text = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    try:
        return (parse_bytes(str(text)), str(text)) if text else None
    except QuantityError:
        return None


def maxmemory_default(planner: Planner) -> str | None:
    """``MAXMEMORY_SHARE`` of the Redis container's limit, in Redis units (None: no limit seen)."""
    limit = redis_memory_limit(planner)
    return redis_size_text(int(limit[0] * MAXMEMORY_SHARE)) if limit else None


def check_maxmemory(planner: Planner, draft: Draft, action: Action, value: str) -> None:
    """Refuse a maxmemory above the container's limit; warn above the share; say where the
    default comes from."""
    param = maxmemory_param(action) or "maxmemory"
    limit = redis_memory_limit(planner)
    runbook = next((p.default for p in action.params if p.name == param), None)
    if limit is None:
        draft.notes.append(f"no memory limit on deployment/{planner.redis_deployment} to check maxmemory against"
                           + (f"; the runbook's default {runbook} is used" if runbook else ""))
        return
    size = parse_quantity_text(value, "redis", what="maxmemory", param=param).bytes
    limit_bytes, limit_text = limit
    share = redis_size_text(int(limit_bytes * MAXMEMORY_SHARE))
    if size > limit_bytes:
        raise PlanError(f"maxmemory {value} exceeds deployment/{planner.redis_deployment}'s memory limit "
                        f"{limit_text}: the kernel would OOM-kill Redis before it evicts; {share} "
                        f"({MAXMEMORY_SHARE:.0%}) leaves room for fragmentation and buffers", param=param)
    if size > limit_bytes * MAXMEMORY_SHARE:
        draft.warnings.append(f"maxmemory {value} is {size / limit_bytes:.0%} of deployment/"
                              f"{planner.redis_deployment}'s memory limit {limit_text}: fragmentation and buffers "
                              f"come on top, {share} ({MAXMEMORY_SHARE:.0%}) is safer")
    draft.notes.append(f"default {share} = {MAXMEMORY_SHARE:.0%} of deployment/{planner.redis_deployment}'s memory "
                       f"limit {limit_text}" + (f" (runbook: {runbook})" if runbook else ""))


def redis_draft(planner: Planner, op: Redis, ctx: ActionContext, words: tuple[str, ...] | None = None,
               action: Action | None = None) -> Draft:
    words = tuple(words or op.command)
    where, target, via = redis_where(planner, ctx)
    draft = Draft(op, effect_after_s=15.0)
    draft.targets.append(target)
    call = RedisCall(words, via, where.get("pod"), where.get("container"))
    draft.requests.append(call)
    draft.equivalent = redis_equivalent(call, planner.namespace)
    if action is not None and maxmemory_param(action) and len(words) == 4:
        check_maxmemory(planner, draft, action, words[3])
    head = tuple(w.upper() for w in words[:2])
    if head == ("CONFIG", "SET"):
        for parameter, value in zip(words[2::2], words[3::2]):
            try:
                old = planner.redis.config_get(parameter, **where)
            except RuntimeError as exc:
                old = None
                draft.warnings.append(f"current {parameter} unknown ({exc}): undo will not be possible")
            shown = value
            if parameter.lower() == "maxmemory" and old is not None and old.isdigit():
                old = f"{old} ({format_bytes(int(old))})" if int(old) else "0 (no limit)"
            draft.changes.append(Change(f"CONFIG {parameter}", old, shown))
        draft.warnings.append("CONFIG SET is not persistent: it is lost when Redis restarts; "
                              "CONFIG REWRITE writes it to redis.conf")
        draft.follow_up.append(CONFIG_REWRITE_ID)
    elif head[:1] in (("FLUSHDB",), ("FLUSHALL",)):
        database = planner.redis.database()
        try:
            keys = planner.redis.dbsize(**where)
            draft.changes.append(Change(f"keys in database {database}", f"{keys:,}", "0"))
            draft.warnings.append(f"DBSIZE: database {database} holds {keys:,} keys; {head[0]} deletes every "
                                  "one of them and cannot be undone")
        except RuntimeError as exc:
            draft.warnings.append(f"key count unknown (DBSIZE failed: {exc})")
        draft.confirm_name = planner.redis_deployment
    elif head == ("CONFIG", "REWRITE"):
        draft.warnings.append("fails when Redis runs without a config file; a redis.conf from a ConfigMap or "
                              "image is replaced when the pod is recreated")
    try:
        used = planner.redis.used_memory(**where)
    except (RuntimeError, KeyError, ValueError):
        used = None
    draft.before = planner.workload_before(ctx, redis_used_memory=used)
    return draft


@dataclass(frozen=True)
class RedisConfigPrevious(Previous):
    """The ``CONFIG GET`` values of the parameters a ``CONFIG SET`` changes."""

    TAG: ClassVar[str] = "redis-config"
    values: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.TAG, "values": dict(self.values)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RedisConfigPrevious:
        return cls(dict(data["values"]))

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values.items())

    def as_values(self) -> Mapping[str, Any]:
        return self.values


class RedisHandler(Drafting[Redis], Reading[Redis], Restoring[Redis, RedisConfigPrevious]):
    operation = Redis
    PERMISSIONS = (EXEC,)
    """Through redis-cli in the pod; none at all with ``--redis-url`` (``permissions``)."""
    previous_type = RedisConfigPrevious
    EFFECT = EffectProfile(on_redis=True)

    def permissions(self, op: Redis, *, redis_via_url: bool) -> tuple:
        return () if redis_via_url else self.PERMISSIONS

    def runs_in_container(self, op: Redis, *, redis_via_url: bool) -> bool:
        return not redis_via_url

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: Redis,
              ctx: ActionContext) -> Draft:
        return redis_draft(planner, op, ctx, action=action)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: Redis,
             ctx: ActionContext) -> ReadResult:
        where, target, via = redis_where(reader.planner, ctx)
        reply = reader.planner.redis.call(op.command, **where)
        words = " ".join(op.command)
        if not reply.ok:
            return ReadResult(False, f"{words} ({via})\nfailed: {reply.error}", f"{words} failed",
                              {"kind": "Redis", "name": target.name, "via": via}, error=reply.error)
        summary = words
        if op.command and op.command[0].upper() == "INFO":
            info = reply.value if isinstance(reply.value, dict) else None
            if info is None:
                info = parse_info_text(reply.text)
            if "used_memory" in info:
                summary = (f"used_memory {format_bytes(int(info['used_memory']))}, maxmemory "
                           f"{format_bytes(int(info.get('maxmemory', 0))) if int(info.get('maxmemory', 0)) else '0 (no limit)'}"
                           f", policy {info.get('maxmemory_policy', '?')}")
        return ReadResult(True, f"{words} ({via})\n{reply.text}", summary, {"kind": "Redis", "name": target.name, "via": via})

    def capture_previous(self, planner: Planner, op: Redis,
                         requests: tuple[Request, ...]) -> RedisConfigPrevious | None:
        first = requests[0] if requests else None
        if not isinstance(first, RedisCall):
            return None
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
        return RedisConfigPrevious(values)

    def undo_draft(self, planner: Planner, op: Redis, previous: RedisConfigPrevious, ctx: ActionContext) -> Draft:
        words: list[str] = ["CONFIG", "SET"]
        for parameter, value in previous.values.items():
            words += [parameter, str(value)]
        return redis_draft(planner, op, ctx, words=tuple(words))  # its equivalent follows the path used

    def initial_values(self, planner: Planner, action: Action, ctx: ActionContext) -> dict[str, str]:
        """A ``CONFIG SET maxmemory`` entry opens with a share of the Redis container's limit."""
        name = maxmemory_param(action)
        derived = maxmemory_default(planner) if name is not None else None
        return {name: derived} if name is not None and derived else {}

    def mark_scope(self, plan: Plan) -> MarkScope:
        """The Redis as a whole: it meets other Redis actions, not the workload's pods."""
        redis = next((t.name for t in plan.targets if t.kind == "Redis"), "redis")
        return MarkScope(wide=frozenset({f"redis/{redis}"}))

    def effect_inputs(self, planner: Planner, plan: Plan, ctx_after: ActionContext) -> EffectInputs:
        """Redis ``used_memory`` now, to compare with the plan's."""
        if "redis_used_memory" not in plan.before:
            return EffectInputs()
        try:
            where, _, _ = redis_where(planner, ctx_after)
            return EffectInputs(redis_after=planner.redis.used_memory(**where))
        except (PlanError, ApiFailure, RuntimeError, KeyError, ValueError):
            return EffectInputs()


HANDLERS = (RedisHandler(),)
