"""Each kill kind the simulator's knobs produce (memtui/sim/kills.py), read through the real client
path (KubeSource and NodeSource against the simulator's HTTPS API) into CockpitState, and
classified as the kubelet's evidence says: a failed liveness probe is another kill, an eviction
and a system OOM under MemoryPressure are node memory pressure, a sidecar at its own limit is a
container limit OOM of the sidecar, not of the model server."""

from __future__ import annotations

import json
import time

import pytest

from memtui.clients.kube.connection import connect
from memtui.sources.kube import KubeSource
from memtui.sources.nodes import NodeSource, pod_nodes
from memtui.state.cockpit import CockpitState
from memtui.state.oom_ledger import KillKind

GiB, MiB = 1024**3, 1024**2


class Rig:
    """memtui's Kubernetes and node polls against one simulator, folded into one CockpitState."""

    def __init__(self, sim):
        self.sim = sim
        connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
        self.kube = KubeSource(connection, timeout=5.0)
        self.nodes = NodeSource(connection, timeout=5.0)
        self.state = CockpitState(threshold_bytes=10**10, clock=sim.now)

    def refresh(self):
        self.state.apply(self.kube.fetch())
        wanted = pod_nodes(self.state)
        if wanted:
            self.state.apply(self.nodes.fetch(wanted))

    def until(self, predicate, what: str, tries: int = 100):
        """Refresh until ``predicate()`` holds (the watch delivers changes a moment after the write)."""
        for _ in range(tries):
            self.refresh()
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        pytest.fail(f"never saw {what}; kills: {self.state.ledger.all_kills()}")

    def pod(self, name: str):
        return next(p for p in self.state.snapshot.pods if p.name == name)

    def healthy_sap_llm_pod(self):
        """A sap-llm pod running since long enough, with no termination."""
        for pod in self.state.snapshot.pods:
            if pod.owner == "sap-llm" and pod.ready_count == len(pod.containers) and pod.restarts == 0:
                return pod
        pytest.fail("no healthy sap-llm pod")

    def kills_of(self, pod: str, container: str):
        return [k for k in self.state.ledger.kills_for(pod) if k.container == container]

    def stop(self):
        self.kube.stop()


@pytest.fixture
def rig_for():
    rigs = []

    def make(sim):
        rig = Rig(sim)
        rigs.append(rig)
        rig.refresh()
        return rig

    yield make
    for rig in rigs:
        rig.stop()


def test_a_failed_liveness_probe_is_another_kill(sim_factory, rig_for):
    rig = rig_for(sim_factory(seed=7))
    pod = rig.healthy_sap_llm_pod()
    rig.sim.fail_liveness(pod.name)
    kill = rig.until(lambda: rig.kills_of(pod.name, "sap-llm"), "the liveness kill")[0]
    assert kill.kind is KillKind.OTHER, kill
    assert (kill.reason, kill.exit_code) == ("Error", 137)
    assert "liveness" in kill.why
    assert kill.working_set_before is not None and kill.limit == 12 * GiB
    assert rig.state.ledger.count_for(pod.name) == 0  # not an OOM kill
    assert pod.name not in {s.pod for s in rig.state.oom_summary()}


def test_an_eviction_under_memory_pressure_is_node_memory_pressure(sim_factory, rig_for):
    rig = rig_for(sim_factory(seed=7))
    pod = rig.healthy_sap_llm_pod()
    rig.sim.node_pressure(pod.node, evict=pod.name)
    kill = rig.until(lambda: rig.kills_of(pod.name, "sap-llm"), "the eviction")[0]
    assert rig.pod(pod.name).reason == "Evicted" and rig.pod(pod.name).phase == "Failed"
    rig.until(lambda: rig.state.ledger.nodes and rig.state.ledger.nodes.nodes[pod.node].memory_pressure,
              "MemoryPressure on the node")
    kill = rig.kills_of(pod.name, "sap-llm")[0]
    assert kill.kind is KillKind.NODE, kill
    assert kill.reason == "Evicted" and kill.exit_code == 137 and kill.node == pod.node
    assert "evicted" in kill.why and "The node was low on resource: memory" in kill.message
    # the ReplicaSet replaced it
    rig.until(lambda: sum(1 for p in rig.state.snapshot.pods if p.owner == "sap-llm" and p.reason != "Evicted") == 3,
              "the replacement pod")


def test_a_system_oom_far_below_the_limit_is_node_memory_pressure(sim_factory, rig_for):
    rig = rig_for(sim_factory(seed=7))
    pod = rig.healthy_sap_llm_pod()
    rig.sim.node_pressure(pod.node, system_oom=pod.name)
    rig.until(lambda: rig.kills_of(pod.name, "sap-llm"), "the system OOM kill")
    kill = rig.until(lambda: [k for k in rig.kills_of(pod.name, "sap-llm") if k.kind is KillKind.NODE],
                     "the kill classified as node pressure")[0]
    assert (kill.reason, kill.exit_code) == ("OOMKilled", 137)
    assert kill.percent_of_limit is not None and kill.percent_of_limit < 75
    assert "SystemOOM" in kill.why or "MemoryPressure" in kill.why
    assert len(rig.state.ledger.nodes.system_ooms) >= 1


