"""What ``PrometheusSource.fetch`` reads when, against a real Prometheus: every figure is the one its
family's own query gives (the combined queries change the requests, not the answers), the slow
families (limits, restarts, OOM flags, GPU counts) are read once a minute and at once when the pods
change, and a family Prometheus refuses is a reason on the snapshot, not a crash."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from memtui.clients.errors import SourceError
from memtui.demo.local_prometheus import MEMORY_USAGE_HIGH_RULE, start_prometheus_for_simulator
from memtui.sources.prometheus import SLOW_FAMILIES, SLOW_INTERVAL, PrometheusSource
from tests.servers import poll, start_prometheus_with_history
from tests.sim.helpers import NS, apps

FAST_QUERIES = 4
"""memory (4 metrics in one), growth, GPU memory (2 in one), ALERTS_FOR_STATE."""
ALL_QUERIES = FAST_QUERIES + len(SLOW_FAMILIES)


def family(url: str, promql: str) -> dict[str, float]:
    """One family's own query, read as memtui read it before: ``{pod: value}``."""
    body = requests.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10).json()
    assert body["status"] == "success", body
    return {r["metric"]["pod"]: float(r["value"][1]) for r in body["data"]["result"]}


def refused(url: str, promql: str) -> str:
    body = requests.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10).json()
    assert body["status"] == "error", body
    return body["error"]


class Clock:
    """The source's schedule clock, moved by the test instead of waiting a minute."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def scheduled_source(url: str) -> tuple[PrometheusSource, Clock]:
    source = PrometheusSource(url, NS)
    clock = Clock()
    source.clock = clock
    return source, clock


@pytest.fixture
def alerting_prometheus(sim, tmp_path):
    """Prometheus scraping the frozen simulator with the runbook's rule, so ALERTS_FOR_STATE fires."""
    server = start_prometheus_for_simulator(sim, tmp_path / "prometheus", scrape_interval="1s",
                                            evaluation_interval="1s", rules=MEMORY_USAGE_HIGH_RULE)
    yield server
    server.stop()


def test_every_figure_is_its_own_familys_query(sim, alerting_prometheus):
    url = alerting_prometheus.url
    q = PrometheusSource(url, NS).queries
    poll(lambda: family(url, q.alerts_for_state) and set(sim.truth()) <= set(family(url, q.working_set)))
    snapshot = PrometheusSource(url, NS).fetch()
    assert snapshot.query_count == ALL_QUERIES and not snapshot.errors
    # the frozen simulator's figures do not move between scrapes: each must be exactly its query's
    expected = {"working_set": q.working_set, "rss": q.rss, "cache": q.cache, "usage": q.usage, "limit": q.limit,
                "restarts_2h": q.restarts}
    for field, promql in expected.items():
        want = family(url, promql)
        assert want, field
        got = {pod: getattr(trend, field) for pod, trend in snapshot.pods.items() if getattr(trend, field) is not None}
        assert got == want, field
    oom = {pod for pod, v in family(url, q.oom_recent).items() if v > 0}
    assert oom and {pod for pod, trend in snapshot.pods.items() if trend.oom_within_2h} == oom
    growth = family(url, q.growth)
    assert growth and set(growth) == {p for p, t in snapshot.pods.items() if t.growth_per_second is not None}
    for pod, value in growth.items():  # deriv()'s window slides with the clock between the two reads
        assert snapshot.pods[pod].growth_per_second == pytest.approx(value, rel=0.05, abs=1.0)
    used, free, count = family(url, q.gpu_used), family(url, q.gpu_free), family(url, q.gpu_count)
    assert used and {pod: (g.used_mib, g.total_mib, g.gpus) for pod, g in snapshot.gpu.items()} == {
        pod: (used[pod], used[pod] + free[pod], int(count[pod])) for pod in used}
    alerts = requests.get(f"{url}/api/v1/query", params={"query": q.alerts_for_state}, timeout=10).json()
    want_alerts = sorted((float(r["value"][1]), r["metric"]["pod"]) for r in alerts["data"]["result"])
    assert want_alerts == [(a.starts_at.timestamp(), a.labels["pod"]) for a in snapshot.alerts_for_state]
    assert all("__name__" not in a.labels and a.labels["alertname"] == "MemoryUsageHigh"
               for a in snapshot.alerts_for_state)


