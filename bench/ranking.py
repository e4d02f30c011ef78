#!/usr/bin/env python3
"""The cause ranking per simulator scenario, without and with a real Prometheus scraping it.

For each scenario: the real pipeline of tests/reasoning (simulator over HTTPS → Kubernetes,
evidence, Redis and Prometheus sources → CockpitState → rank) run for two minutes of simulated
time in 10 s steps; printed: the cause ranked first at the end with its confidence, the runner-up,
the scenario's true cause(s), and the simulated and wall time from which the true cause(s) ranked
first (both first two for a two-cause scenario), not uncertain, to the end (— when they never did).  Wall time includes the simulator's
answers, not Prometheus's start (its backfill is timed apart).

    .venv/bin/python bench/ranking.py                     # every scenario, both ways
    .venv/bin/python bench/ranking.py --scenario leak --no-prometheus

Then the cost of one ranking on the main thread (computed, and reused while no input changed) at 3
and 300 sap-llm pods.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memtui.demo.local_prometheus import binaries_available, start_prometheus_for_simulator  # noqa: E402
from memtui.reasoning import ranking  # noqa: E402
from memtui.reasoning.model import CauseRanking, CauseScore  # noqa: E402
from memtui.sim import SCENARIOS, SimConfig, start_simulator  # noqa: E402
from memtui.sim.scenario_data import SCENARIO_DATA  # noqa: E402
from memtui.demo.ranking_run import drive  # noqa: E402


def _facts(ranking: CauseRanking, score: CauseScore) -> str:
    return "".join(f"\n      {score.cause}: {f.weight:+.1f} [{f.source}] {f.text}" for f in score.facts[:4])


def one(scenario: str, *, prometheus: bool, seed: int, workdir: Path, facts: bool = False) -> str:
    handle = start_simulator(SimConfig(scenario=scenario, speed=0, seed=seed), workdir / f"{scenario}-{prometheus}")
    server = None
    try:
        started = time.perf_counter()
        if prometheus:
            server = start_prometheus_for_simulator(handle, workdir / f"prom-{scenario}", scrape_interval="1s")
        backfill = time.perf_counter() - started
        run = drive(handle, prometheus_url=server.url if server else None)
    finally:
        if server is not None:
            server.stop()
        handle.stop()
    final = run.final
    truth = SCENARIO_DATA[scenario].causes
    top, second = final.causes[0], final.causes[1]
    step = run.first_leading(truth)
    when = f"{step.seconds:.0f} s / {step.wall:.1f} s" if step else "—"
    flag = " uncertain" if final.uncertain else ""
    prom = f"yes ({backfill:.0f} s start)" if prometheus else "no"
    return (f"{scenario:<19} {prom:<16} {top.cause:<14} {top.confidence:5.2f}{flag:<10} "
            f"{second.cause:<14} {second.confidence:5.2f}  {'+'.join(truth):<11} {when}"
            + ("" if not facts else "".join(_facts(final, c) for c in final.causes[:2])))


def cost(replicas: int, seed: int, workdir: Path) -> str:
    """What one ranking costs the main thread (it runs after every applied snapshot) at ``replicas``
    sap-llm pods: computed afresh, and reused while no input changed."""
    handle = start_simulator(SimConfig(scenario="leak", speed=0, seed=seed, replicas=replicas), workdir / "cost")
    try:
        run = drive(handle, seconds=60.0)
    finally:
        handle.stop()
    state = run.state
    assert state is not None
    now = run.final.computed_at or datetime.now(timezone.utc)
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        ranking._rank(state, now)
    fresh = (time.perf_counter() - started) / rounds
    ranking.rank(state, now)
    started = time.perf_counter()
    for _ in range(rounds * 10):
        ranking.rank(state, now)
    reused = (time.perf_counter() - started) / (rounds * 10)
    pods = len(state.rows)
    return f"rank() at {pods} pods: {fresh * 1000:.1f} ms computed, {reused * 1000:.2f} ms reused"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=SCENARIOS, action="append")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-prometheus", action="store_true", help="only the runs without Prometheus")
    parser.add_argument("--facts", action="store_true", help="also the strongest facts of the first two causes")
    parser.add_argument("--cost-replicas", type=int, action="append",
                        help="time rank() at this many sap-llm replicas (default 3 and 300)")
    args = parser.parse_args()
    modes = [False] if args.no_prometheus or not binaries_available() else [False, True]
    print(f"{'scenario':<19} {'prometheus':<16} {'first':<14} {'conf':>5}{'':<10} {'runner-up':<14} {'conf':>5}  "
          f"{'truth':<11} true cause first from (simulated / wall)")
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in args.scenario or SCENARIOS:
            for prometheus in modes:
                print(one(scenario, prometheus=prometheus, seed=args.seed, workdir=Path(tmp), facts=args.facts), flush=True)
        for replicas in args.cost_replicas or [3, 300]:
            print(cost(replicas, args.seed, Path(tmp)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
