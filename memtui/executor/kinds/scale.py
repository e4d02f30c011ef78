"""The scale kind: ``deployment-scale``, a Deployment's replicas through its ``scale``
subresource with a merge patch, as ``kubectl scale`` does; undo restores the count.

Planned, checked and undone here, and nowhere else.  It needs ``patch deployments/scale``, not
``patch deployments``; it starts no rollout (the pods that stay are the same pods), so its effect
is measured on the workload's pods; the plan says when the count is no reduction and whether an
autoscaler will undo it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from memtui.executor import cautions
from memtui.executor.access import Access
from memtui.executor.kinds.base import Drafting, Previous, Restoring, response_facts
from memtui.executor.kubeapi import MERGE_PATCH, ApiFailure, write_call
from memtui.executor.model import (
    ActionContext,
    Change,
    HttpCall,
    PlanError,
    Request,
    Target,
)
from memtui.executor.planning import Draft, Planner, read_deployment, uid_of
from memtui.runbook import Action
from memtui.runbook.operations import DeploymentScale

PATCH_SCALE = Access("patch", "apps", "deployments", "scale")


@dataclass(frozen=True)
class ScalePrevious(Previous):
    TAG: ClassVar[str] = "scale"
    deployment: str
    replicas: int

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.TAG, "deployment": self.deployment, "replicas": self.replicas}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScalePrevious:
        return cls(str(data.get("deployment", "")), int(data["replicas"]))

    def describe(self) -> str:
        return f"replicas={self.replicas}"

    def as_values(self) -> Mapping[str, Any]:
        return {"deployment": self.deployment, "replicas": self.replicas}


def read_replicas(planner: Planner, name: str) -> int:
    try:
        scale = planner.api.get(planner.api.path("deployments", name, "scale", group="apps"))
    except ApiFailure as exc:
        if exc.status == 404:
            raise PlanError(f"no deployment/{name} in namespace {planner.namespace}") from None
        raise PlanError(f"cannot read the scale of deployment/{name}: {exc}") from None
    return int((scale.get("spec") or {}).get("replicas", 0) or 0)


class ScaleHandler(Drafting[DeploymentScale], Restoring[DeploymentScale, ScalePrevious]):
    operation = DeploymentScale
    PERMISSIONS = (PATCH_SCALE,)
    previous_type = ScalePrevious

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: DeploymentScale,
              ctx: ActionContext) -> Draft:
        return self.scale_draft(planner, op, ctx)

    def scale_draft(self, planner: Planner, op: DeploymentScale, ctx: ActionContext, replicas: int | None = None) -> Draft:
        """Through the ``scale`` subresource with a merge patch, as ``kubectl scale``."""
        wanted = int(op.replicas if replicas is None else replicas)
        current = read_replicas(planner, op.deployment)
        deployment = read_deployment(planner.api, op.deployment)
        body = {"spec": {"replicas": wanted}}
        call = write_call("PATCH", planner.api.path("deployments", op.deployment, "scale", group="apps"),
                          content_type=MERGE_PATCH, body=body)
        draft = Draft(op, effect_after_s=120.0)
        draft.changes.append(Change(f"deployment/{op.deployment} spec.replicas", str(current), str(wanted)))
        draft.requests.append(call)
        draft.targets.append(Target("Deployment", op.deployment, planner.namespace,
                                    f"named by the runbook entry; {current} → {wanted} replicas "
                                    f"({cautions.ready_text(deployment)})", uid_of(deployment)))
        if replicas is None and wanted >= current:
            draft.warnings.append(f"deployment/{op.deployment} has {current} replicas now: {wanted} is no reduction")
        for line in (cautions.readiness(deployment), cautions.gitops(deployment, f"deployment/{op.deployment}")):
            if line:
                draft.warnings.append(line)
        # the autoscalers are listed beside the dry run
        draft.warn_meanwhile(planner.meanwhile(lambda: cautions.autoscalers(planner.api, op.deployment)))
        draft.dry_run = planner.dry_run(draft, call)
        draft.before = planner.workload_before(ctx)
        return draft

    def capture_previous(self, planner: Planner, op: DeploymentScale, requests: tuple[Request, ...]) -> ScalePrevious:
        return ScalePrevious(op.deployment, read_replicas(planner, op.deployment))

    def undo_draft(self, planner: Planner, op: DeploymentScale, previous: ScalePrevious, ctx: ActionContext) -> Draft:
        draft = self.scale_draft(planner, op, ctx, replicas=previous.replicas)
        draft.equivalent = f"kubectl scale deployment {op.deployment} -n {planner.namespace} --replicas={previous.replicas}"
        return draft

    def summarise(self, call: HttpCall, answer: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        facts = response_facts(call, answer)
        if facts["kind"] != "Scale":
            return super().summarise(call, answer)
        replicas = (answer.get("spec") or {}).get("replicas")
        facts["replicas"] = replicas
        return f"deployment/{facts['name']} scaled to {replicas} replicas", facts


HANDLERS = (ScaleHandler(),)
