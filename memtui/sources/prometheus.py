"""Prometheus: trends, the working-set split, growth, OOM forecast and GPU memory, batched by pod.

One PromQL query per metric family or fewer, each ``... by (pod)``: the ``Queries`` of
``memtui.clients.prometheus``, the same text the audit export's chart sends, over the connection
``memtui.clients.prometheus.connect`` makes (why each query reads as it does is said there).

What changes at the rate it changes: the working set and its split, growth, GPU memory and the
firing alerts every refresh; limits, restart counts, OOM flags and GPU counts (``SLOW_FAMILIES``)
every ``SLOW_INTERVAL`` and at once when the set of pods Prometheus sees changes (a new pod's limit
is there on its first refresh).  The snapshot says when each of those was read, so a figure is
never passed off as newer than it is.  At 5,000 pods that is 4 queries instead of 12 on most
refreshes (``bench/prometheus.py``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from datetime import datetime, timedelta, timezone

import msgspec

from memtui.clients import prometheus
from memtui.clients import prometheus_wire as wire
from memtui.clients.errors import SourceError, describe_failure
from memtui.clients.names import shared
from memtui.clients.prometheus import CACHE, GPU_FREE, GPU_USED, RSS, USAGE, WORKING_SET, PrometheusAccess
from memtui.state.snapshots import FiringAlert, GpuUsage, PodTrend, PrometheusSnapshot, Samples

SLOW_INTERVAL = 60.0
"""Seconds between reads of the families that change only with the pods (limits) or rarely
(restarts and OOM kills over 2 h, which the Kubernetes source sees at once anyway)."""
PATIENCE_MAX = 30.0
"""The longest a query is waited for after timeouts (``PrometheusSource.patience``): Grafana's
default data-source timeout is 30 s."""
SLOW_MAX_AGE = 300.0
"""A slow family's figures outlive failed reads this long, then they are dropped, not shown stale."""
SLOW_FAMILIES = ("limit", "restarts", "oom", "gpu_count")


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _samples(values: Iterable[wire.Value]) -> Samples:
    """One range series packed, its NaN and infinite samples left out."""
    return Samples.of((value.time, number) for value in values if (number := _number(value.text)) is not None)


def _by_pod(samples: Iterable[wire.PodSample]) -> dict[str, float]:
    values: dict[str, float] = {}
    for sample in samples:
        pod = sample.metric.pod
        number = _number(sample.value.text)
        if pod and number is not None:
            values[shared(pod)] = number  # the listing's very name object (``clients.names``)
    return values


def _by_name_and_pod(samples: Iterable[wire.PodSample], names: Iterable[str]) -> dict[str, dict[str, float]]:
    """A query of several metrics (grouped ``by (__name__, pod)``) split back into one map per metric."""
    values: dict[str, dict[str, float]] = {name: {} for name in names}
    for sample in samples:
        per_pod = values.get(sample.metric.name)
        number = _number(sample.value.text)
        if per_pod is not None and sample.metric.pod and number is not None:
            per_pod[shared(sample.metric.pod)] = number
    return values


def _firing_alerts(samples: Iterable[wire.LabelledSample]) -> tuple[FiringAlert, ...]:
    """``ALERTS_FOR_STATE`` series as alerts: the labels, and the value (unix seconds) as the start."""
    alerts = []
    for sample in samples:
        labels = {k: v for k, v in sample.metric.items() if k != "__name__"}
        since = _number(sample.value.text)
        if since is None or since <= 0:
            continue
        alerts.append(FiringAlert(labels, datetime.fromtimestamp(since, timezone.utc)))
    return tuple(sorted(alerts, key=lambda a: (a.starts_at, a.labels.get("pod", ""))))


@dataclass(frozen=True)
class _Read:
    """One slow family's figures, and when they were read (monotonic for the schedule, UTC to show)."""

    values: dict[str, float]
    at: float
    taken_at: datetime


