"""Warnings before a change, against the simulator: PodDisruptionBudgets, autoscalers, GitOps, readiness.

The simulator serves policy/v1 budgets (with a disruption controller's status), autoscaling/v2
autoscalers (with a controller that acts) and GitOps owner marks (``SimConfig.pdb/hpa/gitops``),
so each warning is checked against what the API server holds, and where it predicts something
(an eviction refused, a manual scale undone) the test makes it happen.
"""

from __future__ import annotations

import pytest

from memtui.executor import cautions
from memtui.executor.kubeapi import ApiFailure, MERGE_PATCH, write_call

DEPLOY = "/apis/apps/v1/namespaces/sap-llm/deployments/sap-llm"
PDBS = "/apis/policy/v1/namespaces/sap-llm/poddisruptionbudgets"


def budget_lines(plan) -> list[str]:
    return [w for w in plan.warnings if w.startswith("PodDisruptionBudget")]


def budget(rig, name: str = "sap-llm") -> dict:
    return rig.reader.get(f"{PDBS}/{name}")["status"]


def create_budget(rig, name: str, spec: dict) -> None:
    rig.reader.send(write_call("POST", PDBS, content_type="application/json", body={
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec}))


def evict(rig, pod: str) -> dict:
    return rig.reader.send(write_call("POST", f"/api/v1/namespaces/sap-llm/pods/{pod}/eviction",
                                      content_type="application/json",
                                      body={"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod}}))


def test_a_delete_names_the_budget_with_what_it_allows_and_a_rollout_says_it_is_not_asked(rig, catalogue):
    status = budget(rig)
    assert (status["disruptionsAllowed"], status["currentHealthy"], status["desiredHealthy"]) == (1, 3, 2)
    plan = rig.executor.plan(catalogue.get("fix.delete-worst-pod"), {}, rig.ctx())
    assert budget_lines(plan) == ["PodDisruptionBudget sap-llm covers these pods: 1 disruption allowed (3 healthy, "
                                  "2 required); a pod delete does not ask it (only evictions do)"]
    plan = rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx())
    assert budget_lines(plan) == ["PodDisruptionBudget sap-llm covers these pods: 1 disruption allowed (3 healthy, "
                                  "2 required); a rollout honours the deployment's maxUnavailable, not the budget"]


def test_a_delete_that_goes_below_the_budget_says_so_and_an_eviction_would_be_refused(sim_factory, make_rig,
                                                                                        catalogue):
    rig = make_rig(sim_factory(replicas=2, seed=7))
    plan = rig.executor.plan(catalogue.get("fix.delete-worst-pod"), {}, rig.ctx())
    assert budget_lines(plan) == ["PodDisruptionBudget sap-llm covers these pods: 0 disruptions allowed (2 healthy, "
                                  "2 required); a pod delete does not ask it (only evictions do) and this delete "
                                  "goes below what it requires"]
    # what the warning says an eviction would meet: the API server refuses it
    with pytest.raises(ApiFailure) as refused:
        evict(rig, plan.confirm_name)
    assert refused.value.status == 429
    assert str(refused.value) == ("429 Too Many Requests: Cannot evict pod as it would violate the pod's disruption "
                                  "budget.")
    # and the plain delete memtui sends is not asked: it goes through, below the budget
    assert rig.executor.execute(plan, confirmation=plan.confirm_name).ok
    status = budget(rig)
    assert status["currentHealthy"] == 1 and status["disruptionsAllowed"] == 0


def test_only_budgets_whose_selector_covers_the_pods_are_named(rig, catalogue):
    # the sap-llm pods carry app=sap-llm, app.kubernetes.io/name=sap-llm, app.kubernetes.io/component=inference
    create_budget(rig, "by-expression", {"maxUnavailable": 1, "selector": {"matchExpressions": [
        {"key": "app.kubernetes.io/component", "operator": "In", "values": ["inference", "api"]}]}})
    create_budget(rig, "other-app", {"minAvailable": 1, "selector": {"matchLabels": {"app": "redis"}}})
    create_budget(rig, "not-in", {"minAvailable": 1, "selector": {"matchExpressions": [
        {"key": "app.kubernetes.io/component", "operator": "NotIn", "values": ["inference"]}]}})
    create_budget(rig, "needs-missing-label", {"minAvailable": 1, "selector": {"matchExpressions": [
        {"key": "canary", "operator": "Exists"}]}})
    create_budget(rig, "no-selector", {"minAvailable": 1})  # policy/v1: a nil selector selects nothing
    plan = rig.executor.plan(catalogue.get("fix.delete-worst-pod"), {}, rig.ctx())
    lines = budget_lines(plan)
    assert [line.split()[1] for line in lines] == ["by-expression", "sap-llm"]
    s = budget(rig, "by-expression")
    assert (s["expectedPods"], s["desiredHealthy"]) == (3, 2)  # maxUnavailable counts the deployment's replicas
    assert lines[0].startswith(f"PodDisruptionBudget by-expression covers these pods: {s['disruptionsAllowed']} "
                               f"disruption allowed ({s['currentHealthy']} healthy, 2 required)")


def test_no_budget_no_warning(sim_factory, make_rig, catalogue):
    rig = make_rig(sim_factory(pdb=False, seed=7))
    assert rig.reader.get(PDBS)["items"] == []
    for action in ("fix.delete-worst-pod", "fix.rollout-restart"):
        assert budget_lines(rig.executor.plan(catalogue.get(action), {}, rig.ctx())) == []


def test_a_budget_list_the_operator_may_not_read_is_said_not_skipped(sim_factory, make_rig, catalogue):
    rig = make_rig(sim_factory(operator_denied=("poddisruptionbudgets.policy",), seed=7))
    plan = rig.executor.plan(catalogue.get("fix.delete-worst-pod"), {}, rig.ctx())
    assert budget_lines(plan) == [
        'PodDisruptionBudgets could not be checked: 403 Forbidden: poddisruptionbudgets.policy is forbidden: User '
        '"oncall-operator" cannot list resource "poddisruptionbudgets" in API group "policy" in the namespace '
        '"sap-llm"']
    assert plan.permission.allowed  # deleting the pod itself is allowed


def test_an_autoscaler_on_the_deployment_is_named_and_does_undo_the_manual_scale(sim_factory, make_rig, catalogue):
    rig = make_rig(sim_factory(hpa=True, seed=7))
    plan = rig.executor.plan(catalogue.get("fix.scale-api"), {}, rig.ctx())
    assert [w for w in plan.warnings if "HorizontalPodAutoscaler" in w] == [
        "HorizontalPodAutoscaler sap-llm-api scales deployment/sap-llm-api between 3 and 8: it will override this "
        "manual scale"]
    assert rig.executor.execute(plan).ok
    assert rig.deployment("sap-llm-api")["spec"]["replicas"] == 2
    rig.sim.advance(16)  # one autoscaler sync later the warning has come true
    assert rig.deployment("sap-llm-api")["spec"]["replicas"] == 3
    # no autoscaler in the default simulator: no such warning
    assert cautions.autoscalers(make_rig(sim_factory(seed=7), name="plain").reader, "sap-llm-api") == []


@pytest.mark.parametrize(("tool", "owner"), [
    ("argocd", "is managed by Argo CD (application sap-llm-prod): a patch will be reverted by the next sync unless "
               "auto-sync is paused; make the lasting change in Git"),
    ("flux", "is managed by Flux (Kustomization sap-llm-prod): a patch will be reverted by the next reconciliation "
             "unless it is suspended; make the lasting change in Git"),
    ("helm", "is managed by Helm: the next helm upgrade puts the chart's values back"),
])
def test_gitops_ownership_of_the_deployment_and_the_configmap(sim_factory, make_rig, catalogue, tool, owner):
    rig = make_rig(sim_factory(gitops=tool, seed=7))
    for action, what in (("fix.raise-memory-limit", "deployment/sap-llm"), ("fix.rollout-restart", "deployment/sap-llm"),
                         ("fix.reduce-batch-size", "configmap/sap-llm-config")):
        plan = rig.executor.plan(catalogue.get(action), {}, rig.ctx())
        assert [w for w in plan.warnings if " is managed by " in w] == [f"{what} {owner}"], action


def test_flux_helm_release_wins_over_plain_helm_and_a_bare_instance_label_is_no_owner(sim_factory, make_rig,
                                                                                       catalogue):
    # Flux's helm-controller leaves both Helm's marks and its own: Flux is who reverts a patch
    rig = make_rig(sim_factory(gitops="helm", seed=7))
    rig.reader.send(write_call("PATCH", DEPLOY, content_type=MERGE_PATCH, body={"metadata": {"labels": {
        "helm.toolkit.fluxcd.io/name": "sap-llm", "helm.toolkit.fluxcd.io/namespace": "flux-system"}}}))
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {}, rig.ctx())
    assert any(w.startswith("deployment/sap-llm is managed by Flux (HelmRelease sap-llm)") for w in plan.warnings)
    # app.kubernetes.io/instance alone is set by many charts and kustomizations: not an owner
    plain = make_rig(sim_factory(seed=7), name="plain")
    plain.reader.send(write_call("PATCH", DEPLOY, content_type=MERGE_PATCH,
                                 body={"metadata": {"labels": {"app.kubernetes.io/instance": "sap-llm"}}}))
    plan = plain.executor.plan(catalogue.get("fix.raise-memory-limit"), {}, plain.ctx())
    assert not any(" is managed by " in w for w in plan.warnings)


def test_readiness_below_desired_is_a_warning_until_the_replacement_is_ready(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx())
    assert not any("replicas ready;" in w for w in plan.warnings)
    victim = next(p.name for p in rig.ctx().pods if p.owner == "sap-llm")
    rig.reader.send(write_call("DELETE", f"/api/v1/namespaces/sap-llm/pods/{victim}", content_type=None, body=None))
    deployment = rig.deployment()
    assert cautions.ready_text(deployment) == "2/3 replicas ready"
    plan = rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx())
    assert "deployment/sap-llm: only 2 of 3 replicas ready; replacing pods now lowers serving capacity further" \
        in plan.warnings
    rig.sim.advance(120)
    plan = rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx())
    assert not any("replicas ready;" in w for w in plan.warnings)
    assert budget(rig)["currentHealthy"] == 3


