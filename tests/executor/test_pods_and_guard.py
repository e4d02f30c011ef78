"""Which pod, and only in this namespace: delete the worst pod, the selected pod, the guard."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from kubernetes import client

from memtui.executor import PlanError
from memtui.executor.guard import GuardError, check_path
from memtui.clients.kube.parse import parse_pod_list


def ml_batch_pods(rig):
    """Pods of another team's namespace, read with a plain client (the executor cannot)."""
    raw = client.CoreV1Api(rig.connection.api_client).list_namespaced_pod("ml-batch", _preload_content=False)
    return parse_pod_list(json.loads(raw.data))


def worst_by_truth(rig) -> str:
    truth = rig.sim.truth()
    return max(truth, key=lambda name: (truth[name].working_set_bytes / truth[name].limit_bytes, truth[name].restarts))


def test_delete_worst_pod_picks_the_highest_memory_pod_and_says_why(rig, catalogue):
    action = catalogue.get("fix.delete-worst-pod")
    ctx = rig.ctx()
    plan = rig.executor.plan(action, {}, ctx)
    (target,) = plan.targets
    worst = worst_by_truth(rig)
    assert target.kind == "Pod" and target.name == worst == plan.confirm_name
    assert "highest working set against its limit" in target.why and "GiB" in target.why and "restart" in target.why
    assert "replicas ready" in target.why
    assert plan.equivalent == f"kubectl delete pod -n sap-llm {worst}"
    assert plan.dry_run.ok


def test_delete_needs_the_typed_name_then_sends_a_delete_with_the_uid_precondition(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.delete-worst-pod"), {}, rig.ctx(reason="INC-9"))
    pod = plan.confirm_name
    start = rig.mark()
    for typed in (None, "", "sap-llm", pod + "x"):
        refused = rig.executor.execute(plan, confirmation=typed)
        assert not refused.ok and refused.refused, typed
        assert rig.writes(start) == []
    kinds = [(e.kind, e.outcome) for e in rig.entries()]
    assert kinds == [("intent", None), ("result", "refused")] * 4

    uid = rig.reader.get(rig.reader.path("pods", pod))["metadata"]["uid"]
    outcome = rig.executor.execute(plan, confirmation=pod)
    assert outcome.ok, outcome
    (sent,) = rig.writes(start)
    assert (sent.method, sent.path) == ("DELETE", f"/api/v1/namespaces/sap-llm/pods/{pod}")
    assert sent.body == {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": uid}}
    assert sent.query == {"fieldManager": "memtui"} and sent.token_name == "operator"
    rig.sim.advance(60)
    names = {p.name for p in rig.ctx().pods if p.owner == "sap-llm"}
    assert pod not in names and len(names) == 3


def test_delete_worst_pod_ignores_the_cursor_and_offers_the_selected_pod_explicitly(rig, catalogue):
    ctx = rig.ctx()
    action = catalogue.get("fix.delete-worst-pod")
    worst = worst_by_truth(rig)
    healthy = min((p for p in ctx.pods if p.owner == "sap-llm"), key=lambda p: ctx.usage[p.name])
    plan = rig.executor.plan(action, {}, replace(ctx, selected_pod=healthy.name))
    assert plan.targets[0].name == worst == plan.confirm_name  # the title says worst: the worst it is
    assert plan.alternative_pod == healthy.name  # the modal offers the selected pod, explicitly
    pinned = rig.executor.plan(action, {}, replace(ctx, selected_pod=healthy.name, pinned_pod=healthy.name))
    assert pinned.targets[0].name == healthy.name == pinned.confirm_name
    assert pinned.targets[0].why.startswith(f"chosen in the modal instead of the worst pod {worst}")
    assert pinned.alternative_pod is None
    # a selected pod of another deployment is no reason to delete it, nor an error: the worst sap-llm pod
    redis = next(p.name for p in ctx.pods if p.owner == "redis")
    plan = rig.executor.plan(action, {}, replace(ctx, selected_pod=redis))
    assert plan.targets[0].name == worst and plan.alternative_pod is None
    # but a pinned pod is checked like any selected pod
    with pytest.raises(PlanError, match="belongs to deployment/redis"):
        rig.executor.plan(action, {}, replace(ctx, pinned_pod=redis))


@pytest.mark.parametrize("action_id", ["fix.delete-worst-pod", "fix.clear-app-cache", "fix.force-gc"])
def test_a_pod_of_another_namespace_is_refused_at_plan_time(rig, catalogue, action_id):
    foreign = ml_batch_pods(rig)
    # ml-batch runs a container also named sap-llm: only the namespace tells them apart
    assert any(c.name == "sap-llm" for p in foreign for c in p.containers)
    pod = foreign[0]
    ctx = rig.ctx()
    start = rig.mark()
    with pytest.raises(PlanError, match="namespace ml-batch; memtui acts only in sap-llm"):
        rig.executor.plan(catalogue.get(action_id), {}, replace(ctx, selected_pod=pod.name, pods=ctx.pods + (pod,)))
    # a name the snapshot does not know is looked up in sap-llm only, where it does not exist
    with pytest.raises(PlanError, match=f"no pod {pod.name} in namespace sap-llm"):
        rig.executor.plan(catalogue.get(action_id), {}, replace(ctx, selected_pod=pod.name))
    assert rig.writes(start, dry_run=None) == []
    assert not any("ml-batch" in e.path for e in rig.sim.journal())


def test_a_read_is_refused_for_a_pod_of_another_namespace_too(rig, catalogue):
    pod = ml_batch_pods(rig)[0]
    ctx = rig.ctx()
    seen = len(rig.sim.requests())
    with pytest.raises(PlanError, match="namespace ml-batch"):
        rig.executor.run_read(catalogue.get("diagnose.process-list"), {},
                              replace(ctx, selected_pod=pod.name, pods=ctx.pods + (pod,)))
    assert rig.entries() == []
    assert not any("ml-batch" in r.path for r in rig.sim.requests()[seen:])


@pytest.mark.parametrize("name", ["../ml-batch/pods/x", "Sap-LLM", "a/b", "x" * 254, "pod name"])
def test_names_that_are_not_dns_1123_are_refused(rig, catalogue, name):
    with pytest.raises(PlanError, match="not a valid Kubernetes name"):
        rig.executor.plan(catalogue.get("fix.clear-app-cache"), {}, rig.ctx(name))


@pytest.mark.parametrize("method,path", [
    ("PATCH", "/api/v1/namespaces/ml-batch/configmaps/eval-config"),
    ("GET", "/apis/apps/v1/namespaces/ml-batch/deployments/sap-llm-eval"),
    ("DELETE", "/api/v1/namespaces/sap-llm/pods/../../ml-batch/pods/x"),
    ("PATCH", "/api/v1/nodes/node-1"),
    ("POST", "/api/v1/namespaces"),
    ("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"),
])
def test_the_guard_refuses_every_path_outside_the_namespace(method, path):
    with pytest.raises(GuardError):
        check_path(method, path, "sap-llm")


def test_the_guard_lets_the_namespace_and_access_reviews_through():
    check_path("PATCH", "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config", "sap-llm")
    check_path("PATCH", "/apis/apps/v1/namespaces/sap-llm/deployments/sap-llm/scale", "sap-llm")
    check_path("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "sap-llm")
