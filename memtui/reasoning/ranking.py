"""Ranking the runbook's causes from live evidence: the runbook's priors, updated by facts.

Each cause is scored on its own (a leak and a cache bloat can happen together): its log-odds start
at ``logit(prior)`` and every fact adds its weight (``weighing``); the confidence is the logistic
of the sum.  The ranking says "uncertain" rather than guess when the evidence is thin (nothing
gathered yet, no logs and little history, or no cause clearly ahead) and lists what is missing,
with the catalogue's diagnose step that would fill it.

``rank`` is called after every applied snapshot, so it is pure and cheap; the last answer is reused
while none of its inputs changed.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import replace
from datetime import datetime
from typing import Any

from memtui.reasoning import weighing
from memtui.reasoning.model import CAUSES, PRIORS, CauseRanking, CauseScore, Fact, Gap
from memtui.reasoning.memo import LastResult
from memtui.reasoning.pods import Representative, representative_pods
from memtui.reasoning.signals import shape
from memtui.state.cockpit import CockpitState

LONG_HISTORY_SECONDS = 600.0
"""Growth shape from less history than this is a hint, not a finding."""
MAX_LOG_ODDS = 6.0
CONFIDENT = 0.6
"""Below this the top cause is not named with confidence."""
CLEAR_LEAD = 0.15


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


_ranked: LastResult[CauseRanking] = LastResult()


def _key(state: CockpitState) -> tuple[Any, ...]:
    """Every input: the snapshots by identity (they are immutable, a new poll is a new object;
    of the pods snapshot only its pods and the rows derived from it, which stay the very same
    objects across a refresh that changed nothing), the history by its version (it moves with
    every sample a pods snapshot or a backfill adds: one number, where a look at each pod's
    series cost 60 ms per refresh at 5,000 pods)."""
    pods = state.snapshot.pods if state.snapshot is not None else None
    objects = (pods, state.rows, state.prometheus, state.evidence, state.redis)
    prometheus = state.health.get("prometheus")
    values = (state.history.version, state.gpu_history.version, state.redis_history.version,
              prometheus.enabled if prometheus else None)
    return objects, values


def rank(state: CockpitState, now: datetime) -> CauseRanking:
    """The causes for what ``state`` holds now, most likely first."""
    objects, values = _key(state)
    ranking, remembered = _ranked.get(objects, values, lambda: _rank(state, now))
    return replace(ranking, computed_at=now) if remembered else ranking


def _rank(state: CockpitState, now: datetime) -> CauseRanking:
    reps = representative_pods(state)
    facts, gaps, inputs = _gather(state, reps)
    scores = []
    for cause in CAUSES:
        mine = sorted((f for f in facts if f.cause == cause), key=lambda f: -abs(f.weight))
        total = max(-MAX_LOG_ODDS, min(MAX_LOG_ODDS, sum(f.weight for f in mine)))
        scores.append(CauseScore(cause, PRIORS[cause], _sigmoid(_logit(PRIORS[cause]) + total), tuple(mine)))
    scores.sort(key=lambda s: (-s.confidence, -s.prior))
    top, second = scores[0], scores[1]
    thin = [g for g in gaps if g.cause is None and g.what.startswith(_THIN)]
    uncertain = (
        state.evidence is None
        or bool(thin)
        or top.confidence < CONFIDENT
        or (top.confidence - second.confidence < CLEAR_LEAD and second.confidence < CONFIDENT)
    )
    gaps += _certainty_gaps(top.cause, state, facts)
    return CauseRanking(
        causes=tuple(scores),
        computed_at=now,
        uncertain=uncertain,
        gaps=tuple(gaps),
        evidence_at=state.evidence.taken_at if state.evidence is not None else None,
        inputs=inputs,
    )


_THIN = "thin evidence"


def _gather(state: CockpitState, reps: tuple[Representative, ...]) -> tuple[list[Fact], list[Gap], dict[str, Any]]:
    facts: list[Fact] = []
    gaps: list[Gap] = []
    evidence = state.evidence
    prometheus_on = state.health.get("prometheus") is not None and state.health["prometheus"].enabled
    rows = state.rows_by_name()
    pods = state.pods_by_name()

    # logs and du, per sampled pod: the strongest fact of each kind across pods
    app_logs_read = 0
    logs_failed: list[str] = []
    disk_failed: list[str] = []
    app_pods: list[str] = []
    if evidence is not None:
        for pod in evidence.pods:
            if pod.logs_error:
                logs_failed.append(f"{pod.pod}: {pod.logs_error}")
            if any(weighing.is_app_log(log) for log in pod.logs):
                app_logs_read += 1
                app_pods.append(pod.pod)
            facts += weighing.log_facts(pod)
            if pod.disk_error and evidence.exec_off is None:
                disk_failed.append(f"{pod.pod}: {pod.disk_error}")
            facts += weighing.disk_facts(pod, state.disk_readings.get(pod.pod, ()))
    else:
        gaps.append(Gap("logs and du not gathered yet (first gathering under way)", None))

    # growth shape of the pod in trouble: the app's worst pod, else the worst sampled pod
    primary = next((r.pod for r in reps if r.pod in app_pods), reps[0].pod if reps else None)
    history_span = 0.0
    if primary is not None and (series := state.history.get(primary)) is not None:
        state_of = pods.get(primary)
        started = state_of.container_started_at if state_of is not None else None
        row = rows.get(primary)
        found = shape(series.samples(), since=started.timestamp() if started else None, limit=row.limit if row else None)
        history_span = found.span
        long_history = found.span >= LONG_HISTORY_SECONDS
        cache_growth = weighing.cache_dirs_growth(state.disk_readings.get(primary, ()))
        sawtooth = found.growing_lives + _sawtooth_elsewhere(state, primary, state_of.owner if state_of else None)
        facts += weighing.shape_facts(primary, found, long_history=long_history and prometheus_on,
                                      cache_growth=cache_growth, sawtooth=sawtooth)
        if (gpu := state.gpu_history.get(primary)) is not None:
            facts += weighing.gpu_facts(primary, gpu.samples())
    if primary is not None and state.prometheus is not None:
        facts += weighing.prometheus_facts(primary, state.prometheus.pods.get(primary))
    if state.redis is not None:
        facts += weighing.redis_facts(state.redis, state.redis_history.samples())

    # what is missing
    if not prometheus_on:
        gaps.append(Gap(f"no Prometheus: growth shape from memtui's own samples only ({history_span / 60:.0f} min)",
                        "diagnose.memory-growth"))
    elif state.prometheus is None:
        gaps.append(Gap("Prometheus not read yet (or failing): no page-cache split, no GPU history",
                        "diagnose.prom-memory-1h"))
    if history_span < LONG_HISTORY_SECONDS:
        gaps.append(Gap(f"not enough history yet: {history_span / 60:.0f} min of samples "
                        f"({LONG_HISTORY_SECONDS / 60:.0f} min wanted)", None))
    by_reason: dict[str, list[str]] = {}
    for failed in logs_failed:  # one gap per reason, not one per pod: "forbidden (RBAC)" says it once
        name, reason = failed.split(": ", 1)
        by_reason.setdefault(reason, []).append(name)
    for reason, failed_pods in by_reason.items():
        where = failed_pods[0] if len(failed_pods) == 1 else f"{len(failed_pods)} pods"
        gaps.append(Gap(f"logs: {reason} ({where}): no model-loaded, batch_size, leak or gc lines",
                        "diagnose.logs-memory"))
    if evidence is not None and evidence.exec_off is not None:
        gaps.append(Gap(f"du: {evidence.exec_off}", "diagnose.disk-models-cache", "cache"))
    for failed in disk_failed:
        gaps.append(Gap(f"du: {failed.split(': ', 1)[1]} ({failed.split(': ', 1)[0]})", "diagnose.disk-models-cache",
                        "cache"))
    if state.redis is None:
        gaps.append(Gap("Redis not read: no used memory, maxmemory or key TTLs", "diagnose.redis-info-memory", "cache"))
    if evidence is not None and app_logs_read == 0 and history_span < LONG_HISTORY_SECONDS:
        gaps.insert(0, Gap(f"{_THIN}: no application log read and {history_span / 60:.0f} min of history", None))

    inputs: dict[str, Any] = {
        "pods_sampled": [{"pod": r.pod, "deployment": r.deployment,
                          "percent": None if r.percent is None else round(r.percent, 1)} for r in reps],
        "primary_pod": primary,
        "history_seconds": round(history_span),
        "prometheus": state.prometheus is not None,
        "app_logs_read": app_logs_read,
        "exec": evidence is not None and evidence.exec_off is None and not disk_failed,
        "redis": state.redis is not None,
        "evidence_at": evidence.taken_at.isoformat() if evidence is not None else None,
    }
    return facts, gaps, inputs


SAWTOOTH_PODS = 4
"""Other pods of the deployment whose history is searched for earlier lives (most restarted first)."""


_sawtooth: LastResult[int] = LastResult()


def _sawtooth_elsewhere(state: CockpitState, primary: str, owner: str | None) -> int:
    """Earlier container lives that grew steadily, in the history of a few other pods of the same
    deployment (history memtui holds anyway: no request).  Searched again only when the pods,
    their rows or the history moved: a Redis refresh every 2 s re-ranks, and the search was
    most of the ranking's time (13 ms of 18 at 5,000 pods)."""
    if owner is None or state.snapshot is None:
        return 0
    count, _ = _sawtooth.get((state.snapshot.pods, state.rows), (primary, owner, state.history.version),
                             lambda: _search_sawtooth(state, primary, owner))
    return count


