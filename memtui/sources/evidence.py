"""Evidence for the cause ranking: the logs and ``du`` of a few representative pods, once a minute.

The runbook's diagnosis greps the logs ("model loaded|model cached", ``batch_size``, "leak",
"circular|reference", "allocated|freed|gc") and runs ``du -sh /models/* /tmp/cache
/tmp/model_cache`` in a pod.  This source does the same for the worst pod of each deployment
(``memtui.reasoning.pods``: a few pods, never one request per pod per refresh) and hands the
ranking counts, not lines: the lines stay in this worker, except the last few matches kept for the
pod details (outside text, drawn through ``outside_text``).

Bounded: the current container's log only, since its start but at most ``MAX_SINCE_SECONDS`` and
``TAIL_LINES`` lines, ``LIMIT_BYTES``; one exec per pod through the connection's own exec client
(``clients.kube.exec``), never under ``--read-only``.  A read that fails (403 from RBAC, a pod
gone, a timeout) becomes the pod's ``logs_error``/``disk_error``, which the ranking turns into a
gap; the gathering itself never fails, so its health is the Kubernetes source's.
Blocking: runs in a worker thread.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from kubernetes.client.rest import ApiException

from memtui.clients.errors import describe_failure
from memtui.clients.kube import rest
from memtui.clients.kube.connection import KubeConnection
from memtui.clients.kube.exec import exec_in_pod
from memtui.reasoning.pods import representative_pods
from memtui.state.cockpit import CockpitState
from memtui.state.history import pearson
from memtui.state.snapshots import EvidenceSnapshot, LogEvidence, PodEvidence

NAME = "evidence"
INTERVAL = 60.0
"""At most once a minute: logs and execs are the expensive reads."""
RETRY = 5.0
"""Before the first pods list there is nothing to sample: look again soon, not in a minute."""
TAIL_LINES = 4000
MAX_SINCE_SECONDS = 6 * 3600
LIMIT_BYTES = 2 * 1024 * 1024
MATCHES_KEPT = 8
DU_SCRIPT = "du -sk /models/* /tmp/cache /tmp/model_cache 2>/dev/null; exit 0"
"""``sh -c`` so that ``/models/*`` is expanded in the container (a plain argv passes the ``*`` as is)."""
DU_ARGV = ("sh", "-c", DU_SCRIPT)
READ_ONLY_REASON = "exec off under --read-only: no du of /models, /tmp/cache, /tmp/model_cache"


@dataclass(frozen=True, slots=True)
class EvidencePod:
    pod: str
    deployment: str | None
    containers: tuple[tuple[str, datetime | None], ...]
    """(container, started at) of each container, as the pods list says."""
    exec_container: str | None = None
    """Where ``du`` runs: the container with the largest memory limit (the server, not a sidecar)."""


@dataclass(frozen=True, slots=True)
class EvidenceInputs:
    """What a gathering needs from the cockpit's state, taken on the main thread."""

    pods: tuple[EvidencePod, ...]
    now: datetime
    """The cockpit's clock (the cluster's time: ``sinceSeconds`` is counted on the server)."""


def evidence_inputs(state: CockpitState) -> EvidenceInputs | None:
    """The representative pods now, or None (skip) before the first pods list."""
    if state.snapshot is None:
        return None
    by_name = state.pods_by_name()
    pods = []
    for rep in representative_pods(state):
        pod = by_name.get(rep.pod)
        if pod is None:
            continue
        main = max(pod.containers, key=lambda c: c.memory_limit_bytes or 0, default=None)
        pods.append(EvidencePod(pod.name, rep.deployment, tuple((c.name, c.started_at) for c in pod.containers),
                                main.name if main is not None else None))
    if not pods:
        return None
    return EvidenceInputs(tuple(pods), state.clock())


# -- the log, counted ---------------------------------------------------------------------------

_UNITS = {"b": 1, "kib": 1024, "kb": 1000, "mib": 1024**2, "mb": 1000**2, "gib": 1024**3, "gb": 1000**3}
_SIZE = r"([0-9]+(?:\.[0-9]+)?)\s*(GiB|MiB|KiB|GB|MB|kB|B)\b"
_MODEL_LOADED = re.compile(r"model loaded", re.IGNORECASE)
_MODEL_CACHED = re.compile(r"model cached", re.IGNORECASE)
_RSS_DELTA = re.compile(r"rss_delta=" + _SIZE)
_CONFIG = re.compile(r"\bconfig:\s+(.*)$")
_PAIR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")
_BATCH = re.compile(r"\bbatch_size=([0-9]+)")
_ACTIVATION = re.compile(r"activation_mem=" + _SIZE)
_LEAK = re.compile(r"memory leak|circular reference", re.IGNORECASE)
_GC = re.compile(r"\bgc\b", re.IGNORECASE)
_FREED = re.compile(r"\bfreed\s+" + _SIZE, re.IGNORECASE)
_ALLOCATED = re.compile(r"\ballocated\s+" + _SIZE, re.IGNORECASE)
_ALIVE = re.compile(r"\balive=([0-9]+)")
_REQUESTS = re.compile(r"\brequests=([0-9]+)")
PAIRS_KEPT = 240
"""(load, memory) pairs of the last batches kept for the correlation (4 hours of one a minute)."""


def correlation(pairs: list[tuple[float, float]]) -> float | None:
    """Pearson's r of (x, y) pairs; None for fewer than 5 or no spread."""
    return pearson(pairs) if len(pairs) >= 5 else None


def _bytes(match: re.Match[str]) -> float:
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def parse_log(text: str, *, container: str, started_at: datetime | None, from_start: bool) -> LogEvidence:
    """Count the runbook's patterns in one container's log (the lines since its start)."""
    loaded = cached = batch_lines = leak = gc_lines = 0
    step: float | None = None
    batch_max: int | None = None
    activation: float | None = None
    freed = allocated = 0.0
    alive_first: int | None = None
    alive_last: int | None = None
    config: tuple[tuple[str, str], ...] = ()
    matches: deque[str] = deque(maxlen=MATCHES_KEPT)
    pairs: deque[tuple[float, float]] = deque(maxlen=PAIRS_KEPT)
    lines = text.splitlines()
    for line in lines:
        matched = False
        if _MODEL_LOADED.search(line):
            loaded += 1
            matched = True
            if (m := _RSS_DELTA.search(line)) is not None:
                step = max(step or 0.0, _bytes(m))
        elif _MODEL_CACHED.search(line):
            cached += 1
            matched = True
        if (m := _CONFIG.search(line)) is not None:
            config = config or tuple(_PAIR.findall(m.group(1)))  # the boot line: settings, not a batch
        elif (m := _BATCH.search(line)) is not None:
            batch_lines += 1
            batch_max = max(batch_max or 0, int(m.group(1)))
            matched = True
            if (a := _ACTIVATION.search(line)) is not None:
                activation = max(activation or 0.0, _bytes(a))
                if (r := _REQUESTS.search(line)) is not None:
                    pairs.append((float(r.group(1)), _bytes(a)))
        if _LEAK.search(line):
            leak += 1
            matched = True
        if _GC.search(line) and ((f := _FREED.search(line)) or _ALLOCATED.search(line)):
            gc_lines += 1
            if f is not None:
                freed += _bytes(f)
            if (a := _ALLOCATED.search(line)) is not None:
                allocated += _bytes(a)
            if (n := _ALIVE.search(line)) is not None:
                alive_last = int(n.group(1))
                alive_first = alive_last if alive_first is None else alive_first
            matched = True
        if matched:
            matches.append(line[:300])
    return LogEvidence(
        container=container, started_at=started_at, lines=len(lines), from_start=from_start,
        models_loaded=loaded, models_cached=cached, model_step_bytes=int(step) if step else None, config=config,
        batch_lines=batch_lines, batch_size_max=batch_max,
        activation_max_bytes=int(activation) if activation else None, batch_load_r=correlation(list(pairs)),
        leak_lines=leak,
        gc_lines=gc_lines, gc_freed_bytes=freed, gc_allocated_bytes=allocated,
        alive_first=alive_first, alive_last=alive_last, matches=tuple(matches),
    )


def parse_du(text: str) -> tuple[tuple[str, int], ...]:
    """``du -sk`` lines (``KiB<TAB>path``) → (path, bytes); lines that are not that are skipped."""
    out = []
    for line in text.splitlines():
        size, _, path = line.partition("\t")
        if path and size.strip().isdigit():
            out.append((path.strip(), int(size) * 1024))
    return tuple(out)


def failure_reason(exc: BaseException) -> str:
    """One short line for a failed log read or exec; RBAC is named as such (it is the fix)."""
    if isinstance(exc, ApiException):
        if exc.status == 403:
            return "forbidden (RBAC)"
        if exc.status == 404:
            return "not found (pod replaced?)"
    return describe_failure(exc)


def _exec_reason(error: str) -> str:
    return "forbidden (RBAC)" if "403" in error or "Forbidden" in error else error


class EvidenceSource:
    """Gathers one ``EvidenceSnapshot`` per call; ``fetch(inputs)`` runs in a worker."""

    name = NAME

    def __init__(self, connection: KubeConnection, *, read_only: bool, timeout: float = 5.0) -> None:
        self.connection = connection
        self.namespace = connection.namespace
        self.read_only = read_only
        self.timeout = timeout

    def fetch(self, inputs: EvidenceInputs) -> EvidenceSnapshot:
        started = time.perf_counter()
        requests = 0
        gathered = []
        for pod in inputs.pods:
            logs, logs_error = [], None
            for container, container_started in pod.containers:
                requests += 1
                try:
                    logs.append(self._logs(pod.pod, container, container_started, inputs.now))
                except Exception as exc:  # noqa: BLE001 - any failure is this pod's gap, never the gathering's
                    reason = failure_reason(exc)
                    logs_error = logs_error or (reason if len(pod.containers) == 1 else f"{container}: {reason}")
                    if isinstance(exc, ApiException) and exc.status in (403, 404):
                        break  # the next container would be refused (or gone) alike
            disk: tuple[tuple[str, int], ...] = ()
            disk_error = None
            if self.read_only:
                disk_error = READ_ONLY_REASON
            else:
                requests += 1
                result = exec_in_pod(self.connection.exec_api_client, self.namespace, pod.pod, DU_ARGV,
                                     container=pod.exec_container,
                                     timeout=max(self.timeout, 10.0))
                if result.error is not None:
                    disk_error = _exec_reason(result.error)
                else:
                    disk = parse_du(result.text)
            gathered.append(PodEvidence(pod.pod, pod.deployment, tuple(logs), logs_error, disk, disk_error))
        return EvidenceSnapshot(
            taken_at=inputs.now,
            pods=tuple(gathered),
            request_count=requests,
            duration_seconds=time.perf_counter() - started,
            exec_off=READ_ONLY_REASON if self.read_only else None,
        )

    def _logs(self, pod: str, container: str, started_at: datetime | None, now: datetime) -> LogEvidence:
        age = (now - started_at).total_seconds() if started_at is not None else None
        since = MAX_SINCE_SECONDS if age is None else int(min(MAX_SINCE_SECONDS, max(60.0, age + 60.0)))
        raw = rest.pod_log(self.connection.api_client, self.namespace, pod, container=container, tail_lines=TAIL_LINES,
                           since_seconds=since, limit_bytes=LIMIT_BYTES,
                           timeout=(min(3.0, self.timeout), self.timeout))
        text = raw.decode("utf-8", "replace")
        count = text.count("\n")
        from_start = age is not None and age + 60.0 <= MAX_SINCE_SECONDS and count < TAIL_LINES and len(raw) < LIMIT_BYTES
        return parse_log(text, container=container, started_at=started_at, from_start=from_start)
