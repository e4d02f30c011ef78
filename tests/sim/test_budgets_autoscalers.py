"""PodDisruptionBudgets, evictions, HorizontalPodAutoscalers, GitOps ownership and RBAC gaps
(official client only; the kubectl view of the same is in test_kubectl_policy.py)."""

from __future__ import annotations

import json

import pytest
from kubernetes import client

from memtui.sim import SimConfig

from .helpers import NS, api, apps, core, sap_llm_pods

EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."


def policy(handle, context: str = "memtui-sim") -> client.PolicyV1Api:
    return client.PolicyV1Api(api(handle, context))


def autoscaling(handle) -> client.AutoscalingV2Api:
    return client.AutoscalingV2Api(api(handle))


def ready(pod) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def evict(handle, pod: str, *, dry_run: bool = False) -> tuple[int, dict]:
    body = client.V1Eviction(metadata=client.V1ObjectMeta(name=pod, namespace=NS))
    try:
        resp = core(handle).create_namespaced_pod_eviction(pod, NS, body, _preload_content=False,
                                                           **({"dry_run": "All"} if dry_run else {}))
        return resp.status, json.loads(resp.data)
    except client.ApiException as exc:
        return exc.status, json.loads(exc.body)


def budget_status(handle, name: str = "sap-llm"):
    return policy(handle).read_namespaced_pod_disruption_budget(name, NS).status


def test_the_default_budget_counts_the_ready_sap_llm_pods(sim):
    (pdb,) = policy(sim).list_namespaced_pod_disruption_budget(NS).items
    assert pdb.metadata.name == "sap-llm" and pdb.spec.min_available == 2
    assert pdb.spec.selector.match_labels == {"app": "sap-llm"}
    healthy = sum(1 for p in sap_llm_pods(sim) if ready(p))
    s = pdb.status
    assert (s.current_healthy, s.desired_healthy, s.expected_pods) == (healthy, 2, 3)
    assert s.disruptions_allowed == max(0, healthy - 2)
    (cond,) = s.conditions
    assert cond.type == "DisruptionAllowed"
    assert (cond.status, cond.reason) == (("True", "SufficientPods") if healthy > 2 else ("False", "InsufficientPods"))
    assert s.observed_generation == pdb.metadata.generation == 1


def test_budget_status_follows_the_pods_as_the_disruption_controller_does(sim):
    before = budget_status(sim)
    assert before.current_healthy == 3 and before.disruptions_allowed == 1
    victim = sap_llm_pods(sim)[0].metadata.name
    core(sim).delete_namespaced_pod(victim, NS)  # a plain delete: the budget is not asked
    mid = budget_status(sim)
    # the replacement is not ready yet: three pods expected, two healthy, nothing more may go
    assert (mid.current_healthy, mid.expected_pods, mid.disruptions_allowed) == (2, 3, 0)
    assert mid.conditions[0].reason == "InsufficientPods"
    sim.advance(120)
    after = budget_status(sim)
    assert (after.current_healthy, after.disruptions_allowed) == (3, 1)
    assert after.conditions[0].last_transition_time > mid.conditions[0].last_transition_time


def test_eviction_honours_the_budget_like_kubectl_drain(sim):
    first, second, third = (p.metadata.name for p in sap_llm_pods(sim))
    code, body = evict(sim, first, dry_run=True)
    assert code == 201 and first in {p.metadata.name for p in sap_llm_pods(sim)}  # a dry run evicts nothing
    body = {"metadata": {"name": first}, "deleteOptions": {"dryRun": ["All"]}}  # client-go's way: in the body
    assert core(sim).create_namespaced_pod_eviction(first, NS, body, _preload_content=False).status == 201
    assert first in {p.metadata.name for p in sap_llm_pods(sim)}
    assert [e.dry_run for e in sim.journal() if e.path.endswith("/eviction")] == [True, True]
    code, body = evict(sim, first)
    assert code == 201 and body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                    "code": 201}
    assert first not in {p.metadata.name for p in sap_llm_pods(sim)}
    code, body = evict(sim, second)
    assert code == 429
    assert body["reason"] == "TooManyRequests" and body["message"] == EVICTION_REFUSED
    assert body["details"]["causes"] == [{"reason": "DisruptionBudget",
                                          "message": "The disruption budget sap-llm needs 2 healthy pods and has 2 "
                                                     "currently"}]
    assert second in {p.metadata.name for p in sap_llm_pods(sim)}
    # the replacement is unready: evicting it takes nothing healthy away (IfHealthyBudget)
    fresh = next(p.metadata.name for p in sap_llm_pods(sim) if not ready(p))
    assert evict(sim, fresh)[0] == 201
    sim.advance(120)
    assert evict(sim, third)[0] == 201
    journal = [(e.method, e.path.rsplit("/", 2)[-2], e.status) for e in sim.journal() if e.path.endswith("/eviction")]
    assert [j[2] for j in journal] == [201, 201, 201, 429, 201, 201]


