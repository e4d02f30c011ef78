"""The Prometheus view of the cluster: cAdvisor, kube-state-metrics, DCGM and redis_exporter series.

``exposition`` is what a scrape of /metrics returns now (text format 0.0.4);
``openmetrics_history`` replays the same series over a past interval in
OpenMetrics with timestamps, for `promtool tsdb create-blocks-from openmetrics`.
Both come from one generator, so a backfilled Prometheus and a live scrape agree.

Like real cAdvisor, every pod also has a pod-level series (container="", id of
the pod cgroup) and the container series' id/name labels change at each restart:
consumers must filter container!="" and aggregate by pod.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from collections.abc import Iterator

from .models import GPU_TOTAL_MIB, RedisModel

if TYPE_CHECKING:
    from .cluster import Cluster
    from .records import PodRecord

# name, type, help (counters carry their _total sample name; OpenMetrics drops it from the family)
FAMILIES: list[tuple[str, str, str]] = [
    ("container_memory_working_set_bytes", "gauge", "Current working set in bytes."),
    ("container_memory_usage_bytes", "gauge", "Current memory usage in bytes, including all memory regardless of "
                                              "when it was accessed"),
    ("container_memory_rss", "gauge", "Size of RSS in bytes."),
    ("container_memory_cache", "gauge", "Number of bytes of page cache memory."),
    ("kube_pod_container_resource_limits", "gauge", "The number of requested limit resource by a container."),
    ("kube_pod_container_resource_requests", "gauge", "The number of requested request resource by a container."),
    ("kube_pod_container_status_restarts_total", "counter", "The number of container restarts per container."),
    ("kube_pod_container_status_last_terminated_reason", "gauge",
     "Describes the last reason the container was in terminated state."),
    ("kube_pod_container_status_ready", "gauge", "Describes whether the containers readiness check succeeded."),
    ("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."),
    ("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB)."),
    ("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."),
    ("redis_memory_used_bytes", "gauge", "used_memory metric"),
    ("redis_memory_used_rss_bytes", "gauge", "used_memory_rss metric"),
    ("redis_memory_max_bytes", "gauge", "maxmemory metric"),
    ("redis_db_keys", "gauge", "Total number of keys by DB"),
    ("redis_evicted_keys_total", "counter", "evicted_keys metric"),
    ("redis_expired_keys_total", "counter", "expired_keys metric"),
    ("redis_keyspace_hits_total", "counter", "keyspace_hits metric"),
    ("redis_keyspace_misses_total", "counter", "keyspace_misses metric"),
]
_INDEX = {name: i for i, (name, _, _) in enumerate(FAMILIES)}


def _lbl(**kv: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in kv.items()) + "}"


def _cid(life) -> str:
    return life.container_id.split("://", 1)[-1]


def series_at(cluster: "Cluster", rec: "PodRecord", t: float) -> Iterator[tuple[str, str, float]]:
    """(family, labels, value) of one pod at time t."""
    if not rec.exists_at(t) or not rec.lives or rec.lives[0].start > t:
        return
    ns, pod, c = rec.namespace, rec.name, rec.container
    life = rec.life_at(t)
    qos = "burstable"
    pod_id = f"/kubepods/{qos}/pod{rec.uid}"
    s = rec.model.sample(life, t) if life is not None else None
    pause = 1 << 20
    if s is not None and life is not None:
        cid = _cid(life)
        lab = _lbl(container=c, id=f"{pod_id}/{cid}", image=rec.image, name=cid, namespace=ns, pod=pod)
        yield "container_memory_working_set_bytes", lab, s.working_set
        yield "container_memory_usage_bytes", lab, s.usage
        yield "container_memory_rss", lab, s.rss
        yield "container_memory_cache", lab, s.cache
    plab = _lbl(container="", id=pod_id, image="", name="", namespace=ns, pod=pod)
    yield "container_memory_working_set_bytes", plab, (s.working_set if s else 0) + pause
    yield "container_memory_usage_bytes", plab, (s.usage if s else 0) + pause
    yield "container_memory_rss", plab, (s.rss if s else 0) + pause
    yield "container_memory_cache", plab, (s.cache if s else 0)
    res = rec.spec["containers"][0].get("resources", {})
    ksm = dict(namespace=ns, pod=pod, uid=rec.uid, container=c)
    node = rec.node
    yield "kube_pod_container_resource_limits", _lbl(**ksm, node=node, resource="memory", unit="byte"), rec.limit
    if "nvidia.com/gpu" in res.get("limits", {}):
        yield "kube_pod_container_resource_limits", _lbl(**ksm, node=node, resource="nvidia_com_gpu",
                                                         unit="integer"), 1
    from .quantity import parse_quantity
    req = res.get("requests", {})
    if "memory" in req:
        yield "kube_pod_container_resource_requests", _lbl(**ksm, node=node, resource="memory", unit="byte"), \
            float(parse_quantity(req["memory"]))
    if "cpu" in req:
        yield "kube_pod_container_resource_requests", _lbl(**ksm, node=node, resource="cpu", unit="core"), \
            float(parse_quantity(req["cpu"]))
    yield "kube_pod_container_status_restarts_total", _lbl(**ksm), rec.restarts_at(t)
    last = rec.last_terminated_at(t)
    if last is not None and last.end_reason:
        yield "kube_pod_container_status_last_terminated_reason", _lbl(**ksm, reason=last.end_reason), 1
    ready = 1 if (life is not None and rec.ready_at is not None and rec.ready_at <= t) or (
        life is not None and t >= life.start + rec.model.ready_delay) else 0
    yield "kube_pod_container_status_ready", _lbl(**ksm), ready
    if rec.gpu_uuid and s is not None:
        slot = rec.gpu_uuid.rsplit("-", 1)[-1]
        idx = str(int(slot) % 8)
        dl = _lbl(gpu=idx, UUID=rec.gpu_uuid, device=f"nvidia{idx}", modelName="NVIDIA H100 80GB HBM3",
                  Hostname=node, DCGM_FI_DRIVER_VERSION="550.90.07", container=c, namespace=ns, pod=pod)
        yield "DCGM_FI_DEV_FB_USED", dl, s.gpu_used_mib
        yield "DCGM_FI_DEV_FB_FREE", dl, GPU_TOTAL_MIB - s.gpu_used_mib
        yield "DCGM_FI_DEV_GPU_UTIL", dl, min(100, int(s.cpu_nanocores / 3e7))
    if isinstance(rec.model, RedisModel) and life is not None:
        r = rec.model.stats(life, t)
        rl = dict(instance="redis.sap-llm.svc:6379", namespace=ns, pod=pod)
        yield "redis_memory_used_bytes", _lbl(**rl), r.used
        yield "redis_memory_used_rss_bytes", _lbl(**rl), r.rss
        yield "redis_memory_max_bytes", _lbl(**rl), r.maxmemory
        yield "redis_db_keys", _lbl(**rl, db="db0"), r.keys
        yield "redis_evicted_keys_total", _lbl(**rl), r.evicted_keys
        yield "redis_expired_keys_total", _lbl(**rl), r.expired_keys
        yield "redis_keyspace_hits_total", _lbl(**rl), r.keyspace_hits
        yield "redis_keyspace_misses_total", _lbl(**rl), r.keyspace_misses


def _num(v: float) -> str:
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e17):
        return str(int(v))
    return repr(float(v))


def exposition(cluster: "Cluster", now: float) -> str:
    buckets: list[list[str]] = [[] for _ in FAMILIES]
    for rec in cluster.all_pods:
        for fam, lab, val in series_at(cluster, rec, now):
            buckets[_INDEX[fam]].append(f"{fam}{lab} {_num(val)}\n")
    out: list[str] = []
    for (name, typ, help_), lines in zip(FAMILIES, buckets):
        if not lines:
            continue
        out.append(f"# HELP {name} {help_}\n# TYPE {name} {typ}\n")
        out.extend(lines)
    return "".join(out)


def openmetrics_history(cluster: "Cluster", start: float, end: float, step: float) -> str:
    if step <= 0:
        raise ValueError("step_seconds must be > 0")
    if end < start:
        raise ValueError("end must not be before start")
    n = int(math.floor((end - start) / step + 1e-9)) + 1
    per_family: list[dict[str, list[str]]] = [{} for _ in FAMILIES]
    clock = cluster.clock
    pods = [p for p in cluster.all_pods if p.created <= end and (p.deleted_at is None or p.deleted_at > start)]
    for i in range(n):
        t = start + i * step
        ts = f"{clock.unix(t):.3f}"
        for rec in pods:
            for fam, lab, val in series_at(cluster, rec, t):
                per_family[_INDEX[fam]].setdefault(lab, []).append(f"{_num(val)} {ts}")
    out: list[str] = []
    for (name, typ, help_), series in zip(FAMILIES, per_family):
        if not series:
            continue
        fam_name = name[:-6] if typ == "counter" and name.endswith("_total") else name
        out.append(f"# HELP {fam_name} {help_}\n# TYPE {fam_name} {typ}\n")
        for lab, samples in series.items():
            prefix = f"{name}{lab} "
            out.append("".join(prefix + s + "\n" for s in samples))
    out.append("# EOF\n")
    return "".join(out)