def test_slow_families_are_read_once_a_minute_and_kept_with_their_age(sim, prometheus):
    truth = sim.truth()
    poll(lambda: set(truth) <= set(family(prometheus.url, PrometheusSource(prometheus.url, NS).queries.limit)))
    source, clock = scheduled_source(prometheus.url)
    first = source.fetch()
    assert first.query_count == ALL_QUERIES and set(first.read_at) == set(SLOW_FAMILIES)
    limits = {pod: t.limit for pod, t in first.pods.items()}
    assert {pod: limits[pod] for pod in truth} == {pod: t.limit_bytes for pod, t in truth.items()}
    clock.now += SLOW_INTERVAL - 1
    second = source.fetch()
    # the fast families only; the slow figures are the first read's, and say so
    assert second.query_count == FAST_QUERIES
    assert second.read_at == first.read_at and second.taken_at > first.read_at["limit"]
    assert {pod: t.limit for pod, t in second.pods.items()} == limits
    assert [pod for pod, t in second.pods.items() if t.oom_within_2h] == [pod for pod, t in first.pods.items()
                                                                          if t.oom_within_2h]
    assert "limits, restarts, OOM" in second.summary and "s old" in second.summary
    clock.now += 1
    third = source.fetch()
    assert third.query_count == ALL_QUERIES and third.read_at["limit"] > first.read_at["limit"]


def test_a_new_pod_has_its_limit_on_the_first_refresh_that_sees_it(sim, prometheus):
    truth = sim.truth()
    source, clock = scheduled_source(prometheus.url)
    poll(lambda: set(truth) <= set(source.fetch().pods))
    assert source.fetch().query_count == FAST_QUERIES  # settled: nothing slow is due
    replicas = apps(sim).read_namespaced_deployment_scale("sap-llm", NS).spec.replicas
    apps(sim).patch_namespaced_deployment_scale("sap-llm", NS, {"spec": {"replicas": replicas + 1}})
    sim.advance(30)  # scheduled, pulled, started
    new = poll(lambda: set(sim.truth()) - set(truth))
    assert len(new) == 1
    (pod,) = new
    # the clock has not moved: only the pod set's change makes this refresh read the limits
    def sees_it():
        snapshot = source.fetch()
        return snapshot if pod in snapshot.pods and snapshot.pods[pod].working_set else None

    snapshot = poll(sees_it)
    assert snapshot.query_count == ALL_QUERIES
    assert snapshot.pods[pod].limit == sim.truth()[pod].limit_bytes
    assert snapshot.pods[pod].seconds_to_oom is None or snapshot.pods[pod].seconds_to_oom >= 0


# -- a family Prometheus refuses -------------------------------------------------------------------

STEP = 15.0
SIDE = "ns-x"


def _history(last: float) -> str:
    """Two pods over 2 h at 15 s: ``api-0`` with a sidecar whose app container restarted (new id),
    ``api-1`` with two GPUs; the restart counters hold enough samples for ``max-samples`` to refuse
    the 2 h ``restarts`` query while the instant and 10-minute ones pass."""
    times = [last - 7200 + i * STEP for i in range(1, int(7200 / STEP) + 1)]  # the newest at ``last``
    restart_at = last - 1800
    lines: list[str] = []

    def series(name: str, labels: str, value, within=lambda t: True) -> None:
        lines.extend(f"{name}{{namespace=\"{SIDE}\",{labels}}} {value(t)} {t:.3f}" for t in times if within(t))

    for name, scale in (("container_memory_working_set_bytes", 1.0), ("container_memory_rss", 0.7),
                        ("container_memory_cache", 0.2), ("container_memory_usage_bytes", 1.3)):
        series(name, 'pod="api-0",container="app",id="/p0/a1"', lambda t, s=scale: int(3e9 * s), lambda t: t < restart_at)
        series(name, 'pod="api-0",container="app",id="/p0/a2"',
               lambda t, s=scale: int((4e9 + 1e6 * (t - restart_at)) * s), lambda t: t >= restart_at)
        series(name, 'pod="api-0",container="envoy",id="/p0/e1"', lambda t, s=scale: int(2e8 * s))
        series(name, 'pod="api-0",container="POD",id="/p0/p"', lambda t, s=scale: int(1e6 * s))
        series(name, 'pod="api-0",container="",id="/p0"', lambda t, s=scale: int(9e9 * s))
        series(name, 'pod="api-1",container="app",id="/p1/a1"', lambda t, s=scale: int(5e9 * s))
    for pod, container, limit in (("api-0", "app", 8 << 30), ("api-0", "envoy", 1 << 30), ("api-1", "app", 16 << 30)):
        labels = f'pod="{pod}",container="{container}"'
        series("kube_pod_container_resource_limits", f'{labels},resource="memory",unit="byte"', lambda t, v=limit: v)
        restarts = (lambda t: 3 if t >= restart_at else 2) if (pod, container) == ("api-0", "app") else (lambda t: 0)
        series("kube_pod_container_status_restarts_total", labels, restarts)
    series("kube_pod_container_status_last_terminated_reason", 'pod="api-0",container="app",reason="OOMKilled"',
           lambda t: 1, lambda t: t >= restart_at)
    for gpu in ("0", "1"):
        series("DCGM_FI_DEV_FB_USED", f'pod="api-1",container="app",gpu="{gpu}"', lambda t: 30000)
        series("DCGM_FI_DEV_FB_FREE", f'pod="api-1",container="app",gpu="{gpu}"', lambda t: 51559)
    return "\n".join([*lines, "# EOF"]) + "\n"


