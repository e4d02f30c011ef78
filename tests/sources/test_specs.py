"""The source specs a session gets from its settings (sources/bundle.py, sources/gpu.py): which
polls run, how often, what they yield, and why a pane is off.  These used to be branches of the
app's ``_start_polling``; the texts are the panes' own."""

from __future__ import annotations

import pytest

from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.sources.bundle import build_sources
from memtui.state.cockpit import CockpitState
from memtui.state.snapshots import (
    BackfillSnapshot,
    EvidenceSnapshot,
    GpuSnapshot,
    KubeSnapshot,
    PrometheusSnapshot,
    RedisStats,
    TeamSnapshot,
)

PROM = "http://127.0.0.1:9"  # never asked: building a spec sends nothing


@pytest.fixture
def specs_for(sim):
    built = []

    def specs(**values):
        settings = Settings(**{"namespace": "sap-llm", "redis_deployment": "", "refresh": 1.0, **values})
        connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
        bundle = build_sources(settings, connection)
        built.append(bundle)
        return {spec.name: spec for spec in bundle.specs}

    yield specs
    for bundle in built:
        bundle.stop()


def test_every_spec_polls_or_says_why_it_is_off_and_its_snapshot_is_folded_by_the_state(specs_for):
    state = CockpitState(threshold_bytes=1)
    for values in ({}, {"prometheus_url": PROM, "redis_url": "redis://127.0.0.1:9/0", "gpu_source": "exec"},
                   {"redis_deployment": "redis", "gpu_source": "nvml"}, {"read_only": True, "redis_deployment": "redis"}):
        for spec in specs_for(**values).values():
            assert (spec.fetch is None) == (spec.off is not None), spec
            assert spec.snapshot in CockpitState._APPLY, spec.snapshot  # the state folds what the poll yields
            state.expect(spec.health_name)
            assert spec.health_name in state.health


def test_the_polls_and_their_intervals(specs_for):
    specs = specs_for(prometheus_url=PROM, redis_deployment="redis", gpu_source="exec", refresh=1.0)
    assert list(specs) == ["kubernetes", "nodes", "prometheus", "backfill", "alertmanager", "redis", "gpu", "evidence",
                           "team"]
    assert (specs["kubernetes"].snapshot, specs["kubernetes"].interval) == (KubeSnapshot, 1.0)
    assert (specs["prometheus"].snapshot, specs["prometheus"].interval) == (PrometheusSnapshot, 5.0)
    backfill = specs["backfill"]
    assert backfill.snapshot is BackfillSnapshot and backfill.one_shot and backfill.health_name == "prometheus"
    assert (backfill.interval, backfill.retry_interval) == (3600.0, 30.0)
    assert (specs["redis"].snapshot, specs["redis"].interval) == (RedisStats, 5.0)  # redis-cli via exec
    assert (specs["gpu"].snapshot, specs["gpu"].interval) == (GpuSnapshot, 10.0)  # nvidia-smi via exec
    assert specs["gpu"].inputs is not None  # its pods come from the main thread
    assert specs_for(redis_url="redis://127.0.0.1:9/0", refresh=1.0)["redis"].interval == 1.0
    evidence = specs["evidence"]  # logs and du of a few pods for the ranking: at most once a minute
    assert (evidence.snapshot, evidence.interval, evidence.retry_interval) == (EvidenceSnapshot, 60.0, 5.0)
    assert evidence.inputs is not None and evidence.health_name == "kubernetes"
    team = specs["team"]  # the team's changes: watched, its health the Kubernetes source's
    assert (team.snapshot, team.interval, team.health_name) == (TeamSnapshot, 1.0, "kubernetes")
    assert team.inputs is not None  # this session's own actions come from the main thread


@pytest.mark.parametrize(
    ("values", "gpu"),
    [
        ({"gpu_source": "off"}, "off (--gpu-source off)"),
        ({"gpu_source": "dcgm"}, "--gpu-source dcgm needs --prometheus-url"),
        ({"gpu_source": "dcgm", "prometheus_url": PROM}, None),  # figures come with Prometheus's snapshot
        ({"gpu_source": "auto", "prometheus_url": PROM, "read_only": True}, None),  # DCGM still read
        ({"gpu_source": "auto", "read_only": True},
         "off under --read-only: nvidia-smi would run in a container (DCGM needs --prometheus-url)"),
        ({"gpu_source": "exec", "prometheus_url": PROM, "read_only": True},
         "off under --read-only: nvidia-smi would run in a container (DCGM needs --prometheus-url)"),
        ({"gpu_source": "auto"}, "poll"),
        ({"gpu_source": "nvml"}, "poll"),
    ],
)
def test_the_gpu_source_choice(specs_for, values, gpu):
    spec = specs_for(**values).get("gpu")
    if gpu is None:
        assert spec is None
    elif gpu == "poll":
        assert spec is not None and spec.fetch is not None and spec.off is None
    else:
        assert spec is not None and spec.off == gpu


@pytest.mark.parametrize(
    ("values", "off"),
    [
        ({}, "off (set --redis-url, or --redis-deployment)"),
        ({"redis_deployment": "redis", "read_only": True},
         "off under --read-only: redis-cli would run in a container (give --redis-url)"),
        ({"redis_deployment": "redis"}, None),
    ],
)
def test_why_redis_is_off(specs_for, values, off):
    assert specs_for(**values)["redis"].off == off
    if not values.get("prometheus_url"):
        assert specs_for(**values)["prometheus"].off == "no --prometheus-url: history since start only"
