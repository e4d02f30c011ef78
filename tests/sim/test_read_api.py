"""The read side of the API through the official client: discovery, pods, metrics, events."""

from __future__ import annotations

from kubernetes import client


from memtui.sim.store import Store

from .helpers import NS, api, core, pod_metrics, sap_llm_pods


def test_version_and_namespaces(sim):
    v = client.VersionApi(api(sim)).get_code()
    assert v.major == "1" and v.minor == "32"
    names = {n.metadata.name for n in core(sim).list_namespace().items}
    assert {"sap-llm", "ml-batch", "default"} <= names
    assert core(sim).read_namespace("sap-llm").status.phase == "Active"


def test_pods_list_and_get(sim):
    pods = sap_llm_pods(sim)
    assert len(pods) == 3
    p = core(sim).read_namespaced_pod(pods[0].metadata.name, NS)
    assert p.metadata.owner_references[0].kind == "ReplicaSet"
    assert p.metadata.labels["pod-template-hash"] in p.metadata.name
    c = p.spec.containers[0]
    assert c.name == "sap-llm"
    assert c.resources.limits["memory"] == "12Gi" and c.resources.requests["memory"] == "8Gi"
    assert p.status.qos_class == "Burstable"
    assert p.status.container_statuses[0].state.running is not None


def test_start_state_has_the_three_archetypes(sim):
    pods = {p.metadata.name: p for p in sap_llm_pods(sim)}
    truth = sim.truth()
    oomed = [n for n, p in pods.items()
             if (p.status.container_statuses[0].last_state.terminated or client.V1ContainerStateTerminated(
                 exit_code=0)).reason == "OOMKilled" and p.status.container_statuses[0].restart_count >= 2]
    near = [n for n, t in truth.items() if t.seconds_to_oom is not None and t.seconds_to_oom < 600
            and t.working_set_bytes > 0.85 * t.limit_bytes]
    healthy = [n for n, t in truth.items() if t.working_set_bytes < 0.7 * t.limit_bytes
               and (t.seconds_to_oom is None or t.seconds_to_oom > 1800) and t.restarts == 0]
    assert oomed and near and healthy, (oomed, near, healthy)


def test_pod_metrics_match_truth(sim):
    m = pod_metrics(sim)
    truth = sim.truth()
    for name, t in truth.items():
        assert abs(m[name] - t.working_set_bytes) <= 1024  # Ki rounding; clock frozen so same window


def test_events_include_oom_history(sim):
    evs = core(sim).list_namespaced_event(NS).items
    assert any(e.reason == "OOMKilling" and e.type == "Warning" for e in evs)
    sel = core(sim).list_namespaced_event(NS, field_selector="reason=OOMKilling").items
    assert sel and all(e.reason == "OOMKilling" for e in sel)


def test_other_namespace_has_a_container_named_sap_llm(sim):
    pods = core(sim).list_namespaced_pod("ml-batch").items
    assert any(c.name == "sap-llm" for p in pods for c in p.spec.containers)


def test_unknown_pod_is_a_404_status(sim):
    try:
        core(sim).read_namespaced_pod("nope", NS)
    except client.ApiException as exc:
        assert exc.status == 404
        assert '"message":"pods \\"nope\\" not found"' in exc.body or 'pods \\"nope\\" not found' in exc.body
    else:  # pragma: no cover
        raise AssertionError("expected 404")


def test_list_chunking(sim_factory):
    h = sim_factory(replicas=30)
    first = core(h).list_namespaced_pod(NS, limit=10)
    assert len(first.items) == 10 and first.metadata._continue
    names = [p.metadata.name for p in first.items]
    cont = first.metadata._continue
    while cont:
        page = core(h).list_namespaced_pod(NS, limit=10, _continue=cont)
        names += [p.metadata.name for p in page.items]
        cont = page.metadata._continue
    assert len(names) == len(set(names)) == 30 + 4 + 1


def test_list_chunking_across_namespaces_returns_each_pod_once(sim_factory):
    h = sim_factory(replicas=12)
    every = [(p.metadata.namespace, p.metadata.name) for p in core(h).list_pod_for_all_namespaces().items]
    assert every == sorted(every, key=lambda k: f"{k[0]}/{k[1]}\x00")
    paged: list[tuple[str, str]] = []
    cont = None
    while True:
        page = core(h).list_pod_for_all_namespaces(limit=4, **({"_continue": cont} if cont else {}))
        paged += [(p.metadata.namespace, p.metadata.name) for p in page.items]
        cont = page.metadata._continue
        if not cont:
            break
    assert paged == every and len({ns for ns, _ in paged}) > 1


def test_the_store_lists_in_storage_key_order_and_resumes_after_a_key():
    """A real API server lists in etcd's key order (``namespace/name``): ``ml-batch/...`` before
    ``ml/...`` (``-`` sorts before ``/``).  A (namespace, name) tuple order has them the other way
    round, and a continue token (a storage key) then skipped ``ml-batch`` altogether."""
    store = Store()
    for ns in ("ml", "ml-batch", "m"):
        for i in range(3):
            store.put("configmaps", {"metadata": {"namespace": ns, "name": f"cm-{i}"}})
    keys = [(s.obj["metadata"]["namespace"], s.obj["metadata"]["name"]) for s in store.list("configmaps")]
    assert keys == sorted(keys, key=lambda k: f"{k[0]}/{k[1]}\x00") and keys[0] == ("m", "cm-0")
    assert keys.index(("ml-batch", "cm-2")) < keys.index(("ml", "cm-0"))
    after = [(s.obj["metadata"]["namespace"], s.obj["metadata"]["name"])
             for s in store.list("configmaps", after="ml-batch/cm-2\x00")]
    assert after == [("ml", "cm-0"), ("ml", "cm-1"), ("ml", "cm-2")]
    assert [s.obj["metadata"]["name"] for s in store.list("configmaps", "ml")] == ["cm-0", "cm-1", "cm-2"]
    store.put("configmaps", {"metadata": {"namespace": "ml", "name": "cm-10"}})  # kept in order, not re-sorted
    assert [s.obj["metadata"]["name"] for s in store.list("configmaps", "ml")] == ["cm-0", "cm-1", "cm-10", "cm-2"]
