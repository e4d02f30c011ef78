"""Real backing servers for tests: redis-server, and Prometheus holding a history the test wrote, on free loopback ports.

Tests talk to real servers, not fakes: what Redis really holds is what the pane must show.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from memtui.demo import children


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0, *, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host} port {port} after {timeout} s")


@dataclass
class RedisServer:
    port: int
    password: str | None
    process: subprocess.Popen
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"redis://{auth}{host}:{self.port}/0"

    def stop(self) -> None:
        children.stop(self.process, grace=5)


def start_redis(workdir: Path, *, password: str | None = None, debug_command: bool = False,
                host: str = "127.0.0.1") -> RedisServer:
    """``debug_command`` allows ``DEBUG SLEEP`` (off by default since Redis 7), to make Redis hang;
    ``host`` is the loopback address it binds (``::1`` for an IPv6 URL)."""
    workdir.mkdir(parents=True, exist_ok=True)
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/test, which installs it (apt)")
    port = free_port()
    args = [
        binary, "--port", str(port), "--bind", host, "--save", "", "--appendonly", "no",
        "--dir", str(workdir), "--daemonize", "no", "--loglevel", "warning",
    ]
    if password:
        args += ["--requirepass", password]
    if debug_command:
        args += ["--enable-debug-command", "yes"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, host=host)
    except TimeoutError:
        process.kill()
        raise RuntimeError(f"redis-server did not start: {process.stderr.read().decode()[:500]}") from None
    return RedisServer(port, password, process, host)


@dataclass
class HistoryPrometheus:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        children.stop(self.process)


def start_prometheus_with_history(openmetrics: str, workdir: Path, *, timeout: float = 30.0,
                                  flags: tuple[str, ...] = (), web_config: str | None = None,
                                  ready: Callable[[str], bool] | None = None) -> HistoryPrometheus:
    """A real Prometheus holding exactly ``openmetrics`` (backfilled with ``promtool``) and scraping nothing.

    For series the simulator does not produce (a pod with a sidecar): the test writes the samples,
    so it knows what every query must answer.  Samples must lie within the last day (retention).
    ``flags``: more of Prometheus's own flags (``--query.max-samples=500``: a limit a query can hit).
    ``web_config``: the YAML of ``--web.config.file`` (TLS, basic auth: the URL is then https://
    when it has ``tls_server_config``), with ``ready(url)`` saying whether it answers yet."""
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not (prometheus and promtool):
        raise RuntimeError("prometheus/promtool are not installed: scripts/test installs them (apt install prometheus)")
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    source = workdir / "history.om"
    source.write_text(openmetrics)
    backfill = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
                              capture_output=True, text=True, timeout=120)
    if backfill.returncode != 0:
        raise RuntimeError(f"promtool backfill failed: {backfill.stderr.strip()[-500:]}")
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 15s\n")
    port = free_port()
    args = [prometheus, f"--config.file={config}", f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1d", "--log.level=warn"]
    if web_config is not None:
        (workdir / "web.yml").write_text(web_config)
        args.append(f"--web.config.file={workdir / 'web.yml'}")
    log = open(workdir / "prometheus.log", "wb")
    process = subprocess.Popen([*args, *flags], stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    scheme = "https" if web_config and "tls_server_config" in web_config else "http"
    url = f"{scheme}://127.0.0.1:{port}"
    if ready is None:
        children.wait_ready(process, f"{url}/-/ready", log=workdir / "prometheus.log", what="prometheus", timeout=timeout)
    else:
        _wait_until(process, lambda: ready(url), workdir / "prometheus.log", timeout)
    return HistoryPrometheus(url, process)


def poll(condition: Callable[[], object], timeout: float = 30.0, step: float = 0.2) -> object:
    """``condition()``'s first truthy value within ``timeout`` (servers start asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout} s")


def _wait_until(process: subprocess.Popen, answered: Callable[[], bool], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited: {log.read_text(errors='replace')[-500:]}")
        try:
            if answered():
                return
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"prometheus not ready after {timeout:.0f} s: {log.read_text(errors='replace')[-500:]}")


# -- a real Alertmanager ---------------------------------------------------------------------

ALERTMANAGER_BINARIES = ("prometheus-alertmanager", "alertmanager")
"""Debian's package installs ``prometheus-alertmanager``; upstream's tarball ``alertmanager``."""


@dataclass
class AlertmanagerServer:
    url: str
    port: int
    process: subprocess.Popen
    workdir: Path

    def stop(self) -> None:
        children.stop(self.process)

    def get(self, path: str) -> object:
        """A GET on the API (``/api/v2/silences``), decoded from JSON."""
        import json

        with urllib.request.urlopen(f"{self.url}{path}", timeout=5) as response:
            return json.loads(response.read().decode())

    def post_alerts(self, alerts: list[dict]) -> None:
        """Alerts sent straight to the API, as Prometheus would (for tests needing labels a rule can't give)."""
        import json

        request = urllib.request.Request(f"{self.url}/api/v2/alerts", data=json.dumps(alerts).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass


ALERTMANAGER_CONFIG = """route:
  receiver: "null"
  group_by: [alertname, namespace]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
"""


def start_alertmanager(workdir: Path, *, timeout: float = 30.0, port: int | None = None) -> AlertmanagerServer:
    """A real Alertmanager on a free loopback port, with its own config and ``--storage.path``
    under ``workdir``, clustering off, and a receiver that sends nothing anywhere.  ``port``
    restarts one on the port it had (silences kept in ``workdir``)."""
    binary = next((found for name in ALERTMANAGER_BINARIES if (found := shutil.which(name))), None)
    if binary is None:
        raise RuntimeError("prometheus-alertmanager is not installed: scripts/test installs it "
                           "(apt install prometheus-alertmanager)")
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "alertmanager.yml"
    config.write_text(ALERTMANAGER_CONFIG)
    (workdir / "data").mkdir(exist_ok=True)
    port = port or free_port()
    log = open(workdir / "alertmanager.log", "ab")
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.path={workdir / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=log,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    children.wait_ready(process, f"{url}/-/ready", log=workdir / "alertmanager.log", what="alertmanager",
                        timeout=timeout, poll=0.1)
    return AlertmanagerServer(url, port, process, workdir)
