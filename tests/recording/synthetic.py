"""Snapshots that change as a namespace's do, as a function of the refresh number alone.

Deterministic from ``seq`` (the crash test's child process and its parent build the same frame
from the same number): a pod is replaced now and then (a new name and uid, sorted in among the
others, as the pods LIST orders them), containers restart, usage moves for a seventh of the pods
at each refresh (metrics-server's resolution), events arrive and recur, and the metrics API fails
once in a while.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from memtui.recording.model import Frame
from memtui.state.snapshots import (ContainerState, ContainerUsage, KubeEvent, KubeSnapshot, PodState, PodUsage,
                                    PrometheusSnapshot, PodTrend, RedisStats, RedisKeyspace)

EPOCH = datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc)
GIB = 2**30


def _name(slot: int, generation: int) -> str:
    return f"sap-llm-7d9f8c6b5-{random.Random(slot * 1000 + generation).getrandbits(24):06x}"


def kube(seq: int, pods: int = 40) -> KubeSnapshot:
    """The namespace at refresh ``seq`` (2 s apart)."""
    now = EPOCH + timedelta(seconds=2 * seq)
    states = []
    for slot in range(pods):
        generation = (seq + slot * 13) // 90  # each slot's pod is replaced every 90 refreshes, staggered
        restarts = ((seq + slot * 13) % 90) // 30  # 0, 1, 2 in each pod's life
        started = now - timedelta(seconds=2 * ((seq + slot * 13) % 90))
        container = ContainerState(
            "llm", (seq + slot) % 11 != 0, restarts, "running", None,
            "OOMKilled" if restarts > 0 else None, started if restarts > 0 else None, started,
            16 * GIB, 12 * GIB, gpu_limit=1, last_exit_code=137 if restarts > 0 else None)
        name = _name(slot, generation)
        states.append(PodState(name, "sap-llm", f"uid-{slot}-{generation}", "Running",
                               "Running" if container.ready else "OOMKilled", started, f"gpu-node-{slot % 4:02d}",
                               "sap-llm", (container,)))
    states.sort(key=lambda p: p.name)
    usage = {}
    for i, pod in enumerate(states):
        window = (seq + i) // 7  # this pod's figure moves once every 7 refreshes
        used = (5 * GIB + random.Random(f"{pod.uid}:{window}").getrandbits(30)) // 1024 * 1024
        usage[pod.name] = PodUsage(pod.name, used, (ContainerUsage("llm", used),), 15.0,
                                   EPOCH + timedelta(seconds=14 * window))
    events = tuple(
        KubeEvent(EPOCH + timedelta(seconds=2 * min(seq, e + 3 * ((seq - e) // 3))), "Warning" if e % 2 else "Normal",
                  "OOMKilling" if e % 2 else "Pulled", "Pod", states[e % len(states)].name,
                  f"event {e}: memory {e * 7 % 97} Gi", 1 + (seq - e) // 6, uid=f"ev-{e}")
        for e in range(max(0, seq // 3 - 30), seq // 3 + 1))
    metrics_error = "metrics API: timed out" if seq % 25 == 24 else None
    return KubeSnapshot(now, tuple(states), {} if metrics_error else usage, events, metrics_error=metrics_error,
                        request_count=2 + seq % 2, duration_seconds=0.05 + (seq % 10) / 1000)


def prometheus(seq: int, pods: int = 40) -> PrometheusSnapshot:
    now = EPOCH + timedelta(seconds=2 * seq)
    trends = {f"pod-{i}": PodTrend(f"pod-{i}", working_set=float(GIB + (seq // 3 + i) % 50 * 2**20),
                                   limit=float(16 * GIB), growth_per_second=float((seq + i) % 9) or None)
              for i in range(pods)}
    return PrometheusSnapshot(now, trends, {}, 12, 0.02)


def redis(seq: int) -> RedisStats:
    now = EPOCH + timedelta(seconds=2 * seq)
    return RedisStats(now, "redis://redis:6379/0", GIB + seq * 4096, GIB + seq * 8192, GIB + seq * 8192, 1.05,
                      0, "noeviction", 0, seq // 4, seq * 10, seq, (RedisKeyspace("db0", 1000 + seq, 10),))


def frames(seq: int, pods: int = 40) -> list[Frame]:
    """What refresh ``seq`` records: the kube snapshot, every third refresh Prometheus's, Redis's, a ranking."""
    now = EPOCH + timedelta(seconds=2 * seq)
    out = [Frame(0, now, "apply", "kubernetes", kube(seq, pods))]
    if seq % 3 == 0:
        out.append(Frame(0, now, "apply", "prometheus", prometheus(seq, pods)))
    out.append(Frame(0, now, "apply", "redis", redis(seq)))
    if seq % 5 == 0:
        out.append(Frame(0, now, "fail", "redis", f"timed out after {seq % 7} s"))
    if seq % 4 == 0:
        out.append(Frame(0, now, "ranking", "", {"causes": [{"id": "leak", "confidence": (seq % 10) / 10},
                                                          {"id": "cache-bloat", "confidence": 0.25}]}))
    return out
