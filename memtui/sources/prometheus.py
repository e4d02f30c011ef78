"""Prometheus: trends, the working-set split, growth, OOM forecast and GPU memory, batched by pod.

One PromQL query per metric family, each ``... by (pod)`` and always selected by namespace (another
team's pods can run containers with the same names).  The runbook's own queries are wrong in
ways that matter during an incident, and these are the corrections:

* ``container_memory_usage_bytes`` includes page cache; kubelet eviction and ``kubectl top`` go
  by the working set, so that is the headline figure, split into RSS and cache.
* cAdvisor exports a pod-level series (``container=""``) and the pause container (``POD``) beside
  each container's: a plain sum counts every pod twice.  Filter both.
* cAdvisor's ``id``/``name`` labels change at every restart, so one pod becomes several series:
  aggregate ``max by (pod, container)`` then sum containers.
* Memory is a gauge: growth is ``deriv()``, not ``rate()``.  It is computed per series and kept
  only for series present now (``and`` on the instant vector), i.e. over the current container's
  life: across an OOM sawtooth a regression predicts nonsense.
* ``query_range ... start=-1h`` is not valid: start and end are timestamps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from memtui.state.snapshots import GpuUsage, PodTrend, PrometheusSnapshot
from memtui.clients.errors import SourceError

GROWTH_WINDOW = "10m"


@dataclass(frozen=True)
class Queries:
    """The PromQL memtui sends, rendered for one namespace (shown verbatim in the UI and docs)."""

    namespace: str

    @property
    def selector(self) -> str:
        return f'namespace="{self.namespace}",container!="",container!="POD"'

    def _per_pod(self, metric: str) -> str:
        return f"sum by (pod) (max by (pod, container) ({metric}{{{self.selector}}}))"

    @property
    def working_set(self) -> str:
        return self._per_pod("container_memory_working_set_bytes")

    @property
    def rss(self) -> str:
        return self._per_pod("container_memory_rss")

    @property
    def cache(self) -> str:
        return self._per_pod("container_memory_cache")

    @property
    def usage(self) -> str:
        return self._per_pod("container_memory_usage_bytes")

    @property
    def limit(self) -> str:
        return (
            f'sum by (pod) (max by (pod, container) (kube_pod_container_resource_limits{{namespace="{self.namespace}",resource="memory"}}))'
        )

    @property
    def growth(self) -> str:
        metric = f"container_memory_working_set_bytes{{{self.selector}}}"
        return f"max by (pod) (deriv({metric}[{GROWTH_WINDOW}]) and {metric})"

    @property
    def restarts(self) -> str:
        metric = f'kube_pod_container_status_restarts_total{{namespace="{self.namespace}"}}'
        return f"sum by (pod) (max_over_time({metric}[2h]) - min_over_time({metric}[2h]))"

    @property
    def oom_recent(self) -> str:
        return (
            f'max by (pod) (max_over_time(kube_pod_container_status_last_terminated_reason{{namespace="{self.namespace}",reason="OOMKilled"}}[2h]))'
        )

    @property
    def gpu_used(self) -> str:
        return f'sum by (pod) (DCGM_FI_DEV_FB_USED{{namespace="{self.namespace}"}})'

    @property
    def gpu_free(self) -> str:
        return f'sum by (pod) (DCGM_FI_DEV_FB_FREE{{namespace="{self.namespace}"}})'

    @property
    def gpu_count(self) -> str:
        return f'count by (pod) (DCGM_FI_DEV_FB_USED{{namespace="{self.namespace}"}})'


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


class PrometheusSource:
    """Instant queries per refresh and a range query at start; blocking, run it in a worker."""

    name = "prometheus"

    def __init__(self, url: str, namespace: str, *, timeout: float = 5.0, verify_tls: bool = True) -> None:
        self.url = url.rstrip("/")
        self.namespace = namespace
        self.timeout = timeout
        self.queries = Queries(namespace)
        self._prom = PrometheusConnect(
            url=self.url, disable_ssl=not verify_tls, timeout=timeout, retry=Retry(total=0)
        )

    def _query(self, promql: str) -> dict[str, float]:
        try:
            return _by_pod(self._prom.custom_query(promql))
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
        return PrometheusSnapshot(
            taken_at=datetime.now(timezone.utc),
            pods=pods,
            gpu=gpu,
            query_count=count,
            duration_seconds=time.perf_counter() - started,
            gpu_error=gpu_error,
        )

    def history(
        self, promql: str, *, duration: timedelta, points: int, end: datetime | None = None
    ) -> dict[str, list[tuple[float, float]]]:
        """``query_range`` over the last ``duration`` with a step that yields about ``points`` samples."""
        end = end or datetime.now(timezone.utc)
        start = end - duration
        step = max(1, int(duration.total_seconds() // max(1, points)))
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
