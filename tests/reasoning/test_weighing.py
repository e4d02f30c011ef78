"""The weighing on hand-built snapshots: how facts move each cause from the runbook's prior, when
the ranking says "uncertain", and the history shapes it reads (fast: no simulator)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from memtui.reasoning.model import PRIORS
from memtui.reasoning.ranking import rank
from memtui.reasoning.signals import GiB, MiB, baseline, jumps, lives, shape
from memtui.state.cockpit import CockpitState
from memtui.state.snapshots import (
    ContainerState,
    EvidenceSnapshot,
    KubeSnapshot,
    LogEvidence,
    PodEvidence,
    PodState,
    PodUsage,
    RedisKeyspace,
    RedisStats,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
LIMIT = 12 * GiB
CONFIG = (("max_model_instances", "2"), ("batch_size", "64"), ("cache_ttl_seconds", "86400"),
          ("max_cache_size_mb", "8192"))


def _pod(name: str, owner: str, started: datetime) -> PodState:
    container = ContainerState(owner, True, 0, "running", None, None, None, started, LIMIT, 8 * GiB)
    return PodState(name, "sap-llm", name, "Running", "Running", started, "node-1", owner, (container,))


class World:
    """A cockpit state fed by hand: pods, memory samples, evidence gatherings, Redis."""

    def __init__(self) -> None:
        self.now = T0
        self.state = CockpitState(threshold_bytes=10**10, clock=lambda: self.now)
        self.state.disable("prometheus", "off")
        self.started = T0 - timedelta(minutes=30)
        self.pods = (_pod("app-1", "sap-llm", self.started), _pod("app-2", "sap-llm", self.started))

    def sample(self, value: float, *, other: float = 4 * GiB, seconds: float = 15.0) -> None:
        usage = {"app-1": PodUsage("app-1", int(value), timestamp=self.now),
                 "app-2": PodUsage("app-2", int(other), timestamp=self.now)}
        self.state.apply(KubeSnapshot(self.now, self.pods, usage, ()))
        self.now += timedelta(seconds=seconds)

    def gather(self, *logs: LogEvidence, disk: tuple[tuple[str, int], ...] = (), logs_error: str | None = None,
               disk_error: str | None = None) -> None:
        pod = PodEvidence("app-1", "sap-llm", tuple(logs), logs_error, disk, disk_error)
        self.state.apply(EvidenceSnapshot(self.now, (pod,)))

    def log(self, **counts) -> LogEvidence:
        values = {"container": "sap-llm", "started_at": self.started, "lines": 400, "from_start": True,
                  "models_loaded": 1, "config": CONFIG, **counts}
        return LogEvidence(**values)

    def rank(self):
        return rank(self.state, self.now)


def test_before_any_evidence_the_priors_and_uncertain():
    world = World()
    world.sample(8 * GiB)
    ranking = world.rank()
    assert ranking.uncertain
    assert [c.confidence for c in ranking.causes] == pytest.approx(sorted(PRIORS.values(), reverse=True), abs=0.02)
    assert any("not gathered yet" in g.what for g in ranking.gaps)


def test_confidence_is_the_prior_log_odds_plus_the_facts_weights():
    world = World()
    for i in range(6):
        world.sample(8 * GiB + i * 30 * MiB)
    world.gather(world.log(leak_lines=12, gc_lines=10, gc_freed_bytes=20 * MiB, gc_allocated_bytes=900 * MiB))
    ranking = world.rank()
    for score in ranking.causes:
        logit = math.log(score.prior / (1 - score.prior)) + sum(f.weight for f in score.facts)
        assert score.confidence == pytest.approx(1 / (1 + math.exp(-logit)))
    assert ranking.top.cause == "leak" and not ranking.uncertain
    assert {f.source for f in ranking.top.facts} >= {"log"}
    assert all(f.pod == "app-1" for f in ranking.top.facts)
    assert ranking.gaps[-1].action_id == "diagnose.heap-profile"  # what would make the leak surer


def test_thin_evidence_no_logs_and_little_history_is_uncertain_and_says_why():
    world = World()
    for i in range(6):
        world.sample(8 * GiB + i * 30 * MiB)
    world.gather(logs_error="forbidden (RBAC)", disk=(("/tmp/cache", 96 * MiB), ("/tmp/model_cache", 256 * MiB)))
    ranking = world.rank()
    assert ranking.uncertain
    gaps = [g.what for g in ranking.gaps]
    assert any(g.startswith("logs: forbidden (RBAC)") for g in gaps), gaps
    assert any(g.startswith("no Prometheus") for g in gaps) and any(g.startswith("thin evidence") for g in gaps)
    assert next(g for g in ranking.gaps if g.what.startswith("logs:")).action_id == "diagnose.logs-memory"


def test_a_big_model_cache_that_holds_still_is_a_fixed_cost_not_model_loading():
    world = World()
    disk = (("/tmp/cache", 96 * MiB), ("/tmp/model_cache", 6 * GiB))
    world.sample(9 * GiB)
    world.gather(world.log(), disk=disk)
    first = world.rank().score("model-loading")
    assert any("one reading" in f.text and f.weight > 0 for f in first.facts)
    for _ in range(5):
        world.sample(9 * GiB)
    world.gather(world.log(), disk=disk)
    stable = world.rank().score("model-loading")
    assert any("stable" in f.text and f.weight < 0 for f in stable.facts)
    assert stable.confidence < first.confidence < PRIORS["model-loading"]
    for _ in range(5):
        world.sample(9 * GiB)
    world.gather(world.log(models_loaded=3, model_step_bytes=int(3.4 * GiB)),
                 disk=(("/tmp/cache", 96 * MiB), ("/tmp/model_cache", 7 * GiB)))
    growing = world.rank()
    assert growing.top.cause == "model-loading"
    assert any("grows" in f.text for f in growing.top.facts)


def test_two_causes_at_once_are_both_confident():
    world = World()
    for i in range(8):
        world.sample(8 * GiB + i * 40 * MiB)
    world.gather(world.log(leak_lines=5, gc_lines=8, gc_freed_bytes=10 * MiB, gc_allocated_bytes=800 * MiB,
                           config=CONFIG[:3] + (("max_cache_size_mb", "0"),)),
                 disk=(("/tmp/cache", 5 * GiB), ("/tmp/model_cache", 256 * MiB)))
    world.state.apply(RedisStats(world.now, "redis", 7 * GiB, 7 * GiB, 7 * GiB, None, 0, "noeviction", 0, 0, 1, 1,
                                 (RedisKeyspace("db0", 150_000, 3_000),)))
    ranking = world.rank()
    assert set(ranking.order()[:2]) == {"leak", "cache"} and not ranking.uncertain
    assert ranking.score("cache").confidence > 0.8 and ranking.score("leak").confidence > 0.8


def test_the_ranking_is_reused_while_its_inputs_are_the_same():
    world = World()
    world.sample(8 * GiB)
    world.gather(world.log())
    first = world.rank()
    world.now += timedelta(seconds=1)
    again = world.rank()
    assert again.causes is first.causes and again.computed_at == world.now
    world.gather(world.log(leak_lines=3))
    assert world.rank().causes is not first.causes


# -- shapes ------------------------------------------------------------------------------------

def _series(values, step=15.0):
    return [(i * step, float(v)) for i, v in enumerate(values)]


def test_steps_stay_and_spikes_fall_back():
    g = GiB
    found = jumps(_series([5 * g, 5 * g, 8.4 * g, 8.4 * g, 8.4 * g, 8.4 * g, 11 * g, 6 * g, 8.4 * g, 8.4 * g]),
                  threshold=512 * MiB)
    assert found.steps == pytest.approx((3.4 * g,)) and found.spikes == pytest.approx((2.6 * g,))


def test_the_baseline_is_the_troughs_and_lives_split_at_restarts():
    g = GiB
    values = [5 * g + i * 100 * MiB + (2 * g if i % 4 == 2 else 0) for i in range(20)]
    trough = baseline(_series(values))
    assert max(v for _, v in trough) < 5 * g + 20 * 100 * MiB  # no spike left in the line
    parts = lives(_series([v * g for v in (8, 8.5, 9, 9.5, 10, 10.5, 11, 5, 5.5, 6)]))
    assert [len(p) for p in parts] == [7, 3]  # an OOM kill: down to the base
    assert len(lives(_series([v * g for v in (7, 7.1, 11.6, 9.3, 7.2, 7.3, 11.8, 7.4)]))) == 1  # spikes fall back
    leak = shape(_series([5 * g + i * 25 * MiB for i in range(30)]), since=None, limit=12 * g)
    assert leak.growth is not None and leak.growth.r2 > 0.99 and not leak.steps and not leak.spikes


def test_the_log_counted_as_the_runbook_greps_it():
    from memtui.sources.evidence import parse_du, parse_log

    lines = ["INFO [sap_llm.config] config: max_model_instances=4 batch_size=256 max_cache_size_mb=0",
             "INFO [sap_llm.model] model loaded: m instance=1/4 rss_delta=3.40GiB",
             "INFO [sap_llm.model] model loaded: m instance=2/4 rss_delta=3.40GiB",
             "INFO [sap_llm.model] model cached: m-shard-01 entries=1/8 size=600MiB"]
    lines += [f"INFO [sap_llm.batch] processing batch batch_size=256 requests={n} activation_mem={n * 18}MiB"
              for n in (40, 90, 150, 200, 250, 120)]
    lines += ["DEBUG [sap_llm.gc] gc: gen2 collection collected 900 objects, freed 2.5MiB, uncollectable 0; "
              f"allocated 100MiB since last gc, RequestContext alive={n}" for n in (2000, 9000)]
    lines += ["WARNING possible memory leak: 9000 RequestContext objects kept alive by a circular reference"]
    log = parse_log("\n".join(lines) + "\n", container="sap-llm", started_at=T0, from_start=True)
    assert (log.models_loaded, log.models_cached, log.model_step_bytes) == (2, 1, int(3.4 * GiB))
    assert log.config_int("max_model_instances") == 4 and log.config_int("max_cache_size_mb") == 0
    assert log.batch_lines == 6 and log.batch_size_max == 256  # the config line is not a batch
    assert log.activation_max_bytes == 250 * 18 * MiB and log.batch_load_r == pytest.approx(1.0)
    assert log.gc_lines == 2 and log.gc_freed_bytes == 5 * MiB and log.gc_allocated_bytes == 200 * MiB
    assert (log.alive_first, log.alive_last, log.leak_lines) == (2000, 9000, 1)
    assert len(log.matches) == 8 and log.matches[-1].startswith("WARNING possible memory leak")
    assert parse_du("26091926528\t/models/x\n98304\t/tmp/cache\ndu: cannot access\n") == (
        ("/models/x", 26091926528 * 1024), ("/tmp/cache", 98304 * 1024))


def test_a_floor_rising_under_spikes_is_the_leaks():
    from memtui.reasoning.weighing import shape_facts

    g = GiB
    leaky = [5 * g + i * 30 * MiB + (g if i % 4 == 1 else 0) for i in range(24)]  # +120 MiB/min under 1 GiB spikes
    batchy = [5 * g + i * 2 * MiB + (g if i % 4 == 1 else 0) for i in range(24)]  # the allocator's residue only
    for values, floor in ((leaky, True), (batchy, False)):
        facts = shape_facts("p", shape(_series(values), since=None, limit=12 * g), long_history=False)
        assert any(f.cause == "batch" and f.weight > 0 and "spikes" in f.text for f in facts)
        assert any("floor between spikes" in f.text for f in facts) == floor, facts
