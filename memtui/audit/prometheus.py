"""Pod memory history from Prometheus, for the export's chart.

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
from memtui.clients.prometheus import Queries

if TYPE_CHECKING:
    from prometheus_api_client import PrometheusConnect


@contextmanager
def _queried(url: str, timeout: float) -> Iterator[PrometheusConnect]:
    """A client for ``url`` whose failures come out as one readable ``PrometheusUnavailable`` line
    (the export's chart and its "limit after the fix" say the same thing of the same failure)."""
    import requests
    from prometheus_api_client import PrometheusApiClientException

    client = prometheus.connect(url, timeout=timeout, retry=prometheus.quick_retry())
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


def memory_query(namespace: str) -> str:
    """The PromQL of the chart: the pods pane's working set in ``namespace``."""
    return Queries(namespace).working_set


def memory_series_from_prometheus(
    url: str,
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
    if isinstance(step, timedelta):
        step = f"{max(1, int(step.total_seconds()))}s"
    with _queried(url, timeout) as client:
        result = client.custom_query_range(
            memory_query(namespace), start_time=as_utc(start), end_time=as_utc(end), step=str(step)
        )
    series: dict[str, list[tuple[datetime, float]]] = {}
    for item in result or []:
        pod = (item.get("metric") or {}).get("pod")
        if not pod:
            continue
        points = series.setdefault(pod, [])
        for stamp, value in item.get("values") or []:
            number = float(value)
            if math.isfinite(number):
                points.append((datetime.fromtimestamp(float(stamp), UTC), number))
    return {pod: sorted(points) for pod, points in series.items() if points}


def _reason(exc: BaseException) -> str:
    """The innermost cause (``Connection refused``), not urllib3's nested retry wrapper text."""
    seen = exc
    while True:
        inner = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if inner is None or inner is seen or not isinstance(inner, BaseException):
            break
        seen = inner
    return str(seen) or type(seen).__name__


def container_peaks(url: str, namespace: str, deployment: str, start: datetime, end: datetime, *,
                    timeout: float = 10.0) -> list:
    """Per container of ``deployment``'s pods: the peak working set over [start, end] and the
    growth at ``end`` (``Queries.peak_by_container``, ``growth_by_container``), for the export's
    "limit after the fix".  Raises ``PrometheusUnavailable`` as ``memory_series_from_prometheus``."""
    from memtui.audit.limits import ContainerPeak

    queries = Queries(namespace)
    window = f"{max(60, int((as_utc(end) - as_utc(start)).total_seconds()))}s"
    at = {"time": f"{as_utc(end).timestamp():.3f}"}
    with _queried(url, timeout) as client:
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
