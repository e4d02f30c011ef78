"""The simulator's Nodes, ResourceQuota and LimitRange through the official client (list, get, watch, 403)."""

from __future__ import annotations

import pytest
from kubernetes import watch
from kubernetes.client.exceptions import ApiException

from memtui.sim import SimConfig
from memtui.sim.config import SimConfigError

from tests.sim.helpers import NS, core, sap_llm_pods


def test_nodes_listed_with_allocatable_and_conditions(sim):
    nodes = {n.metadata.name: n for n in core(sim).list_node().items}
    assert {"gpu-node-01", "gpu-node-02", "cpu-node-01", "cpu-node-04"} <= set(nodes)
    for pod in core(sim).list_pod_for_all_namespaces().items:
        assert pod.spec.node_name in nodes  # every pod's node is served
    gpu = nodes["gpu-node-01"]
    assert gpu.status.capacity["memory"] == "2Ti" and gpu.status.allocatable["nvidia.com/gpu"] == "8"
    assert gpu.status.allocatable["memory"] == "2090908Mi"  # 2Ti less 6Gi + 100Mi reserved
    assert {c.type: c.status for c in gpu.status.conditions} == {
        "MemoryPressure": "False", "DiskPressure": "False", "PIDPressure": "False", "Ready": "True"}
    assert core(sim).read_node("cpu-node-02").status.allocatable["cpu"] == "62"
    with pytest.raises(ApiException) as err:
        core(sim).read_node("gpu-node-99")
    assert err.value.status == 404


def test_node_condition_change_is_watched(sim):
    api = core(sim)
    rv = api.list_node().metadata.resource_version
    sim.set_node_condition("gpu-node-01", "MemoryPressure", "True", "KubeletHasInsufficientMemory",
                           "kubelet has insufficient memory available")
    events = list(watch.Watch().stream(api.list_node, resource_version=rv, timeout_seconds=1))
    changed = [e["object"] for e in events if e["type"] == "MODIFIED"]
    assert [n.metadata.name for n in changed] == ["gpu-node-01"]
    cond = {c.type: c for c in changed[0].status.conditions}["MemoryPressure"]
    assert (cond.status, cond.reason) == ("True", "KubeletHasInsufficientMemory")


def test_quota_used_follows_pods(sim):
    quota = core(sim).read_namespaced_resource_quota("sap-llm-quota", NS)
    assert quota.status.hard["limits.memory"] == "160Gi"
    assert quota.status.used["limits.memory"] == "60Gi"  # 3 x 12Gi sap-llm, 4 x 2Gi api, 16Gi redis
    assert quota.status.used["requests.memory"] == "32Gi"
    victim = sap_llm_pods(sim)[0].metadata.name
    core(sim).delete_namespaced_pod(victim, NS)
    sim.advance(60)  # the replacement is created; the deleted one is gone after its grace period
    assert core(sim).read_namespaced_resource_quota("sap-llm-quota", NS).status.used["pods"] == "8"
    lr = core(sim).read_namespaced_limit_range("sap-llm-limits", NS)
    assert lr.spec.limits[0].type == "Container" and lr.spec.limits[0].max == {"memory": "32Gi"}


def test_knobs_turn_objects_off_and_size_nodes(sim_factory):
    h = sim_factory(quota_limits_memory=None, quota_requests_memory=None, container_max_memory=None,
                    gpu_node_memory="64Gi")
    assert core(h).list_namespaced_resource_quota(NS).items == []
    assert core(h).list_namespaced_limit_range(NS).items == []
    assert core(h).read_node("gpu-node-01").status.allocatable["memory"] == "59292Mi"
    with pytest.raises(SimConfigError, match="gpu_node_memory"):
        SimConfig(gpu_node_memory="lots")


def test_nodes_forbidden_is_403(sim_factory):
    h = sim_factory(operator_denied=("nodes",))
    with pytest.raises(ApiException) as err:
        core(h).list_node()
    assert err.value.status == 403
