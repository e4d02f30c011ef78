"""memory_series_from_prometheus against a real Prometheus scraping the simulator (backfilled
history, then live scrapes): the series must be the simulator's own, point for point, and, for a
pod with a sidecar, the pods pane's own figure; a Prometheus that refuses or cannot be reached is
one clear line."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import requests

from memtui.audit import AuditError, PrometheusUnavailable, memory_series_from_prometheus
from memtui.sources.prometheus import PrometheusSource
from tests.servers import free_port, start_prometheus_with_history

NS = "sap-llm"
HISTORY_STEP = 15.0  # what start_prometheus_for_simulator backfills with
LOOKBACK = 300.0  # Prometheus' default lookback delta
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


Series = list[tuple[float, float]]


def simulator_history(sim) -> dict[str, dict[str, list[Series]]]:
    """The working-set samples the fixture backfilled, per pod and container, one list per series
    (a restart starts a new one; cAdvisor's pod-level and POD series left out, as the query does)."""
    end = sim.now() - timedelta(seconds=HISTORY_STEP)
    text = sim.openmetrics_history(end - timedelta(hours=2), end, HISTORY_STEP)
    series: dict[tuple[str, str, str], Series] = defaultdict(list)
    for line in text.splitlines():
        if not line.startswith("container_memory_working_set_bytes{"):
            continue
        labels_text, rest = line[len("container_memory_working_set_bytes{"):].split("} ", 1)
        labels = dict(_LABEL.findall(labels_text))
        if labels.get("namespace") != NS or labels.get("container") in ("", "POD", None):
            continue
        value, stamp = rest.split()
        series[(labels["pod"], labels["container"], labels_text)].append((float(stamp), float(value)))
    per_pod: dict[str, dict[str, list[Series]]] = defaultdict(lambda: defaultdict(list))
    for (pod, container, _), samples in series.items():
        per_pod[pod][container].append(sorted(samples))
    return per_pod


def latest_at(samples: Series, t: float) -> float | None:
    """A series' value at t for PromQL: its latest sample in (t - 5m, t]."""
    latest = [v for ts, v in samples if t - LOOKBACK < ts <= t]
    return latest[-1] if latest else None


def expected_at(containers: dict[str, list[Series]], t: float) -> float | None:
    """``sum by (pod) (max by (pod, container) (...))`` at t: each container's largest live series
    (a restart's old series lingers for the lookback), summed over the pod's containers."""
    per_container = []
    for series in containers.values():
        values = [v for v in (latest_at(samples, t) for samples in series) if v is not None]
        if values:
            per_container.append(max(values))
    return sum(per_container) if per_container else None


def wait_for_live_scrapes(url: str, count: int = 2, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = requests.get(f"{url}/api/v1/query", params={"query": 'count_over_time(up{job="memtui-sim"}[1m])'},
                              timeout=5).json()["data"]["result"]
        if result and float(result[0]["value"][1]) >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"Prometheus at {url} did not scrape the simulator {count} times in {timeout:.0f} s")


def test_the_series_are_the_simulators_history_point_for_point(sim, prometheus):
    end = sim.now() - timedelta(seconds=HISTORY_STEP)  # the last backfilled instant
    start = end - timedelta(hours=1)
    series = memory_series_from_prometheus(prometheus.url, NS, start, end, "60s")
    history = simulator_history(sim)
    truth = sim.truth()
    assert set(truth) <= set(series)  # every sap-llm pod, and only pods of the namespace
    assert set(series) <= set(history)
    for pod, points in series.items():
        stamps = [t for t, _ in points]
        assert stamps == sorted(stamps) and all(t.tzinfo == UTC for t in stamps)
        assert {(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])} <= {60.0}
        assert start <= stamps[0] and stamps[-1] <= end
        for moment, value in points:
            assert value == pytest.approx(expected_at(history[pod], moment.timestamp()), rel=1e-12), (pod, moment)
    # pods older than the window fill it: 61 points, one a minute
    assert max(len(points) for points in series.values()) == 61
    # the OOM-killed pod's restarts show as a fall in its working set, not as a second series
    oom = next(p for p, t in truth.items() if t.restarts and t.last_terminated_reason == "OOMKilled")
    values = [v for _, v in series[oom]]
    assert any(b < a * 0.7 for a, b in zip(values, values[1:]))


def test_the_last_point_of_a_live_window_is_the_simulators_truth(sim, prometheus):
    wait_for_live_scrapes(prometheus.url)
    end = datetime.now(UTC)
    series = memory_series_from_prometheus(prometheus.url, NS, end - timedelta(minutes=10), end, "15s")
    for pod, t in sim.truth().items():
        assert series[pod][-1][1] == pytest.approx(t.working_set_bytes, rel=1e-9), pod


def test_naive_times_are_utc_and_timedelta_steps_work(sim, prometheus):
    end = sim.now() - timedelta(seconds=HISTORY_STEP)
    start = end - timedelta(minutes=30)
    aware = memory_series_from_prometheus(prometheus.url, NS, start, end, "60s")
    naive = memory_series_from_prometheus(prometheus.url, NS, start.replace(tzinfo=None), end.replace(tzinfo=None),
                                          timedelta(minutes=1))
    assert naive == aware and aware
    assert all(points[0][0] == start for points in aware.values() if len(points) == 31)


