"""Prometheus: trends, the working-set split, growth, OOM forecast and GPU memory, batched by pod.

One PromQL query per metric family, each ``... by (pod)``: the ``Queries`` of
``memtui.clients.prometheus``, the same text the audit export's chart sends, over the connection
``memtui.clients.prometheus.connect`` makes (why each query reads as it does is said there).
"""

from __future__ import annotations

import math
import time
from typing import Any
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from memtui.clients import prometheus
from memtui.clients.errors import SourceError
from memtui.clients.prometheus import Queries
from memtui.state.snapshots import FiringAlert, GpuUsage, PodTrend, PrometheusSnapshot


def _by_pod(result: Iterable[dict]) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in result:
        pod = (item.get("metric") or {}).get("pod")
        value = item.get("value")
        if not pod or not value:
            continue
        try:
            number = float(value[1])
        except (TypeError, ValueError, IndexError):
            continue
        if math.isfinite(number):
            values[pod] = number
    return values


def _firing_alerts(result: Iterable[dict]) -> tuple[FiringAlert, ...]:
    """``ALERTS_FOR_STATE`` series as alerts: the labels, and the value (unix seconds) as the start."""
    alerts = []
    for item in result:
        labels = {str(k): str(v) for k, v in (item.get("metric") or {}).items() if k != "__name__"}
        value: Any = item.get("value")
        try:
            since = float(value[1])
        except (TypeError, ValueError, IndexError):
            continue
        if not math.isfinite(since) or since <= 0:
            continue
        alerts.append(FiringAlert(labels, datetime.fromtimestamp(since, timezone.utc)))
    return tuple(sorted(alerts, key=lambda a: (a.starts_at, a.labels.get("pod", ""))))


class PrometheusSource:
    """Instant queries per refresh and a range query at start; blocking, run it in a worker."""

    name = "prometheus"

    def __init__(self, url: str, namespace: str, *, timeout: float = 5.0, verify_tls: bool = True) -> None:
        self.url = url.rstrip("/")
        self.namespace = namespace
        self.timeout = timeout
        self.queries = Queries(namespace)
        self._prom = prometheus.connect(self.url, timeout=timeout, verify_tls=verify_tls)

    def _query(self, promql: str) -> dict[str, float]:
        return _by_pod(self._raw_query(promql))

    def _raw_query(self, promql: str) -> list[dict]:
        import requests  # the client library and its errors load with the first connection, not at import
        from prometheus_api_client import PrometheusApiClientException

        try:
            return list(self._prom.custom_query(promql) or [])
        except PrometheusApiClientException as exc:
            raise SourceError(self.name, f"query refused: {str(exc)[:200]}") from None
        except requests.exceptions.Timeout:
            raise SourceError(self.name, f"{self.url}: timed out after {self.timeout:.0f} s") from None
        except requests.exceptions.ConnectionError as exc:
            # with retries off, urllib3 wraps a read timeout in MaxRetryError and requests turns
            # that into a ConnectionError: say what really happened
            if "timed out" in str(exc).lower():
                raise SourceError(self.name, f"{self.url}: timed out after {self.timeout:.0f} s") from None
            raise SourceError(self.name, f"{self.url}: connection refused or unreachable") from None
        except (requests.exceptions.RequestException, ValueError, KeyError, TypeError) as exc:
            raise SourceError(self.name, f"{self.url}: unreadable answer ({type(exc).__name__})") from None

    def fetch(self) -> PrometheusSnapshot:
        started = time.perf_counter()
        q = self.queries
        families = {
            "working_set": q.working_set,
            "rss": q.rss,
            "cache": q.cache,
            "usage": q.usage,
            "limit": q.limit,
            "growth": q.growth,
            "restarts": q.restarts,
            "oom": q.oom_recent,
        }
        results = {name: self._query(promql) for name, promql in families.items()}
        count = len(families)
        pods: dict[str, PodTrend] = {}
        names = set().union(*(r.keys() for r in results.values()))
        for pod in names:
            ws = results["working_set"].get(pod)
            limit = results["limit"].get(pod)
            growth = results["growth"].get(pod)
            to_oom = None
            if growth and growth > 0 and ws is not None and limit:
                # predict_linear(ws[window], t) == limit, solved for t
                to_oom = max(0.0, (limit - ws) / growth)
            restarts = results["restarts"].get(pod)
            pods[pod] = PodTrend(
                pod=pod,
                working_set=ws,
                rss=results["rss"].get(pod),
                cache=results["cache"].get(pod),
                usage=results["usage"].get(pod),
                limit=limit,
                growth_per_second=growth,
                seconds_to_oom=to_oom,
                restarts_2h=int(restarts) if restarts is not None else None,
                oom_within_2h=results["oom"].get(pod, 0.0) > 0,
            )
        gpu, gpu_error = {}, None
        try:
            used = self._query(q.gpu_used)
            free = self._query(q.gpu_free)
            gpus = self._query(q.gpu_count)
            count += 3
            for pod, used_mib in used.items():
                total = used_mib + free.get(pod, 0.0)
                gpu[pod] = GpuUsage(pod, used_mib, total, "DCGM", int(gpus.get(pod, 1)))
        except SourceError as exc:
            gpu_error = exc.reason
        alerts: tuple[FiringAlert, ...] = ()
        alerts_error = None
        try:
            alerts = _firing_alerts(self._raw_query(q.alerts_for_state))
            count += 1
        except SourceError as exc:
            alerts_error = exc.reason
        return PrometheusSnapshot(
            taken_at=datetime.now(timezone.utc),
            pods=pods,
            gpu=gpu,
            query_count=count,
            duration_seconds=time.perf_counter() - started,
            gpu_error=gpu_error,
            alerts_for_state=alerts,
            alerts_error=alerts_error,
        )

    def history(
        self, promql: str, *, duration: timedelta, points: int, end: datetime | None = None
    ) -> dict[str, list[tuple[float, float]]]:
        """``query_range`` over the last ``duration`` with a step that yields about ``points`` samples."""
        end = end or datetime.now(timezone.utc)
        start = end - duration
        step = max(1, int(duration.total_seconds() // max(1, points)))
        import requests
        from prometheus_api_client import PrometheusApiClientException

        try:
            result = self._prom.custom_query_range(promql, start_time=start, end_time=end, step=f"{step}s")
        except PrometheusApiClientException as exc:
            raise SourceError(self.name, f"range query refused: {str(exc)[:200]}") from None
        except requests.exceptions.RequestException:
            raise SourceError(self.name, f"{self.url}: unreachable") from None
        series: dict[str, list[tuple[float, float]]] = {}
        for item in result:
            pod = (item.get("metric") or {}).get("pod")
            if not pod:
                continue
            points_out = []
            for t, v in item.get("values") or []:
                try:
                    value = float(v)
                except (TypeError, ValueError):
                    continue
                if math.isfinite(value):
                    points_out.append((float(t), value))
            series[pod] = points_out
        return series
