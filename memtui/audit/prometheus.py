"""Pod memory history from Prometheus, for the export's charts (and the alert start of its summary).

The query is the pods pane's own working set (``memtui.clients.prometheus.Queries``): the figure
the kubelet's eviction logic and ``kubectl top`` agree with, summed over a pod's containers.  The
chart once had its own ``max by (pod)``, which for a pod with a sidecar showed only its largest
container: the postmortem chart then did not match what the operator saw in the pane.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from memtui.audit.errors import PrometheusUnavailable
from memtui.audit.times import as_utc
from memtui.clients import prometheus
from memtui.clients.prometheus import PrometheusAccess, Queries

if TYPE_CHECKING:
    from prometheus_api_client import PrometheusConnect

    from memtui.audit.report_data import ReportSeries


@contextmanager
def _queried(access: PrometheusAccess, timeout: float) -> Iterator[PrometheusConnect]:
    """A client for ``access`` whose failures come out as one readable ``PrometheusUnavailable`` line
    (the export's chart and its "limit after the fix" say the same thing of the same failure)."""
    import requests
    from prometheus_api_client import PrometheusApiClientException

    url = access.shown_url
    try:
        client = prometheus.connect(access, timeout=timeout, retry=prometheus.quick_retry())
    except prometheus.AccessError as exc:
        raise PrometheusUnavailable(f"Prometheus at {url}: {exc}") from None
    try:
        yield client
    except requests.exceptions.Timeout:
        raise PrometheusUnavailable(f"Prometheus at {url} did not answer within {timeout:g} s") from None
    except requests.exceptions.RequestException as exc:
        raise PrometheusUnavailable(f"Prometheus at {url} is unreachable: {_reason(exc)}") from None
    except PrometheusApiClientException as exc:
        raise PrometheusUnavailable(f"Prometheus at {url} refused the query: {exc}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise PrometheusUnavailable(f"Prometheus at {url} sent an unexpected answer: {exc}") from None
    finally:
        client.close()


def memory_query(namespace: str, matchers: str = "") -> str:
    """The PromQL of the chart: the pods pane's working set in ``namespace``."""
    return Queries(namespace, matchers).working_set


def _step_text(step: str | float | timedelta) -> str:
    if isinstance(step, timedelta):
        return f"{max(1, int(step.total_seconds()))}s"
    return str(step)


def _range(client: PrometheusConnect, query: str, start: datetime, end: datetime, step: str,
           label: str | None = "pod") -> dict[str, list[tuple[datetime, float]]]:
    """A range query's series by ``label`` (None: one series, under ""); non-finite values dropped."""
    result = client.custom_query_range(query, start_time=as_utc(start), end_time=as_utc(end), step=step)
    series: dict[str, list[tuple[datetime, float]]] = {}
    for item in result or []:
        name = (item.get("metric") or {}).get(label) if label else ""
        if name is None or (label and not name):
            continue
        points = series.setdefault(name, [])
        for stamp, value in item.get("values") or []:
            number = float(value)
            if math.isfinite(number):
                points.append((datetime.fromtimestamp(float(stamp), UTC), number))
    return {name: sorted(points) for name, points in series.items() if points}


def memory_series_from_prometheus(
    target: str | PrometheusAccess,
    namespace: str,
    start: datetime,
    end: datetime,
    step: str | float | timedelta = "30s",
    *,
    timeout: float = 10.0,
) -> dict[str, list[tuple[datetime, float]]]:
    """Working-set bytes per pod over [start, end]; naive datetimes are UTC.

    Raises ``PrometheusUnavailable`` with one readable line when Prometheus cannot be reached or
    answers with an error.
    """
    access = prometheus.as_access(target)
    with _queried(access, timeout) as client:
        return _range(client, memory_query(namespace, access.matchers), start, end, _step_text(step))


def report_series_from_prometheus(
    target: str | PrometheusAccess, namespace: str, start: datetime, end: datetime, step: str | float | timedelta = "30s", *,
    timeout: float = 10.0,
) -> ReportSeries:
    """Everything the report's charts draw, over [start, end], from ``Queries``: per pod working set
    and limit, Redis used/maxmemory (redis_exporter), per pod GPU used/total (DCGM, MiB made bytes).
    A family with no series is left out with a note (no exporter), not an error; an unreachable
    Prometheus raises ``PrometheusUnavailable`` as ``memory_series_from_prometheus``."""
    from memtui.audit.report_data import MIB, ReportSeries

    access = prometheus.as_access(target)
    queries, step_text = access.queries(namespace), _step_text(step)
    with _queried(access, timeout) as client:
        working = _range(client, queries.working_set, start, end, step_text)
        limit = _range(client, queries.limit, start, end, step_text)
        redis_used = _range(client, queries.redis_used, start, end, step_text, None).get("", [])
        redis_max = _range(client, queries.redis_max, start, end, step_text, None).get("", [])
        gpu_used = _range(client, queries.gpu_used, start, end, step_text)
        gpu_total = _range(client, queries.gpu_total, start, end, step_text)
    notes = []
    if not redis_used:
        notes.append("Redis memory left out: Prometheus has no redis_memory_used_bytes series for this namespace "
                     "(no redis_exporter?)")
    if not gpu_used:
        notes.append("GPU memory left out: Prometheus has no DCGM_FI_DEV_FB_USED series for this namespace "
                     "(no DCGM exporter, or no GPU pods)")
    if working and not limit:
        notes.append("memory limits left out: Prometheus has no kube_pod_container_resource_limits series "
                     "(no kube-state-metrics?)")

    def mib(series: dict[str, list[tuple[datetime, float]]]) -> dict[str, list[tuple[datetime, float]]]:
        return {pod: [(t, v * MIB) for t, v in points] for pod, points in series.items()}

    return ReportSeries(working_set=working, limit=limit, redis_used=redis_used, redis_max=redis_max,
                        gpu_used=mib(gpu_used), gpu_total=mib(gpu_total), source=f"Prometheus at {access.shown_url}",
                        notes=tuple(notes))


def alert_start_from_prometheus(target: str | PrometheusAccess, namespace: str, at: datetime, *, timeout: float = 10.0
                                ) -> datetime | None:
    """Since when ``MemoryUsageHigh`` was firing at ``at`` (``Queries.alerts_for_state``, the
    incident clock's Prometheus basis); None when it was not firing then or no rule exists."""
    access = prometheus.as_access(target)
    with _queried(access, timeout) as client:
        result = client.custom_query(access.queries(namespace).alerts_for_state,
                                     params={"time": f"{as_utc(at).timestamp():.3f}"})
    starts = []
    for item in result if isinstance(result, list) else []:
        number = float((item.get("value") or [0, "nan"])[1])
        if math.isfinite(number) and number > 0:
            starts.append(number)
    return datetime.fromtimestamp(min(starts), UTC) if starts else None


def _reason(exc: BaseException) -> str:
    """The innermost cause (``Connection refused``), not urllib3's nested retry wrapper text."""
    seen = exc
    while True:
        inner = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if inner is None or inner is seen or not isinstance(inner, BaseException):
            break
        seen = inner
    return str(seen) or type(seen).__name__


def container_peaks(target: str | PrometheusAccess, namespace: str, deployment: str, start: datetime, end: datetime, *,
                    timeout: float = 10.0) -> list:
    """Per container of ``deployment``'s pods: the peak working set over [start, end] and the
    growth at ``end`` (``Queries.peak_by_container``, ``growth_by_container``), for the export's
    "limit after the fix".  Raises ``PrometheusUnavailable`` as ``memory_series_from_prometheus``."""
    from memtui.audit.limits import ContainerPeak

    access = prometheus.as_access(target)
    queries = access.queries(namespace)
    window = f"{max(60, int((as_utc(end) - as_utc(start)).total_seconds()))}s"
    at = {"time": f"{as_utc(end).timestamp():.3f}"}
    with _queried(access, timeout) as client:
        peaks = client.custom_query(queries.peak_by_container(deployment, window), params=at)
        growth = client.custom_query(queries.growth_by_container(deployment), params=at)

    def by_container(result: object) -> dict[str, float]:
        out: dict[str, float] = {}
        for item in result if isinstance(result, list) else []:
            name = (item.get("metric") or {}).get("container")
            number = float((item.get("value") or [0, "nan"])[1])
            if name and math.isfinite(number):
                out[name] = number
        return out

    peak_of, growth_of = by_container(peaks), by_container(growth)
    return [ContainerPeak(name, int(peak_of[name]), growth_of.get(name)) for name in sorted(peak_of)]
