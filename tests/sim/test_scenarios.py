"""Each scenario's incident and how it answers the runbook's fixes (official client only)."""

from __future__ import annotations

import pytest

from memtui.sim import SCENARIOS

from .helpers import NS, by_ttl, core, patch_config, restart_deployment, sap_llm_pods

# (matching patch, non-matching patch) per root cause (the one-cause scenarios; models/mixed.py's have two
# causes or a misleading signal, and tests/reasoning scores them)
PATCHES = {
    "leak": ({"max_concurrent_requests": "50"}, {"batch_size": "32", "max_batch_size": "64"}),
    "model-duplication": ({"max_model_instances": "1", "model_cache_size": "2"},
                          {"cache_ttl_seconds": "3600", "max_cache_size_mb": "4096"}),
    "batch-spike": ({"batch_size": "32", "max_batch_size": "64"}, {"max_model_instances": "1",
                                                                   "model_cache_size": "2"}),
    "cache-bloat": ({"cache_ttl_seconds": "3600", "max_cache_size_mb": "4096"},
                    {"batch_size": "32", "max_batch_size": "64"}),
}
HOUR = 3600.0


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_start_state(sim_factory, scenario):
    h = sim_factory(scenario=scenario, seed=11)
    pods = sap_llm_pods(h)
    truth = h.truth()
    assert len(pods) == 3
    oomed = [p.metadata.name for p in pods
             if p.status.container_statuses[0].restart_count >= 2
             and p.status.container_statuses[0].last_state.terminated is not None
             and p.status.container_statuses[0].last_state.terminated.reason == "OOMKilled"
             and p.status.container_statuses[0].last_state.terminated.exit_code == 137]
    near = [n for n, t in truth.items() if t.seconds_to_oom is not None and t.seconds_to_oom <= 8 * 60
            and t.growth_bytes_per_second > 0]
    healthy = [n for n, t in truth.items() if t.restarts == 0 and t.working_set_bytes < 0.75 * t.limit_bytes
               and (t.seconds_to_oom is None or t.seconds_to_oom > 15 * 60)]
    assert oomed and near and healthy, (scenario, oomed, near, healthy)
    evs = core(h).list_namespaced_event(NS, field_selector=f"involvedObject.name={oomed[0]},reason=OOMKilling")
    assert len(evs.items) >= 2


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_advancing_time_oom_kills_the_growing_pod(sim_factory, scenario):
    h = sim_factory(scenario=scenario, seed=3)
    name, ttl = by_ttl(h)[0]
    before = core(h).read_namespaced_pod(name, NS).status.container_statuses[0].restart_count
    n_events = len(core(h).list_namespaced_event(NS, field_selector=f"involvedObject.name={name},reason=OOMKilling")
                   .items)
    h.advance(ttl + 2)  # killed, now in back-off
    cs = core(h).read_namespaced_pod(name, NS).status.container_statuses[0]
    assert cs.state.waiting is not None and cs.state.waiting.reason == "CrashLoopBackOff"
    assert cs.last_state.terminated.reason == "OOMKilled" and not cs.ready
    h.advance(60)  # restarted (and past its readiness delay)
    cs = core(h).read_namespaced_pod(name, NS).status.container_statuses[0]
    assert cs.restart_count == before + 1
    assert cs.state.running is not None and cs.last_state.terminated.reason == "OOMKilled"
    evs = core(h).list_namespaced_event(NS, field_selector=f"involvedObject.name={name},reason=OOMKilling").items
    assert len(evs) == n_events + 1
    assert h.truth()[name].working_set_bytes < 0.9 * h.truth()[name].limit_bytes  # back to base (+ a batch spike)


def _restart_and_settle(h) -> None:
    restart_deployment(h)
    h.advance(90)


@pytest.mark.parametrize("scenario", [s for s in PATCHES if s != "leak"])
def test_matching_config_patch_stops_growth_after_restart(sim_factory, scenario):
    good, _ = PATCHES[scenario]
    h = sim_factory(scenario=scenario, seed=5)
    patch_config(h, good)
    assert by_ttl(h)[0][1] < HOUR  # a ConfigMap patch alone changes nothing in running containers
    _restart_and_settle(h)
    h.advance(HOUR)
    for name, t in h.truth().items():
        assert t.seconds_to_oom is None or t.seconds_to_oom > 12 * HOUR, (name, t)
        assert t.restarts == 0


@pytest.mark.parametrize("scenario", PATCHES)
def test_non_matching_config_patch_does_not(sim_factory, scenario):
    _, bad = PATCHES[scenario]
    h = sim_factory(scenario=scenario, seed=5)
    patch_config(h, bad)
    _restart_and_settle(h)
    ttls = [t.seconds_to_oom for t in h.truth().values() if t.seconds_to_oom is not None]
    assert ttls and min(ttls) < 4 * HOUR


def test_leak_concurrency_limit_slows_growth_and_nothing_stops_it(sim_factory):
    good, bad = PATCHES["leak"]
    h1 = sim_factory(scenario="leak", seed=5)
    patch_config(h1, bad)
    _restart_and_settle(h1)
    h2 = sim_factory(scenario="leak", seed=5)
    patch_config(h2, good)
    _restart_and_settle(h2)
    g_bad = sum(t.growth_bytes_per_second for t in h1.truth().values())
    g_good = sum(t.growth_bytes_per_second for t in h2.truth().values())
    assert 0 < g_good < 0.4 * g_bad
    assert all(t.seconds_to_oom is not None for t in h2.truth().values())  # slowed, not fixed


def test_scaling_sap_llm_api_down_slows_the_leak_at_once(sim):
    from .helpers import apps
    g0 = sum(t.growth_bytes_per_second for t in sim.truth().values())
    apps(sim).patch_namespaced_deployment_scale("sap-llm-api", NS, {"spec": {"replicas": 2}})
    sim.advance(120)
    g1 = sum(t.growth_bytes_per_second for t in sim.truth().values())
    assert g1 == pytest.approx(g0 / 2, rel=0.2)
    assert len(core(sim).list_namespaced_pod(NS, label_selector="app=sap-llm-api").items) == 2


def test_quantization_halves_model_memory_after_restart(sim_factory):
    h = sim_factory(scenario="model-duplication", seed=5)
    _restart_and_settle(h)
    base = {n: t.working_set_bytes for n, t in h.truth().items()}
    g = sim_factory(scenario="model-duplication", seed=5)
    patch_config(g, {"model_precision": "fp16", "use_quantization": "true"})
    _restart_and_settle(g)
    half = {n: t for n, t in g.truth().items()}
    assert sum(t.working_set_bytes for t in half.values()) < 0.75 * sum(base.values())
    assert max(t.gpu_used_mib for t in half.values()) < 0.75 * max(t.gpu_used_mib for t in h.truth().values())
