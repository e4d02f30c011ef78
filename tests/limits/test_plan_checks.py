"""The raise-limit plan against the simulator: the advised value, the computation, and the checks
(request, LimitRange, ResourceQuota, nodes) that block before anything reaches the API server."""

from __future__ import annotations

import pytest

from memtui.executor.guard import GuardError, check_path

NS = "sap-llm"
GiB = 2**30


def peaks(rig, peak: int, span: float = 1800.0) -> dict[str, tuple[int, float]]:
    return {p.name: (peak, span) for p in rig.ctx().pods if p.owner == "sap-llm"}


def deployment_patches(rig, since: int) -> list:
    """Writes that reached the deployment for real (dry runs are planning, not sending)."""
    return [e for e in rig.writes(since, dry_run=False) if e.path.endswith("/deployments/sap-llm")]


def check(plan, name: str, status: str):
    found = [c for c in plan.checks if c.name == name and c.status == status]
    assert found, f"no {status} {name} check in {plan.checks}"
    return found[0].text


def test_without_prometheus_the_advice_comes_from_memtui_history(rig, catalogue):
    action = catalogue.get("fix.raise-memory-limit")
    ctx = rig.ctx(peaks=peaks(rig, 10 * GiB), growth={p.name: 100 * 2**20 / 60 for p in rig.ctx().pods})
    values = rig.executor.initial_values(action, ctx)
    # 10 GiB + 15 % + 100 MiB/min × 1 h (5.86 GiB) = 17.36 GiB -> 18Gi, not the runbook's 16Gi
    assert values == {"limit": "18Gi"}
    plan = rig.executor.plan(action, values, ctx)
    assert plan.advice[0].startswith("from memtui's own history (no Prometheus)")
    assert "peak 10.0 GiB + headroom 15% (1.5 GiB) + growth +100 MiB/min × 1 h horizon" in plan.advice[1]
    assert plan.advice[1].endswith("18Gi")
    assert any("the new limit only buys time" in line for line in plan.advice)
    assert plan.advice_summary.startswith("advised 18Gi (peak 10.0 GiB + 15% + 1 h of growth, memtui's history 30 min)")
    assert not plan.blockers
    assert check(plan, "ResourceQuota", "ok").startswith("ResourceQuota sap-llm-quota limits.memory: 60Gi used of 160Gi")
    assert "fits on: gpu-node-01" in check(plan, "nodes", "ok")
    assert plan.before["limit_advice"]["proposed"] == "18Gi"


def test_no_history_keeps_the_runbook_value_and_says_so(rig, catalogue):
    action = catalogue.get("fix.raise-memory-limit")
    assert rig.executor.initial_values(action, rig.ctx()) == {"limit": "16Gi"}
    plan = rig.executor.plan(action, {"limit": "16Gi"}, rig.ctx())
    assert plan.advice[0].startswith("no history to compute a limit from (no Prometheus")
    assert plan.advice[1] == "the runbook's 16Gi is proposed unchanged"


def test_the_advice_is_capped_at_the_limitrange_max(rig, catalogue):
    action = catalogue.get("fix.raise-memory-limit")
    values = rig.executor.initial_values(action, rig.ctx(peaks=peaks(rig, 40 * GiB)))
    assert values == {"limit": "32Gi"}


def test_limitrange_max_blocks_and_nothing_is_sent(rig, catalogue):
    start = rig.mark()
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "40Gi"}, rig.ctx())
    text = check(plan, "LimitRange", "fail")
    assert text == ("LimitRange sap-llm-limits: max 32Gi per container; 40Gi would be refused when the new pods "
                    "are created")
    assert plan.dry_run.ok  # the API server admits the Deployment patch: only the pods would be refused
    outcome = rig.executor.execute(plan)
    assert outcome.refused and "a check before sending failed: LimitRange sap-llm-limits" in outcome.error
    assert deployment_patches(rig, start) == []
    assert rig.deployment()["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == "12Gi"
    intent, result = [e for e in rig.entries() if e.action == "fix.raise-memory-limit"]
    assert result.outcome == "refused" and intent.before["checks"][1]["status"] == "fail"


def test_quota_blocks_at_the_rollouts_peak(sim_factory, make_rig, catalogue):
    rig = make_rig(sim_factory(quota_limits_memory="100Gi"))
    start = rig.mark()
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "24Gi"}, rig.ctx())
    # others 24Gi (api 4 × 2Gi, redis 16Gi) + 1 surge pod × 12Gi + 3 × 24Gi = 108Gi > 100Gi
    assert check(plan, "ResourceQuota", "fail") == (
        "ResourceQuota sap-llm-quota limits.memory: 60Gi used of 100Gi; 24Gi other + 1 × 12Gi + 3 × 24Gi = 108Gi "
        "at the rollout's peak: the new pods would be refused (exceeded quota)")
    assert not rig.executor.execute(plan).ok
    assert deployment_patches(rig, start) == []
    fits = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "21Gi"}, rig.ctx())
    assert not fits.blockers  # 24 + 12 + 63 = 99Gi