def test_a_sidecar_at_its_own_limit_is_the_sidecars_container_limit_oom(sim_factory, rig_for):
    rig = rig_for(sim_factory(seed=7, sidecar=True))
    pod = rig.healthy_sap_llm_pod()
    assert [c.name for c in pod.containers] == ["sap-llm", "log-shipper"]
    rig.sim.sidecar_oom(pod.name, ramp=60)
    for _ in range(5):  # memtui samples the climb every metrics window (15 s)
        rig.sim.advance(15)
        rig.refresh()
    kill = rig.until(lambda: rig.kills_of(pod.name, "log-shipper"), "the sidecar's OOM kill")[0]
    assert kill.kind is KillKind.LIMIT, kill
    assert kill.limit == 256 * MiB and kill.reason == "OOMKilled"
    assert kill.percent_of_limit is not None and kill.percent_of_limit >= 85
    assert rig.kills_of(pod.name, "sap-llm") == []  # the model server did not die
    rig.sim.advance(15)
    kill = rig.until(lambda: [k for k in rig.kills_of(pod.name, "log-shipper") if k.restart_delta == 1],
                     "the sidecar's restart")[0]
    assert "Memory cgroup out of memory" in kill.message  # the OOMKilling event merged in


def test_nodes_forbidden_is_said_and_the_pods_still_come(sim_factory, rig_for):
    rig = rig_for(sim_factory(seed=7, operator_denied=("nodes",)))
    nodes = rig.state.ledger.nodes
    assert nodes is not None and nodes.nodes_error == "node conditions: forbidden" and nodes.nodes == {}
    assert rig.state.rows and not rig.state.health["kubernetes"].stale


def test_kubectl_reads_the_evicted_pod_and_the_sidecar(sim_factory, kubectl):
    handle = sim_factory(seed=7, sidecar=True)
    k = kubectl.using(handle)
    pods = k("get", "pods", "-n", "sap-llm", "-o", "json", check=True)
    items = [p for p in json.loads(pods.stdout)["items"] if p["metadata"]["labels"].get("app") == "sap-llm"]
    victim = next(p for p in items if p["status"]["containerStatuses"][0].get("restartCount") == 0)
    name, node = victim["metadata"]["name"], victim["spec"]["nodeName"]
    handle.node_pressure(node, evict=name)
    listed = k("get", "pods", "-n", "sap-llm", check=True).stdout
    assert name in listed and "2/2" in listed  # the other pods run both containers
    described = k("describe", "pod", name, "-n", "sap-llm", check=True).stdout
    assert "Evicted" in described and "log-shipper" in described and "The node was low on resource: memory" in described
    node_text = k("describe", "node", node, check=True).stdout
    assert "MemoryPressure" in node_text and "True" in node_text
    events = k("get", "events", "-n", "default", "--field-selector", "reason=SystemOOM", check=True).stdout
    assert "System OOM encountered" in events


def _post(handle, path: str) -> tuple[int, dict]:
    import ssl
    import urllib.error
    import urllib.request

    ctx = ssl.create_default_context(cafile=str(handle.ca_path))
    try:
        with urllib.request.urlopen(urllib.request.Request(handle.url + path, method="POST"), context=ctx,
                                    timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_kills_through_the_control_api_for_a_simulator_in_another_process(sim_factory, rig_for):
    handle = sim_factory(seed=7, sidecar=True)
    rig = rig_for(handle)
    pod = rig.healthy_sap_llm_pod()
    status, body = _post(handle, "/_sim/kill/liveness?pod=nope")
    assert status == 400 and "no live pod" in body["message"]
    assert _post(handle, f"/_sim/kill/liveness?pod={pod.name}")[0] == 200
    assert rig.until(lambda: rig.kills_of(pod.name, "sap-llm"), "the liveness kill")[0].kind is KillKind.OTHER
    status, body = _post(handle, f"/_sim/kill/liveness?pod={pod.name}")
    assert status == 400 and "not running" in body["message"]  # it waits for its restart
    status, body = _post(handle, f"/_sim/kill/sidecar-oom?pod={pod.name}&ramp=30")
    assert status == 200 and "killed_at" in body
    assert _post(handle, f"/_sim/kill/node-pressure?node={pod.node}")[0] == 200
    rig.until(lambda: rig.state.ledger.nodes.nodes[pod.node].memory_pressure, "MemoryPressure")
    assert _post(handle, f"/_sim/kill/relieve-node?node={pod.node}")[0] == 200
    rig.until(lambda: rig.state.ledger.nodes.nodes[pod.node].memory_pressure is False, "the pressure relieved")
    assert _post(handle, "/_sim/kill/node-pressure?node=nowhere")[0] == 400
