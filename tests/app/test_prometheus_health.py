"""Prometheus faults, seen where the operator looks: a real Prometheus behind a TCP fault proxy.

The GPU pane fed by DCGM via Prometheus used to say "gpu ✓" while Prometheus was down; and
Prometheus's own failure reason was shown nowhere (the header only says "stale since").  GPU
health follows the health of where its figures come from, and the reason is on the panes.
"""

from __future__ import annotations

import pytest

from memtui.widgets.incident_header import IncidentHeader
from tests.app.conftest import wait_for
from tests.faults import FaultProxy


@pytest.fixture
def prometheus_proxy(prometheus):
    proxy = FaultProxy(int(prometheus.url.rsplit(":", 1)[1]))
    yield proxy
    proxy.close()


def _subtitle(app, pane: str) -> str:
    return str(app.query_one(pane).border_subtitle)


def _header(app) -> str:
    return app.query_one(IncidentHeader).render().plain


@pytest.mark.parametrize("gpu_source", ["dcgm", "auto"])
async def test_gpu_pane_from_dcgm_goes_stale_with_prometheus_and_recovers(sim, make_app, prometheus_proxy, gpu_source):
    app = make_app(prometheus_url=f"http://127.0.0.1:{prometheus_proxy.port}", refresh=0.2, request_timeout=1.0,
                   gpu_source=gpu_source)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: bool(app.state.gpu) and "updated" in _subtitle(app, "#gpu-pane"), timeout=30)
        assert app.state.gpu_source == "DCGM via Prometheus" and "gpu ✓" in _header(app)
        prometheus_proxy.set_mode("refuse")
        await wait_for(pilot, lambda: app.state.health["prometheus"].stale, timeout=30)
        await wait_for(pilot, lambda: app.query_one("#gpu-pane").has_class("-stale"), timeout=10)
        gpu = _subtitle(app, "#gpu-pane")
        reason = app.state.health["gpu"].error or ""
        assert "Prometheus" in reason and "unreachable" in reason, reason
        # the narrow pane's border has one short line: the reason's start, the rest behind H
        assert gpu.startswith("stale since") and "H: full reason" in gpu, gpu
        assert "gpu stale since" in _header(app) and "gpu ✓" not in _header(app)
        assert app.state.gpu  # the last figures stay on screen, marked stale
        prometheus_proxy.set_mode("pass")
        await wait_for(pilot, lambda: not app.query_one("#gpu-pane").has_class("-stale"), timeout=40)
        assert "gpu ✓" in _header(app)


@pytest.mark.parametrize("mode, reason", [("refuse", "unreachable"), ("stall", "timed out")])
async def test_prometheus_failure_reason_is_on_the_pods_pane(sim, make_app, prometheus_proxy, mode, reason):
    app = make_app(prometheus_url=f"http://127.0.0.1:{prometheus_proxy.port}", refresh=0.2, request_timeout=1.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.prometheus is not None, timeout=30)
        prometheus_proxy.set_mode(mode)
        await wait_for(pilot, lambda: reason in (app.state.health["prometheus"].error or ""), timeout=30)
        # the reason fits beside the kube refresh's own detail once that is a quiet one ("1 request");
        # the first's ("3 requests, 160 ms") leaves it cut, with H for the whole of it
        await wait_for(pilot, lambda: reason in _subtitle(app, "#pods-pane"), timeout=10)
        pods = _subtitle(app, "#pods-pane")
        assert "prometheus stale:" in pods and reason in pods, pods
        # the pods themselves are live (the metrics API answers): only the trend columns are stale
        assert not app.query_one("#pods-pane").has_class("-stale")
        assert pods.startswith("updated")
        prometheus_proxy.set_mode("pass")
        await wait_for(pilot, lambda: "prometheus" not in _subtitle(app, "#pods-pane"), timeout=40)