@pytest.fixture
def limited_prometheus(tmp_path):
    """``_history`` in a Prometheus that refuses a query loading more than 300 samples at once."""
    server = start_prometheus_with_history(_history(time.time() - STEP), tmp_path / "prometheus",
                                           flags=("--query.max-samples=300",))
    yield server
    server.stop()


def test_a_refused_family_is_a_reason_and_the_other_figures_stay(limited_prometheus):
    url = limited_prometheus.url
    source = PrometheusSource(url, SIDE)
    q = source.queries
    assert "too many samples" in refused(url, q.restarts)  # the limit is Prometheus's own
    snapshot = source.fetch()
    assert set(snapshot.errors) == {"restarts"} and "too many samples" in snapshot.errors["restarts"]
    assert "restarts: query refused" in snapshot.summary
    assert set(snapshot.read_at) == set(SLOW_FAMILIES) - {"restarts"}
    api0, api1 = snapshot.pods["api-0"], snapshot.pods["api-1"]
    assert api0.restarts_2h is None and api1.restarts_2h is None
    # the sidecar pod: the restarted app's live series plus envoy; the pause and pod-level series left out
    assert family(url, q.working_set)["api-0"] == api0.working_set
    assert api0.working_set == 4e9 + 1e6 * 1800 + 2e8
    for field, promql in (("rss", q.rss), ("cache", q.cache), ("usage", q.usage), ("limit", q.limit)):
        assert {"api-0": getattr(api0, field), "api-1": getattr(api1, field)} == family(url, promql), field
    assert api0.limit == 9 << 30 and api0.oom_within_2h and not api1.oom_within_2h
    assert api0.growth_per_second == pytest.approx(1e6, rel=1e-3) and api1.growth_per_second == 0
    assert api0.seconds_to_oom == pytest.approx(((9 << 30) - api0.working_set) / 1e6, rel=1e-3)
    gpu = snapshot.gpu["api-1"]
    assert (gpu.used_mib, gpu.total_mib, gpu.gpus) == (60000, 60000 + 103118, 2)


def test_a_refused_range_query_is_a_reason(limited_prometheus):
    source = PrometheusSource(limited_prometheus.url, SIDE)
    with pytest.raises(SourceError) as refusal:
        source.history(source.queries.working_set, duration=timedelta(hours=1), points=180)
    assert refusal.value.reason.startswith("range query refused: HTTP 422") and "too many samples" in refusal.value.reason
    # a shorter one passes: the samples are the backfilled ones, at the step asked for
    series = source.history(source.queries.working_set, duration=timedelta(minutes=5), points=10)
    points = list(series["api-1"])
    assert set(series) == {"api-0", "api-1"} and {v for _, v in points} == {5e9}
    assert {b[0] - a[0] for a, b in zip(points, points[1:])} == {30.0}


def test_a_refresh_between_scrapes_hands_over_the_same_trends_and_nothing_is_derived_again(sim, prometheus,
                                                                                           monkeypatch):
    """Prometheus scrapes every 15-60 s and memtui reads it every 5: most reads bring the figures
    of the read before.  The source hands over the very same dicts, and the cockpit derives no row
    again from them; a scrape with new figures is folded as always."""
    from memtui.clients.kube.connection import connect
    from memtui.sources.kube import KubeSource
    from memtui.state.cockpit import CockpitState
    from tests.prometheus.test_prometheus_source import wait_for_scrape

    kube = KubeSource(connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm"))
    source = PrometheusSource(prometheus.url, "sap-llm")
    wait_for_scrape(source, set(sim.truth()))
    state = CockpitState(threshold_bytes=10 * 1024**3)
    try:
        state.apply_kube(kube.fetch())
        for _ in range(20):  # two reads between two scrapes (1 s apart here)
            first, second = source.fetch(), source.fetch()
            if second.pods == first.pods and second.gpu == first.gpu:
                break
        assert second.pods is first.pods and second.gpu is first.gpu
        state.apply_prometheus(first)
        rebuilds = []
        rebuild = CockpitState._rebuild_steps
        monkeypatch.setattr(CockpitState, "_rebuild_steps",
                            lambda self, listing=None: (rebuilds.append(1), rebuild(self, listing))[1])
        rows = state.rows
        state.apply_prometheus(second)
        assert state.prometheus is second and state.rows is rows and rebuilds == []
        sim.advance(60)  # the pods' memory moves on; the next scrapes see it

        def moved_on():
            latest = source.fetch()
            return latest if latest.pods != first.pods else None

        third = poll(moved_on)
        state.apply_prometheus(third)
        assert rebuilds == [1] and state.rows is not rows
        shown = {r.name: r.rss for r in state.rows if r.name in third.pods}
        assert shown and shown == {name: third.pods[name].rss for name in shown}
    finally:
        kube.stop()