def test_pods_no_budget_covers_are_evicted_and_two_budgets_are_refused(sim):
    redis = core(sim).list_namespaced_pod(NS, label_selector="app=redis").items[0].metadata.name
    assert evict(sim, redis)[0] == 201
    policy(sim).create_namespaced_pod_disruption_budget(NS, {
        "metadata": {"name": "second"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "sap-llm"}}}})
    code, body = evict(sim, sap_llm_pods(sim)[0].metadata.name)
    assert code == 500 and body["message"] == ("Internal error occurred: This pod has more than one "
                                               "PodDisruptionBudget, which the eviction subresource does not support.")
    code, body = evict(sim, "no-such-pod")
    assert code == 404 and body["message"] == 'pods "no-such-pod" not found'


def test_budgets_created_through_the_api_get_status_for_any_selector(sim):
    pol = policy(sim)
    created = pol.create_namespaced_pod_disruption_budget(NS, {
        "metadata": {"name": "by-expression"},
        "spec": {"minAvailable": "50%", "selector": {"matchExpressions": [
            {"key": "app", "operator": "In", "values": ["sap-llm", "sap-llm-api"]},
            {"key": "canary", "operator": "DoesNotExist"}]}}})
    # the create answers before the disruption controller looked, as the API server does
    assert created.status.expected_pods == 0 and created.status.disruptions_allowed == 0
    s = pol.read_namespaced_pod_disruption_budget("by-expression", NS).status
    # percentages count the controllers' replicas: 3 sap-llm + 4 sap-llm-api, 50% rounds up to 4
    assert (s.expected_pods, s.desired_healthy) == (7, 4)
    assert s.disruptions_allowed == s.current_healthy - 4
    with pytest.raises(client.ApiException) as caught:
        pol.create_namespaced_pod_disruption_budget(NS, {"metadata": {"name": "both"}, "spec": {
            "minAvailable": 1, "maxUnavailable": 1, "selector": {}}})
    assert caught.value.status == 422 and "minAvailable and maxUnavailable cannot be both set" in caught.value.body
    with pytest.raises(client.ApiException) as caught:
        pol.create_namespaced_pod_disruption_budget(NS, {"metadata": {"name": "by-expression"}, "spec": {}})
    assert caught.value.status == 409
    pol.delete_namespaced_pod_disruption_budget("by-expression", NS)
    assert [p.metadata.name for p in pol.list_namespaced_pod_disruption_budget(NS).items] == ["sap-llm"]


def test_pdb_false_serves_the_api_with_no_budget_and_evictions_always_pass(sim_factory):
    h = sim_factory(pdb=False, seed=7)
    assert policy(h).list_namespaced_pod_disruption_budget(NS).items == []
    assert all(evict(h, p.metadata.name)[0] == 201 for p in sap_llm_pods(h))


def test_budgets_and_autoscalers_move_no_pod_name_of_a_seed(sim_factory):
    plain = sim_factory(pdb=False, hpa=False, seed=11)
    full = sim_factory(pdb=True, hpa=True, gitops="helm", seed=11)
    assert [p.metadata.name for p in core(plain).list_pod_for_all_namespaces().items] == \
           [p.metadata.name for p in core(full).list_pod_for_all_namespaces().items]


def test_no_autoscaler_by_default(sim):
    assert autoscaling(sim).list_namespaced_horizontal_pod_autoscaler(NS).items == []


def test_the_autoscaler_reports_cpu_and_undoes_a_manual_scale(sim_factory):
    h = sim_factory(hpa=True, seed=7)
    a2 = autoscaling(h)
    (hpa,) = a2.list_namespaced_horizontal_pod_autoscaler(NS).items
    assert hpa.spec.scale_target_ref.name == "sap-llm-api" and (hpa.spec.min_replicas, hpa.spec.max_replicas) == (3, 8)
    assert hpa.status.current_replicas == hpa.status.desired_replicas == 4
    util = hpa.status.current_metrics[0].resource.current.average_utilization
    metrics = client.CustomObjectsApi(api(h)).list_namespaced_custom_object("metrics.k8s.io", "v1beta1", NS, "pods")
    api_cpu = [int(i["containers"][0]["usage"]["cpu"].rstrip("n")) for i in metrics["items"]
               if i["metadata"]["name"].startswith("sap-llm-api-")]
    assert util == sum(api_cpu) // 1_000_000 * 100 // (500 * len(api_cpu))  # usage / request, as metrics.k8s.io says
    assert {c.type: c.reason for c in hpa.status.conditions} == {
        "AbleToScale": "ReadyForNewScale", "ScalingActive": "ValidMetricFound", "ScalingLimited": "DesiredWithinRange"}

    apps(h).patch_namespaced_deployment_scale("sap-llm-api", NS, {"spec": {"replicas": 2}})
    h.advance(16)  # the controller syncs every 15 s
    assert apps(h).read_namespaced_deployment_scale("sap-llm-api", NS).spec.replicas == 3
    events = core(h).list_namespaced_event(NS, field_selector="involvedObject.kind=HorizontalPodAutoscaler").items
    assert [(e.reason, e.message, e.source.component) for e in events] == [
        ("SuccessfulRescale", "New size: 3; reason: Current number of replicas below Spec.MinReplicas",
         "horizontal-pod-autoscaler")]
    hpa = a2.read_namespaced_horizontal_pod_autoscaler("sap-llm-api", NS)
    assert hpa.status.last_scale_time is not None and hpa.status.desired_replicas == 3
    apps(h).patch_namespaced_deployment_scale("sap-llm-api", NS, {"spec": {"replicas": 12}})
    h.advance(16)
    assert apps(h).read_namespaced_deployment_scale("sap-llm-api", NS).spec.replicas == 8
    h.advance(600)  # steady load within tolerance: no flapping
    assert apps(h).read_namespaced_deployment_scale("sap-llm-api", NS).spec.replicas == 8