HPAS = "/apis/autoscaling/v2/namespaces/sap-llm/horizontalpodautoscalers"


@pytest.mark.parametrize(("action", "listing", "line"), [
    ("fix.rollout-restart", PDBS, "PodDisruptionBudget sap-llm"),
    ("fix.delete-worst-pod", PDBS, "PodDisruptionBudget sap-llm"),
    ("fix.scale-api", HPAS, "HorizontalPodAutoscaler sap-llm-api"),
])
def test_the_cautions_listing_and_the_dry_run_go_side_by_side_and_the_warnings_keep_their_order(
        sim_factory, make_rig, catalogue, action, listing, line):
    """The API server holds the listing and the dry run 0.5 s each: they are in flight together,
    whichever is sent first (one after the other, at most one was ever in flight)."""
    import asyncio

    rig = make_rig(sim_factory(hpa=True, seed=7))
    state = {"in_flight": 0, "most": 0, "held": 0}

    async def answer_later() -> None:
        await asyncio.sleep(0.5)
        state["in_flight"] -= 1

    def arrived(method: str, path: str, query: dict):
        # on the API server's own event loop: one request at a time, no lock needed
        if (method == "GET" and path == listing) or query.get("dryRun") == "All":
            state["in_flight"] += 1
            state["held"] += 1
            state["most"] = max(state["most"], state["in_flight"])
            return answer_later()
        return None

    unheld = rig.executor.plan(catalogue.get(action), {}, rig.ctx()).warnings
    remove = rig.sim.on_request(arrived)
    try:
        plan = rig.executor.plan(catalogue.get(action), {}, rig.ctx())
    finally:
        remove()
    assert state["held"] == 2 and state["most"] == 2
    assert plan.dry_run is not None and plan.dry_run.ok
    assert plan.warnings == unheld and any(w.startswith(line) for w in plan.warnings)
    if action == "fix.rollout-restart":  # the budget's line before the handler's own last warning
        assert plan.warnings.index(next(w for w in plan.warnings if w.startswith(line))) < len(plan.warnings) - 1
