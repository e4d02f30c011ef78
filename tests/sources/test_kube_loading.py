"""While the first LIST of pods runs (seconds at 20,000 pods), the Kubernetes source hands over
its progress (pages and pods so far) instead of blocking the refresh, and the cockpit shows it in
the pods pane while the other panes fill from their own sources.  The LIST is made slow by the
simulator itself: each page of pods waits before it is served, the server meanwhile serving the
rest (``SimulatorHandle.on_request`` with an awaitable)."""

from __future__ import annotations

import asyncio

from memtui.clients.kube.connection import connect
from memtui.clients.kube.informer import PAGE_SIZE
from memtui.sources.kube import KubeSource
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for
from tests.servers import start_redis

NS = "sap-llm"
PAGE_DELAY = 0.4


def _slow_pages(handle, delay: float = PAGE_DELAY) -> list[tuple[str, dict]]:
    """Each page of the pods LIST waits ``delay`` s; returns the log of requests as they arrive."""
    seen: list[tuple[str, dict]] = []

    def hook(method, path, query):
        seen.append((path, dict(query)))
        if path == f"/api/v1/namespaces/{NS}/pods" and query.get("limit") == str(PAGE_SIZE) and not query.get("watch"):
            return asyncio.sleep(delay)
        return None

    handle.on_request(hook)
    return seen


def _source(handle, **options) -> KubeSource:
    connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace=NS)
    return KubeSource(connection, timeout=5.0, **options)


def test_a_slow_first_list_hands_over_its_progress_then_every_pod(sim_factory):
    handle = sim_factory(seed=7, replicas=1200)
    seen = _slow_pages(handle)
    source = _source(handle, progress_every=0.1)
    try:
        loading = []
        while (snapshot := source.fetch()).loading is not None:
            assert snapshot.pods == () and snapshot.usage == {} and snapshot.events == ()
            assert snapshot.partial
            loading.append(snapshot.loading)
        assert not snapshot.partial
        pods = len(snapshot.pods)
        pages = -(-pods // PAGE_SIZE)
        assert pods > 1200 and pages == 3
        # the progress counted the pages in, in order, a full page at a time
        counted = [(p.pages, p.items) for p in loading]
        assert counted == sorted(counted) and len(loading) >= pages
        assert {(n, n * PAGE_SIZE) for n in range(pages)} <= set(counted)
        assert all(not p.done for p in loading)
        # the PodMetrics are read once beside the first LIST (not after it), and that read is the
        # usage the first full refresh hands over; loading refreshes ask nothing more
        paths = [path for path, _ in seen]
        metrics = [i for i, path in enumerate(paths) if path.startswith("/apis/metrics.k8s.io/")]
        last_page = max(i for i, (path, query) in enumerate(seen)
                        if path == f"/api/v1/namespaces/{NS}/pods" and query.get("limit") == str(PAGE_SIZE))
        assert len(metrics) == 1 and metrics[0] < last_page
        assert snapshot.usage and snapshot.metrics_error is None
        assert source.pods.snapshot().lists == 1
    finally:
        source.stop()


def test_without_progress_every_the_first_refresh_waits_for_every_pod(sim_factory):
    handle = sim_factory(seed=7, replicas=1200)
    seen = _slow_pages(handle, delay=0.2)
    source = _source(handle)
    try:
        snapshot = source.fetch()
        assert snapshot.loading is None and len(snapshot.pods) > 1200 and snapshot.usage
        # the metrics read did not wait for the LIST: it was asked before the last page was served
        metrics = [i for i, (path, _) in enumerate(seen) if path.startswith("/apis/metrics.k8s.io/")]
        last_page = max(i for i, (path, query) in enumerate(seen)
                        if path == f"/api/v1/namespaces/{NS}/pods" and query.get("limit") == str(PAGE_SIZE))
        assert metrics == [min(metrics)] and metrics[0] < last_page
        # later refreshes read the metrics after the (watched) pods, as before
        source.fetch()
        assert len([p for p, _ in seen if p.startswith("/apis/metrics.k8s.io/")]) == 2
    finally:
        source.stop()


async def test_the_pods_pane_counts_the_pages_in_while_redis_is_already_shown(sim_factory, make_app, tmp_path):
    handle = sim_factory(seed=7, replicas=1200)
    _slow_pages(handle, delay=1.0)
    redis_server = start_redis(tmp_path / "redis")
    try:
        app = make_app(handle, redis_url=redis_server.url, refresh=0.5)
        async with app.run_test(size=(160, 48)) as pilot:
            table = app.query_one(PodTable)
            pane = app.query_one("#pods-pane")
            await wait_for(pilot, lambda: (table.loading_text() or "").startswith("loading pods: 500 so far"), timeout=20)
            assert str(pane.border_title).startswith("Pods loading… 500")
            assert app.state.snapshot is None and app.state.rows == ()
            # the other panes did not wait for the pods: Redis answered and is drawn
            assert app.state.redis is not None and not app.query_one("#redis-pane").has_class("-stale")
            await wait_for(pilot, lambda: (table.loading_text() or "").startswith("loading pods: 1,000 so far, 2 pages"),
                           timeout=20)
            # the fold is done, its drawing included: over 1,000 pods it folds in steps
            # (ui/folding.py), and the rows are in the state a few steps before the table shows them
            await wait_for(pilot, lambda: len(app.state.rows) > 1200 and not app.folds.busy, timeout=20)
            assert table.loading_text() is None and app.state.pods_loading is None
            assert str(pane.border_title).startswith(f"Pods {len(app.state.rows)}")
    finally:
        redis_server.stop()