@pytest.mark.parametrize(("tool", "labels", "annotations"), [
    ("argocd", {}, {"argocd.argoproj.io/tracking-id": "sap-llm-prod:apps/Deployment:sap-llm/sap-llm"}),
    ("flux", {"kustomize.toolkit.fluxcd.io/name": "sap-llm-prod",
              "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}, {}),
    ("helm", {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "sap-llm",
              "helm.sh/chart": "sap-llm-2.14.1"},
     {"meta.helm.sh/release-name": "sap-llm", "meta.helm.sh/release-namespace": "sap-llm"}),
])
def test_gitops_owner_marks_the_deployment_and_the_configmap(sim_factory, tool, labels, annotations):
    h = sim_factory(gitops=tool)
    dep = apps(h).read_namespaced_deployment("sap-llm", NS).metadata
    cm = core(h).read_namespaced_config_map("sap-llm-config", NS).metadata
    for meta, kind in ((dep, "apps/Deployment:sap-llm/sap-llm"), (cm, "/ConfigMap:sap-llm/sap-llm-config")):
        assert labels.items() <= (meta.labels or {}).items()
        want = {k: (f"sap-llm-prod:{kind}" if k.endswith("tracking-id") else v) for k, v in annotations.items()}
        assert want.items() <= (meta.annotations or {}).items()
    # other objects stay unmanaged, and the pods' labels (the selectors) are untouched
    api_dep = apps(h).read_namespaced_deployment("sap-llm-api", NS).metadata
    assert not set(labels) & set(api_dep.labels or {}) and not set(annotations) & set(api_dep.annotations or {})
    assert set(sap_llm_pods(h)[0].metadata.labels) == {"app", "app.kubernetes.io/name",
                                                       "app.kubernetes.io/component", "pod-template-hash"}


def test_default_metadata_carries_no_gitops_marks(sim):
    meta = apps(sim).read_namespaced_deployment("sap-llm", NS).metadata
    assert meta.labels == {"app": "sap-llm"}
    assert not any("argocd" in k or "fluxcd" in k or "helm" in k for k in meta.annotations)


def test_config_rejects_unknown_gitops_and_bad_denials():
    with pytest.raises(ValueError, match="unknown gitops owner 'spinnaker'"):
        SimConfig(gitops="spinnaker")
    with pytest.raises(ValueError, match="operator_denied"):
        SimConfig(operator_denied="poddisruptionbudgets.policy")  # type: ignore[arg-type]
    assert SimConfig().pdb is True and SimConfig().hpa is False and SimConfig().gitops is None


def test_an_rbac_gap_forbids_budgets_to_the_operator_only(sim_factory):
    h = sim_factory(operator_denied=("poddisruptionbudgets.policy",))
    with pytest.raises(client.ApiException) as caught:
        policy(h).list_namespaced_pod_disruption_budget(NS)
    assert caught.value.status == 403
    assert json.loads(caught.value.body)["message"] == (
        'poddisruptionbudgets.policy is forbidden: User "oncall-operator" cannot list resource '
        '"poddisruptionbudgets" in API group "policy" in the namespace "sap-llm"')
    review = client.AuthorizationV1Api(api(h)).create_self_subject_access_review(
        {"spec": {"resourceAttributes": {"namespace": NS, "verb": "list", "group": "policy",
                                         "resource": "poddisruptionbudgets"}}})
    assert review.status.allowed is False
    assert policy(h, "memtui-sim-readonly").list_namespaced_pod_disruption_budget(NS).items  # others still see it
    assert sap_llm_pods(h)  # and the rest of the operator's rights are intact


def test_runner_flags_reach_the_config():
    from memtui.sim.runner import build_parser

    args = build_parser().parse_args(["--no-pdb", "--hpa", "--gitops", "flux"])
    assert (args.pdb, args.hpa, args.gitops) == (False, True, "flux")
    args = build_parser().parse_args([])
    assert (args.pdb, args.hpa, args.gitops) == (True, False, None)
