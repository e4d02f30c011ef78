"""Why each container died, classified from hand-built snapshots (memtui.state.oom_ledger).

Each of the three classes, and the sidecar case: a pod whose small sidecar hit its own limit is
recorded per container, so the main container's figures do not hide it (nor it them)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from memtui.state.oom_ledger import KillEvidence, KillKind, OomLedger, classify
from memtui.state.snapshots import ContainerState, ContainerUsage, KubeEvent, NodeSnapshot, NodeState, PodState, PodUsage

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
GiB, MiB = 1024**3, 1024**2


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def container(name: str, *, limit: int, restarts: int = 0, reason: str | None = None, exit_code: int | None = None,
              ended: datetime | None = None, state: str = "running", state_reason: str | None = None,
              terminated_exit: int | None = None) -> ContainerState:
    return ContainerState(name=name, ready=state == "running", restarts=restarts, state=state,
                          state_reason=state_reason, last_termination_reason=reason, last_terminated_at=ended,
                          started_at=None, memory_limit_bytes=limit, memory_request_bytes=None,
                          last_exit_code=exit_code, terminated_exit_code=terminated_exit,
                          terminated_at=ended if state == "terminated" else None)


def pod(*containers: ContainerState, name: str = "sap-llm-abc-1", node: str = "gpu-node-01",
        reason: str | None = None, message: str | None = None) -> PodState:
    return PodState(name=name, namespace="sap-llm", uid="u-" + name, phase="Failed" if reason else "Running",
                    status_text="Running", created_at=T0 - timedelta(hours=1), node=node, owner="sap-llm",
                    containers=tuple(containers), reason=reason, message=message)


def usage(name: str, when: datetime, **containers: int) -> dict[str, PodUsage]:
    items = tuple(ContainerUsage(container, value) for container, value in containers.items())
    return {name: PodUsage(name, sum(c.working_set_bytes for c in items), items, timestamp=when)}


def event(reason: str, message: str, when: datetime, *, name: str = "sap-llm-abc-1", kind: str = "Pod",
          field_path: str = "", uid: str = "") -> KubeEvent:
    return KubeEvent(last_seen=when, type="Warning", reason=reason, object_kind=kind, object_name=name,
                     message=message, count=1, uid=uid or f"{reason}-{when.timestamp()}", field_path=field_path)


def nodes(when: datetime, *, pressure: bool, since: datetime | None = None, ooms: tuple[KubeEvent, ...] = (),
          error: str | None = None) -> NodeSnapshot:
    return NodeSnapshot(taken_at=when, nodes={"gpu-node-01": NodeState("gpu-node-01", pressure, since)},
                        system_ooms=ooms, nodes_error=error)


def only_kill(ledger: OomLedger, container_name: str):
    mine = [k for k in ledger.all_kills() if k.container == container_name]
    assert len(mine) == 1, ledger.all_kills()
    return mine[0]


def test_oomkilled_near_its_own_limit_is_a_container_limit_oom():
    ledger = OomLedger()
    main = container("sap-llm", limit=12 * GiB)
    ledger.observe((pod(main),), (), usage("sap-llm-abc-1", at(0), **{"sap-llm": int(11.8 * GiB)}), at(1))
    killed = container("sap-llm", limit=12 * GiB, restarts=1, reason="OOMKilled", exit_code=137, ended=at(10))
    ledger.observe((pod(killed),), (), usage("sap-llm-abc-1", at(15), **{"sap-llm": 2 * GiB}), at(16))
    kill = only_kill(ledger, "sap-llm")
    assert kill.kind is KillKind.LIMIT
    assert (kill.reason, kill.exit_code, kill.finished_at, kill.limit) == ("OOMKilled", 137, at(10), 12 * GiB)
    assert kill.working_set_before == int(11.8 * GiB)  # the sample before the kill, not the new life's 2 GiB
    assert kill.sampled_at == at(0)
    assert kill.restart_delta == 1 and round(kill.percent_of_limit) == 98
    assert "98 %" in kill.why
    assert ledger.count_for("sap-llm-abc-1") == 1 and ledger.times() == [at(10)]


def test_restart_delta_counts_the_restart_the_kubelet_adds_after_the_kill():
    ledger = OomLedger()
    ledger.observe((pod(container("sap-llm", limit=12 * GiB, restarts=2)),), ())
    # seen in CrashLoopBackOff: lastState is the kill, restartCount not incremented yet
    waiting = container("sap-llm", limit=12 * GiB, restarts=2, reason="OOMKilled", exit_code=137, ended=at(5),
                        state="waiting", state_reason="CrashLoopBackOff")
    ledger.observe((pod(waiting),), ())
    assert only_kill(ledger, "sap-llm").restart_delta == 0
    restarted = container("sap-llm", limit=12 * GiB, restarts=3, reason="OOMKilled", exit_code=137, ended=at(5))
    ledger.observe((pod(restarted),), ())
    assert only_kill(ledger, "sap-llm").restart_delta == 1


def test_a_sidecar_at_its_own_limit_is_its_own_kill_and_the_main_container_stays_clean():
    ledger = OomLedger()
    main = container("sap-llm", limit=12 * GiB)
    side = container("log-shipper", limit=256 * MiB)
    ledger.observe((pod(main, side),), (), usage("sap-llm-abc-1", at(0), **{"sap-llm": 6 * GiB, "log-shipper": 250 * MiB}), at(1))
    side_killed = container("log-shipper", limit=256 * MiB, restarts=1, reason="OOMKilled", exit_code=137, ended=at(8))
    ledger.observe((pod(main, side_killed),), (), usage("sap-llm-abc-1", at(15), **{"sap-llm": 6 * GiB, "log-shipper": 20 * MiB}), at(16))
    kills = ledger.all_kills()
    assert [k.container for k in kills] == ["log-shipper"]
    kill = kills[0]
    assert kill.kind is KillKind.LIMIT and kill.limit == 256 * MiB and kill.working_set_before == 250 * MiB
    # the pod as a whole was at 6.2 of 12.25 GiB: a pod-level figure would have said "far below the limit"
    assert round(kill.percent_of_limit) == 98


def test_an_eviction_under_memory_pressure_is_node_pressure():
    ledger = OomLedger()
    main = container("sap-llm", limit=12 * GiB)
    ledger.observe((pod(main),), (), usage("sap-llm-abc-1", at(0), **{"sap-llm": 5 * GiB}), at(1))
    ledger.observe_nodes(nodes(at(2), pressure=True, since=at(-30)))
    message = "The node was low on resource: memory. Container sap-llm was using 5Gi, request is 8Gi."
    evicted = container("sap-llm", limit=12 * GiB, state="terminated", state_reason="Error", terminated_exit=137,
                        ended=at(10))
    ledger.observe((pod(evicted, reason="Evicted", message=message),),
                   (event("Evicted", message, at(10)),), {}, at(12))
    kill = only_kill(ledger, "sap-llm")  # the Evicted event and the pod status are one kill
    assert kill.kind is KillKind.NODE and kill.reason == "Evicted"
    assert "evicted" in kill.why and "MemoryPressure" in kill.why and "42 %" in kill.why
    assert kill.message == message


def test_oomkilled_far_below_its_limit_on_a_node_with_a_system_oom_is_node_pressure_even_when_the_event_comes_later():
    ledger = OomLedger()
    main = container("sap-llm", limit=12 * GiB)
    ledger.observe((pod(main),), (), usage("sap-llm-abc-1", at(0), **{"sap-llm": 4 * GiB}), at(1))
    killed = container("sap-llm", limit=12 * GiB, restarts=1, reason="OOMKilled", exit_code=137, ended=at(10))
    ledger.observe((pod(killed),), (), {}, at(12))
    assert only_kill(ledger, "sap-llm").kind is KillKind.LIMIT  # nothing says otherwise yet
    assert "spike between samples" in only_kill(ledger, "sap-llm").why
    system_oom = event("SystemOOM", "System OOM encountered, victim process: python3, pid: 4242", at(9),
                       name="gpu-node-01", kind="Node")
    ledger.observe_nodes(nodes(at(20), pressure=False, ooms=(system_oom,)))
    kill = only_kill(ledger, "sap-llm")
    assert kill.kind is KillKind.NODE and "SystemOOM" in kill.why and "33 %" in kill.why


def test_a_system_oom_on_another_node_or_an_hour_away_changes_nothing():
    ledger = OomLedger()
    ledger.observe((pod(container("sap-llm", limit=12 * GiB)),), (), usage("sap-llm-abc-1", at(0), **{"sap-llm": 4 * GiB}), at(1))
    ledger.observe((pod(container("sap-llm", limit=12 * GiB, restarts=1, reason="OOMKilled", exit_code=137,
                                  ended=at(10))),), (), {}, at(12))
    far = event("SystemOOM", "System OOM encountered", at(3600), name="gpu-node-01", kind="Node")
    other = event("SystemOOM", "System OOM encountered", at(9), name="gpu-node-02", kind="Node")
    ledger.observe_nodes(NodeSnapshot(taken_at=at(20), nodes={}, system_ooms=(far, other)))
    assert only_kill(ledger, "sap-llm").kind is KillKind.LIMIT


def test_exit_137_after_a_failed_liveness_probe_is_another_kill_and_not_an_oom():
    ledger = OomLedger()
    ledger.observe((pod(container("sap-llm", limit=12 * GiB)),), (), usage("sap-llm-abc-1", at(0), **{"sap-llm": 3 * GiB}), at(1))
    probe = (event("Unhealthy", 'Liveness probe failed: Get "http://10.244.0.5:8080/healthz": context deadline exceeded',
                   at(-40), field_path="spec.containers{sap-llm}"),
             event("Killing", "Container sap-llm failed liveness probe, will be restarted", at(10),
                   field_path="spec.containers{sap-llm}"))
    killed = container("sap-llm", limit=12 * GiB, restarts=1, reason="Error", exit_code=137, ended=at(10))
    ledger.observe((pod(killed),), probe, {}, at(12))
    kill = only_kill(ledger, "sap-llm")
    assert kill.kind is KillKind.OTHER and "liveness" in kill.why
    assert ledger.kills() == () and ledger.count_for("sap-llm-abc-1") == 0 and ledger.times() == []


def test_a_plain_error_exit_is_not_a_kill():
    ledger = OomLedger()
    ledger.observe((pod(container("sap-llm", limit=12 * GiB, restarts=1, reason="Error", exit_code=1, ended=at(5))),), ())
    assert ledger.all_kills() == ()


def test_an_oomkilling_event_merges_with_the_containers_last_state():
    ledger = OomLedger()
    line = "Memory cgroup out of memory: Killed process 123456 (python3) total-vm:1kB"
    ledger.observe((), (event("OOMKilling", line, at(10)),), {}, at(11))
    assert [k.container for k in ledger.all_kills()] == [""]
    ledger.observe((pod(container("sap-llm", limit=12 * GiB, restarts=1, reason="OOMKilled", exit_code=137,
                                  ended=at(9))),), (event("OOMKilling", line, at(10)),), {}, at(12))
    kill = only_kill(ledger, "sap-llm")
    assert kill.message == line and kill.exit_code == 137 and len(ledger) == 1


def test_classify_on_bare_evidence():
    assert classify(KillEvidence("OOMKilled", 137, None, None))[0] is KillKind.LIMIT
    assert classify(KillEvidence("OOMKilled", 137, 11 * GiB, 12 * GiB, node_pressure=True))[0] is KillKind.LIMIT
    assert classify(KillEvidence("OOMKilled", 137, 2 * GiB, 12 * GiB, node_pressure=True))[0] is KillKind.NODE
    assert classify(KillEvidence(None, None, None, None, kernel_line="Out of memory: Killed process 1"))[0] is KillKind.NODE
    assert classify(KillEvidence("Error", 137, None, None))[0] is KillKind.OTHER
    assert classify(KillEvidence("Error", 137, 1, 2, pod_evicted=True))[0] is KillKind.NODE


def test_the_ledger_stays_bounded():
    ledger = OomLedger(capacity=10)
    for i in range(50):
        name = f"p{i}"
        ledger.observe((pod(container("c", limit=GiB, restarts=1, reason="OOMKilled", exit_code=137, ended=at(i)),
                            name=name),), (), usage(name, at(i - 1), c=GiB), at(i))
    assert len(ledger) == 10 and len(ledger._samples) <= 10 and len(ledger._restarts) <= 10


def test_a_kill_before_memtui_sampled_the_container_takes_the_pods_backfilled_history():
    from memtui.state.cockpit import CockpitState
    from memtui.state.snapshots import BackfillSnapshot, KubeSnapshot, Samples

    # an hour from Prometheus, up to 20 s before the kill at 11.0 GiB (then the new life's 2 GiB)
    points = tuple((at(s).timestamp(), float(11.0 * GiB + s * MiB)) for s in range(-600, 0, 20))
    history = BackfillSnapshot(memory={"sap-llm-abc-1": Samples.of(points + ((at(30).timestamp(), float(2 * GiB)),))})
    killed = container("sap-llm", limit=12 * GiB, restarts=1, reason="OOMKilled", exit_code=137, ended=at(0))
    side = container("log-shipper", limit=256 * MiB, restarts=1, reason="OOMKilled", exit_code=137, ended=at(0))
    for containers, expected in (((killed,), int(11.0 * GiB - 20 * MiB)), ((killed, side), None)):
        state = CockpitState(threshold_bytes=10**10, clock=lambda: at(600))
        state.apply(history)
        state.apply(KubeSnapshot(taken_at=at(600), pods=(pod(*containers),), usage={}, events=()))
        # a pod of two containers: its figure is not either container's, so nothing is guessed
        assert only_kill(state.ledger, "sap-llm").working_set_before == expected
        assert only_kill(state.ledger, "sap-llm").kind is KillKind.LIMIT
