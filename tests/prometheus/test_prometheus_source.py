"""The PromQL memtui sends, against a real Prometheus scraping the simulator: the figures must
match the simulator's own truth, and the runbook's traps must not leak through."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import pytest
import requests

from memtui.clients.errors import SourceError
from memtui.sources.backfill import PrometheusBackfill
from memtui.sources.prometheus import PrometheusSource
from tests.servers import free_port


def wait_for_scrape(source: PrometheusSource, pods: set[str], timeout: float = 30.0):
    """Wait for two live scrapes of the simulator (after the backfilled history), then read."""
    deadline = time.monotonic() + timeout
    scrapes = 0
    while time.monotonic() < deadline:
        result = requests.get(
            f"{source.url}/api/v1/query", params={"query": 'count_over_time(up{job="memtui-sim"}[1m])'}, timeout=5
        ).json()["data"]["result"]
        scrapes = int(float(result[0]["value"][1])) if result else 0
        if scrapes >= 2:
            snapshot = source.fetch()
            if pods <= set(snapshot.pods):
                return snapshot
        time.sleep(0.3)
    raise AssertionError(f"Prometheus scraped the simulator {scrapes} times, never saw all of {pods}")


def test_working_set_rss_cache_and_limit_match_the_simulator(sim, prometheus):
    truth = sim.truth()
    source = PrometheusSource(prometheus.url, "sap-llm")
    snapshot = wait_for_scrape(source, set(truth))
    for pod, t in truth.items():
        trend = snapshot.pods[pod]
        # the working set, not container_memory_usage_bytes (which includes page cache)
        assert trend.working_set == pytest.approx(t.working_set_bytes, rel=1e-3)
        assert trend.rss == pytest.approx(t.rss_bytes, rel=1e-3)
        assert trend.cache == pytest.approx(t.cache_bytes, rel=1e-3)
        assert trend.usage == pytest.approx(t.usage_bytes, rel=1e-3)
        assert trend.usage > trend.working_set  # usage counts inactive page cache too
        assert trend.limit == t.limit_bytes
    # the first refresh reads every family: memory (4 metrics in one), growth, GPU (2 in one), alerts and the
    # 4 slow families; whatever the pod count
    assert snapshot.query_count == 8


def test_other_namespaces_and_pod_level_series_are_not_counted(sim, prometheus):
    truth = sim.truth()
    source = PrometheusSource(prometheus.url, "sap-llm")
    snapshot = wait_for_scrape(source, set(truth))
    # ml-batch runs a container also called sap-llm: selecting by container name alone would mix it in
    assert not [pod for pod in snapshot.pods if not pod.startswith(("sap-llm", "redis"))]
    raw = requests.get(
        f"{prometheus.url}/api/v1/query",
        params={"query": 'sum by (pod) (container_memory_working_set_bytes{namespace="sap-llm"})'},
        timeout=5,
    ).json()["data"]["result"]
    naive = {r["metric"]["pod"]: float(r["value"][1]) for r in raw}
    pod = next(iter(truth))
    # the naive sum counts cAdvisor's pod-level series (container="") as well: twice the truth
    assert naive[pod] == pytest.approx(2 * truth[pod].working_set_bytes, rel=1e-3)
    assert snapshot.pods[pod].working_set == pytest.approx(truth[pod].working_set_bytes, rel=1e-3)
    other = PrometheusSource(prometheus.url, "ml-batch").fetch()
    assert other.pods and not set(other.pods) & set(truth)


def test_growth_and_time_to_oom_agree_with_the_simulators_forecast(sim, prometheus):
    truth = sim.truth()
    source = PrometheusSource(prometheus.url, "sap-llm")
    snapshot = wait_for_scrape(source, set(truth))
    growing = [p for p, t in truth.items() if t.seconds_to_oom is not None and t.growth_bytes_per_second > 0]
    assert growing, "every scenario has a pod near its limit and growing"
    for pod in growing:
        trend = snapshot.pods[pod]
        # deriv() over the current container's life (10 min window, 15 s backfill step)
        assert trend.growth_per_second == pytest.approx(truth[pod].growth_bytes_per_second, rel=0.25)
        assert trend.seconds_to_oom == pytest.approx(truth[pod].seconds_to_oom, rel=0.25)
    for pod, t in truth.items():
        trend = snapshot.pods[pod]
        if trend.seconds_to_oom is not None:
            # never the sawtooth nonsense of a regression across restarts: at most the time a
            # pod at zero memory would need at its current growth
            assert trend.seconds_to_oom <= t.limit_bytes / trend.growth_per_second


def test_oom_history_is_visible_in_prometheus_for_two_hours(sim, prometheus):
    truth = sim.truth()
    oom_pods = {p for p, t in truth.items() if t.last_terminated_reason == "OOMKilled"}
    source = PrometheusSource(prometheus.url, "sap-llm")
    snapshot = wait_for_scrape(source, set(truth))
    flagged = {p for p, trend in snapshot.pods.items() if trend.oom_within_2h}
    assert oom_pods <= flagged
    assert all(snapshot.pods[p].restarts_2h >= 1 for p in oom_pods)


def test_range_query_backfills_an_hour_at_a_step_from_the_width(sim, prometheus):
    truth = sim.truth()
    source = PrometheusSource(prometheus.url, "sap-llm")
    wait_for_scrape(source, set(truth))
    series = source.history(source.queries.working_set, duration=timedelta(hours=1), points=120, end=sim.now())
    assert set(truth) <= set(series)
    # pods older than an hour fill the whole width; younger ones start where they started
    assert 100 <= max(len(points) for points in series.values()) <= 121
    for samples in series.values():
        points = list(samples)
        assert {b[0] - a[0] for a, b in zip(points, points[1:])} == {30.0}  # 3600 s / 120 points


def _held_bytes(root: object) -> int:
    """What ``root`` holds, every object reachable through containers and slots counted once."""
    seen, stack, total = set(), [root], 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif hasattr(type(item), "__slots__"):
            stack.extend(getattr(item, name) for name in type(item).__slots__ if hasattr(item, name))
    return total


def test_the_backfill_holds_an_hour_of_every_pod_packed(sim, prometheus):
    """The recorder keeps each source's last snapshot, the one-shot backfill's for the whole run: at
    5,000 pods an hour of tuple pairs held ~95 MB (~100 bytes a sample); packed it is 16."""
    truth = sim.truth()
    source = PrometheusSource(prometheus.url, "sap-llm")
    wait_for_scrape(source, set(truth))
    snapshot = PrometheusBackfill(source, with_gpu=True).fetch(180)
    samples = sum(len(points) for points in (*snapshot.memory.values(), *snapshot.gpu.values()))
    assert set(truth) <= set(snapshot.memory) and samples >= 100 * len(truth)
    for points in map(list, snapshot.memory.values()):
        assert all(a[0] < b[0] for a, b in zip(points, points[1:])) and all(v > 0 for _, v in points)
    per_pod = 300  # the dict slot, the key, the Samples and its two bytes' headers
    assert _held_bytes(snapshot) <= 16 * samples + per_pod * (len(snapshot.memory) + len(snapshot.gpu))


def test_dcgm_gpu_memory_per_pod(sim, prometheus):
    truth = sim.truth()
    source = PrometheusSource(prometheus.url, "sap-llm")
    snapshot = wait_for_scrape(source, set(truth))
    for pod, t in truth.items():
        if t.gpu_total_mib:
            gpu = snapshot.gpu[pod]
            assert gpu.used_mib == t.gpu_used_mib and gpu.total_mib == t.gpu_total_mib
            assert gpu.source == "DCGM"


def test_unreachable_prometheus_is_a_reason_not_a_crash():
    source = PrometheusSource(f"http://127.0.0.1:{free_port()}", "sap-llm", timeout=1)
    with pytest.raises(SourceError) as excinfo:
        source.fetch()
    assert "refused" in excinfo.value.reason or "unreachable" in excinfo.value.reason
