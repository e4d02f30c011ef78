"""A recorded incident on the simulator, written as the cockpit writes one: the report's own demo data.

Real snapshots: ``KubeSource(connection).fetch()`` each simulated minute, ``nvidia-smi`` by exec
through ``NvidiaSmiExecSource`` every five, the simulator's Redis INFO figures as ``RedisStats``
(the simulator has no Redis protocol server); real audit entries (``AuditLog``, with the
simulator's clock); a real fix: a rollout restart of ``sap-llm`` through the official client, so
the working set falls after the action.  Frames go through ``RecordingWriter`` in the order the
cockpit folds them.

The report tests, ``bench/report.py`` and ``scripts/report_screenshot.py`` record it; it lives in
``memtui.demo`` (which may import the simulator) so none of them loads a test module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kubernetes import client

from memtui.audit import AuditLog
from memtui.clients.kube.connection import connect
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingWriter
from memtui.sim import SimulatorHandle
from memtui.sources.gpu_exec import NvidiaSmiExecSource
from memtui.sources.kube import KubeSource
from memtui.sources.team import TeamSource
from memtui.state.snapshots import GpuSnapshot, KubeSnapshot, RedisKeyspace, RedisStats

NS = "sap-llm"
THRESHOLD = 10**10
HOSTILE = "<img src=x onerror=alert(1)>"
"""Outside text that must stay text wherever a report shows it (the fix's reason here)."""


def ranking(batch: float, leak: float, cache: float, model: float, *, pod: str) -> dict[str, Any]:
    """A ``CauseRanking.to_record()``-shaped mapping."""
    return {
        "computed_at": None, "evidence_at": None, "uncertain": False, "inputs": {},
        "causes": [
            {"cause": "leak", "prior": 0.3, "confidence": leak,
             "facts": [{"cause": "leak", "weight": 2.0, "text": f"{pod} grows 38 MiB/min since its start",
                        "source": "prometheus", "pod": pod},
                       {"cause": "leak", "weight": 1.2, "text": "gc freed 2% of allocated", "source": "log", "pod": pod}]},
            {"cause": "batch", "prior": 0.2, "confidence": batch,
             "facts": [{"cause": "batch", "weight": 1.1, "text": "batch_size=128 in 42 lines", "source": "log",
                        "pod": pod}]},
            {"cause": "cache", "prior": 0.15, "confidence": cache, "facts": []},
            {"cause": "model-loading", "prior": 0.35, "confidence": model, "facts": []},
        ],
        "gaps": [{"what": "no heap profile yet", "action_id": "diagnose.heap-profile", "cause": "leak"}],
    }


@dataclass(frozen=True)
class Recorded:
    """What was recorded, for a caller to check the report against."""

    path: Path
    worst: str
    kube: list[KubeSnapshot]
    restart_at: datetime
    read_at: datetime
    shown_ranking: dict[str, Any]
    team_at: datetime | None = None


def redis_stats(sim: SimulatorHandle) -> RedisStats:
    r = sim.redis_truth()
    return RedisStats(taken_at=sim.now(), source="redis.sap-llm.svc:6379", used_memory=r["used"],
                      used_memory_rss=r["rss"], used_memory_peak=r["peak"], fragmentation_ratio=None,
                      maxmemory=r["maxmemory"], maxmemory_policy=r["policy"], evicted_keys=r["evicted_keys"],
                      expired_keys=r["expired_keys"], keyspace_hits=r["keyspace_hits"],
                      keyspace_misses=r["keyspace_misses"], keyspace=(RedisKeyspace("db0", r["keys"], r["expires"]),))


def record_incident(sim: SimulatorHandle, path: Path, *, minutes: int = 36, restart_minute: int = 20,
                    kubectl: Callable[..., object] | None = None, step: float = 60.0) -> Recorded:
    """``minutes`` refreshes ``step`` simulated seconds apart (a minute: the tests; 2 s: the bench),
    the actions at the refreshes named.  ``kubectl`` (the fixture): at refresh 12 a teammate
    patches the ConfigMap with it (called as ``kubectl(*args, check=True)``), which the team source (its watch) sees and the recording keeps."""
    connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace=NS)
    kube = KubeSource(connection)
    gpu = NvidiaSmiExecSource(connection.exec_api_client, NS)
    team = TeamSource(connection, clock=sim.now)
    log = AuditLog(path.parent / "audit.jsonl", context="memtui-sim", namespace=NS, user="system:admin",
                   clock=sim.now)
    meta = RecordingMeta(context="memtui-sim", namespace=NS, server=connection.server, started_at=sim.now(),
                         user="system:admin", threshold_bytes=THRESHOLD, audit_log=str(log.path))
    writer = RecordingWriter(path, meta)
    written_entries = 0
    snapshots: list[KubeSnapshot] = []

    def audit_frames() -> list[Frame]:
        nonlocal written_entries
        entries = log.entries()[written_entries:]
        written_entries += len(entries)
        return [Frame(0, e.timestamp, "audit", "audit", e.to_json()) for e in entries]

    writer.write([Frame(0, sim.now(), "expect", "kubernetes"), Frame(0, sim.now(), "expect", "gpu"),
                  Frame(0, sim.now(), "expect", "redis")])
    worst = ""
    shown = ranking(0.3, 0.7, 0.1, 0.2, pod="?")
    restart_at = read_at = sim.now()
    team_at = None
    try:
        for minute in range(minutes):
            sim.advance(step)
            snap = kube.fetch()
            snapshots.append(snap)
            frames = [Frame(0, sim.now(), "apply", "kubernetes", snap),
                      Frame(0, sim.now(), "apply", "redis", redis_stats(sim))]
            sap = sorted((u for u in snap.usage.values() if u.pod.startswith("sap-llm-")
                          and not u.pod.startswith("sap-llm-api-")), key=lambda u: -u.working_set_bytes)
            if minute % (5 if step >= 60 else 30) == 0:
                usage = gpu.fetch([u.pod for u in sap])
                frames.append(Frame(0, sim.now(), "apply", "gpu", GpuSnapshot(usage, "nvidia-smi via exec")))
            if minute == 2:
                worst = sap[0].pod
                shown = ranking(0.3, 0.7, 0.1, 0.2, pod=worst)
                frames.append(Frame(0, sim.now(), "ranking", "ranking", shown))
            if kubectl is not None:
                frames.append(Frame(0, sim.now(), "apply", "team", team.fetch()))
                if minute == 12:
                    kubectl("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
                            "-p", '{"data":{"batch_size":"16"}}', check=True)
                    team_at = sim.now()
                    for _ in range(200):  # the watch delivers it when it does: until then, the next poll
                        seen = team.fetch()
                        if seen.changes:
                            frames.append(Frame(0, sim.now(), "apply", "team", seen))
                            break
                    else:
                        raise AssertionError("the team source never saw the kubectl patch")
            writer.write(frames)
            if minute == 4:
                read_at = sim.now()
                log.read(action="diagnose.top-pods", target={"kind": "Pod", "pods": [u.pod for u in sap]},
                         output_summary=f"{worst} highest working set")  # no ranking: the shown one is taken
            if minute == 9:
                fix = log.intent(action="fix.reduce-batch-size",
                                 target={"kind": "ConfigMap", "name": "sap-llm-config", "pods": [worst]},
                                 parameters={"batch_size": 32}, reason=HOSTILE,
                                 ranking=ranking(0.6, 0.5, 0.1, 0.2, pod=worst))
                log.result(fix, outcome="success", duration_s=0.2)
            if minute == restart_minute:
                restart_at = sim.now()
                fix = log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "sap-llm",
                                                                       "pods": [u.pod for u in sap]},
                                 reason="leak: restart clears the heap", ranking=ranking(0.2, 0.86, 0.1, 0.1, pod=worst))
                body = {"spec": {"template": {"metadata": {"annotations": {
                    "kubectl.kubernetes.io/restartedAt": restart_at.isoformat()}}}}}
                client.AppsV1Api(connection.api_client).patch_namespaced_deployment("sap-llm", NS, body)
                log.result(fix, outcome="success", duration_s=0.4)
            writer.write(audit_frames())
    finally:
        kube.stop()
        team.stop()
        writer.close()
    return Recorded(path, worst, snapshots, restart_at, read_at, shown, team_at)
