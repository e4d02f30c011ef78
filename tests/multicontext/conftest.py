"""Two simulated clusters in one kubeconfig, as a multi-region on-call has them."""

from __future__ import annotations

import pytest

from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.ui.app import MemtuiApp
from tests.kubeconfigs import merged_kubeconfig


@pytest.fixture
def two_sims(sim_factory):
    """Cluster ``eu`` (3 replicas, seed 7) and ``us`` (4 replicas, seed 8): different pods."""
    return sim_factory(seed=7, replicas=3), sim_factory(seed=8, replicas=4)


@pytest.fixture
def make_multi_app(two_sims, tmp_path):
    """``make_multi_app(servers={...}, per_context={...}, **settings)``: the real app on contexts eu,us
    of one kubeconfig (``per_context``: each context's own settings, as the command line builds them)."""

    def make(servers: dict[str, str] | None = None, per_context=None, **overrides) -> MemtuiApp:
        eu, us = two_sims
        servers = servers or {}
        config = merged_kubeconfig({"eu": (eu, servers.get("eu", eu.url)), "us": (us, servers.get("us", us.url))},
                                   tmp_path / "merged.kubeconfig")
        values = {"namespace": "sap-llm", "refresh": 0.3, "redis_deployment": "", "gpu_source": "off",
                  "context": "eu"}
        values.update(overrides)
        settings = Settings(**values)
        first, second = (connect(kubeconfig=str(config), context=name, namespace="sap-llm", always_name_context=True)
                         for name in ("eu", "us"))  # as memtui.cli connects for --context eu,us
        return MemtuiApp(settings, first, more=[second], clock=eu.now, per_context=per_context)

    return make
