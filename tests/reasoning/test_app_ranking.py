"""The app's ranking, live: the evidence poll runs from the app's own source specs and
``app.ranking`` (what the side panel and the audit log read) names the scenario's cause."""

from __future__ import annotations

from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.ui.app import MemtuiApp
from tests.app.conftest import wait_for


def _app(handle, **overrides) -> MemtuiApp:
    values = {"namespace": "sap-llm", "refresh": 0.3, "redis_deployment": "redis", "gpu_source": "off", **overrides}
    settings = Settings(**values)
    connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    return MemtuiApp(settings, connection, clock=handle.now)


async def test_the_app_ranks_the_cache_bloat_from_its_own_polls(sim_factory):
    handle = sim_factory(scenario="cache-bloat", seed=7)
    app = _app(handle)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.ranking.uncertain  # the runbook's priors until evidence arrives
        await wait_for(pilot, lambda: app.state.evidence is not None and not app.ranking.uncertain, timeout=30)
        assert app.ranking.top.cause == "cache"
        assert app.ranking.evidence_at == app.state.evidence.taken_at
        assert "evidence" in app.pollers and "evidence" not in app.state.health  # its health is kubernetes's
        sampled = {p["pod"] for p in app.ranking.inputs["pods_sampled"]}
        assert sampled == {p.pod for p in app.state.evidence.pods}


async def test_under_read_only_the_app_runs_no_exec_and_says_so(sim_factory):
    handle = sim_factory(scenario="leak", seed=7)
    app = _app(handle, read_only=True, redis_deployment="")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.evidence is not None, timeout=30)
        assert not [r for r in handle.requests() if r.path.endswith("/exec")]
        assert any(g.what.startswith("du: exec off under --read-only") for g in app.ranking.gaps)
        await wait_for(pilot, lambda: app.ranking.top.cause == "leak" and not app.ranking.uncertain, timeout=10)