def test_a_limit_no_node_can_give_blocks_and_says_where_requests_fit(sim_factory, make_rig, catalogue):
    rig = make_rig(sim_factory(gpu_node_memory="32Gi"))  # allocatable 25.9 GiB per GPU node
    start = rig.mark()
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "28Gi"}, rig.ctx())
    assert check(plan, "nodes", "fail").startswith("the limit 28Gi is more than any eligible node has allocatable (25.9 GiB)")
    # gpu-node-01 holds 3 sap-llm + 2 eval pods (40Gi requested of 25.9): only the spare node has room
    assert check(plan, "nodes", "ok") == "request 8Gi fits on: gpu-node-02 (25.9 GiB unrequested)"
    assert not rig.executor.execute(plan).ok
    assert deployment_patches(rig, start) == []


def test_without_a_request_the_request_follows_the_limit_and_must_schedule(sim_factory, make_rig, catalogue):
    handle = sim_factory(gpu_node_memory="48Gi", container_max_memory=None)  # 41.9 GiB allocatable
    rig = make_rig(handle)
    from memtui.executor.kubeapi import JSON_PATCH, write_call
    rig.reader.send(write_call("PATCH", rig.reader.path("deployments", "sap-llm", group="apps"), content_type=JSON_PATCH,
                               body=[{"op": "remove", "path": "/spec/template/spec/containers/0/resources/requests/memory"}]))
    handle.advance(300)  # the rollout: new pods with request = limit = 12Gi
    start = rig.mark()
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "40Gi"}, rig.ctx())
    assert check(plan, "request ≤ limit", "ok") == "no memory request: new pods get request = limit = 40Gi"
    # gpu-node-02 has room for one 40Gi pod; gpu-node-01 is full even once its 3 old pods (36Gi) go
    assert check(plan, "nodes", "fail") == ("request 40Gi: room for 1 of 3 new pods (gpu-node-02: 1) once the old "
                                            "pods are gone: the rest would stay Pending")
    assert "requests.memory: 44Gi used of 96Gi" in check(plan, "ResourceQuota", "fail")
    assert deployment_patches(rig, start) == []


def test_forbidden_nodes_are_said_not_crashed(sim_factory, make_rig, catalogue):
    rig = make_rig(sim_factory(operator_denied=("nodes",)))
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "20Gi"}, rig.ctx())
    assert check(plan, "nodes", "unknown") == "nodes could not be checked: forbidden (RBAC)"
    assert not plan.blockers


def test_the_request_above_the_limit_is_a_failed_check(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "4Gi"}, rig.ctx())
    assert check(plan, "request ≤ limit", "fail").startswith("the memory request 8Gi is above the new limit 4Gi")


@pytest.mark.parametrize("path", ["/api/v1/nodes", "/api/v1/nodes/gpu-node-01", "/api/v1/pods"])
def test_the_guard_lets_the_cluster_reads_through_for_get_only(path):
    check_path("GET", path, NS)
    for method in ("PATCH", "DELETE", "POST", "PUT"):
        with pytest.raises(GuardError):
            check_path(method, path, NS)


@pytest.mark.parametrize("path", ["/api/v1/nodes/../namespaces", "/api/v1/nodes/a/proxy", "/api/v1/secrets",
                                  "/api/v1/nodes/Bad_Name"])
def test_the_guard_refuses_other_cluster_reads(path):
    with pytest.raises(GuardError):
        check_path("GET", path, NS)


def test_a_node_under_memory_pressure_is_a_caution_and_takes_no_new_pods(sim, rig, catalogue):
    node = next(p.node for p in rig.ctx().pods if p.owner == "sap-llm")
    sim.set_node_condition(node, "MemoryPressure", "True", "KubeletHasInsufficientMemory",
                           "kubelet has insufficient memory available")
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "20Gi"}, rig.ctx())
    assert check(plan, "nodes", "caution").startswith(f"{node} reports MemoryPressure: the kubelet is evicting")
    fits = check(plan, "nodes", "ok")
    assert node not in fits and "gpu-node-02" in fits  # the scheduler keeps new pods off a node under pressure
