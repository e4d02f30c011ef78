"""From a runbook entry, validated values and the snapshot to a ``Draft`` of a mutating plan.

One function per operation kind.  Each reads what the modal needs to show *before* anything
changes (the ConfigMap's current values, the container's current limit, the replica count, the
Redis setting, the key count), builds the exact request(s) with the patch type chosen on purpose,
and asks the API server for a ``dryRun=All`` answer where the API offers one.  Nothing here
changes the cluster: a dry run is the only write-shaped call, and the server discards it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import shlex
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memtui.executor import cautions, effects, pods
from memtui.executor.guard import check_label, check_subdomain
from memtui.executor.config_readers import start_read_keys
from memtui.executor.kubeapi import (
    JSON,
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    ApiFailure,
    KubeApi,
    write_call,
)
from memtui.executor.model import (
    ActionContext,
    Change,
    DryRun,
    ExecCall,
    HttpCall,
    PlanError,
    RedisCall,
    Request,
    Target,
)
from memtui.executor.redis_calls import RedisRunner
from memtui.runbook import Action
from memtui.runbook.params import parse_quantity_text
from memtui.runbook.operations import (
    ConfigMapPatch,
    DeploymentMemoryLimit,
    DeploymentRestart,
    DeploymentScale,
    DeploymentSetEnv,
    Exec,
    ExecScript,
    Operation,
    PodDelete,
    PodHttp,
    Redis,
)
from memtui.state.snapshots import PodState
from memtui.clients.kube.parse import parse_pod
from memtui.state.units import QuantityError, format_bytes, parse_bytes

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
MAXMEMORY_SHARE = 0.75
"""Redis maxmemory as a share of the Redis container's memory limit: fragmentation, client
buffers and the replication backlog come on top of maxmemory, so at 100 % the kernel OOM-kills
Redis before it evicts anything."""
CONFIG_REWRITE_ID = "fix.redis-config-rewrite"
"""Offered after a Redis CONFIG SET, which is lost when Redis restarts."""
EXEC_KINDS = ("exec", "exec-script", "pod-http")


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


def find_container(deployment: Mapping[str, Any], name: str) -> dict[str, Any]:
    for container in template_containers(deployment):
        if container.get("name") == name:
            return container
    dep = (deployment.get("metadata") or {}).get("name", "?")
    names = ", ".join(c.get("name", "?") for c in template_containers(deployment))
    raise PlanError(f"deployment/{dep} has no container {name!r} (it has {names})")


class Planner:
    """Builds drafts of mutating plans in one namespace."""

    def __init__(self, api: KubeApi, redis: RedisRunner, *, threshold_bytes: int, workload: str,
                 redis_deployment: str, clock: Callable[[], datetime], dry_runs: bool = True) -> None:
        """``dry_runs`` False (``--read-only``): no write-shaped request at all, not even a dry run."""
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

    # -- dispatch ---------------------------------------------------------------------------------

    def draft(self, action: Action, typed: Mapping[str, Any], ctx: ActionContext) -> Draft:
        op = action.bind(typed, namespace=self.namespace, now=self.clock())
        if isinstance(op, ConfigMapPatch):
            return self.configmap_patch(op, ctx)
        if isinstance(op, DeploymentRestart):
            return self.restart(op, ctx)
        if isinstance(op, DeploymentSetEnv):
            return self.set_env(op, ctx)
        if isinstance(op, DeploymentMemoryLimit):
            return self.memory_limit(op, ctx)
        if isinstance(op, DeploymentScale):
            return self.scale(op, ctx)
        if isinstance(op, PodDelete):
            return self.pod_delete(action, typed, op, ctx)
        if isinstance(op, (Exec, ExecScript, PodHttp)):
            return self.exec(action, typed, op, ctx)
        if isinstance(op, Redis):
            return self.redis_command(op, ctx, action=action)
        raise PlanError(f"{action.id}: operation kind {op.kind!r} changes nothing; run it as a diagnose step")

    def workload_before(self, ctx: ActionContext, deployment: str | None = None, **extra: Any) -> dict[str, Any]:
        dep = deployment or self.workload
        names = [p.name for p in pods.pods_of(ctx, self.namespace, dep) if p.status_text != "Terminating"]
        return effects.before_figures(ctx, self.namespace, scope="deployment", pods=names, deployment=dep, **extra)

    # -- ConfigMap ------------------------------------------------------------------------------

    def read_configmap(self, name: str) -> dict[str, Any]:
        try:
            return self.api.get(self.api.path("configmaps", name))
        except ApiFailure as exc:
            if exc.status == 404:
                raise PlanError(f"no configmap/{name} in namespace {self.namespace}") from None
            raise PlanError(f"cannot read configmap/{name}: {exc}") from None

    def configmap_call(self, name: str, body: dict[str, Any]) -> HttpCall:
        """JSON merge patch, as ``kubectl patch --type merge``: null removes a key."""
        return write_call("PATCH", self.api.path("configmaps", name), content_type=MERGE_PATCH, body=body)

    def configmap_patch(self, op: ConfigMapPatch, ctx: ActionContext, body: dict[str, Any] | None = None) -> Draft:
        current = self.read_configmap(op.name)
        data = current.get("data") or {}
        body = body if body is not None else op.merge_patch()
        draft = Draft(op, effect_after_s=120.0)
        for key, value in body["data"].items():
            draft.changes.append(Change(f"data.{key}", data.get(key), value))
        if not any(c.changes_anything for c in draft.changes):
            draft.warnings.append(f"configmap/{op.name} already holds these values: the patch changes nothing")
        call = self.configmap_call(op.name, body)
        draft.requests.append(call)
        draft.targets.append(Target("ConfigMap", op.name, self.namespace,
                                    f"named by the runbook entry; pods read it when they (re)start, so deployment/"
                                    f"{self.workload} sees the change after a rollout restart", _uid(current)))
        warning = cautions.gitops(current, f"configmap/{op.name}")
        if warning:
            draft.warnings.append(warning)
        draft.dry_run = self.dry_run(draft, call)
        draft.before = self.workload_before(ctx, start_read=self.start_read(op.name, [
            c.path.removeprefix("data.") for c in draft.changes if c.changes_anything]))
        return draft

    def start_read(self, configmap: str, keys: list[str]) -> dict[str, Any] | None:
        """Which of ``keys`` the workload's pods read only at start (env from the ConfigMap): the
        effect check and the header say "restart pending" for them until the pods are replaced."""
        if not keys:
            return None
        try:
            deployment = read_deployment(self.api, self.workload)
        except PlanError:
            return None  # no workload to name: nothing to say about its pods
        spec = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
        found = start_read_keys(spec, configmap, keys)
        return {"deployment": self.workload, "configmap": configmap, "keys": list(found)} if found else None

    # -- Deployment template changes ------------------------------------------------------------

    def _deployment_cautions(self, draft: Draft, deployment: Mapping[str, Any], name: str, *, deleting: bool) -> None:
        for line in (cautions.readiness(deployment), cautions.gitops(deployment, f"deployment/{name}")):
            if line:
                draft.warnings.append(line)
        draft.warnings.extend(cautions.disruption_budgets(self.api, template_labels(deployment), deleting=deleting))

    def _rollout_target(self, ctx: ActionContext, deployment: Mapping[str, Any], name: str, lead: str) -> Target:
        current = [p.name for p in pods.pods_of(ctx, self.namespace, name) if p.status_text != "Terminating"]
        listed = ", ".join(current[:6]) + (" …" if len(current) > 6 else "")
        return Target("Deployment", name, self.namespace,
                      f"{lead}: changing the pod template replaces all {len(current)} pods ({listed}) under the "
                      f"rollout strategy; {cautions.ready_text(deployment)}", _uid(deployment))

    def deployment_call(self, name: str, content_type: str, body: Any) -> HttpCall:
        return write_call("PATCH", self.api.path("deployments", name, group="apps"), content_type=content_type, body=body)

    def restart(self, op: DeploymentRestart, ctx: ActionContext) -> Draft:
        """As ``kubectl rollout restart``: a strategic merge patch of the template's restartedAt."""
        deployment = read_deployment(self.api, op.deployment)
        stamp = self.clock().astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
        stamp = stamp[:-2] + ":" + stamp[-2:]  # RFC 3339, as kubectl's time.Now().Format(time.RFC3339)
        annotations = (((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("annotations") or {}
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        call = self.deployment_call(op.deployment, STRATEGIC_MERGE_PATCH, body)
        draft = Draft(op, effect_after_s=180.0)
        draft.changes.append(Change(f'spec.template.metadata.annotations["{RESTARTED_AT}"]',
                                    annotations.get(RESTARTED_AT), stamp))
        draft.requests.append(call)
        draft.targets.append(self._rollout_target(ctx, deployment, op.deployment, "rollout restart"))
        self._deployment_cautions(draft, deployment, op.deployment, deleting=False)
        draft.warnings.append("the new pods start without lastState: the OOM evidence in pod status goes with the "
                              "old pods (memtui's OOM ledger keeps it); take a heap profile first if a leak is suspected")
        draft.dry_run = self.dry_run(draft, call, _generation_note)
        draft.before = self.workload_before(ctx, op.deployment)
        return draft

    def set_env(self, op: DeploymentSetEnv, ctx: ActionContext, env: Mapping[str, str | None] | None = None) -> Draft:
        """As ``kubectl set env``: a strategic merge patch of the container's env, by name."""
        deployment = read_deployment(self.api, op.deployment)
        container = find_container(deployment, op.container)
        current = {e.get("name"): e for e in container.get("env") or []}
        wanted = dict(env) if env is not None else dict(op.env)
        entries: list[dict[str, Any]] = []
        draft = Draft(op, effect_after_s=180.0)
        for key, value in wanted.items():
            old = current.get(key)
            old_text = None if old is None else old.get("value") if "value" in old else "(valueFrom)"
            draft.changes.append(Change(f"spec.template.spec.containers[{op.container}].env[{key}]", old_text, value))
            entries.append({"name": key, "value": value} if value is not None else {"name": key, "$patch": "delete"})
        body = {"spec": {"template": {"spec": {"containers": [{"name": op.container, "env": entries}]}}}}
        call = self.deployment_call(op.deployment, STRATEGIC_MERGE_PATCH, body)
        draft.requests.append(call)
        draft.targets.append(self._rollout_target(ctx, deployment, op.deployment, f"container {op.container}"))
        self._deployment_cautions(draft, deployment, op.deployment, deleting=False)
        draft.dry_run = self.dry_run(draft, call, _generation_note)
        draft.before = self.workload_before(ctx, op.deployment)
        return draft

    def memory_limit(self, op: DeploymentMemoryLimit, ctx: ActionContext, restore: str | None = None,
                     restoring: bool = False) -> Draft:
        """A JSON patch by container *name* (``test`` first), not the runbook's ``containers/0``."""
        deployment = read_deployment(self.api, op.deployment)
        containers = template_containers(deployment)
        container = find_container(deployment, op.container)
        resources = container.get("resources") or {}
        current = (resources.get("limits") or {}).get("memory")
        request = (resources.get("requests") or {}).get("memory")
        draft = Draft(op, effect_after_s=180.0)
        if restoring:
            body = _restore_limit_patch(containers, op.container, restore)
            new = restore
        else:
            try:
                body = op.json_patch(containers)
            except ValueError as exc:
                raise PlanError(str(exc)) from None
            new = op.limit
        draft.changes.append(Change(f"spec.template.spec.containers[{op.container}].resources.limits.memory",
                                    current, new))
        call = self.deployment_call(op.deployment, JSON_PATCH, body)
        draft.requests.append(call)
        draft.targets.append(self._rollout_target(ctx, deployment, op.deployment, f"container {op.container}"))
        if new and request:
            try:
                if parse_bytes(new) < parse_bytes(request):
                    draft.warnings.append(f"the new limit {new} is below the memory request {request}: "
                                          "the API server refuses a limit below the request")
            except QuantityError:
                pass
        self._deployment_cautions(draft, deployment, op.deployment, deleting=False)
        draft.dry_run = self.dry_run(draft, call, _generation_note)
        draft.before = self.workload_before(ctx, op.deployment)
        return draft

    # -- scale -----------------------------------------------------------------------------------

    def read_replicas(self, name: str) -> int:
        try:
            scale = self.api.get(self.api.path("deployments", name, "scale", group="apps"))
        except ApiFailure as exc:
            if exc.status == 404:
                raise PlanError(f"no deployment/{name} in namespace {self.namespace}") from None
            raise PlanError(f"cannot read the scale of deployment/{name}: {exc}") from None
        return int((scale.get("spec") or {}).get("replicas", 0) or 0)

    def scale(self, op: DeploymentScale, ctx: ActionContext, replicas: int | None = None) -> Draft:
        """Through the ``scale`` subresource with a merge patch, as ``kubectl scale``."""
        wanted = int(op.replicas if replicas is None else replicas)
        current = self.read_replicas(op.deployment)
        deployment = read_deployment(self.api, op.deployment)
        body = {"spec": {"replicas": wanted}}
        call = write_call("PATCH", self.api.path("deployments", op.deployment, "scale", group="apps"),
                          content_type=MERGE_PATCH, body=body)
        draft = Draft(op, effect_after_s=120.0)
        draft.changes.append(Change(f"deployment/{op.deployment} spec.replicas", str(current), str(wanted)))
        draft.requests.append(call)
        draft.targets.append(Target("Deployment", op.deployment, self.namespace,
                                    f"named by the runbook entry; {current} → {wanted} replicas "
                                    f"({cautions.ready_text(deployment)})", _uid(deployment)))
        if replicas is None and wanted >= current:
            draft.warnings.append(f"deployment/{op.deployment} has {current} replicas now: {wanted} is no reduction")
        for line in (cautions.readiness(deployment), cautions.gitops(deployment, f"deployment/{op.deployment}")):
            if line:
                draft.warnings.append(line)
        draft.warnings.extend(cautions.autoscalers(self.api, op.deployment))
        draft.dry_run = self.dry_run(draft, call)
        draft.before = self.workload_before(ctx)
        return draft

    # -- pod delete --------------------------------------------------------------------------------

    def pod_delete(self, action: Action, typed: Mapping[str, Any], op: PodDelete, ctx: ActionContext) -> Draft:
        """A plain DELETE with a uid precondition: the pod shown is the pod deleted, not a namesake.

        Not the Eviction API: evictions are refused (429) whenever a PodDisruptionBudget has no
        disruption left, which is exactly the state of a deployment whose pods are being
        OOM-killed; the modal shows the budgets and ready replicas instead, and the operator
        decides.
        """
        reach = pods.resolve(op.pod, ctx, self.api, op.deployment, threshold_bytes=self.threshold_bytes)
        pod = reach.pods[0]
        try:
            live = self.api.get(self.api.path("pods", pod.name))
        except ApiFailure as exc:
            if exc.status == 404:
                raise PlanError(f"pod {pod.name} no longer exists (replaced?); refresh and try again") from None
            raise PlanError(f"cannot read pod {pod.name}: {exc}") from None
        state = parse_pod(live)
        if state.namespace != self.namespace or state.owner != op.deployment:
            raise PlanError(f"pod {pod.name} is not a pod of deployment/{op.deployment} in {self.namespace}")
        uid = (live.get("metadata") or {}).get("uid")
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": uid}}
        call = write_call("DELETE", self.api.path("pods", pod.name), content_type=JSON, body=body)
        deployment = read_deployment(self.api, op.deployment)
        draft = Draft(op, effect_after_s=90.0)
        draft.targets.append(Target("Pod", pod.name, self.namespace,
                                    f"{reach.why[pod.name]}; deployment/{op.deployment}: {cautions.ready_text(deployment)}",
                                    uid))
        draft.changes.append(Change(f"pod/{pod.name}", f"{state.status_text} (uid {uid})",
                                    "deleted; its ReplicaSet starts a replacement"))
        draft.requests.append(call)
        draft.confirm_name = pod.name
        draft.alternative_pod = reach.alternative
        if state.status_text == "Terminating":
            draft.warnings.append(f"pod {pod.name} is already terminating")
        line = cautions.readiness(deployment)
        if line:
            draft.warnings.append(line)
        labels = (live.get("metadata") or {}).get("labels") or {}
        draft.warnings.extend(cautions.disruption_budgets(self.api, labels, deleting=True))
        draft.dry_run = self.dry_run(draft, call)
        draft.equivalent = action.render_equivalent(typed, namespace=self.namespace, pods=[pod.name])
        draft.before = self.workload_before(ctx, op.deployment)
        return draft

    # -- exec -------------------------------------------------------------------------------------

    def exec_calls(self, action: Action, typed: Mapping[str, Any], op: Exec | ExecScript | PodHttp,
                   ctx: ActionContext) -> tuple[pods.Reach, list[ExecCall]]:
        """One ``ExecCall`` per pod reached; ``bind`` once per pod (for ``{pod}`` in argv/file names)."""
        reach = pods.resolve(op.pods, ctx, self.api, op.deployment, threshold_bytes=self.threshold_bytes)
        calls = []
        now = self.clock()
        for pod in reach.pods:
            bound = action.bind(typed, namespace=self.namespace, pod=pod.name, now=now)
            save = getattr(bound, "save_output_to", "") or None
            calls.append(ExecCall(pod.name, pods.container_of(pod, op.container), tuple(bound.argv),  # type: ignore[attr-defined]
                                  float(op.timeout_s) + 5.0, binary=save is not None, save_to=save))
        return reach, calls

    def exec(self, action: Action, typed: Mapping[str, Any], op: Exec | ExecScript | PodHttp,
             ctx: ActionContext) -> Draft:
        reach, calls = self.exec_calls(action, typed, op, ctx)
        draft = Draft(op, effect_after_s=20.0, alternative_pod=reach.alternative)
        draft.requests.extend(calls)
        for pod in reach.pods:
            draft.targets.append(Target("Pod", pod.name, self.namespace, reach.why[pod.name], pod.uid or None))
            if not pods.is_live(pod):
                draft.warnings.append(f"pod {pod.name} is {pod.status_text}: exec needs a running container")
        if isinstance(op, ExecScript):
            draft.warnings.append("runs the catalogue's fixed script with the container's sh -c (for its glob); "
                                  "no typed text is part of it")
        draft.equivalent = action.render_equivalent(typed, namespace=self.namespace, pods=[p.name for p in reach.pods])
        draft.before = effects.before_figures(ctx, self.namespace, scope="pods", pods=[p.name for p in reach.pods])
        return draft

    # -- Redis -------------------------------------------------------------------------------------

    def redis_pod(self, ctx: ActionContext) -> PodState:
        """One running pod of the Redis deployment (``kubectl exec deployment/redis`` does the same)."""
        name = self.redis_deployment
        live = [p for p in pods.pods_of(ctx, self.namespace, name) if pods.is_live(p)]
        if not live:
            deployment = read_deployment(self.api, name)
            labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
            try:
                listed = self.api.get(self.api.path("pods"), (("labelSelector", selector),))
            except ApiFailure as exc:
                raise PlanError(f"cannot list the pods of deployment/{name}: {exc}") from None
            live = sorted((p for p in map(parse_pod, listed.get("items") or []) if pods.is_live(p)), key=lambda p: p.name)
        if not live:
            raise PlanError(f"no running pod of deployment/{name} to run redis-cli in")
        return live[0]

    def redis_where(self, ctx: ActionContext) -> tuple[dict[str, Any], Target, str]:
        """(call kwargs for ``RedisRunner``, the target, the ``via`` text)."""
        if self.redis.via_url:
            via = self.redis.display or "?"
            return {}, Target("Redis", self.redis_deployment, self.namespace,
                              f"the Redis at {via} (--redis-url), database {self.redis.database()}"), via
        pod = self.redis_pod(ctx)
        container = pods.container_of(pod, "redis" if any(c.name == "redis" for c in pod.containers) else None)
        via = f"redis-cli in pod/{pod.name}"
        return ({"pod": pod.name, "container": container},
                Target("Redis", self.redis_deployment, self.namespace,
                       f"redis-cli in pod/{pod.name}, one pod of deployment/{self.redis_deployment} (database 0)"), via)

    def redis_memory_limit(self) -> tuple[int, str] | None:
        """(bytes, as written) of the Redis deployment's container memory limit; None when there
        is no such deployment, container limit or readable quantity (then nothing is checked)."""
        try:
            deployment = read_deployment(self.api, self.redis_deployment)
        except PlanError:
            return None
        containers = template_containers(deployment)
        container = next((c for c in containers if c.get("name") == "redis"), containers[0] if containers else {})
        text = ((container.get("resources") or {}).get("limits") or {}).get("memory")
        try:
            return (parse_bytes(str(text)), str(text)) if text else None
        except QuantityError:
            return None

    def maxmemory_default(self) -> str | None:
        """``MAXMEMORY_SHARE`` of the Redis container's limit, in Redis units (None: no limit seen)."""
        limit = self.redis_memory_limit()
        return redis_size_text(int(limit[0] * MAXMEMORY_SHARE)) if limit else None

    def _check_maxmemory(self, draft: Draft, action: Action, value: str) -> None:
        """Refuse a maxmemory above the container's limit; warn above the share; say where the
        default comes from."""
        param = maxmemory_param(action) or "maxmemory"
        limit = self.redis_memory_limit()
        runbook = next((p.default for p in action.params if p.name == param), None)
        if limit is None:
            draft.notes.append(f"no memory limit on deployment/{self.redis_deployment} to check maxmemory against"
                               + (f"; the runbook's default {runbook} is used" if runbook else ""))
            return
        size = parse_quantity_text(value, "redis", what="maxmemory", param=param).bytes
        limit_bytes, limit_text = limit
        share = redis_size_text(int(limit_bytes * MAXMEMORY_SHARE))
        if size > limit_bytes:
            raise PlanError(f"maxmemory {value} exceeds deployment/{self.redis_deployment}'s memory limit "
                            f"{limit_text}: the kernel would OOM-kill Redis before it evicts; {share} "
                            f"({MAXMEMORY_SHARE:.0%}) leaves room for fragmentation and buffers", param=param)
        if size > limit_bytes * MAXMEMORY_SHARE:
            draft.warnings.append(f"maxmemory {value} is {size / limit_bytes:.0%} of deployment/"
                                  f"{self.redis_deployment}'s memory limit {limit_text}: fragmentation and buffers "
                                  f"come on top, {share} ({MAXMEMORY_SHARE:.0%}) is safer")
        draft.notes.append(f"default {share} = {MAXMEMORY_SHARE:.0%} of deployment/{self.redis_deployment}'s memory "
                           f"limit {limit_text}" + (f" (runbook: {runbook})" if runbook else ""))

    def redis_command(self, op: Redis, ctx: ActionContext, words: tuple[str, ...] | None = None,
                      action: Action | None = None) -> Draft:
        words = tuple(words or op.command)
        where, target, via = self.redis_where(ctx)
        draft = Draft(op, effect_after_s=15.0)
        draft.targets.append(target)
        call = RedisCall(words, via, where.get("pod"), where.get("container"))
        draft.requests.append(call)
        draft.equivalent = redis_equivalent(call, self.namespace)
        if action is not None and maxmemory_param(action) and len(words) == 4:
            self._check_maxmemory(draft, action, words[3])
        head = tuple(w.upper() for w in words[:2])
        if head == ("CONFIG", "SET"):
            for parameter, value in zip(words[2::2], words[3::2]):
                try:
                    old = self.redis.config_get(parameter, **where)
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
            database = self.redis.database()
            try:
                keys = self.redis.dbsize(**where)
                draft.changes.append(Change(f"keys in database {database}", f"{keys:,}", "0"))
                draft.warnings.append(f"DBSIZE: database {database} holds {keys:,} keys; {head[0]} deletes every "
                                      "one of them and cannot be undone")
            except RuntimeError as exc:
                draft.warnings.append(f"key count unknown (DBSIZE failed: {exc})")
            draft.confirm_name = self.redis_deployment
        elif head == ("CONFIG", "REWRITE"):
            draft.warnings.append("fails when Redis runs without a config file; a redis.conf from a ConfigMap or "
                                  "image is replaced when the pod is recreated")
        try:
            used = self.redis.used_memory(**where)
        except (RuntimeError, KeyError, ValueError):
            used = None
        draft.before = self.workload_before(ctx, redis_used_memory=used)
        return draft


def _uid(obj: Mapping[str, Any]) -> str | None:
    return (obj.get("metadata") or {}).get("uid")


def _generation_note(answer: dict[str, Any]) -> str:
    meta = answer.get("metadata") or {}
    return f"generation would become {meta.get('generation')}, starting a rollout" if meta.get("generation") else ""


def _restore_limit_patch(containers: list[dict[str, Any]], name: str, limit: str | None) -> list[dict[str, Any]]:
    """Undo of a memory-limit change: put the old limit back, or remove it if there was none."""
    for index, container in enumerate(containers):
        if container.get("name") == name:
            break
    else:
        raise PlanError(f"the deployment has no container {name!r} any more")
    base = f"/spec/template/spec/containers/{index}"
    ops: list[dict[str, Any]] = [{"op": "test", "path": f"{base}/name", "value": name}]
    limits = (container.get("resources") or {}).get("limits") or {}
    if limit is None:
        if "memory" in limits:
            ops.append({"op": "remove", "path": f"{base}/resources/limits/memory"})
    elif not container.get("resources"):
        ops.append({"op": "add", "path": f"{base}/resources", "value": {"limits": {"memory": limit}}})
    elif not limits:
        ops.append({"op": "add", "path": f"{base}/resources/limits", "value": {"memory": limit}})
    else:
        ops.append({"op": "add", "path": f"{base}/resources/limits/memory", "value": limit})
    return ops
