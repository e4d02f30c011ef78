"""An incident's audit log over the simulator's history: what the report tests (and the screenshot) export.

The entries are written by the real ``AuditLog`` with a clock set into the last hour of the
simulator's backfilled history, so a Prometheus scraping it has the working sets, limits, Redis
and GPU figures around each action.  Outside text that must stay text (``HOSTILE``) is in a
reason and a parameter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from memtui.audit import AuditLog
from memtui.demo.recorded_incident import HOSTILE, ranking

__all__ = ["HOSTILE", "Clock", "ranking", "write_incident"]

class Clock:
    """The log's clock: minutes after ``start``, set by the incident's script."""

    def __init__(self, start: datetime) -> None:
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> None:
        self.now = self.start + timedelta(minutes=minutes)


def write_incident(path: Path, start: datetime, pods: list[str], *, namespace: str = "sap-llm") -> AuditLog:
    """Five rows from ``start``: a diagnose step, two fixes (one with its effect), a refused fix, a note.
    ``pods``: the sap-llm pods, worst first."""
    clock = Clock(start)
    log = AuditLog(path, context="memtui-sim", namespace=namespace, user="system:admin", clock=clock)
    worst = pods[0]
    clock.at(1)
    log.read(action="diagnose.top-pods", target={"kind": "Pod", "pods": pods}, duration_s=0.2,
             output_summary=f"{worst} highest working set", ranking=ranking(0.3, 0.55, 0.1, 0.2, pod=worst))
    clock.at(4)
    fix = log.intent(action="fix.reduce-batch-size",
                     target={"kind": "ConfigMap", "name": "sap-llm-config", "pods": pods},
                     parameters={"batch_size": 32, "max_batch_size": 64, "ticket": HOSTILE},
                     dry_run={"outcome": "ok"}, reason=f"INC-1234 batch spikes {HOSTILE}",
                     ranking=ranking(0.62, 0.48, 0.1, 0.2, pod=worst))
    clock.now += timedelta(seconds=0.3)
    log.result(fix, outcome="success", duration_s=0.3, previous={"batch_size": "128", "max_batch_size": "256"})
    clock.at(8)
    log.effect(fix, before={"working_set": "11.2 GiB"}, after={"working_set": "11.9 GiB"},
               summary=f"{worst} working set 11.2 GiB → 11.9 GiB: still growing")
    clock.at(11)
    refused = log.intent(action="fix.scale-api", target={"kind": "Deployment", "name": "sap-llm-api"},
                         parameters={"replicas": 2}, ranking=ranking(0.3, 0.81, 0.1, 0.2, pod=worst))
    clock.now += timedelta(seconds=0.1)
    log.result(refused, outcome="failure", duration_s=0.1,
               error='403 Forbidden: deployments.apps "sap-llm-api" is forbidden')
    clock.at(13)
    log.note("INC-1234: paged the model team | leak suspected")
    clock.at(16)
    restart = log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "sap-llm", "pods": pods},
                         reason="leak: restart clears the heap", ranking=ranking(0.25, 0.86, 0.1, 0.15, pod=worst))
    clock.now += timedelta(seconds=1.2)
    log.result(restart, outcome="success", duration_s=1.2)
    clock.at(20)
    log.effect(restart, before={"working_set": "11.9 GiB"}, after={"working_set": "3.2 GiB"},
               summary=f"{worst} working set 11.9 GiB → 3.2 GiB")
    return log
