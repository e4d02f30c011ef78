"""The cause ranking's real pipeline against the simulator, step by simulated step.

Simulator over HTTPS → ``KubeSource`` (every step), ``EvidenceSource`` (once a simulated minute, as
its spec polls), ``RedisExecSource`` (``redis-cli INFO`` via exec), ``PrometheusSource`` and its
one-shot backfill when a Prometheus scrapes the simulator → ``CockpitState`` → ``rank``.  The
simulator's clock is frozen (speed 0) and moved by ``advance``, so "within two minutes" is
simulated time.  Used by ``tests/reasoning`` (the scores) and ``bench/ranking.py`` (the figures);
here beside the demo because, like it, it drives the simulator through the product's own sources.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from memtui.clients.kube.connection import connect
from memtui.reasoning.model import CauseRanking
from memtui.reasoning.ranking import rank
from memtui.sim import SimulatorHandle
from memtui.sources.backfill import PrometheusBackfill
from memtui.sources.evidence import INTERVAL, EvidenceSource, evidence_inputs
from memtui.sources.kube import KubeSource
from memtui.sources.prometheus import PrometheusSource
from memtui.sources.redis_source import RedisExecSource
from memtui.state.cockpit import CockpitState

THRESHOLD = 10**10


@dataclass
class Step:
    seconds: float
    """Simulated seconds since the pipeline started."""
    wall: float
    """Wall seconds since the pipeline started."""
    ranking: CauseRanking


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)
    state: CockpitState | None = None

    @property
    def final(self) -> CauseRanking:
        return self.steps[-1].ranking

    def first_confident(self, cause: str) -> Step | None:
        """The first step from which ``cause`` ranks first, not uncertain, through to the end."""
        return self.first_leading((cause,))

    def first_leading(self, causes: tuple[str, ...]) -> Step | None:
        """The first step from which ``causes`` are the top ``len(causes)`` of the ranking (in any
        order), not uncertain, through to the end."""
        found: Step | None = None
        for step in self.steps:
            ranking = step.ranking
            ok = set(ranking.order()[: len(causes)]) == set(causes) and not ranking.uncertain
            found = (found or step) if ok else None
        return found


def drive(handle: SimulatorHandle, *, seconds: float = 120.0, step: float = 10.0, prometheus_url: str | None = None,
          read_only: bool = False, redis: bool = True) -> Run:
    """Run the pipeline for ``seconds`` of simulated time, ranking after every applied snapshot
    (as the app does) and keeping the ranking at the end of each step."""
    connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    kube = KubeSource(connection, timeout=10.0)
    evidence = EvidenceSource(connection, read_only=read_only, timeout=10.0)
    redis_source = RedisExecSource(connection, timeout=10.0) if redis else None
    prometheus = PrometheusSource(prometheus_url, "sap-llm", timeout=10.0) if prometheus_url else None
    state = CockpitState(threshold_bytes=THRESHOLD, clock=handle.now)
    if prometheus is None:
        state.disable("prometheus", "no --prometheus-url")
    run = Run(state=state)
    started = time.perf_counter()
    last_evidence: float | None = None

    def fold(snapshot: object, now: datetime) -> CauseRanking:
        state.apply(snapshot)
        return rank(state, now)

    try:
        if prometheus is not None:
            fold(PrometheusBackfill(prometheus, with_gpu=True).fetch(state.history.capacity), handle.now())
        elapsed = 0.0
        while True:
            ranking = fold(kube.fetch(), handle.now())
            if prometheus is not None:
                ranking = fold(prometheus.fetch(), handle.now())
            if redis_source is not None:
                ranking = fold(redis_source.fetch(), handle.now())
            if last_evidence is None or elapsed - last_evidence >= INTERVAL:
                inputs = evidence_inputs(state)
                if inputs is not None:
                    ranking = fold(evidence.fetch(inputs), handle.now())
                    last_evidence = elapsed
            run.steps.append(Step(elapsed, time.perf_counter() - started, ranking))
            if elapsed >= seconds:
                return run
            handle.advance(step)
            elapsed += step
    finally:
        kube.stop()
