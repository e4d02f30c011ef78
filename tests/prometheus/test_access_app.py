"""The cockpit itself on a Prometheus that two clusters share, behind TLS, a client certificate and
basic auth: its pods pane shows its own cluster's figures for its pods, not the other's."""

from __future__ import annotations

import time

from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.ui.app import MemtuiApp
from tests.app.conftest import wait_for
from tests.prometheus.access_rig import GIB, NS, USER, start_secured, two_clusters


async def test_the_pods_pane_shows_its_own_clusters_figures_through_the_secured_prometheus(sim, tmp_path):
    pods = sorted(sim.truth())
    # the same pods in both clusters, cluster b's RSS 5 GiB above a's: a missing matcher shows b's
    own = {pod: (i + 1) * GIB // 4 for i, pod in enumerate(pods)}
    clusters = {"a": own, "b": {pod: value + 5 * GIB for pod, value in own.items()}}
    secured = start_secured(two_clusters(int(time.time()) - 1, clusters, ("container_memory_rss",)), tmp_path)
    server, certs, password = secured.server, secured.certs, secured.password_file
    try:
        settings = Settings(namespace=NS, refresh=0.3, redis_deployment="", gpu_source="off",
                            prometheus_url=server.url, prometheus_ca_file=str(certs.ca),
                            prometheus_cert_file=str(certs.client_cert), prometheus_key_file=str(certs.client_key),
                            prometheus_basic_auth_user=USER, prometheus_basic_auth_password_file=str(password),
                            prometheus_matchers='cluster="a"')
        connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace=NS)
        app = MemtuiApp(settings, connection, clock=sim.now)
        async with app.run_test(size=(220, 48)) as pilot:
            await wait_for(pilot, lambda: any(r.rss is not None for r in app.state.rows), timeout=30)
            shown = {r.name: r.rss for r in app.state.rows if r.rss is not None}
            health = app.state.health["prometheus"]
    finally:
        server.stop()
    assert shown == {pod: float(value) for pod, value in own.items()}
    assert health.enabled
