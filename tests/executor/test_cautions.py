"""Warnings the simulator cannot provoke: PodDisruptionBudgets, autoscalers, GitOps, readiness.

The simulator serves no policy/v1 and no autoscaling/v2 (a 404, handled as "none can exist"), so
the budget and autoscaler checks run here against a stand-in that answers like the API server.
"""

from __future__ import annotations

from typing import Any

from memtui.executor import cautions
from memtui.executor.kubeapi import ApiFailure, ns_path


class StubApi:
    """Answers ``get`` from a dict of path → body (or an ``ApiFailure`` to raise)."""

    namespace = "sap-llm"

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def path(self, resource: str, name: str | None = None, sub: str | None = None, *, group: str = "",
             version: str = "v1") -> str:
        return ns_path(self.namespace, resource, name, sub, group=group, version=version)

    def get(self, path: str, query: tuple = ()) -> dict[str, Any]:
        answer = self.answers[path]
        if isinstance(answer, ApiFailure):
            raise answer
        return answer


PDBS = "/apis/policy/v1/namespaces/sap-llm/poddisruptionbudgets"
HPAS = "/apis/autoscaling/v2/namespaces/sap-llm/horizontalpodautoscalers"
LABELS = {"app": "sap-llm", "tier": "model"}


def pdb(name: str, selector: dict, allowed: int) -> dict:
    return {"metadata": {"name": name}, "spec": {"selector": selector},
            "status": {"disruptionsAllowed": allowed, "currentHealthy": 2, "desiredHealthy": 3}}


def test_budgets_whose_selector_covers_the_pods_are_named_with_what_they_allow():
    api = StubApi({PDBS: {"items": [
        pdb("sap-llm-pdb", {"matchLabels": {"app": "sap-llm"}}, 0),
        pdb("by-expression", {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["model", "api"]}]}, 1),
        pdb("other-app", {"matchLabels": {"app": "redis"}}, 1),
        pdb("not-in", {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["model"]}]}, 1),
        pdb("needs-missing-label", {"matchExpressions": [{"key": "canary", "operator": "Exists"}]}, 1),
    ]}})
    lines = cautions.disruption_budgets(api, LABELS, deleting=True)  # type: ignore[arg-type]
    assert len(lines) == 2
    assert lines[0].startswith("PodDisruptionBudget sap-llm-pdb covers these pods: 0 disruptions allowed "
                               "(2 healthy, 3 required)")
    assert "a pod delete does not ask it" in lines[0] and "goes below what it requires" in lines[0]
    assert lines[1].startswith("PodDisruptionBudget by-expression covers these pods: 1 disruption allowed")
    rollout = cautions.disruption_budgets(api, LABELS, deleting=False)  # type: ignore[arg-type]
    assert all("maxUnavailable" in line for line in rollout)


def test_no_policy_api_means_no_budget_and_a_forbidden_list_says_so():
    assert cautions.disruption_budgets(StubApi({PDBS: ApiFailure("404 Not Found", 404)}), LABELS,  # type: ignore[arg-type]
                                       deleting=True) == []
    (line,) = cautions.disruption_budgets(StubApi({PDBS: ApiFailure("403 Forbidden: no", 403)}), LABELS,  # type: ignore[arg-type]
                                          deleting=True)
    assert line == "PodDisruptionBudgets could not be checked: 403 Forbidden: no"


def test_an_autoscaler_on_the_deployment_will_override_a_manual_scale():
    api = StubApi({HPAS: {"items": [
        {"metadata": {"name": "api-hpa"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "sap-llm-api"},
                                                   "minReplicas": 3, "maxReplicas": 10}},
        {"metadata": {"name": "other"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "sap-llm"}}},
    ]}})
    (line,) = cautions.autoscalers(api, "sap-llm-api")  # type: ignore[arg-type]
    assert "api-hpa" in line and "between 3 and 10" in line and "override" in line


def test_gitops_and_helm_ownership():
    def obj(labels=None, annotations=None):
        return {"metadata": {"labels": labels or {}, "annotations": annotations or {}}}

    argo = cautions.gitops(obj(annotations={"argocd.argoproj.io/tracking-id": "prod-llm:apps/Deployment:sap-llm/x"}),
                           "deployment/sap-llm")
    assert "Argo CD (application prod-llm)" in argo and "reverted by the next sync" in argo
    helm_flux = cautions.gitops(obj(labels={"helm.toolkit.fluxcd.io/name": "sap-llm"}), "deployment/sap-llm")
    assert "Flux (HelmRelease sap-llm)" in helm_flux
    assert "next helm upgrade" in cautions.gitops(obj(labels={"app.kubernetes.io/managed-by": "Helm"}), "x")
    assert cautions.gitops(obj(labels={"app.kubernetes.io/instance": "sap-llm"}), "x") is None


def test_readiness_below_desired_is_a_warning():
    deployment = {"metadata": {"name": "sap-llm"}, "spec": {"replicas": 3}, "status": {"readyReplicas": 1}}
    assert cautions.readiness(deployment) == ("deployment/sap-llm: only 1 of 3 replicas ready; replacing pods now "
                                              "lowers serving capacity further")
    assert cautions.ready_text(deployment) == "1/3 replicas ready"
    deployment["status"]["readyReplicas"] = 3
    assert cautions.readiness(deployment) is None
