"""Each simulator scenario ranks its own cause first within two minutes of simulated time, through
the real pipeline (simulator over HTTPS → sources → CockpitState → rank), without Prometheus and
with a real one scraping the simulator."""

from __future__ import annotations

import pytest

from memtui.reasoning.model import CAUSES, PRIORS
from memtui.sim.scenario_data import SCENARIO_DATA

from memtui.demo.ranking_run import Run, drive

BASE = ("leak", "model-duplication", "batch-spike", "cache-bloat")
WITHIN = 120.0
PRIOR_BATCH = PRIORS["batch"]
PRIOR_MODEL = PRIORS["model-loading"]


def _explain(run: Run) -> str:
    ranking = run.final
    lines = [f"{c.cause} {c.confidence:.2f}: " + "; ".join(f"{f.weight:+.1f} {f.text}" for f in c.facts)
             for c in ranking.causes]
    return "\n".join(lines + [f"gap: {g.what}" for g in ranking.gaps])


def assert_ranks_first(run: Run, cause: str) -> None:
    step = run.first_confident(cause)
    assert step is not None, f"{cause} never ranked first with confidence:\n{_explain(run)}"
    assert step.seconds <= WITHIN, (step.seconds, _explain(run))
    final = run.final
    assert final.top.cause == cause and not final.uncertain, _explain(run)
    others = [c for c in final.causes if c.cause != cause]
    assert final.top.confidence >= 0.6 and all(c.confidence < final.top.confidence - 0.15 for c in others), \
        _explain(run)


@pytest.mark.parametrize("scenario", BASE)
def test_each_base_scenario_ranks_its_cause_first_without_prometheus(sim_factory, scenario):
    (cause,) = SCENARIO_DATA[scenario].causes
    run = drive(sim_factory(scenario=scenario, seed=7))
    assert_ranks_first(run, cause)
    ranking = run.final
    assert ranking.order()[0] == cause and set(ranking.order()) == set(CAUSES)
    assert any(g.what.startswith("no Prometheus") for g in ranking.gaps)
    assert ranking.inputs["prometheus"] is False and ranking.inputs["app_logs_read"] >= 1
    top = ranking.top
    assert top.facts and top.facts[0].weight > 0
    assert [abs(f.weight) for f in top.facts] == sorted((abs(f.weight) for f in top.facts), reverse=True)
    assert {f.source for f in top.facts} <= {"log", "exec", "redis", "history", "config", "prometheus"}


@pytest.mark.parametrize("scenario", BASE)
def test_each_base_scenario_ranks_its_cause_first_with_prometheus(sim_factory, prometheus_for, scenario):
    (cause,) = SCENARIO_DATA[scenario].causes
    handle = sim_factory(scenario=scenario, seed=7)
    run = drive(handle, prometheus_url=prometheus_for(handle).url)
    assert_ranks_first(run, cause)
    ranking = run.final
    assert ranking.inputs["prometheus"] is True and ranking.inputs["history_seconds"] >= 600
    assert not any(g.what.startswith(("no Prometheus", "not enough history")) for g in ranking.gaps)


@pytest.mark.parametrize("with_prometheus", [False, True], ids=["without-prometheus", "with-prometheus"])
def test_a_leak_with_a_cache_bloat_ranks_both_above_the_others(sim_factory, prometheus_for, with_prometheus):
    handle = sim_factory(scenario="leak-cache", seed=7)
    run = drive(handle, prometheus_url=prometheus_for(handle).url if with_prometheus else None)
    ranking = run.final
    assert set(SCENARIO_DATA["leak-cache"].causes) == {"leak", "cache"}
    assert set(ranking.order()[:2]) == {"leak", "cache"} and not ranking.uncertain, _explain(run)
    low = max(ranking.score("model-loading").confidence, ranking.score("batch").confidence)
    assert min(ranking.score("leak").confidence, ranking.score("cache").confidence) >= max(0.6, low + 0.3), \
        _explain(run)
    assert [step for step in run.steps if step.seconds <= WITHIN
            and set(step.ranking.order()[:2]) == {"leak", "cache"}], _explain(run)


