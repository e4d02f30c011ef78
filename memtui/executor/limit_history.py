"""The memory history the limit advice is computed from: Prometheus first, memtui's own otherwise.

Prometheus is asked two things through the one query set (``Queries``): how far back it really
holds the container's working set (the earliest sample within seven days: its retention, or when
scraping began), then the peak over that window (clamped to 1 h … 7 d).  Without Prometheus, or
when it does not answer, the peak is the highest working set memtui itself recorded for the
deployment's pods (its ring buffers hold about an hour), and the advice says which it was.  The
growth and the current working set are the pods table's own figures, from the action context.

Blocking I/O: called from the plan worker.  Answers are cached for a minute per container, so
re-planning while the operator edits the value does not query Prometheus at every key stroke.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

from memtui.executor.model import ActionContext
from memtui.executor.planning import Planner
from memtui.reasoning.limit_advice import UsageHistory, window_for
from memtui.state.snapshots import PodState

PROMETHEUS_TIMEOUT_S = 10.0
CACHE_S = 60.0


def usage_history(planner: Planner, ctx: ActionContext, pods: Sequence[PodState], deployment: str,
                  container: str, limit_bytes: int | None) -> UsageHistory:
    """The container's history for the advice (``pods``: the deployment's pods in the snapshot)."""
    names = [p.name for p in pods]
    growth = [ctx.growth[n] for n in names if n in ctx.growth]
    current = [ctx.usage[n] for n in names if ctx.usage.get(n) is not None]
    live = UsageHistory(deployment, container, "none", None, 0.0, growth_bytes_per_s=max(growth) if growth else None,
                        current_bytes=max(current) if current else None, limit_bytes=limit_bytes)
    note = None
    if planner.prometheus:
        key = (deployment, container)
        with planner.history_lock:
            cached = planner.history_cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < CACHE_S:
            peak, window, held = cached[1]
            return replace(live, source="prometheus", peak_bytes=peak, window_s=window, held_s=held)
        try:
            peak, window, held = _from_prometheus(planner, deployment, container)
        except PrometheusFailed as exc:
            note = f"Prometheus did not answer: {exc}"
        else:
            if peak is not None:
                with planner.history_lock:
                    planner.history_cache[key] = (time.monotonic(), (peak, window, held))
                return replace(live, source="prometheus", peak_bytes=peak, window_s=window, held_s=held)
            note = "Prometheus has no sample of it"
    own = [ctx.peaks[n] for n in names if n in ctx.peaks]
    if not own:
        why = note or "no Prometheus (--prometheus-url) and memtui has no samples of these pods yet"
        return replace(live, note=why)
    span = max(s for _, s in own)
    return replace(live, source="memtui", peak_bytes=max(p for p, _ in own), window_s=span, held_s=span, note=note)


class PrometheusFailed(Exception):
    """Prometheus refused or did not answer; ``str()`` is one line."""


def _from_prometheus(planner: Planner, deployment: str, container: str) -> tuple[int | None, float, float | None]:
    """(peak bytes or None, window seconds, seconds of data Prometheus holds or None)."""
    import requests
    from prometheus_api_client import PrometheusApiClientException

    from memtui.clients.prometheus import AccessError, connect

    assert planner.prometheus
    queries = planner.prometheus.queries(planner.namespace)
    settings = planner.advice_settings
    try:
        prom = connect(planner.prometheus, timeout=PROMETHEUS_TIMEOUT_S)
    except AccessError as exc:
        raise PrometheusFailed(str(exc)) from None
    within = f"{int(settings.max_window_s)}s"
    try:
        start = _scalar(prom.custom_query(queries.history_start(deployment, container, within=within)))
        held = None if start is None else max(0.0, planner.clock().timestamp() - start)
        window = window_for(held, settings)
        peak = _scalar(prom.custom_query(queries.peak_working_set(deployment, container, f"{int(window)}s")))
    except PrometheusApiClientException as exc:
        raise PrometheusFailed(f"query refused: {str(exc)[:200]}") from None
    except (requests.exceptions.RequestException, ValueError) as exc:
        raise PrometheusFailed(f"{planner.prometheus.shown_url}: {type(exc).__name__}") from None
    return (None if peak is None else int(peak)), window, held


def _scalar(result: object) -> float | None:
    """The one value of an instant query aggregated to one series (None: no series, or NaN)."""
    if not isinstance(result, list) or not result:
        return None
    value = (result[0] or {}).get("value") or [0, "nan"]
    number = float(value[1])
    return number if math.isfinite(number) else None
