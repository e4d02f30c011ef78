"""Each simulator scenario ranks its own cause first within two minutes of simulated time, through
the real pipeline (simulator over HTTPS → sources → CockpitState → rank), without Prometheus and
with a real one scraping the simulator."""

from __future__ import annotations

import pytest

from memtui.reasoning.model import CAUSES
from memtui.sim.scenario_data import SCENARIO_DATA

from .pipeline import Run, drive

BASE = ("leak", "model-duplication", "batch-spike", "cache-bloat")
WITHIN = 120.0


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
