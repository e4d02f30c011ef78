"""The evidence gathering against the simulator: which pods, what it reads and how much, and what a
refused read becomes (a gap on the pod, never a failed gathering)."""

from __future__ import annotations

from memtui.clients.kube.connection import connect
from memtui.reasoning.pods import representative_pods
from memtui.sim.models.sapllm import SMALL_CACHE_DIR, SMALL_MODEL_CACHE_DIR
from memtui.sources.evidence import READ_ONLY_REASON, TAIL_LINES, EvidenceSource, evidence_inputs
from memtui.sources.kube import KubeSource
from memtui.state.cockpit import CockpitState

from memtui.demo.ranking_run import THRESHOLD


def _state_and_source(handle, *, read_only=False):
    connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    kube = KubeSource(connection)
    state = CockpitState(threshold_bytes=THRESHOLD, clock=handle.now)
    state.apply(kube.fetch())
    kube.stop()
    return state, EvidenceSource(connection, read_only=read_only)


def test_the_worst_pod_of_each_deployment_is_sampled(sim):
    state, _ = _state_and_source(sim)
    reps = representative_pods(state)
    rows = {row.name: row for row in state.rows}
    owners = {pod.name: pod.owner for pod in state.snapshot.pods}
    assert sorted(r.deployment for r in reps) == ["redis", "sap-llm", "sap-llm-api"]
    for rep in reps:
        same = [row for row in state.rows if owners[row.name] == rep.deployment]
        assert rows[rep.pod].percent == max(row.percent for row in same)
    assert reps[0].deployment == "sap-llm"  # the deployment in trouble first


def test_the_pick_and_the_headers_figures_are_derived_again_only_when_their_inputs_change(sim):
    """Asked at every refresh of any source (Redis every 2 s), they are the very same objects
    until the pods, their rows or the GPUs change; then they are derived again."""
    connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    kube = KubeSource(connection)
    state = CockpitState(threshold_bytes=THRESHOLD, clock=sim.now)
    try:
        state.apply(kube.fetch())
        reps, gpus, trends, soonest = (representative_pods(state), state.gpu_rows(), state.gpu_trends(),
                                       state.next_oom())
        assert representative_pods(state) is reps and state.gpu_rows() is gpus and state.gpu_trends() is trends
        assert state.next_oom() is soonest
        sim.advance(60)  # the working sets move: new rows
        before = state.rows
        state.apply(kube.fetch())
        assert state.rows is not before
        again = representative_pods(state)
        rows = {row.name: row for row in state.rows}
        assert again is not reps and all(rep.percent == rows[rep.pod].percent for rep in again)
    finally:
        kube.stop()


def test_logs_since_the_container_start_and_du_of_the_cache_directories(sim):
    state, source = _state_and_source(sim)
    inputs = evidence_inputs(state)
    sim.clear_request_log()
    snapshot = source.fetch(inputs)
    app = snapshot.for_pod(inputs.pods[0].pod)
    assert app is not None and app.logs_error is None and app.disk_error is None
    (log,) = app.logs
    assert log.container == "sap-llm" and log.from_start
    assert dict(log.config)["max_model_instances"] == "2"  # the leak scenario's ConfigMap value
    assert log.models_loaded == 1 and log.models_cached == 0
    assert log.leak_lines > 0 and log.gc_lines > 0 and log.gc_freed_bytes < 0.1 * log.gc_allocated_bytes
    assert log.batch_lines == 0
    assert app.disk_bytes("/tmp/cache") == SMALL_CACHE_DIR
    assert app.disk_bytes("/tmp/model_cache") == SMALL_MODEL_CACHE_DIR
    assert app.disk_bytes("/models/sap-llm-13b") and app.disk_bytes("/models") >= app.disk_bytes("/models/sap-llm-13b")
    # bounded: one log read per container and one exec per sampled pod, nothing else
    reads = [r for r in sim.requests() if r.path.endswith("/log")]
    execs = [r for r in sim.requests() if r.path.endswith("/exec")]
    assert len(reads) == len(inputs.pods) and len(execs) == len(inputs.pods)
    assert len(sim.requests()) == snapshot.request_count == 2 * len(inputs.pods)
    for read in reads:
        assert int(read.query["tailLines"]) == TAIL_LINES and int(read.query["sinceSeconds"]) > 0
    for run in execs:
        assert run.query["command"][:2] == ["sh", "-c"]  # /models/* is expanded in the container


