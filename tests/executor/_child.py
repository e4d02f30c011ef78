"""Run in a child process by the crash test: plan a fix, execute it, and hang as its PATCH is
about to leave, so the parent can SIGKILL this process between the audit intent and the call.

Usage: ``python -m tests.executor._child KUBECONFIG AUDIT_PATH ARTIFACTS_DIR``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from memtui.audit import AuditLog
from memtui.executor import ActionContext, Executor
from memtui.executor.kubeapi import KubeApi
from memtui.runbook import load_catalogue
from memtui.clients.kube.connection import connect


def main(kubeconfig: str, audit_path: str, artifacts: str) -> None:
    connection = connect(kubeconfig=kubeconfig, context="memtui-sim", namespace="sap-llm")
    audit = AuditLog(audit_path, context=connection.context, namespace="sap-llm", user=connection.user)
    executor = Executor(connection, audit=audit, read_only=False, redis_url=None, prometheus=None,
                        artifacts_dir=Path(artifacts), threshold_bytes=10**10)
    plan = executor.plan(load_catalogue().get("fix.reduce-batch-size"), {}, ActionContext(None, (), {}, reason="INC-kill"))
    real_send = KubeApi.send

    def send(self, call, *, dry_run=False):  # type: ignore[no-untyped-def]
        if call.method == "PATCH" and not dry_run:
            print("sending", flush=True)
            time.sleep(60)  # the parent kills us here, before the request leaves
        return real_send(self, call, dry_run=dry_run)

    KubeApi.send = send  # type: ignore[method-assign]
    executor.execute(plan)
    print("not killed", flush=True)  # pragma: no cover


if __name__ == "__main__":
    main(*sys.argv[1:4])
