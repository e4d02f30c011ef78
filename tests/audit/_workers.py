"""Code that runs in child processes (importable by multiprocessing's spawn start method)."""

from __future__ import annotations

import sys
import time

from memtui.audit import AuditLog


def append_many(path: str, name: str, count: int, barrier) -> None:  # type: ignore[no-untyped-def]
    log = AuditLog(path, context="memtui-sim", namespace="sap-llm", user=name)
    barrier.wait(30)  # both writers start together, whatever their start-up time
    for i in range(count):
        time.sleep(0.0005)  # an executor does other work between appends; lets the other writer in
        if i % 2:
            log.read(action="diagnose.top-pods", parameters={"writer": name, "i": i}, duration_s=0.01)
        else:
            intent = log.intent(action="fix.clear-app-cache", target={"kind": "Pod", "name": f"{name}-{i}"},
                                parameters={"writer": name, "i": i})
            log.result(intent, outcome="success", duration_s=0.01)


def intent_then_hang(path: str) -> None:
    """One complete action, then an intent whose API call 'hangs' until SIGKILL arrives."""
    log = AuditLog(path, context="memtui-sim", namespace="sap-llm", user="system:admin")
    done = log.intent(action="fix.reduce-batch-size", target={"kind": "ConfigMap", "name": "sap-llm-config"},
                      parameters={"batch_size": 32})
    log.result(done, outcome="success", duration_s=0.05)
    log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "sap-llm"},
               reason="INC-1234 restart high-memory pods")
    print("intent written", flush=True)
    time.sleep(60)  # the "API call"; the parent kills us here
    log.result("never", outcome="success")  # pragma: no cover


if __name__ == "__main__":
    intent_then_hang(sys.argv[1])
