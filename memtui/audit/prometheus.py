"""Pod memory history from Prometheus, for the export's chart.

The query is the one the kubelet's eviction logic and ``kubectl top`` agree with: the working set,
not ``container_memory_usage_bytes`` (which counts reclaimable page cache).  cAdvisor exports a
pod-level series with ``container=""`` next to each container's; it is filtered out, and
``max by (pod)`` folds the series that a restart splits (their ``id``/``name`` labels change).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from memtui.audit.errors import PrometheusUnavailable
from memtui.audit.times import as_utc

QUERY = 'max by (pod) (container_memory_working_set_bytes{{namespace="{namespace}",container!="",container!="POD"}})'


def memory_query(namespace: str) -> str:
    escaped = namespace.replace("\\", "\\\\").replace('"', '\\"')
    return QUERY.format(namespace=escaped)


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
    import requests
    from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
    from urllib3.util.retry import Retry

    if isinstance(step, timedelta):
        step = f"{max(1, int(step.total_seconds()))}s"
    # the client's default retries 3 times with 1-2-4 s back-off, so an unreachable Prometheus
    # would keep the operator waiting ~7 s for a chart: one quick retry, then say what happened
    retry = Retry(total=1, backoff_factor=0.2, status_forcelist=(502, 503, 504), raise_on_status=False)
    client = PrometheusConnect(url=url, disable_ssl=False, timeout=timeout, retry=retry)
    try:
        result = client.custom_query_range(
            memory_query(namespace), start_time=as_utc(start), end_time=as_utc(end), step=str(step)
        )
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
