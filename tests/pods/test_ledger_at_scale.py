"""The OOM ledger in a namespace bigger than its bounds (memtui.state.oom_ledger): 5,000 kills
and 5,000 containers are bounds for what the ledger keeps, never for what one listing holds."""

from __future__ import annotations

from memtui.state.oom_ledger import OomLedger

from tests.pods.test_kill_classes import GiB, at, container, event, pod


def _pods(count: int, *, killed: int | None = None):
    """``count`` two-container pods; pod ``killed`` (if any) with a fresh OOM kill of its main container."""
    out = []
    for i in range(count):
        if i == killed:
            main = container("sap-llm", limit=12 * GiB, restarts=1, reason="OOMKilled", exit_code=137, ended=at(10))
        else:
            main = container("sap-llm", limit=12 * GiB)
        out.append(pod(main, container("log-shipper", limit=GiB), name=f"sap-llm-abc-{i}"))
    return tuple(out)


def test_a_kill_in_a_namespace_of_6000_containers_keeps_the_restart_count_seen_before_it():
    ledger = OomLedger()
    ledger.observe(_pods(3000), (), {}, at(1))
    # the first pod of the listing is killed: its restart count before the kill was seen (0), even
    # though 6,000 containers exceed the ledger's 5,000 (the first 1,000 were evicted before)
    ledger.observe(_pods(3000, killed=0), (), {}, at(12))
    (kill,) = ledger.kills()
    assert kill.pod == "sap-llm-abc-0" and kill.restarts_before == 0 and kill.restart_delta == 1


def test_unchanged_pods_and_events_are_read_once_and_a_changed_pod_again():
    ledger = OomLedger()
    pods = _pods(10, killed=3)
    kernel = event("OOMKilling", "Memory cgroup out of memory: Killed process 42 (python3)", at(10),
                   name="sap-llm-abc-3", field_path="spec.containers{sap-llm}")
    ledger.observe(pods, (kernel,), {}, at(12))
    first = ledger.kills()
    ledger.observe(pods, (kernel,), {}, at(14))  # the informer hands the same objects over again
    assert ledger.kills() == first and ledger.kills()[0] is first[0]
    (kill,) = first
    assert kill.message.startswith("Memory cgroup out of memory") and kill.restart_delta is None
    # the pod restarts once more: a new object, read again, the kill's restart count moves
    again = list(pods)
    again[3] = pod(container("sap-llm", limit=12 * GiB, restarts=2, reason="OOMKilled", exit_code=137, ended=at(10)),
                   container("log-shipper", limit=GiB), name="sap-llm-abc-3")
    ledger.observe(tuple(again), (kernel,), {}, at(16))
    (kill,) = ledger.kills()
    assert kill.restarts_after == 2 and kill.message == first[0].message


def test_a_namespace_with_more_killed_pods_than_the_bound_keeps_them_all_and_adds_none_again():
    """20,000 pods, a quarter OOMKilled within 2 h (Prometheus): a fixed bound of kills evicted some
    that the next refresh noted again, so every refresh classified thousands anew."""
    ledger = OomLedger(capacity=10)
    pods = _pods(30)
    ledger.observe(pods, (), {}, at(1))
    for p in pods:
        ledger.note_pod(p.name, "prometheus")
    version = ledger.version
    ledger.observe(pods, (), {}, at(3))
    for p in pods:  # the next refresh notes the same pods again
        ledger.note_pod(p.name, "prometheus")
    assert ledger.version == version
    assert [ledger.count_for(p.name) for p in pods] == [1] * 30


def test_prometheus_s_kills_before_the_first_listing_wait_for_it_and_are_not_summed_up_as_gone():
    """Prometheus may answer before the first pods LIST (at 20,000 pods that LIST takes seconds).
    Its "OOMKilled within 2 h" pods are noted with the listing, not before it: before it, every one
    of them was summed up as gone from the namespace, and the clock had no pod to start from."""
    from memtui.state.cockpit import CockpitState
    from memtui.state.snapshots import KubeSnapshot, PodTrend, PrometheusSnapshot

    state = CockpitState(threshold_bytes=10 * GiB, clock=lambda: at(20))
    trends = {"sap-llm-abc-1": PodTrend("sap-llm-abc-1", working_set=11 * GiB, oom_within_2h=True)}
    state.apply_prometheus(PrometheusSnapshot(at(10), trends, {}, query_count=8, duration_seconds=0.1))
    assert state.oom_summary() == ()

    listed = _pods(3)  # sap-llm-abc-1 is running again: its kill is Prometheus's evidence only
    state.apply_kube(KubeSnapshot(at(12), listed, {}, ()))
    (summary,) = state.oom_summary()
    assert (summary.pod, summary.gone, summary.sources) == ("sap-llm-abc-1", False, ("prometheus",))
    assert state.incident.started_at is not None  # its working set (from Prometheus) is over 10 GiB
