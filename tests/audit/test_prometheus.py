"""memory_series_from_prometheus over real HTTP: a tiny stand-in server, and a closed port."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from memtui.audit import AuditError, PrometheusUnavailable, memory_series_from_prometheus

START = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
T0 = START.timestamp()


class FakePrometheus(BaseHTTPRequestHandler):
    """Answers /api/v1/query_range like Prometheus does, and remembers what it was asked."""

    queries: list[dict[str, list[str]]] = []
    status = 200

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlparse(self.path)
        FakePrometheus.queries.append({"path": [url.path], **parse_qs(url.query)})
        if FakePrometheus.status != 200:
            self._send(FakePrometheus.status, {"status": "error", "error": "boom"})
            return
        t0 = float(parse_qs(url.query)["start"][0])  # samples from the start asked for
        result = [
            {"metric": {"pod": "sap-llm-7d9f-abc12"},
             "values": [[t0 + 60, "12669630464"], [t0, "11811160064"], [t0 + 120, "NaN"]]},
            {"metric": {"pod": "sap-llm-7d9f-def34"}, "values": [[t0, "8589934592"]]},
            {"metric": {}, "values": [[t0, "1"]]},
        ]
        self._send(200, {"status": "success", "data": {"resultType": "matrix", "result": result}})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def prometheus() -> Iterator[str]:
    FakePrometheus.queries = []
    FakePrometheus.status = 200
    server = HTTPServer(("127.0.0.1", 0), FakePrometheus)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
