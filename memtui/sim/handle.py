"""start_simulator() and the handle tests, the demo and benchmarks hold.

The server runs in a daemon thread with its own asyncio loop; handle methods
hop onto that loop (run_coroutine_threadsafe) so the cluster is only ever
touched from one thread.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from collections.abc import Callable

from .config import SimConfig
from .journal import JournalEntry, RequestRecord
from .server import SimServer
from .truth import PodTruth

T = TypeVar("T")


class SimulatorHandle:
    def __init__(self, server: SimServer, loop: asyncio.AbstractEventLoop, thread: threading.Thread, url: str,
                 kubeconfig_path: Path) -> None:
        self._server = server
        self._loop = loop
        self._thread = thread
        self.url = url
        self.kubeconfig_path = kubeconfig_path
        self.ca_path: Path = server.ca_path
        self.operator_token: str = server.authn.operator_token
        self.readonly_token: str = server.authn.readonly_token
        self.config: SimConfig = server.config
        self._stopped = False

    # -- plumbing ------------------------------------------------------------------------------
    def _call(self, fn: Callable[[], T], timeout: float = 120.0) -> T:
        async def run() -> T:
            return fn()
        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    @property
    def _st(self):
        st = self._server.state
        assert st is not None
        return st

    # -- public API ----------------------------------------------------------------------------
    def journal(self) -> list[JournalEntry]:
        return self._call(lambda: list(self._st.journal))

    def requests(self) -> list[RequestRecord]:
        return self._call(lambda: list(self._st.requests))

    def clear_request_log(self) -> None:
        self._call(self._st.requests.clear)

    def on_request(self, hook: Callable[[str, str, dict[str, Any]], None]) -> Callable[[], None]:
        """Run ``hook(method, path, query)`` as each API request arrives, before it is served (on the
        server's thread: keep it short). Tests use it to look at the world at that instant, e.g.
        what an audit log holds when the write it announces reaches the API server. A hook that
        returns an awaitable (``asyncio.sleep(0.5)``) holds that request until it is done while
        the server goes on serving others: a slow LIST page, as a loaded API server serves it.
        Returns a function that removes the hook."""
        self._call(lambda: self._st.request_hooks.append(hook))

        def remove() -> None:
            self._call(lambda: self._st.request_hooks.remove(hook) if hook in self._st.request_hooks else None)
        return remove

    def advance(self, seconds: float) -> None:
        def go() -> None:
            self._st.clock.advance(seconds)
            self._st.now()
        self._call(go)

    def set_node_condition(self, node: str, ctype: str, status: str, reason: str, message: str) -> None:
        """Change one of a Node's conditions now (``MemoryPressure`` ``True`` ``KubeletHasInsufficientMemory``)."""
        def go() -> None:
            self._st.cluster.set_node_condition(node, ctype, status, reason, message, self._st.now())
        self._call(go)

    # -- kills that are not the container's own memory model (memtui/sim/kills.py) ----------------
    def _pod(self, name: str, namespace: str = "sap-llm"):
        rec = self._st.cluster.pod_by_name(namespace, name)
        if rec is None:
            raise KeyError(f"no live pod {namespace}/{name}")
        return rec

    def fail_liveness(self, pod: str, namespace: str = "sap-llm") -> None:
        """``pod``'s main container fails its liveness probe now: killed with exit 137, reason Error."""
        self._call(lambda: self._st.cluster.fail_liveness(self._pod(pod, namespace), self._st.now()))

    def node_pressure(self, node: str, *, evict: str | None = None, system_oom: str | None = None,
                      namespace: str = "sap-llm") -> None:
        """``node`` under MemoryPressure with a SystemOOM event; ``evict`` a pod, or ``system_oom``-kill one
        (OOMKilled far below its limit)."""
        def go() -> None:
            st = self._st
            st.cluster.node_pressure(node, st.now(), evict=self._pod(evict, namespace) if evict else None,
                                     system_oom=self._pod(system_oom, namespace) if system_oom else None)
        self._call(go)

    def write_log(self, pod: str, line: str, namespace: str = "sap-llm") -> None:
        """Append ``line`` to ``pod``'s main container log now, as the app would have written it."""
        def go() -> None:
            self._pod(pod, namespace).extra_log.append((self._st.now(), line))
        self._call(go)

    def relieve_node(self, node: str) -> None:
        self._call(lambda: self._st.cluster.relieve_node(node, self._st.now()))

    def sidecar_oom(self, pod: str, ramp: float = 60.0, namespace: str = "sap-llm") -> datetime:
        """``pod``'s sidecar (SimConfig.sidecar) climbs to its own limit over ``ramp`` s and is OOMKilled then."""
        def go() -> datetime:
            st = self._st
            return st.clock.to_datetime(st.cluster.sidecar_oom(self._pod(pod, namespace), st.now(), ramp))
        return self._call(go)

    def now(self) -> datetime:
        return self._call(lambda: self._st.clock.to_datetime(self._st.now()))

    def truth(self) -> dict[str, PodTruth]:
        from . import truth
        return self._call(lambda: truth.compute(self._st.cluster, self._st.now()))

    def redis_truth(self) -> dict[str, Any]:
        """Redis INFO-level numbers of the sap-llm Redis (used_memory, maxmemory, keys ...)."""
        from dataclasses import asdict

        def go() -> dict[str, Any]:
            now = self._st.now()
            for rec in self._st.cluster.pods.values():
                if rec.namespace == "sap-llm" and rec.container == "redis":
                    life = rec.life_at(now)
                    if life is not None:
                        return asdict(rec.model.stats(life, now))
            return {}
        return self._call(go)

    def openmetrics_history(self, start: datetime, end: datetime, step_seconds: float) -> str:
        from . import metrics

        def go() -> str:
            st = self._st
            st.now()
            return metrics.openmetrics_history(st.cluster, st.clock.from_datetime(start),
                                               st.clock.from_datetime(end), step_seconds)
        return self._call(go, timeout=600.0)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> "SimulatorHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_simulator(config: SimConfig | None = None, workdir: Path | str | None = None,
                    kubeconfig_path: Path | None = None) -> SimulatorHandle:
    """Start serving; returns once the port is listening and the kubeconfig is written."""
    import tempfile

    config = config or SimConfig()
    wd = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="memtui-sim-"))
    wd.mkdir(parents=True, exist_ok=True)
    server = SimServer(config, wd)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    result: dict[str, Any] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            result["url"] = loop.run_until_complete(server.start())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            result["error"] = exc
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            # finish what is still open (a `kubectl logs -f`, a watch) before the loop goes away
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in pending:
                t.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=run, name="memtui-sim", daemon=True)
    thread.start()
    ready.wait(300)
    if "error" in result:
        raise result["error"]
    if "url" not in result:
        raise RuntimeError("simulator did not start within 300 s")
    url = result["url"]
    kc = server.write_kubeconfig(kubeconfig_path or wd / "kubeconfig", url)
    return SimulatorHandle(server, loop, thread, url, kc)