def test_a_query_prometheus_refuses_is_one_clear_line(sim, prometheus):
    # a week at one point a second is over Prometheus' 11,000 points per series: it answers 400
    end = sim.now()
    with pytest.raises(PrometheusUnavailable) as caught:
        memory_series_from_prometheus(prometheus.url, NS, end - timedelta(days=7), end, "1s")
    message = str(caught.value)
    assert message.startswith(f"Prometheus at {prometheus.url} refused the query: HTTP Status Code 400")
    assert "exceeded maximum resolution of 11,000 points per timeseries" in message
    assert "\n" not in message


def test_an_unreachable_prometheus_raises_a_clear_audit_error():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there: a real connection refusal
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    with pytest.raises(AuditError) as caught:
        memory_series_from_prometheus(url, NS, start, start + timedelta(hours=1), timeout=2)
    assert isinstance(caught.value, PrometheusUnavailable)
    assert str(caught.value).startswith(f"Prometheus at {url} is unreachable: ")
    assert "refused" in str(caught.value).lower()


MIB = 1024 * 1024
SIDECAR_NS = "sap-llm"  # the executor rig's namespace


def sidecar_pod_history(end: int) -> tuple[str, dict[str, list[Series]]]:
    """An hour of cAdvisor working-set samples (15 s apart, up to ``end``) for ``api-0`` in ``sap-llm``:
    container ``app`` growing and restarted half an hour ago (its ``id`` changes, so a second series
    starts), a flat ``envoy`` sidecar, the pause container and cAdvisor's pod-level series
    (``container=""``, the sum).  Returns the OpenMetrics text and the container series."""
    start = end - 3600
    restart = end - 1800
    stamps = range(start, end + 1, 15)
    app_before = [(t, 200 * MIB + (t - start) * 4096) for t in stamps if t < restart]
    app_after = [(t, 120 * MIB + (t - restart) * 8192) for t in stamps if t >= restart]
    envoy = [(t, 48 * MIB + (t // 15 % 7) * 4096) for t in stamps]
    pause = [(t, 1 * MIB) for t in stamps]
    containers = {"app": [app_before, app_after], "envoy": [envoy]}
    pod_level = [(t, sum(v for samples in (app_before, app_after, envoy, pause) for ts, v in samples if ts == t))
                 for t in stamps]
    labelled = [
        ('container="app",id="/kubepods/pod1/a1"', app_before),
        ('container="app",id="/kubepods/pod1/a2"', app_after),
        ('container="envoy",id="/kubepods/pod1/e1"', envoy),
        ('container="POD",id="/kubepods/pod1/p1"', pause),
        ('container="",id="/kubepods/pod1"', pod_level),
    ]
    lines = ["# HELP container_memory_working_set_bytes Current working set in bytes.",
             "# TYPE container_memory_working_set_bytes gauge"]
    for labels, samples in labelled:
        for t, v in samples:
            lines.append(f'container_memory_working_set_bytes{{namespace="{SIDECAR_NS}",pod="api-0",{labels}}} {v} {t}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n", containers


def test_a_pod_with_a_sidecar_charts_the_panes_figure_the_sum_of_its_containers(tmp_path, sim, make_rig, catalogue):
    # the export's chart (and the diagnose step) once sent max by (pod): for this pod, only the app
    # container (the envoy sidecar's 48 MiB missing), so the postmortem did not match the pane
    end = int(time.time()) - 1
    text, containers = sidecar_pod_history(end)
    server = start_prometheus_with_history(text, tmp_path / "prometheus")
    try:
        end_at = datetime.fromtimestamp(end, UTC)
        exported = memory_series_from_prometheus(server.url, SIDECAR_NS, end_at - timedelta(hours=1), end_at, "60s")
        pane = PrometheusSource(server.url, SIDECAR_NS)
        charted = pane.history(pane.queries.working_set, duration=timedelta(hours=1), points=60, end=end_at)
        shown = pane.fetch().pods["api-0"].working_set
        rig = make_rig(sim, prometheus_url=server.url)
        step = rig.executor.run_read(catalogue.get("diagnose.prom-memory-now"), {}, rig.ctx())
    finally:
        server.stop()
    assert set(exported) == {"api-0"}
    points = exported["api-0"]
    assert len(points) == 61
    # the export's series is the pane's series, point for point: the same PromQL
    assert [(t.timestamp(), v) for t, v in points] == list(charted["api-0"])
    for moment, value in points:
        expected = expected_at(containers, moment.timestamp())
        largest = max(v for v in (latest_at(s, moment.timestamp()) for c in containers.values() for s in c) if v is not None)
        assert value == expected, moment
        assert value >= largest + 48 * MIB  # what max by (pod) would have charted is short of the sidecar
    # the last point is the figure the pods pane shows now
    assert points[-1][1] == shown == latest_at(containers["app"][1], end) + latest_at(containers["envoy"][0], end)
    # and the diagnose step says the same (to the 6 figures it prints)
    assert step.ok, step
    rows = {row.split()[0]: float(row.split()[1]) for row in step.output.splitlines()[2:]}
    assert rows.keys() == {"api-0"} and rows["api-0"] == pytest.approx(shown, rel=1e-5)