class PrometheusSource:
    """Instant queries per refresh and a range query at start; blocking, run it in a worker.

    Keeps the last read of each slow family between refreshes: one source per worker spec, its
    ``fetch`` never run twice at once (polls never overlap)."""

    name = "prometheus"

    def __init__(self, access: str | PrometheusAccess, namespace: str, *, timeout: float = 5.0) -> None:
        """``access``: where and how (auth, TLS, headers, cluster matchers); a bare URL for none.
        Raises ``AccessError`` when a credential cannot be read."""
        access = prometheus.as_access(access)
        self.url = access.url.rstrip("/")
        self.namespace = namespace
        self.timeout = timeout
        self.patience = timeout
        """How long a query is waited for now: twice as long after a timeout (up to ``PATIENCE_MAX``),
        back towards ``timeout`` as answers come quicker.  A fixed 5 s against 20,000 pods' vectors
        on a loaded Prometheus timed out at every try, and the pane never filled; the waits are a
        worker's, the screen does not wait for them."""
        self.queries = access.queries(namespace)
        self._prom = prometheus.connect(access, timeout=timeout)
        self.slow_interval = SLOW_INTERVAL
        self.clock: Callable[[], float] = time.monotonic
        """Seconds, for the slow families' schedule (a test moves it instead of waiting a minute)."""
        self._slow: dict[str, _Read] = {}
        self._last: tuple[dict[str, PodTrend], dict[str, GpuUsage]] = ({}, {})
        """The last trends and GPU figures handed over: handed over again, the same objects, while
        they are equal (Prometheus scrapes every 15-60 s, memtui reads every 5), so the cockpit
        sees at a glance that there is nothing to fold."""
        self._slow_pods: frozenset[str] | None = None
        """The pods Prometheus saw when the slow families were last read."""
        self._slow_tried: float | None = None
        """When they were last read (or tried: a family that fails is not retried every refresh)."""

    def _call(self, read, promql: str, *, refused: str = "query refused", wait: float | None = None):
        """``wait``: how long this read is waited for, instead of the refreshes' ``patience``
        (which a timeout then leaves alone)."""
        import requests  # the client library and its errors load with the first connection, not at import

        waited = self.patience if wait is None else wait
        try:
            return read(self._prom, promql, timeout=waited)
        except wire.QueryRefused as exc:
            raise SourceError(self.name, f"{refused}: {str(exc)[:200]}") from None
        except requests.exceptions.Timeout:
            raise self._timed_out(waited, wait is None) from None
        except requests.exceptions.SSLError as exc:
            raise SourceError(self.name, f"{self.url}: {prometheus.tls_failure(exc)}") from None
        except requests.exceptions.ConnectionError as exc:
            # with retries off, urllib3 wraps a read timeout in MaxRetryError and requests turns
            # that into a ConnectionError: say what really happened
            if "timed out" in str(exc).lower():
                raise self._timed_out(waited, wait is None) from None
            raise SourceError(self.name, f"{self.url}: connection refused or unreachable") from None
        except (requests.exceptions.RequestException, msgspec.DecodeError, ValueError) as exc:
            raise SourceError(self.name, f"{self.url}: unreadable answer ({type(exc).__name__})") from None

    def _timed_out(self, waited: float, refresh: bool = True) -> SourceError:
        """The error (the caller raises it); after a refresh's query, the next ones wait twice as long."""
        if not refresh:
            return SourceError(self.name, f"{self.url}: timed out after {waited:.0f} s")
        self.patience = min(PATIENCE_MAX, max(self.patience, 2 * waited))
        return SourceError(self.name, f"{self.url}: timed out after {waited:.0f} s (next wait {self.patience:.0f} s)")

    def _answered(self, seconds: float) -> None:
        """A read answered in ``seconds``: wait no longer than twice that next time, nor less than ``timeout``."""
        self.patience = max(self.timeout, min(self.patience, 2 * seconds))

    def _concurrently(self, calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
        """Every call at once, each on a daemon thread of its own; each key's result, or the
        ``SourceError`` its call raised.

        Prometheus evaluates the queries side by side, so a refresh takes as long as its slowest
        query, not their sum: one after another, the first refresh's eight took 3.4 s at 5,000
        pods (beside the first pods LIST), and the screen waited for the last.  Daemons: a query
        that hangs as memtui quits does not hold the exit up; each has its request timeout, and
        the refresh waits for none longer than ``timeout`` twice over."""
        results: dict[str, Any] = {}

        def run(key: str, call: Callable[[], Any]) -> None:
            try:
                results[key] = call()
            except SourceError as exc:
                results[key] = exc
            except Exception as exc:  # noqa: BLE001 - a failure in one family is that family's reason
                results[key] = SourceError(self.name, f"{self.url}: {describe_failure(exc)}")

        threads = [threading.Thread(target=run, args=item, name=f"prometheus:{item[0]}", daemon=True)
                   for item in calls.items()]
        for thread in threads:
            thread.start()
        waited = self.patience
        deadline = time.monotonic() + 2 * waited + 1
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        late = SourceError(self.name, f"{self.url}: timed out after {waited:.0f} s")
        return {key: results.get(key, late) for key in calls}

    def _per_pod(self, promql: str) -> Callable[[], dict[str, float]]:
        return lambda: _by_pod(self._call(wire.pod_vector, promql))

    def _slow_calls(self) -> dict[str, Callable[[], dict[str, float]]]:
        q = self.queries
        return {"limit": self._per_pod(q.limit), "restarts": self._per_pod(q.restarts),
                "oom": self._per_pod(q.oom_recent), "gpu_count": self._per_pod(q.gpu_count)}

    def _keep_slow(self, results: dict[str, Any], now: float, errors: dict[str, str]) -> None:
        """Keep every slow family's new figures; one that failed keeps its last ones up to ``SLOW_MAX_AGE``."""
        for family in SLOW_FAMILIES:
            read = results[family]
            if isinstance(read, SourceError):
                errors[family] = read.reason
                kept = self._slow.get(family)
                if kept is not None and now - kept.at > SLOW_MAX_AGE:
                    del self._slow[family]
            else:
                self._slow[family] = _Read(read, now, datetime.now(timezone.utc))

    def fetch(self) -> PrometheusSnapshot:
        started = time.perf_counter()
        q = self.queries
        now = self.clock()
        calls: dict[str, Callable[[], Any]] = {
            "memory": lambda: _by_name_and_pod(self._call(wire.pod_vector, q.memory), (WORKING_SET, RSS, CACHE, USAGE)),
            "growth": self._per_pod(q.growth),
            "gpu": lambda: _by_name_and_pod(self._call(wire.pod_vector, q.gpu_memory), (GPU_USED, GPU_FREE)),
            "alerts": lambda: _firing_alerts(self._call(wire.labelled_vector, q.alerts_for_state)),
        }
        slow_due = self._slow_tried is None or now - self._slow_tried >= self.slow_interval
        if slow_due:
            calls.update(self._slow_calls())
        results = self._concurrently(calls)
        memory = results["memory"]
        if isinstance(memory, SourceError):
            raise memory
        self._answered(time.perf_counter() - started)
        count = len(calls)
        errors: dict[str, str] = {}
        growth = results["growth"]
        growth_by_pod: dict[str, float] = {} if isinstance(growth, SourceError) else growth
        if isinstance(growth, SourceError):
            errors["growth"] = growth.reason
        seen = frozenset().union(*(m.keys() for m in memory.values()))
        if not slow_due and seen != self._slow_pods:  # a pod came or went: its limit now, not in a minute
            results.update(self._concurrently(self._slow_calls()))
            count += len(SLOW_FAMILIES)
            slow_due = True
        if slow_due:
            self._keep_slow(results, now, errors)
            self._slow_pods, self._slow_tried = seen, now
        slow = {family: read.values for family, read in self._slow.items()}
        limits, restarts_2h, ooms = slow.get("limit", {}), slow.get("restarts", {}), slow.get("oom", {})
        working_sets = memory[WORKING_SET]
        pods: dict[str, PodTrend] = {}
        names = seen | growth_by_pod.keys() | limits.keys() | restarts_2h.keys() | ooms.keys()
        for pod in names:
            ws = working_sets.get(pod)
            limit = limits.get(pod)
            growth = growth_by_pod.get(pod)
            to_oom = None
            if growth and growth > 0 and ws is not None and limit:
                # predict_linear(ws[window], t) == limit, solved for t
                to_oom = max(0.0, (limit - ws) / growth)
            restarts = restarts_2h.get(pod)
            pods[pod] = PodTrend(
                pod=pod,
                working_set=ws,
                rss=memory[RSS].get(pod),
                cache=memory[CACHE].get(pod),
                usage=memory[USAGE].get(pod),
                limit=limit,
                growth_per_second=growth,
                seconds_to_oom=to_oom,
                restarts_2h=int(restarts) if restarts is not None else None,
                oom_within_2h=ooms.get(pod, 0.0) > 0,
            )
        gpu, gpu_error = {}, None
        gpu_memory = results["gpu"]
        if isinstance(gpu_memory, SourceError):
            gpu_error = gpu_memory.reason
        else:
            free, gpus = gpu_memory[GPU_FREE], slow.get("gpu_count", {})
            for pod, used_mib in gpu_memory[GPU_USED].items():
                total = used_mib + free.get(pod, 0.0)
                gpu[pod] = GpuUsage(pod, used_mib, total, "DCGM", int(gpus.get(pod, 1)))
        alerts: tuple[FiringAlert, ...] = ()
        alerts_error = None
        if isinstance(results["alerts"], SourceError):
            alerts_error = results["alerts"].reason
        else:
            alerts = results["alerts"]
        last_pods, last_gpu = self._last
        pods, gpu = last_pods if pods == last_pods else pods, last_gpu if gpu == last_gpu else gpu
        self._last = pods, gpu
        return PrometheusSnapshot(
            taken_at=datetime.now(timezone.utc),
            pods=pods,
            gpu=gpu,
            query_count=count,
            duration_seconds=time.perf_counter() - started,
            gpu_error=gpu_error,
            alerts_for_state=alerts,
            alerts_error=alerts_error,
            read_at={family: read.taken_at for family, read in self._slow.items()},
            errors=errors,
        )

    def history(
        self, promql: str, *, duration: timedelta, points: int, end: datetime | None = None
    ) -> dict[str, Samples]:
        """``query_range`` over the last ``duration`` with a step that yields about ``points`` samples.

        Waited for ``PATIENCE_MAX`` (Grafana's 30 s), not the refreshes' patience: one range query
        is about ``points`` times an instant one's samples (3.6 million at 20,000 pods), nothing
        on screen waits for it, and a timeout throws away the evaluation that the retry then does
        again.  At 20,000 pods the backfill timed out after 5 s in two bench runs of three and
        came 10 s and a second evaluation later."""
        end = end or datetime.now(timezone.utc)
        start = end - duration
        step = max(1, int(duration.total_seconds() // max(1, points)))

        def read(client, promql: str, *, timeout: float) -> dict[str, Samples]:
            answer = wire.pod_matrix(client, promql, start=start.timestamp(), end=end.timestamp(), step=step,
                                     timeout=timeout)
            return {shared(item.metric.pod): _samples(wire.range_values(item)) for item in answer if item.metric.pod}

        return self._call(read, promql, refused="range query refused", wait=PATIENCE_MAX)
