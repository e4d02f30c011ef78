"""The report's series from a real Prometheus: the simulator's own figures for limit, Redis and GPU;
a Prometheus without an exporter's series leaves that chart out with a note, not an error."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from memtui.audit.prometheus import report_series_from_prometheus
from memtui.audit.report_data import MIB
from tests.audit.test_prometheus import wait_for_live_scrapes
from tests.servers import start_prometheus_with_history

NS = "sap-llm"


def test_limit_redis_and_gpu_are_the_simulators_figures(sim, prometheus):
    wait_for_live_scrapes(prometheus.url)
    end = datetime.now(UTC)
    series = report_series_from_prometheus(prometheus.url, NS, end - timedelta(minutes=10), end, "15s")
    truth = sim.truth()
    redis = sim.redis_truth()
    assert series.notes == () and series.source == f"Prometheus at {prometheus.url}"
    for pod, t in truth.items():
        assert series.limit[pod][-1][1] == t.limit_bytes, pod
        if t.gpu_used_mib:
            assert series.gpu_used[pod][-1][1] == pytest.approx(t.gpu_used_mib * MIB), pod
            assert series.gpu_total[pod][-1][1] == pytest.approx(t.gpu_total_mib * MIB), pod
    assert series.redis_used[-1][1] == redis["used"] and series.redis_max[-1][1] == redis["maxmemory"]


def test_without_an_exporters_series_the_chart_is_left_out_with_a_note(tmp_path):
    end = int(time.time()) - 1
    lines = ["# HELP container_memory_working_set_bytes Current working set in bytes.",
             "# TYPE container_memory_working_set_bytes gauge"]
    lines += [f'container_memory_working_set_bytes{{namespace="{NS}",pod="p-1",container="app",id="a"}} '
              f"{(4 << 30) + t * 1024} {t}" for t in range(end - 1800, end + 1, 15)]
    server = start_prometheus_with_history("\n".join([*lines, "# EOF"]) + "\n", tmp_path / "prometheus")
    try:
        at = datetime.fromtimestamp(end, UTC)
        series = report_series_from_prometheus(server.url, NS, at - timedelta(minutes=20), at, "60s")
    finally:
        server.stop()
    assert list(series.working_set) == ["p-1"] and len(series.working_set["p-1"]) == 21
    assert series.limit == {} and series.redis_used == [] and series.gpu_used == {}
    assert [n.split(":")[0] for n in series.notes] == ["Redis memory left out", "GPU memory left out",
                                                      "memory limits left out"]
    assert "no redis_exporter?" in series.notes[0] and "no DCGM exporter" in series.notes[1]