def _search_sawtooth(state: CockpitState, primary: str, owner: str) -> int:
    assert state.snapshot is not None
    others = heapq.nsmallest(SAWTOOTH_PODS, (p for p in state.snapshot.pods if p.owner == owner and p.name != primary),
                             key=lambda p: -p.restarts)
    rows = state.rows_by_name()
    count = 0
    for pod in others:
        series = state.history.get(pod.name)
        if series is None or len(series) < 12:
            continue
        started = pod.container_started_at
        row = rows.get(pod.name)
        count += shape(series.samples(), since=started.timestamp() if started else None,
                       limit=row.limit if row else None).growing_lives
    return count


def _certainty_gaps(top: str, state: CockpitState, facts: list[Fact]) -> list[Gap]:
    """The diagnose step that would settle the leading cause, when its evidence is not in yet."""
    sources = {f.source for f in facts if f.cause == top and f.weight > 0}
    if top == "leak":
        return [Gap("heap profile not taken: which objects keep growing", "diagnose.heap-profile", "leak")]
    if top == "model-loading" and "log" not in sources:
        return [Gap("'model loaded' lines not counted", "diagnose.logs-model-loaded", "model-loading")]
    if top == "batch" and "log" not in sources:
        return [Gap("batch_size lines not read", "diagnose.logs-batch-size", "batch")]
    if top == "cache" and "exec" not in sources:
        return [Gap("cache directories not measured", "diagnose.disk-models-cache", "cache")]
    return []
