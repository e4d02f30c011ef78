"""Exec never shares an ApiClient with the pollers.

``kubernetes.stream.stream()`` swaps the ApiClient's transport for a WebSocket one while it runs;
any LIST or WATCH sent from another thread on that client meanwhile goes out as a WebSocket
handshake (``HTTP 0 Handshake status 200 OK``).  This drives the real sources, as the cockpit
wires them (``build_sources``), against the simulator: execs in threads, polls on the main one.
"""

from __future__ import annotations

import threading
import time

from memtui.config.settings import Settings
from memtui.sources.bundle import build_sources
from memtui.sources.gpu import GpuExecInputs
from memtui.clients.errors import SourceError
from memtui.clients.kube.connection import connect

POLLS = 150


def test_exec_in_threads_never_breaks_a_poll_on_the_same_connection(sim):
    settings = Settings(namespace="sap-llm", redis_deployment="redis", gpu_source="exec", request_timeout=5.0)
    connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    sources = build_sources(settings, connection)
    first = sources.kube.fetch()
    gpu_pods = [p.name for p in first.pods if p.gpus and p.phase == "Running"]
    redis, gpu = sources.spec("redis"), sources.spec("gpu")
    assert gpu_pods and redis.fetch is not None and gpu.fetch is not None

    stop = threading.Event()
    execs = {"redis": 0, "gpu": 0}
    exec_errors: list[str] = []

    def exec_loop(name: str, fetch) -> None:
        while not stop.is_set():
            try:
                fetch()
                execs[name] += 1
            except SourceError as exc:
                exec_errors.append(f"{name}: {exc.reason}")

    threads = [
        threading.Thread(target=exec_loop, args=("redis", redis.fetch), daemon=True),
        threading.Thread(target=exec_loop, args=("gpu", lambda: gpu.fetch(GpuExecInputs(tuple(gpu_pods)))), daemon=True),
    ]
    for thread in threads:
        thread.start()
    failures: list[str] = []
    try:
        for _ in range(POLLS):
            try:
                snapshot = sources.kube.fetch()
            except SourceError as exc:
                failures.append(exc.reason)
                continue
            failures += [e for e in (snapshot.metrics_error, snapshot.events_error) if e]
            time.sleep(0.005)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        sources.kube.stop()
    assert execs["redis"] > 5 and execs["gpu"] > 5, execs  # the execs really ran alongside
    assert failures == [], failures[:3]
    assert exec_errors == [], exec_errors[:3]


def test_exec_requests_carry_the_memtui_user_agent_like_every_other_request(sim):
    from memtui.clients.kube.connection import USER_AGENT

    connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    sources = build_sources(Settings(namespace="sap-llm", redis_deployment="redis", gpu_source="off"), connection)
    redis = sources.spec("redis")
    assert redis.fetch is not None
    stats = redis.fetch()
    assert stats.used_memory > 0
    deadline = time.monotonic() + 10  # the simulator journals an exec once its stream has closed
    while not (execs := [e for e in sim.journal() if e.path.endswith("/exec")]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e.status for e in execs] == [101]
    assert {e.user_agent for e in execs} == {USER_AGENT}
    assert USER_AGENT.startswith("memtui/")


def test_exec_against_a_hung_api_server_fails_within_its_timeout(sim, tmp_path):
    """kubernetes' own WebSocket connect has no timeout: a stalled handshake hung the exec (and
    its worker) for good.  The exec client's handshake has one."""
    from memtui.clients.kube.exec import exec_in_pod
    from tests.app.conftest import kubeconfig_via
    from tests.faults import FaultProxy

    proxy = FaultProxy(int(sim.url.rsplit(":", 1)[1]))
    try:
        kubeconfig = kubeconfig_via(sim, proxy.port, tmp_path / "via-proxy.kubeconfig")
        connection = connect(kubeconfig=str(kubeconfig), context="memtui-sim", namespace="sap-llm")
        pod = sorted(sim.truth())[0]
        proxy.set_mode("stall")
        results = []
        worker = threading.Thread(
            target=lambda: results.append(exec_in_pod(connection.exec_api_client, "sap-llm", pod, ["whoami"], timeout=2.0)),
            daemon=True,
        )
        worker.start()
        worker.join(30)
        assert not worker.is_alive(), "the exec hung on a stalled API server"
        (result,) = results
        assert not result.ok and result.exit_code is None
        assert "timed out" in result.error, result.error
    finally:
        proxy.close()
