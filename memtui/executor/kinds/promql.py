"""The PromQL kind: ``promql``, an instant query, or a range query when ``range`` is set.

Read here, and nowhere else.  It talks to Prometheus (``--prometheus-url``), not the API
server, so it needs no Kubernetes permission and is offered only when a Prometheus URL is
configured.  The HTTP API has no relative ``start=-1h``: a range query is sent with ``end`` = now
and ``start`` = now − range, as timestamps.  Byte series are shown in binary units as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any

from memtui.executor.kinds.base import Reading
from memtui.executor.model import ActionContext
from memtui.executor.reading import Reader, ReadResult, cut
from memtui.executor.tables import text_table
from memtui.runbook import Action
from memtui.runbook.operations import PromQL
from memtui.runbook.params import parse_duration
from memtui.state.units import format_bytes

PROMETHEUS_TIMEOUT_S = 15.0
_STATUS_RE = re.compile(r"HTTP Status Code (\d+)")
"""How prometheus_api_client words a non-200 answer (it keeps no status attribute)."""


class PromQLHandler(Reading[PromQL]):
    operation = PromQL
    PERMISSIONS = ()
    """Prometheus, not the API server."""
    NEEDS_PROMETHEUS = True

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: PromQL,
             ctx: ActionContext) -> ReadResult:
        """Instant query, or a range query with ``end`` = now and ``start`` = now − range (timestamps)."""
        if not reader.prometheus:
            return ReadResult(False, "no Prometheus URL configured (--prometheus-url)", "no Prometheus",
                              error="no Prometheus URL configured (--prometheus-url)")
        import requests
        from prometheus_api_client import PrometheusApiClientException

        from memtui.clients import prometheus

        is_bytes = "bytes" in op.query or "FB_USED" in op.query
        url = reader.prometheus.shown_url
        target = {"kind": "Prometheus", "name": url, "query": op.query}
        try:
            prom = prometheus.connect(reader.prometheus, timeout=PROMETHEUS_TIMEOUT_S)
        except prometheus.AccessError as exc:
            return ReadResult(False, f"{op.query}\n{exc}", "Prometheus credentials unreadable", target, error=str(exc))
        try:
            if op.range:
                end = reader.clock().astimezone(UTC)
                start = end - timedelta(seconds=parse_duration(op.range).seconds)
                step = f"{int(parse_duration(op.step).seconds)}s"
                result = prom.custom_query_range(op.query, start_time=start, end_time=end, step=step)
            else:
                result = prom.custom_query(op.query)
        except PrometheusApiClientException as exc:
            code = int(found.group(1)) if (found := _STATUS_RE.match(str(exc))) else 0
            if code in prometheus.AUTH_REFUSED:
                error = f"{url}: HTTP {code}: {prometheus.AUTH_REFUSED[code]}"
                return ReadResult(False, f"{op.query}\n{error}", "Prometheus refused the credentials", target, error=error)
            error = f"query refused: {str(exc)[:300]}"
            return ReadResult(False, f"{op.query}\n{error}", "query refused", target, error=error)
        except requests.exceptions.SSLError as exc:
            error = f"{url}: {prometheus.tls_failure(exc)}"
            return ReadResult(False, f"{op.query}\n{error}", "Prometheus TLS failed", target, error=error)
        except (requests.exceptions.RequestException, ValueError) as exc:
            error = f"{url}: {type(exc).__name__}"
            return ReadResult(False, f"{op.query}\n{error}", "Prometheus unreachable", target, error=error)

        def shown(value: float) -> str:
            if "FB_USED" in op.query:
                return f"{value:.0f} MiB"
            return f"{value:.6g}" + (f" ({format_bytes(value)})" if is_bytes and "deriv" not in op.query else "")

        rows = []
        for series in result:
            labels = series.get("metric") or {}
            name = labels.get("pod") or ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "{}"
            if op.range:
                values = [float(v) for _, v in series.get("values") or []]
                if not values:
                    continue
                rows.append([name, str(len(values)), shown(values[0]), shown(values[-1]), shown(min(values)), shown(max(values))])
            else:
                value = series.get("value") or [0, "nan"]
                rows.append([name, shown(float(value[1]))])
        rows.sort()
        headers = ["SERIES", "POINTS", "FIRST", "LAST", "MIN", "MAX"] if op.range else ["SERIES", "VALUE"]
        window = f"range {op.range}, step {op.step}, end=now\n" if op.range else ""
        text = f"{op.query}\n{window}{text_table(headers, rows) if rows else '(no series)'}"
        return ReadResult(True, cut(text.splitlines()), f"{len(rows)} series", target)


HANDLERS = (PromQLHandler(),)
