"""memory_series_from_prometheus over real HTTP: a tiny stand-in server, and a closed port."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from memtui.audit import AuditError, PrometheusUnavailable, memory_series_from_prometheus

from .fake_prometheus import FakePrometheus, closed_port

START = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
T0 = START.timestamp()


def test_queries_the_working_set_per_pod_and_returns_sorted_samples(prometheus):
    series = memory_series_from_prometheus(prometheus, "sap-llm", START, START + timedelta(hours=1), "30s")

    assert series == {
        "sap-llm-7d9f-abc12": [(START, 11811160064.0), (START + timedelta(minutes=1), 12669630464.0)],
        "sap-llm-7d9f-def34": [(START, 8589934592.0)],
    }
    (asked,) = FakePrometheus.queries
    assert asked["path"] == ["/api/v1/query_range"]
    assert asked["query"] == [
        'max by (pod) (container_memory_working_set_bytes{namespace="sap-llm",container!="",container!="POD"})'
    ]
    assert asked["start"] == [str(int(T0))] and asked["end"] == [str(int(T0 + 3600))] and asked["step"] == ["30s"]


def test_naive_times_are_utc_and_timedelta_steps_work(prometheus):
    memory_series_from_prometheus(prometheus, "sap-llm", START.replace(tzinfo=None),
                                  (START + timedelta(hours=1)).replace(tzinfo=None), timedelta(minutes=1))
    (asked,) = FakePrometheus.queries
    assert asked["start"] == [str(int(T0))] and asked["step"] == ["60s"]


def test_an_http_error_is_one_clear_line(prometheus):
    FakePrometheus.status = 503
    with pytest.raises(PrometheusUnavailable, match=r"refused the query: HTTP Status Code 503"):
        memory_series_from_prometheus(prometheus, "sap-llm", START, START + timedelta(hours=1))


def test_an_unreachable_prometheus_raises_a_clear_audit_error():
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(AuditError) as caught:
        memory_series_from_prometheus(url, "sap-llm", START, START + timedelta(hours=1), timeout=2)
    assert isinstance(caught.value, PrometheusUnavailable)
    assert str(caught.value).startswith(f"Prometheus at {url} is unreachable: ")
    assert "refused" in str(caught.value).lower()
