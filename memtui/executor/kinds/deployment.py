"""Deployment kinds: the pod-template changes (``deployment-restart``, ``deployment-set-env``,
``deployment-memory-limit``) and the reads ``deployment-resources`` and ``rollout-history``
(``deployment-scale`` is ``scale.py``: another subresource, no rollout).

Planned, checked, undone and read here, and nowhere else.  Each change uses the patch type
kubectl uses for it: a strategic merge patch for restart and env (``kubectl rollout restart``,
``kubectl set env``), a JSON patch by container *name* with a ``test`` first for the memory limit
(not the runbook's ``containers/0``).
A template change starts a rollout that replaces every pod, so the plan lists them, the
readiness, the PodDisruptionBudgets and GitOps ownership.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from memtui.executor import cautions, limit_checks, pods
from memtui.executor.limit_history import usage_history
from memtui.executor.pods import pods_of
from memtui.executor.access import GET_DEPLOYMENT, PATCH_DEPLOYMENT, Access
from memtui.executor.kinds.base import (
    Drafting,
    EffectInputs,
    EffectProfile,
    Previous,
    Reading,
    Restoring,
    describe_values,
    response_facts,
)
from memtui.executor.kubeapi import (
    JSON_PATCH,
    STRATEGIC_MERGE_PATCH,
    ApiFailure,
    write_call,
)
from memtui.executor.model import (
    ActionContext,
    Change,
    HttpCall,
    Plan,
    PlanError,
    Request,
    Target,
)
from memtui.executor.planning import (
    Draft,
    Planner,
    find_container,
    read_deployment,
    template_containers,
    template_labels,
    uid_of,
)
from memtui.executor.reading import Reader, ReadResult, quantity_text
from memtui.executor.tables import text_table
from memtui.reasoning.limit_advice import LimitAdvice, advise, buys_time, span_text, time_to_reach
from memtui.runbook import Action
from memtui.runbook.operations import (
    DeploymentMemoryLimit,
    DeploymentResources,
    DeploymentRestart,
    DeploymentSetEnv,
    RolloutHistory,
)
from memtui.state.units import QuantityError, format_bytes, format_rate, parse_bytes

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
LIST_REPLICASETS = Access("list", "apps", "replicasets")


# -- shared by the template changes -------------------------------------------------------------------


def deployment_call(planner: Planner, name: str, content_type: str, body: Any) -> HttpCall:
    return write_call("PATCH", planner.api.path("deployments", name, group="apps"), content_type=content_type, body=body)


def deployment_cautions(planner: Planner, draft: Draft, deployment: Mapping[str, Any], name: str, *,
                        deleting: bool) -> None:
    for line in (cautions.readiness(deployment), cautions.gitops(deployment, f"deployment/{name}")):
        if line:
            draft.warnings.append(line)
    labels = template_labels(deployment)  # the budgets are listed beside the dry run that follows
    draft.warn_meanwhile(planner.meanwhile(lambda: cautions.disruption_budgets(planner.api, labels, deleting=deleting)))


def rollout_target(planner: Planner, ctx: ActionContext, deployment: Mapping[str, Any], name: str, lead: str) -> Target:
    current = [p.name for p in pods.pods_of(ctx, planner.namespace, name) if p.status_text != "Terminating"]
    listed = ", ".join(current[:6]) + (" …" if len(current) > 6 else "")
    return Target("Deployment", name, planner.namespace,
                  f"{lead}: changing the pod template replaces all {len(current)} pods ({listed}) under the "
                  f"rollout strategy; {cautions.ready_text(deployment)}", uid_of(deployment))


def generation_note(answer: dict[str, Any]) -> str:
    meta = answer.get("metadata") or {}
    return f"generation would become {meta.get('generation')}, starting a rollout" if meta.get("generation") else ""


class TemplateChange:
    """What the three pod-template kinds share: the permission, a rollout as their effect, and
    how the answer reads."""

    PERMISSIONS: ClassVar[tuple[Access, ...]] = (PATCH_DEPLOYMENT,)
    EFFECT: ClassVar[EffectProfile] = EffectProfile(replaces_pods=True, expects_new_pods=True)

    def summarise(self, call: HttpCall, answer: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        facts = response_facts(call, answer)
        if facts["kind"] != "Deployment":
            return f"{facts['kind'].lower()}/{facts['name']} patched", facts
        generation = (answer.get("metadata") or {}).get("generation")
        facts["generation"] = generation
        return f"deployment/{facts['name']} patched (generation {generation}: a rollout replaces its pods)", facts


# -- rollout restart ------------------------------------------------------------------------------------


class RestartHandler(TemplateChange, Drafting[DeploymentRestart]):
    operation = DeploymentRestart

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: DeploymentRestart,
              ctx: ActionContext) -> Draft:
        """As ``kubectl rollout restart``: a strategic merge patch of the template's restartedAt."""
        deployment = read_deployment(planner.api, op.deployment)
        stamp = planner.clock().astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
        stamp = stamp[:-2] + ":" + stamp[-2:]  # RFC 3339, as kubectl's time.Now().Format(time.RFC3339)
        annotations = (((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("annotations") or {}
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        call = deployment_call(planner, op.deployment, STRATEGIC_MERGE_PATCH, body)
        draft = Draft(op, effect_after_s=180.0)
        draft.changes.append(Change(f'spec.template.metadata.annotations["{RESTARTED_AT}"]',
                                    annotations.get(RESTARTED_AT), stamp))
        draft.requests.append(call)
        draft.targets.append(rollout_target(planner, ctx, deployment, op.deployment, "rollout restart"))
        deployment_cautions(planner, draft, deployment, op.deployment, deleting=False)
        draft.warnings.append("the new pods start without lastState: the OOM evidence in pod status goes with the "
                              "old pods (memtui's OOM ledger keeps it); take a heap profile first if a leak is suspected")
        draft.dry_run = planner.dry_run(draft, call, generation_note)
        draft.before = planner.workload_before(ctx, op.deployment)
        return draft


# -- set env -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvPrevious(Previous):
    """The variables' values before; None: the variable was absent (undo deletes it)."""

    TAG: ClassVar[str] = "env"
    deployment: str
    container: str
    env: Mapping[str, str | None]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.TAG, "deployment": self.deployment, "container": self.container, "env": dict(self.env)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EnvPrevious:
        return cls(str(data.get("deployment", "")), str(data.get("container", "")), dict(data["env"]))

    def describe(self) -> str:
        return describe_values(self.env)

    def as_values(self) -> Mapping[str, Any]:
        return self.env


class SetEnvHandler(TemplateChange, Drafting[DeploymentSetEnv], Restoring[DeploymentSetEnv, EnvPrevious]):
    operation = DeploymentSetEnv
    previous_type = EnvPrevious

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: DeploymentSetEnv,
              ctx: ActionContext) -> Draft:
        return self.env_draft(planner, op, ctx, op.env)

    def env_draft(self, planner: Planner, op: DeploymentSetEnv, ctx: ActionContext,
                  env: Mapping[str, str | None]) -> Draft:
        """As ``kubectl set env``: a strategic merge patch of the container's env, by name."""
        deployment = read_deployment(planner.api, op.deployment)
        container = find_container(deployment, op.container)
        current = {e.get("name"): e for e in container.get("env") or []}
        entries: list[dict[str, Any]] = []
        draft = Draft(op, effect_after_s=180.0)
        for key, value in dict(env).items():
            old = current.get(key)
            old_text = None if old is None else old.get("value") if "value" in old else "(valueFrom)"
            draft.changes.append(Change(f"spec.template.spec.containers[{op.container}].env[{key}]", old_text, value))
            entries.append({"name": key, "value": value} if value is not None else {"name": key, "$patch": "delete"})
        body = {"spec": {"template": {"spec": {"containers": [{"name": op.container, "env": entries}]}}}}
        call = deployment_call(planner, op.deployment, STRATEGIC_MERGE_PATCH, body)
        draft.requests.append(call)
        draft.targets.append(rollout_target(planner, ctx, deployment, op.deployment, f"container {op.container}"))
        deployment_cautions(planner, draft, deployment, op.deployment, deleting=False)
        draft.dry_run = planner.dry_run(draft, call, generation_note)
        draft.before = planner.workload_before(ctx, op.deployment)
        return draft

    def capture_previous(self, planner: Planner, op: DeploymentSetEnv,
                         requests: tuple[Request, ...]) -> EnvPrevious | None:
        first = requests[0] if requests else None
        if not isinstance(first, HttpCall):
            return None
        container = find_container(read_deployment(planner.api, op.deployment), op.container)
        current = {e.get("name"): e for e in container.get("env") or []}
        names = [e["name"] for e in first.body["spec"]["template"]["spec"]["containers"][0]["env"]]
        env: dict[str, str | None] = {}
        for name in names:
            entry = current.get(name)
            if entry is not None and "value" not in entry:
                return None  # valueFrom: not something a value can restore
            env[name] = None if entry is None else entry.get("value")
        return EnvPrevious(op.deployment, op.container, env)

    def undo_draft(self, planner: Planner, op: DeploymentSetEnv, previous: EnvPrevious, ctx: ActionContext) -> Draft:
        draft = self.env_draft(planner, op, ctx, previous.env)
        words = [f"{k}={v}" if v is not None else f"{k}-" for k, v in previous.env.items()]
        draft.equivalent = (f"kubectl set env deployment/{op.deployment} -n {planner.namespace} -c {op.container} "
                            + " ".join(shlex.quote(w) for w in words))
        return draft


# -- memory limit -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitPrevious(Previous):
    """The container's memory limit before; None: there was none (undo removes it)."""

    TAG: ClassVar[str] = "memory-limit"
    deployment: str
    container: str
    limit: str | None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.TAG, "deployment": self.deployment, "container": self.container, "limit": self.limit}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LimitPrevious:
        return cls(str(data.get("deployment", "")), str(data.get("container", "")), data.get("limit"))

    def describe(self) -> str:
        return f"limits.memory={self.limit or '(none)'}"

    def as_values(self) -> Mapping[str, Any]:
        return {"deployment": self.deployment, "container": self.container, "limit": self.limit}


def limit_patch(op: DeploymentMemoryLimit, containers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The JSON patch for a bound operation, given the template's current ``containers``.

    ``add`` rather than ``replace`` (which fails when no memory limit is set yet), creating
    ``resources``/``limits`` when absent; ``test`` first, so a reordered container list makes the
    patch fail instead of changing the wrong container.
    """
    for index, container in enumerate(containers):
        if container.get("name") == op.container:
            break
    else:
        raise ValueError(f"deployment {op.deployment!r} has no container {op.container!r}")
    base = f"/spec/template/spec/containers/{index}"
    ops: list[dict[str, Any]] = [{"op": "test", "path": f"{base}/name", "value": op.container}]
    resources = container.get("resources") or {}
    if not container.get("resources"):
        ops.append({"op": "add", "path": f"{base}/resources", "value": {"limits": {"memory": op.limit}}})
    elif not resources.get("limits"):
        ops.append({"op": "add", "path": f"{base}/resources/limits", "value": {"memory": op.limit}})
    else:
        ops.append({"op": "add", "path": f"{base}/resources/limits/memory", "value": op.limit})
    return ops


def restore_limit_patch(containers: list[dict[str, Any]], name: str, limit: str | None) -> list[dict[str, Any]]:
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


def limit_advice(planner: Planner, ctx: ActionContext, deployment: Mapping[str, Any], op: DeploymentMemoryLimit
                 ) -> LimitAdvice:
    """The advice for the container's limit from its history, capped at the LimitRange's max."""
    container = find_container(deployment, op.container)
    try:
        current = parse_bytes(((container.get("resources") or {}).get("limits") or {}).get("memory") or "")
    except QuantityError:
        current = None
    pods = [p for p in pods_of(ctx, planner.namespace, op.deployment) if p.status_text != "Terminating"]
    history = usage_history(planner, ctx, pods, op.deployment, op.container, current)
    return advise(history, planner.advice_settings, ceiling=limit_checks.ceiling(planner.api))


def advice_summary(advice: LimitAdvice, value: str, new: int) -> str:
    """One line: what history advises, from what, and how long ``value`` lasts at the growth now."""
    if advice.quantity is None:
        return f"no history to advise from: {value} is the runbook's value"
    terms = f"peak {format_bytes(advice.peak_bytes)} + {advice.settings.headroom:.0%}"
    if advice.growth_bytes:
        terms += f" + {span_text(advice.settings.horizon_s)} of growth"
    source = "Prometheus" if advice.history.source == "prometheus" else "memtui's history"
    line = f"advised {advice.quantity} ({terms}, {source} {span_text(advice.history.window_s)})"
    seconds = time_to_reach(new, advice.history.current_bytes, advice.history.growth_bytes_per_s)
    if seconds is not None:
        line += f"; {value} lasts {span_text(seconds)} at {format_rate((advice.history.growth_bytes_per_s or 0) * 60)}"
    return line


class MemoryLimitHandler(TemplateChange, Drafting[DeploymentMemoryLimit],
                         Restoring[DeploymentMemoryLimit, LimitPrevious]):
    operation = DeploymentMemoryLimit
    previous_type = LimitPrevious

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: DeploymentMemoryLimit,
              ctx: ActionContext) -> Draft:
        draft = self.limit_draft(planner, op, ctx)
        deployment = read_deployment(planner.api, op.deployment)
        advice = limit_advice(planner, ctx, deployment, op)
        runbook = next((p.default for p in action.params if p.name == "limit"), None)
        draft.advice.extend(advice.lines)
        if advice.quantity is None and runbook:
            draft.advice.append(f"the runbook's {runbook} is proposed unchanged")
        elif advice.quantity and advice.quantity != op.limit:
            draft.advice.append(f"proposed {advice.quantity}; the value below is {op.limit} (edited)")
        try:
            new = parse_bytes(op.limit)
        except QuantityError:
            return draft
        ends = buys_time(new, advice.history)
        if ends:
            draft.advice.append(ends)
        draft.advice_summary = advice_summary(advice, op.limit, new)
        pods = [p for p in pods_of(ctx, planner.namespace, op.deployment) if p.status_text != "Terminating"]
        change = limit_checks.change_from(deployment, op.container, new)
        draft.checks.append(limit_checks.request_check(change))
        draft.checks.extend(limit_checks.limitrange_checks(planner.api, change))
        draft.checks.extend(limit_checks.quota_checks(planner.api, change, pods))
        draft.checks.extend(limit_checks.node_checks(planner.api, change, pods))
        draft.before["limit_advice"] = advice.record()
        draft.before["checks"] = [{"name": c.name, "status": c.status, "text": c.text} for c in draft.checks]
        return draft

    def initial_values(self, planner: Planner, action: Action, ctx: ActionContext) -> dict[str, str]:
        """The limit the history advises (the runbook's 16Gi only when there is no history)."""
        op = planner.bind(action, {p.name: p.validate(p.default) for p in action.params})
        if not isinstance(op, DeploymentMemoryLimit):
            return {}
        try:
            deployment = read_deployment(planner.api, op.deployment)
            advice = limit_advice(planner, ctx, deployment, op)
        except PlanError:
            return {}
        name = next((p.name for p in action.params if f"{{{p.name}}}" in str(getattr(action.operation, "limit", ""))), None)
        return {name: advice.quantity} if name and advice.quantity else {}

    def limit_draft(self, planner: Planner, op: DeploymentMemoryLimit, ctx: ActionContext, restore: str | None = None,
                    restoring: bool = False) -> Draft:
        """A JSON patch by container *name* (``test`` first), not the runbook's ``containers/0``."""
        deployment = read_deployment(planner.api, op.deployment)
        containers = template_containers(deployment)
        container = find_container(deployment, op.container)
        resources = container.get("resources") or {}
        current = (resources.get("limits") or {}).get("memory")
        request = (resources.get("requests") or {}).get("memory")
        draft = Draft(op, effect_after_s=180.0)
        if restoring:
            body = restore_limit_patch(containers, op.container, restore)
            new = restore
        else:
            try:
                body = limit_patch(op, containers)
            except ValueError as exc:
                raise PlanError(str(exc)) from None
            new = op.limit
        draft.changes.append(Change(f"spec.template.spec.containers[{op.container}].resources.limits.memory",
                                    current, new))
        call = deployment_call(planner, op.deployment, JSON_PATCH, body)
        draft.requests.append(call)
        draft.targets.append(rollout_target(planner, ctx, deployment, op.deployment, f"container {op.container}"))
        if new and request:
            try:
                if parse_bytes(new) < parse_bytes(request):
                    draft.warnings.append(f"the new limit {new} is below the memory request {request}: "
                                          "the API server refuses a limit below the request")
            except QuantityError:
                pass
        deployment_cautions(planner, draft, deployment, op.deployment, deleting=False)
        draft.dry_run = planner.dry_run(draft, call, generation_note)
        draft.before = planner.workload_before(ctx, op.deployment)
        return draft

    def capture_previous(self, planner: Planner, op: DeploymentMemoryLimit,
                         requests: tuple[Request, ...]) -> LimitPrevious:
        container = find_container(read_deployment(planner.api, op.deployment), op.container)
        limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
        return LimitPrevious(op.deployment, op.container, limit)

    def undo_draft(self, planner: Planner, op: DeploymentMemoryLimit, previous: LimitPrevious,
                   ctx: ActionContext) -> Draft:
        limit = previous.limit
        draft = self.limit_draft(planner, op, ctx, restore=limit, restoring=True)
        namespace = planner.namespace
        if limit is None:
            body = draft.requests[0].body  # type: ignore[union-attr]
            draft.equivalent = (f"kubectl patch deployment {op.deployment} -n {namespace} --type json -p "
                                f"{shlex.quote(json.dumps(body, separators=(',', ':')))}")
        else:
            draft.equivalent = (f"kubectl set resources deployment/{op.deployment} -n {namespace} -c {op.container} "
                                f"--limits=memory={shlex.quote(limit)}")
        return draft

    def effect_inputs(self, planner: Planner, plan: Plan, ctx_after: ActionContext) -> EffectInputs:
        """The limit the change sets, to look for on the new pods."""
        limit = next((c.after for c in plan.changes if c.path.endswith("resources.limits.memory")), None)
        try:
            return EffectInputs(limit_expected=parse_bytes(limit) if limit else None)
        except QuantityError:
            return EffectInputs()


# -- reads ------------------------------------------------------------------------------------------------------


class ResourcesHandler(Reading[DeploymentResources]):
    operation = DeploymentResources
    PERMISSIONS = (GET_DEPLOYMENT,)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: DeploymentResources,
             ctx: ActionContext) -> ReadResult:
        deployment = read_deployment(reader.api, op.deployment)
        rows = []
        for c in template_containers(deployment):
            res = c.get("resources") or {}
            req, lim = res.get("requests") or {}, res.get("limits") or {}
            rows.append([c.get("name", "?"), quantity_text(req.get("memory")), quantity_text(lim.get("memory")),
                         req.get("cpu", "—"), lim.get("cpu", "—")])
        text = (f"deployment/{op.deployment} pod template (what new pods get; running pods keep what they started with)\n"
                + text_table(["CONTAINER", "MEM REQUEST", "MEM LIMIT", "CPU REQUEST", "CPU LIMIT"], rows))
        limits = ", ".join(f"{r[0]} {r[2].split(' ')[0]}" for r in rows)
        return ReadResult(True, text, f"limits: {limits}", {"kind": "Deployment", "name": op.deployment})


class RolloutHistoryHandler(Reading[RolloutHistory]):
    operation = RolloutHistory
    PERMISSIONS = (GET_DEPLOYMENT, LIST_REPLICASETS)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: RolloutHistory,
             ctx: ActionContext) -> ReadResult:
        """As ``kubectl rollout history``: the deployment's ReplicaSets by revision, with change-cause."""
        deployment = read_deployment(reader.api, op.deployment)
        meta = deployment.get("metadata") or {}
        labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        try:
            listed = reader.api.get(reader.api.path("replicasets", group="apps"), (("labelSelector", selector),))
        except ApiFailure as exc:
            raise PlanError(f"cannot list the ReplicaSets of deployment/{op.deployment}: {exc}") from None
        rows = []
        for rs in listed.get("items") or []:
            rs_meta = rs.get("metadata") or {}
            owners = rs_meta.get("ownerReferences") or []
            if not any(o.get("kind") == "Deployment" and (o.get("uid") == meta.get("uid") or o.get("name") == op.deployment)
                       for o in owners):
                continue
            annotations = rs_meta.get("annotations") or {}
            try:
                revision = int(annotations.get("deployment.kubernetes.io/revision", "0"))
            except ValueError:
                revision = 0
            replicas = int((rs.get("spec") or {}).get("replicas", 0) or 0)
            rows.append((revision, rs_meta.get("creationTimestamp", "—"), str(replicas), rs_meta.get("name", "?"),
                         annotations.get("kubernetes.io/change-cause", "<none>")))
        rows.sort()
        table = text_table(["REVISION", "CREATED", "PODS", "REPLICASET", "CHANGE-CAUSE"],
                           [[str(r[0]), *r[1:]] for r in rows])
        text = f"deployment.apps/{op.deployment}\n{table}"
        latest = rows[-1] if rows else None
        summary = f"{len(rows)} revisions" + (f"; current {latest[0]} created {latest[1]}" if latest else "")
        return ReadResult(True, text, summary, {"kind": "Deployment", "name": op.deployment})


HANDLERS = (RestartHandler(), SetEnvHandler(), MemoryLimitHandler(), ResourcesHandler(), RolloutHistoryHandler())
