"""A real HTTP front for the simulator's Kubernetes API that answers reads with an API error
whose body the test chooses: what an API server, an aggregated API or a webhook in front of it
can send, and the simulator never does.  ``connect()``'s own checks (``/version``, the
namespace) pass through to the simulator, so memtui starts normally and then sees the errors.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import yaml


class ErrorFront:
    """``http://127.0.0.1:<port>`` → the simulator; every other request gets ``status`` + ``message``."""

    PASS_THROUGH = ("/version", "/api/v1/namespaces/sap-llm")

    def __init__(self, sim, *, message: str, status: int = 500) -> None:
        self.sim = sim
        self.message = message
        self.status = status
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # http.server's naming
                path = self.path.split("?", 1)[0]
                if path in front.PASS_THROUGH:
                    upstream = requests.get(
                        front.sim.url + self.path,
                        headers={"Authorization": self.headers.get("Authorization", "")},
                        verify=str(front.sim.ca_path),
                        timeout=5,
                    )
                    self._answer(upstream.status_code, upstream.content)
                    return
                body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": front.message, "reason": "InternalError", "code": front.status}
                self._answer(front.status, json.dumps(body).encode())

            do_POST = do_GET

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def kubeconfig(self, path: Path) -> Path:
        """A copy of the simulator's kubeconfig whose server is this front."""
        config = yaml.safe_load(Path(self.sim.kubeconfig_path).read_text())
        for cluster in config["clusters"]:
            cluster["cluster"]["server"] = f"http://127.0.0.1:{self.port}"
            cluster["cluster"].pop("certificate-authority-data", None)
        path.write_text(yaml.safe_dump(config))
        return path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
