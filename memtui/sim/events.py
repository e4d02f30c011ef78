"""Kubernetes Events, recorded the way the kubelet's recorder does it.

Identical events on the same object aggregate (count, lastTimestamp); each
OOM kill gets its own OOMKilling event with the kernel's message, so the OOM
history survives in Events after a rollout replaces the pods.
"""

from __future__ import annotations

from typing import Any

from . import manifests
from .clock import SimClock
from .names import NameSource
from .store import Store


class EventRecorder:
    def __init__(self, store: Store, clock: SimClock, names: NameSource) -> None:
        self.store = store
        self.clock = clock
        self.names = names
        self._agg: dict[tuple[Any, ...], str] = {}
        self._seq = 0

    def emit(self, namespace: str, involved: dict[str, Any], reason: str, message: str, t: float,
             etype: str = "Normal", component: str = "kubelet", host: str | None = None,
             aggregate: bool = True) -> dict[str, Any]:
        key = (namespace, involved.get("uid"), involved.get("fieldPath"), reason, message, component)
        name = self._agg.get(key) if aggregate else None
        if name is not None:
            st = self.store.get("events", namespace, name)
            if st is not None:
                obj = dict(st.obj)
                obj["count"] = int(obj.get("count", 1)) + 1
                obj["lastTimestamp"] = self.clock.iso(t)
                obj["metadata"] = dict(obj["metadata"])
                self.store.put("events", obj)
                return obj
        self._seq += 1
        nanos = int(self.clock.unix(t) * 1e9) + self._seq
        name = f"{involved['name']}.{nanos:x}"
        obj = manifests.event(name, namespace, involved, reason, message, etype, component, host, t, t, 1,
                              self.names.uid(), self.clock)
        self.store.put("events", obj)
        if aggregate:
            self._agg[key] = name
        return obj

    def put_raw(self, obj: dict[str, Any]) -> dict[str, Any]:
        """An Event created through the API (POST)."""
        self.store.put("events", obj)
        return obj


def oom_message(rec, sample) -> str:
    """The kernel's OOM-kill line as node-problem-detector reports it (host PID, not the container's 1)."""
    from .noise import hkey
    from .quantity import GiB, KiB, MiB
    proc = "redis-server" if rec.container == "redis" else "python3"
    pid = 100_000 + hkey(rec.key, len(rec.lives)) % 3_000_000
    return (f"Memory cgroup out of memory: Killed process {pid} ({proc}) "
            f"total-vm:{int((sample.rss + 9 * GiB) / KiB)}kB, anon-rss:{int(sample.rss / KiB)}kB, "
            f"file-rss:{int(sample.active_file / KiB / 8)}kB, shmem-rss:{int(sample.shmem / KiB)}kB, "
            f"UID:1000 pgtables:{int(sample.rss / MiB * 2.1)}kB "
            f"oom_score_adj:{984 if rec.container == 'redis' else 969}")


def pod_ref(namespace: str, name: str, uid: str, container: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"kind": "Pod", "namespace": namespace, "name": name, "uid": uid, "apiVersion": "v1"}
    if container:
        ref["fieldPath"] = f"spec.containers{{{container}}}"
    return ref


def obj_ref(kind: str, api_version: str, namespace: str, name: str, uid: str) -> dict[str, Any]:
    return {"kind": kind, "namespace": namespace, "name": name, "uid": uid, "apiVersion": api_version}
