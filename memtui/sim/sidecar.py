"""The sap-llm pods' optional second container (``SimConfig.sidecar``): a log shipper with a small limit.

Its state is a function of time and of the kills ``KillController.sidecar_oom`` scheduled, so the
pod's manifest and PodMetrics read it here without knowing the controllers (no import of them:
manifests import this module).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .noise import hkey
from .quantity import MiB, parse_bytes
from .records import PodRecord

SIDECAR_NAME = "log-shipper"
SIDECAR_IMAGE = "fluent/fluent-bit:3.1.9"
SIDECAR_LIMIT = "256Mi"
SIDECAR_BASE = 48 * MiB
"""The sidecar's working set while it keeps up with the logs."""
SIDECAR_BACKOFF = 10.0


def sidecar_container() -> dict[str, Any]:
    """The ``log-shipper`` container SimConfig.sidecar adds to the sap-llm pod template."""
    return {
        "name": SIDECAR_NAME, "image": SIDECAR_IMAGE,
        "args": ["--config=/fluent-bit/etc/fluent-bit.conf"],
        "resources": {"limits": {"memory": SIDECAR_LIMIT}, "requests": {"cpu": "50m", "memory": "64Mi"}},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
    }


@dataclass
class SidecarState:
    """A second container with a flat working set, except when ``sidecar_oom`` makes it climb."""

    name: str
    image: str
    limit: int
    kills: list[float] = field(default_factory=list)
    """When it was OOMKilled; it runs again ``SIDECAR_BACKOFF`` later."""
    ramp: tuple[float, float] | None = None
    """(from, kill) of the climb to its limit now scheduled."""

    def started(self, first_start: float, t: float) -> float | None:
        """When its current run began (None while it waits for its restart)."""
        start = first_start
        for k in self.kills:
            if k <= t:
                if t < k + SIDECAR_BACKOFF:
                    return None
                start = k + SIDECAR_BACKOFF
        return start

    def working_set(self, t: float) -> int:
        # a log backlog: it climbs for the first 3/4 of the ramp, then sits just under its limit
        # until a burst pushes it over (so the last sample before the kill is near the limit)
        if self.ramp is not None and self.ramp[0] <= t < self.ramp[1]:
            frac = min(1.0, (t - self.ramp[0]) / (0.75 * (self.ramp[1] - self.ramp[0])))
            return int(SIDECAR_BASE + (0.97 * self.limit - SIDECAR_BASE) * frac)
        return SIDECAR_BASE


def sidecar_of(rec: PodRecord) -> SidecarState | None:
    """The pod's second container, if its spec has one (created on first use)."""
    if rec.sidecar is None and len(rec.spec.get("containers", [])) > 1:
        c = rec.spec["containers"][1]
        limit = parse_bytes(c.get("resources", {}).get("limits", {}).get("memory", SIDECAR_LIMIT))
        rec.sidecar = SidecarState(c["name"], c.get("image", ""), limit)
    return rec.sidecar


def sidecar_status(rec: PodRecord, t: float, clock: Any) -> tuple[dict[str, Any], bool] | None:
    """(containerStatus, ready) of the sidecar at t, as the kubelet reports it."""
    side = sidecar_of(rec)
    if side is None:
        return None
    cs: dict[str, Any] = {"name": side.name, "state": {}, "lastState": {}, "ready": False, "image": side.image,
                          "imageID": "", "started": False,
                          "restartCount": sum(1 for k in side.kills if k + SIDECAR_BACKOFF <= t)}
    if not rec.lives or rec.lives[0].start > t:
        cs["state"] = {"waiting": {"reason": "ContainerCreating"}}
        return cs, False
    first = rec.lives[0].start
    cid = "containerd://" + "".join(f"{hkey(rec.key, side.name, len(side.kills), i):016x}" for i in range(4))
    cs["imageID"] = f"docker.io/{side.image.split(':')[0]}@sha256:{hkey(rec.key, side.image):016x}" + "0" * 48
    cs["containerID"] = cid
    ended = [k for k in side.kills if k <= t]
    if ended:
        k = ended[-1]
        prev = ended[-2] + SIDECAR_BACKOFF if len(ended) > 1 else first
        cs["lastState"] = {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": clock.iso(prev),
                                          "finishedAt": clock.iso(k), "containerID": cid}}
    started = side.started(first, t)
    if started is None:
        cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                   "message": f"back-off 10s restarting failed container={side.name} "
                                              f"pod={rec.name}_{rec.namespace}({rec.uid})"}}
        return cs, False
    cs["state"] = {"running": {"startedAt": clock.iso(started)}}
    cs["started"] = cs["ready"] = True
    return cs, True


def sidecar_usage(rec: PodRecord, t: float) -> tuple[str, int] | None:
    """(name, working set) for PodMetrics; None while it is not running."""
    side = sidecar_of(rec)
    if side is None or not rec.lives or rec.lives[0].start > t or side.started(rec.lives[0].start, t) is None:
        return None
    return side.name, side.working_set(t)