@pytest.mark.parametrize("with_prometheus", [False, True], ids=["without-prometheus", "with-prometheus"])
def test_batch_spikes_in_a_leaking_pod_still_rank_the_leak_first(sim_factory, prometheus_for, with_prometheus):
    """The spikes are loud (batch_size=256, GiB peaks), the leak logs no warning: the GC's figures
    and the rising troughs must still put the leak first."""
    handle = sim_factory(scenario="leak-batch-spike", seed=7)
    run = drive(handle, prometheus_url=prometheus_for(handle).url if with_prometheus else None)
    ranking = run.final
    assert SCENARIO_DATA["leak-batch-spike"].causes == ("leak",)
    step = run.first_confident("leak")
    assert step is not None and step.seconds <= WITHIN, _explain(run)
    assert not [f for f in ranking.score("leak").facts if "memory leak" in f.text]  # no warning line to lean on
    assert ranking.score("batch").facts and ranking.score("batch").confidence > PRIOR_BATCH  # the decoy is seen


@pytest.mark.parametrize("with_prometheus", [False, True], ids=["without-prometheus", "with-prometheus"])
def test_a_big_stable_model_cache_is_not_taken_for_model_loading_or_cache_bloat(sim_factory, prometheus_for,
                                                                                with_prometheus):
    handle = sim_factory(scenario="stable-model-cache", seed=7)
    run = drive(handle, prometheus_url=prometheus_for(handle).url if with_prometheus else None)
    (cause,) = SCENARIO_DATA["stable-model-cache"].causes
    assert_ranks_first(run, cause)
    ranking = run.final
    model = ranking.score("model-loading")
    assert any("/tmp/model_cache holds 6.0 GiB" in f.text for f in model.facts)  # the decoy is seen
    assert model.confidence < PRIOR_MODEL and ranking.score("cache").confidence < 0.3
    for step in run.steps:  # never led by the decoys, not even before the second du reading
        assert step.ranking.top.cause not in ("model-loading", "cache") or step.ranking.uncertain


def test_thin_evidence_without_prometheus_and_with_logs_forbidden_is_uncertain(sim_factory):
    handle = sim_factory(scenario="leak", seed=7, operator_denied=("pods/log",))
    run = drive(handle)
    for step in run.steps:
        assert step.ranking.uncertain, step.seconds
    gaps = {g.what: g for g in run.final.gaps}
    assert any(w.startswith("logs: forbidden (RBAC)") for w in gaps), list(gaps)
    assert any(w.startswith("no Prometheus") for w in gaps) and any(w.startswith("thin evidence") for w in gaps)
    assert next(g for w, g in gaps.items() if w.startswith("logs:")).action_id == "diagnose.logs-memory"
    assert run.final.inputs["app_logs_read"] == 0
    assert len([w for w in gaps if w.startswith("logs:")]) == 1  # said once for every sampled pod


def test_with_logs_forbidden_prometheus_history_still_finds_the_leak(sim_factory, prometheus_for):
    """The same RBAC with an hour of Prometheus history: the growth shape carries the ranking."""
    handle = sim_factory(scenario="leak", seed=7, operator_denied=("pods/log",))
    run = drive(handle, prometheus_url=prometheus_for(handle).url)
    ranking = run.final
    assert ranking.top.cause == "leak", _explain(run)
    assert any(g.what.startswith("logs: forbidden (RBAC)") for g in ranking.gaps)
    assert {f.source for f in ranking.top.facts if f.weight > 0} <= {"prometheus", "exec", "redis", "history"}


def test_read_only_says_du_is_off(sim_factory):
    run = drive(sim_factory(scenario="cache-bloat", seed=7), read_only=True)
    ranking = run.final
    du = [g for g in ranking.gaps if g.what.startswith("du: exec off under --read-only")]
    assert du and du[0].action_id == "diagnose.disk-models-cache" and du[0].cause == "cache"
    assert ranking.top.cause == "cache"  # Redis and the config line still tell