def test_logs_forbidden_is_the_pods_gap_not_a_failure(sim_factory):
    handle = sim_factory(operator_denied=("pods/log",))
    state, source = _state_and_source(handle)
    snapshot = source.fetch(evidence_inputs(state))
    assert snapshot.pods and all(p.logs_error == "forbidden (RBAC)" and not p.logs for p in snapshot.pods)
    assert all(p.disk for p in snapshot.pods if p.deployment == "sap-llm")  # exec is still allowed


def test_read_only_runs_no_exec(sim):
    state, source = _state_and_source(sim, read_only=True)
    sim.clear_request_log()
    snapshot = source.fetch(evidence_inputs(state))
    assert snapshot.exec_off == READ_ONLY_REASON
    assert all(p.disk_error == READ_ONLY_REASON and not p.disk for p in snapshot.pods)
    assert not [r for r in sim.requests() if r.path.endswith("/exec")]
    assert all(p.logs for p in snapshot.pods)


def test_a_pod_gone_since_the_pick_is_a_gap(sim):
    from kubernetes import client

    state, source = _state_and_source(sim)
    inputs = evidence_inputs(state)
    gone = inputs.pods[0].pod
    connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    client.CoreV1Api(connection.api_client).delete_namespaced_pod(gone, "sap-llm", grace_period_seconds=0)
    sim.advance(5)
    snapshot = source.fetch(inputs)
    pod = snapshot.for_pod(gone)
    assert pod is not None and pod.logs_error == "not found (pod replaced?)"
    assert pod.disk_error and not pod.disk
    assert [p for p in snapshot.pods if p.pod != gone and p.logs]  # the others are still read


def test_a_pod_with_a_sidecar_has_each_log_read_and_du_runs_in_the_server(sim_factory):
    handle = sim_factory(sidecar=True)
    state, source = _state_and_source(handle)
    inputs = evidence_inputs(state)
    app = next(p for p in inputs.pods if p.deployment == "sap-llm")
    assert len(app.containers) == 2 and app.exec_container == "sap-llm"
    snapshot = source.fetch(inputs)
    gathered = snapshot.for_pod(app.pod)
    assert "sap-llm" in [log.container for log in gathered.logs]  # the server's log, whatever the sidecar's says
    if len(gathered.logs) < 2:  # a container whose log could not be read is named
        assert gathered.logs_error and gathered.logs_error.startswith("log-shipper: ")
    assert gathered.disk_bytes("/tmp/cache") == SMALL_CACHE_DIR


def test_the_sawtooth_search_runs_again_only_when_the_pods_or_their_history_moved(sim, monkeypatch):
    """A re-rank for another source's refresh (Redis every 2 s) reuses the last search of the other
    pods' histories; new samples search again."""
    from memtui.reasoning import ranking

    connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    kube = KubeSource(connection)
    state = CockpitState(threshold_bytes=THRESHOLD, clock=sim.now)
    searched: list[str] = []
    real = ranking._search_sawtooth
    monkeypatch.setattr(ranking, "_search_sawtooth", lambda s, primary, owner: searched.append(primary) or real(s, primary, owner))
    try:
        state.apply(kube.fetch())
        first = ranking._rank(state, sim.now())
        assert len(searched) == 1
        again = ranking._rank(state, sim.now())  # what a Redis refresh's re-rank does: nothing moved for the pods
        assert len(searched) == 1 and again.causes == first.causes
        sim.advance(60)
        state.apply(kube.fetch())
        ranking._rank(state, sim.now())
        assert len(searched) == 2
    finally:
        kube.stop()
