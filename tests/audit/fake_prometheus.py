"""A stand-in Prometheus for the audit tests: real HTTP on a local port, canned query_range answers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse


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


@contextmanager
def serve_fake_prometheus() -> Iterator[str]:
    """Run the stand-in on a free local port; yields its URL."""
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
