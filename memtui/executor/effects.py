"""Effects that are true: what *one* action did, on its own targets, in its own window.

``before`` is taken when the plan is made, from the snapshot the operator was looking at (pod
working sets, limits, container starts, Redis ``used_memory``).  The effect is measured later
from memtui's own history of the pods (``samples``: pod → ``(unix time, working set)``) and the
pods as the API lists them then.  Everything here is pure: the worker does the I/O (the cluster,
Redis) and hands the figures in, so every rule below is tested without a cluster.  What differs
by operation kind (a rollout replaces the pods, a delete replaces one, a Redis command is measured
on Redis; what an action touches) is its handler's ``EFFECT`` and ``mark_scope``
(``memtui.executor.kinds``); the ``before`` figures are taken by ``before.before_figures``.

The rules, because a postmortem reads "the fix worked" from these lines:

- **Per target, in the action's own window.**  The window runs from the action to the next
  action that touched the same pods (or the same deployment), or else to when it was measured.
  The next action's effect is not credited to this one: figures after it are not looked at.
- **Overlaps are said.**  An action taken while an earlier action's window on the same pods was
  still open is marked "overlaps action N": its figures mix both.
- **Rollouts are measured on the new pods.**  A rollout restart, env or limit change replaces the
  pods: the effect waits until the new pods are Running (and have been watched for a while), then
  compares growth and the OOM forecast of the old pods before with those of the new pods after,
  says how many pods were replaced, and which memory limit the new pods actually have.
- **A ConfigMap patch changes nothing in running pods** when they read the keys at start (env
  from the ConfigMap): its effect says so, and the cockpit keeps "restart pending" up until a
  rollout has replaced the pods.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from memtui.clients.kube.parse import parse_time
from memtui.executor.before import iso as _iso
from memtui.executor.kinds.base import EffectProfile
from memtui.executor.kinds.registry import handler_for, handler_of_kind
from memtui.executor.model import ActionContext, Plan
from memtui.state.forecast_change import describe_oom, rate_pair
from memtui.state.history import linear_slope
from memtui.state.incident import OomKill
from memtui.state.snapshots import PodState
from memtui.state.units import format_bytes

Samples = Mapping[str, Sequence[tuple[float, float]]]
"""Per pod, (unix time, working set bytes), oldest first: memtui's own history."""

GROWTH_LOOKBACK_S = 600.0
"""Growth before an action: the slope over its last ten minutes (current container life only)."""
MIN_GROWTH_SPAN_S = 30.0
"""A slope needs three samples spanning at least this long (metrics-server resolution is 15 s)."""
GROWTH_BETTER = 0.9
"""Growth after must be this fraction of growth before, or less, to count as better (not noise)."""
SETTLE_S = 60.0
"""After a rollout, watch the new pods this long after the last one started before measuring."""
ROLLOUT_WAIT_S = 900.0
"""Measure anyway (rollout incomplete) this long after the action."""
NOT_MEASURED = "effect not measured (memtui stopped)"
"""The audit effect of an action whose window was still open when memtui quit."""


# -- which actions touch the same pods --------------------------------------------------------------


@dataclass(frozen=True)
class ActionMark:
    """One executed action, as the effect check of any action needs to know it."""

    intent_id: str
    action_id: str
    number: int
    """The action's number in this memtui session (1, 2, …): "overlaps action 2"."""
    at: datetime
    window_s: float
    """The plan's ``effect_after_s``: how long its effect takes to show."""
    kind: str
    """The operation kind (``exec``, ``configmap-patch``, ``deployment-restart`` …)."""
    wide: frozenset[str] = frozenset()
    """Whole workloads it acts on: ``deployment/sap-llm`` (every pod, present and future), ``redis/redis``."""
    pods: frozenset[str] = frozenset()
    """The pods it acts on by name."""
    owners: frozenset[str] = frozenset()
    """``deployment/<owner>`` of those pods, so an exec on a pod meets a restart of its deployment."""
    label: str = ""
    """How user text names it (title and key, ``Rollout restart (R)``); the id when empty."""

    def touches_same(self, other: ActionMark) -> bool:
        return bool(self.pods & other.pods or self.wide & (other.wide | other.owners) or other.wide & self.owners)

    @property
    def profile(self) -> EffectProfile:
        """How its kind's effect shows (its handler's ``EFFECT``)."""
        return handler_of_kind(self.kind).EFFECT

    @property
    def replaces_pods(self) -> bool:
        return self.profile.replaces_pods


def mark_of(plan: Plan, *, intent_id: str, number: int, at: datetime, label: str = "") -> ActionMark:
    """The mark of an executed plan (``Plan``), from its operation and its ``before`` figures."""
    return replace(_mark_of(plan, intent_id=intent_id, number=number, at=at), label=label)


def _mark_of(plan: Plan, *, intent_id: str, number: int, at: datetime) -> ActionMark:
    scope = handler_for(plan.operation).mark_scope(plan)
    return ActionMark(intent_id, plan.action.id, number, at, plan.effect_after_s, plan.operation.kind,
                      wide=scope.wide, pods=scope.pods, owners=scope.owners)


@dataclass(frozen=True)
class Overlap:
    """Another action on the same pods whose window meets this one's."""

    intent_id: str
    action_id: str
    number: int
    at: datetime
    label: str = ""

    def text(self) -> str:
        return f"action {self.number} ({self.label or self.action_id} at {_clock(self.at)})"

    def as_json(self) -> dict[str, Any]:
        return {"intent": self.intent_id, "action": self.action_id, "label": self.label or self.action_id,
                "number": self.number, "at": _iso(self.at)}


def _overlap(mark: ActionMark) -> Overlap:
    return Overlap(mark.intent_id, mark.action_id, mark.number, mark.at, mark.label)


@dataclass(frozen=True)
class EffectWindow:
    """The time an action is credited with: from the action to ``end``."""

    start: datetime
    end: datetime
    cut_by: Overlap | None = None
    """The next action on the same pods, when it ended this window."""

    def text(self) -> str:
        span = f"{_clock(self.start)}–{_clock(self.end)}"
        return f"{span}, until {self.cut_by.text()}" if self.cut_by else span

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": _iso(self.start), "end": _iso(self.end)}
        if self.cut_by is not None:
            out["until"] = self.cut_by.as_json()
        return out


def next_on_same_pods(mark: ActionMark, marks: Iterable[ActionMark]) -> ActionMark | None:
    later = [m for m in marks if m.intent_id != mark.intent_id and m.at >= mark.at and m.number > mark.number
             and m.touches_same(mark)]
    return min(later, key=lambda m: (m.at, m.number)) if later else None


def overlaps_of(mark: ActionMark, marks: Iterable[ActionMark]) -> tuple[Overlap, ...]:
    """Earlier actions on the same pods whose own window was still open when ``mark`` was taken."""
    found = [m for m in marks if m.intent_id != mark.intent_id and m.number < mark.number and m.touches_same(mark)
             and m.at <= mark.at < m.at + timedelta(seconds=_credited_s(m))]
    return tuple(_overlap(m) for m in sorted(found, key=lambda m: m.number))


def _credited_s(mark: ActionMark) -> float:
    """How long an action's effect may still be unfolding: its window, a rollout's whole wait."""
    return max(mark.window_s, ROLLOUT_WAIT_S) if mark.replaces_pods else mark.window_s


def due_window(mark: ActionMark, marks: Sequence[ActionMark], pods_now: Sequence[PodState], now: datetime,
               *, deployment: str | None, force: bool = False) -> EffectWindow | None:
    """The window to measure ``mark`` in if its effect is due ``now``, else None (check again later).

    Due when the next action on the same pods has happened (window cut there), or when the plan's
    wait has passed and, for a rollout, the new pods have been Running for ``SETTLE_S`` (or the
    rollout has had ``ROLLOUT_WAIT_S``).  ``force`` measures now whatever the state.
    """
    cut = next_on_same_pods(mark, marks)
    if cut is not None and cut.at <= now:
        return EffectWindow(mark.at, cut.at, _overlap(cut))
    if force:
        return EffectWindow(mark.at, now)
    elapsed = (now - mark.at).total_seconds()
    if elapsed < mark.window_s:
        return None
    if mark.replaces_pods and deployment and elapsed < ROLLOUT_WAIT_S:
        settled = rollout_settled_at(mark.at, pods_now, deployment)
        if settled is None or now < settled:
            return None
    return EffectWindow(mark.at, now)


def rollout_settled_at(at: datetime, pods_now: Sequence[PodState], deployment: str) -> datetime | None:
    """When the new pods (containers started after ``at``) will have run ``SETTLE_S``; None while
    any pod of the deployment is still old or not Running."""
    live = [p for p in pods_now if p.owner == deployment and p.status_text != "Terminating"]
    starts = [s for p in live if (s := p.container_started_at) is not None]
    if not live or any(p.phase != "Running" for p in live) or len(starts) < len(live) or any(s < at for s in starts):
        return None
    return max(starts) + timedelta(seconds=SETTLE_S)


# -- the measurement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetEffect:
    """What one action did to one target (a pod, or a deployment's pods) in its window."""

    target: str
    """``pod/<name>`` or ``deployment/<name>``."""
    window: EffectWindow
    pods_before: tuple[str, ...]
    pods_after: tuple[str, ...]
    """The pods measured after: for a rollout, only the new ones once they are Running."""
    replaced: tuple[str, ...]
    """Pods present before and gone (or terminating) by the end of the window."""
    working_set_before: int | None
    working_set_after: int | None
    """The highest pod's working set (mid-rollout, totals would mislead)."""
    growth_before: float | None
    growth_after: float | None
    """Bytes per minute, the fastest-growing pod, over its current container life."""
    forecast_before: float | None
    forecast_after: float | None
    """Seconds until the first pod's working set reaches its limit at that growth; None: no OOM in sight."""
    limit_before: int | None = None
    limits_seen: tuple[int | None, ...] = ()
    """The memory limits the new pods actually have (a limit change: is it there?)."""
    limit_expected: int | None = None
    rollout: Literal["none", "complete", "incomplete"] = "none"
    """``none`` (the action replaces no pod), ``complete`` (every pod new and Running) or ``incomplete``."""
    overlaps: tuple[Overlap, ...] = ()
    restart_pending: tuple[str, ...] = ()
    """ConfigMap keys read at start that some pods have not picked up (no restart since the patch)."""
    pods_not_restarted: int = 0
    """How many of the pods measured still run with the values from before the patch."""
    single_pod: bool = False
    """The target is one pod (an exec, a GC): its own figures, no "highest pod"."""
    restarted: tuple[str, ...] = ()
    """Pods whose container restarted in the window (an OOM kill) although the action replaces no
    pod: their drop to the base line is the restart's doing, so no verdict is drawn from them."""
    oom_killed: tuple[str, ...] = ()
    """Those of ``restarted`` that memtui's OOM ledger saw OOM-killed in the window."""
    working_sets_after: tuple[tuple[str, int], ...] = ()
    """Each measured pod's last working set in the window."""

    @property
    def new_limit_seen(self) -> bool | None:
        if self.limit_expected is None or not self.limits_seen:
            return None
        return all(limit == self.limit_expected for limit in self.limits_seen)

    @property
    def improved(self) -> bool | None:
        """Growth is the verdict when it is known on both sides (a rollout always lowers the working
        set for a while: fresh pods start small); otherwise the highest working set."""
        if self.restarted:
            return None
        if self.growth_before is not None and self.growth_after is not None and self.growth_before > 0:
            return self.growth_after < GROWTH_BETTER * self.growth_before
        if self.working_set_before is not None and self.working_set_after is not None:
            return self.working_set_after < self.working_set_before
        return None

    def summary(self) -> str:
        parts: list[str] = []
        if self.rollout != "none" or (self.replaced and not self.single_pod):
            head = f"{len(self.replaced)} of {len(self.pods_before)} pods replaced"
            if self.rollout == "complete":
                head += f", {len(self.pods_after)} new pods Running"
            elif self.rollout == "incomplete":
                head += " (rollout not complete: new pods not all Running)"
            parts.append(head)
        a, b = self.working_set_before, self.working_set_after
        label = "" if self.single_pod else "highest pod "
        if a is not None and b is not None:
            parts.append(f"{label}{format_bytes(a)} → {format_bytes(b)} ({_delta(a, b)})")
        else:
            parts.append("working set not comparable (no figures in the window)")
        if self.growth_before is not None or self.growth_after is not None:
            # the same words as the header's "what the fix did to the forecast" (state.forecast_change)
            parts.append(f"growth {rate_pair(self.growth_before, self.growth_after)}")
            parts.append(f"OOM forecast {_oom(self.forecast_before, self.growth_before)} → "
                         f"{_oom(self.forecast_after, self.growth_after)}")
        if self.limit_expected is not None:
            seen = list(self.limits_seen)
            if not seen:
                parts.append(f"limit {format_bytes(self.limit_expected)}: no new pod seen yet")
            else:
                matching = sum(1 for x in seen if x == self.limit_expected)
                shown = ", ".join(sorted({format_bytes(x) if x else "none" for x in seen}))
                parts.append(f"new limit {format_bytes(self.limit_expected)} seen on {matching}/{len(seen)} new pods"
                             + ("" if matching == len(seen) else f" (they have {shown})"))
        if self.restarted:
            how = "OOMKilled" if set(self.restarted) == set(self.oom_killed) else "container restarted"
            parts.append(f"{how} in the window ({', '.join(self.restarted)}): its drop is the restart's, "
                         "not the action's")
        if self.restart_pending:
            parts.append(f"restart pending for {', '.join(self.restart_pending)}: {self.pods_not_restarted} of "
                         f"{len(self.pods_after)} pods started before the patch (the keys are read at start)")
        text = f"{self.target}: " + "; ".join(parts)
        text += f"; window {self.window.text()}"
        if self.overlaps:
            text += "; overlaps " + ", ".join(o.text() for o in self.overlaps)
        return text

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "target": self.target, "window": self.window.as_json(),
            "pods_before": list(self.pods_before), "pods_after": list(self.pods_after),
            "replaced": list(self.replaced),
            "working_set_before": self.working_set_before, "working_set_after": self.working_set_after,
            "growth_per_min_before": _round(self.growth_before), "growth_per_min_after": _round(self.growth_after),
            "oom_in_s_before": _round(self.forecast_before), "oom_in_s_after": _round(self.forecast_after),
            "rollout": self.rollout, "improved": self.improved,
        }
        if self.limit_expected is not None:
            out["limit_expected"] = self.limit_expected
            out["limits_seen"] = list(self.limits_seen)
        if self.limit_before is not None:
            out["limit_before"] = self.limit_before
        if self.overlaps:
            out["overlaps"] = [o.as_json() for o in self.overlaps]
        if self.restart_pending:
            out["restart_pending"] = list(self.restart_pending)
        if self.restarted:
            out["restarted"] = list(self.restarted)
        return out


def measure(mark: ActionMark, before: Mapping[str, Any], window: EffectWindow, *, marks: Sequence[ActionMark],
            pods_now: Sequence[PodState], samples: Samples, limit_expected: int | None = None,
            start_read_keys: Sequence[str] = (), oom_kills: Sequence[OomKill] = ()) -> tuple[TargetEffect, ...]:
    """The effect of one action per target, from the figures handed in (no I/O).

    A deployment-wide action has one target, the deployment (its pods as a group, since a rollout
    renames them); an action on pods has one target per pod.
    """
    overlaps = overlaps_of(mark, marks)
    ta, te = mark.at.timestamp(), window.end.timestamp()
    started_before = {name: parse_time(s) for name, s in (before.get("started") or {}).items()}
    pods_before = tuple(before.get("pods") or ())
    alive = {p.name: p for p in pods_now if p.status_text != "Terminating"}
    deployment = before.get("deployment") if before.get("scope") == "deployment" else None
    if deployment:
        groups: list[tuple[str, tuple[str, ...], str | None]] = [(f"deployment/{deployment}", pods_before, deployment)]
    else:
        groups = [(f"pod/{name}", (name,), None) for name in pods_before]
    found = []
    limits_before = before.get("limits") or {}
    killed = {k.pod for k in oom_kills if k.finished_at is not None and ta < k.finished_at.timestamp() <= te}
    for target, names, dep in groups:
        growth_b, forecast_b, top_b = _before_trend(names, before, samples, started_before, ta)
        # gone by the window's end: not alive now, and memtui saw no sample of it after the window
        replaced = tuple(sorted(n for n in names if n not in alive and _last_seen(samples, n) < te))
        if dep is not None:
            # created before the window's end: pods a cutting action creates at that instant are its own
            present = [_view(p, ta) for p in alive.values() if p.owner == dep and p.created_at is not None
                       and p.created_at.timestamp() < te]
        else:
            present = [_view(alive[n], ta) for n in names if n in alive]
        # pods the window saw that have gone since (a later action replaced them)
        present += [_PodView(n, started_before.get(n), limits_before.get(n), True, False) for n in names
                    if n not in alive and _last_seen(samples, n) >= te]
        new = [p for p in present if p.new]
        rollout: Literal["none", "complete", "incomplete"] = "none"
        measured = present
        if mark.replaces_pods and dep is not None:
            complete = bool(present) and len(new) == len(present) and all(p.running for p in new)
            rollout = "complete" if complete else "incomplete"
            measured = new if complete else present
        after, growth_a, forecast_a = _after_trend(measured, samples, ta, te)
        limits_seen = tuple(p.limit for p in new) if limit_expected is not None else ()
        limit_values = [v for v in limits_before.values() if v]
        expected_new = mark.profile.expects_new_pods
        restarted = () if expected_new else tuple(sorted({p.name for p in new if p.name in names}
                                                          | (killed & set(names))))
        stale = sum(1 for p in present if not p.new)
        pending = tuple(start_read_keys) if start_read_keys and stale else ()
        found.append(TargetEffect(
            target=target, window=window, pods_before=tuple(sorted(names)),
            pods_after=tuple(sorted(p.name for p in measured)), replaced=replaced,
            working_set_before=top_b, working_set_after=max(after.values()) if after else None,
            growth_before=growth_b, growth_after=growth_a, forecast_before=forecast_b, forecast_after=forecast_a,
            limit_before=max(limit_values) if limit_values else None, limits_seen=limits_seen,
            limit_expected=limit_expected, rollout=rollout, overlaps=overlaps, restart_pending=pending,
            pods_not_restarted=stale if pending else 0, single_pod=dep is None, restarted=restarted,
            oom_killed=tuple(n for n in restarted if n in killed), working_sets_after=tuple(sorted(after.items())),
        ))
    return tuple(found)


@dataclass(frozen=True)
class _PodView:
    """What the after figures need of a pod, whether it is still listed or has gone since."""

    name: str
    started: datetime | None
    limit: int | None
    running: bool
    new: bool
    """Its container started after the action (a new pod, or a restarted container)."""


def _view(pod: PodState, ta: float) -> _PodView:
    started = pod.container_started_at
    return _PodView(pod.name, started, pod.memory_limit_bytes, pod.phase == "Running",
                    started is not None and started.timestamp() > ta)


def _last_seen(samples: Samples, name: str) -> float:
    points = samples.get(name) or ()
    return points[-1][0] if points else -math.inf


def _before_trend(names: Sequence[str], before: Mapping[str, Any], samples: Samples,
                  started: Mapping[str, datetime | None], ta: float) -> tuple[float | None, float | None, int | None]:
    """(fastest growth per minute, soonest OOM in seconds, highest working set) at the action."""
    working_sets = before.get("pods") or {}
    limits = before.get("limits") or {}
    growths, forecasts = [], []
    for name in names:
        start = started.get(name)
        since = max(ta - GROWTH_LOOKBACK_S, start.timestamp() if start else -math.inf)
        points = [(t, v) for t, v in samples.get(name, ()) if since <= t <= ta]
        slope = _slope(points)
        if slope is None:
            continue
        growths.append(slope * 60.0)
        forecast = _forecast_s(working_sets.get(name), limits.get(name), slope)
        if forecast is not None:
            forecasts.append(forecast)
    known = [v for v in (working_sets.get(n) for n in names) if v is not None]
    return (max(growths) if growths else None, min(forecasts) if forecasts else None,
            max(known) if known else None)


def _after_trend(pods: Sequence[_PodView], samples: Samples, ta: float,
                 te: float) -> tuple[dict[str, int], float | None, float | None]:
    """(each pod's last working set in the window, fastest growth per minute, soonest OOM) of ``pods``.

    Only samples after the action and up to the window's end count, and only of the pod's
    current container life (a restart's drop to the base line is no "decrease").
    """
    tops: dict[str, int] = {}
    growths, forecasts = [], []
    for pod in pods:
        start = pod.started.timestamp() if pod.started else -math.inf
        points = [(t, v) for t, v in samples.get(pod.name, ()) if ta < t <= te and t >= start]
        if not points:
            continue
        last = int(points[-1][1])
        tops[pod.name] = last
        slope = _slope(points)
        if slope is None:
            continue
        growths.append(slope * 60.0)
        forecast = _forecast_s(last, pod.limit, slope)
        if forecast is not None:
            forecasts.append(forecast)
    return tops, max(growths) if growths else None, min(forecasts) if forecasts else None


def _slope(points: Sequence[tuple[float, float]]) -> float | None:
    if len(points) < 3 or points[-1][0] - points[0][0] < MIN_GROWTH_SPAN_S:
        return None
    return linear_slope(points)


def _forecast_s(working_set: int | None, limit: int | None, slope: float) -> float | None:
    if working_set is None or not limit or slope <= 0:
        return None
    return max(0.0, (limit - working_set) / slope)


# -- the whole effect -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectReport:
    """Every target's effect of one action, plus Redis when it was a Redis action."""

    targets: tuple[TargetEffect, ...]
    window: EffectWindow
    overlaps: tuple[Overlap, ...] = ()
    redis_before: int | None = None
    redis_after: int | None = None
    is_redis: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def replaced(self) -> tuple[str, ...]:
        return tuple(sorted({n for t in self.targets for n in t.replaced}))

    @property
    def improved(self) -> bool | None:
        if self.is_redis:
            if self.redis_before is None or self.redis_after is None:
                return None
            return self.redis_after < self.redis_before
        verdicts = [t.improved for t in self.targets if t.improved is not None]
        return all(verdicts) if verdicts else None

    def summary(self) -> str:
        parts = []
        if self.redis_before is not None and self.redis_after is not None:
            parts.append(f"Redis used_memory {format_bytes(self.redis_before)} → {format_bytes(self.redis_after)} "
                         f"({_delta(self.redis_before, self.redis_after)})")
        parts.extend(t.summary() for t in self.targets)
        parts.extend(self.notes)
        return " | ".join(parts) if parts else "no figures to compare"

    def after_json(self) -> dict[str, Any]:
        """The audit entry's ``after``: every figure, so the export (and a reader of the file) can
        show the window, the overlaps and the per-target numbers, not only the summary line."""
        out: dict[str, Any] = {
            "pods": {name: value for t in self.targets for name, value in t.working_sets_after},
            "targets": [t.as_json() for t in self.targets],
            "window": self.window.as_json(),
        }
        if self.overlaps:
            out["overlaps"] = [o.as_json() for o in self.overlaps]
        if self.redis_after is not None:
            out["redis_used_memory"] = self.redis_after
        return out


def measure_effect(mark: ActionMark, before: Mapping[str, Any], window: EffectWindow, *,
                   marks: Sequence[ActionMark], pods_now: Sequence[PodState], samples: Samples,
                   redis_after: int | None = None, limit_expected: int | None = None,
                   start_read_keys: Sequence[str] = (), oom_kills: Sequence[OomKill] = ()) -> EffectReport:
    targets = measure(mark, before, window, marks=marks, pods_now=pods_now, samples=samples,
                      limit_expected=limit_expected, start_read_keys=start_read_keys, oom_kills=oom_kills)
    return EffectReport(targets, window, overlaps_of(mark, marks), before.get("redis_used_memory"), redis_after,
                        is_redis=mark.profile.on_redis)


def merge_samples(*parts: Samples) -> dict[str, tuple[tuple[float, float], ...]]:
    """Several copies of the history (taken at the action, taken at the measurement) as one."""
    merged: dict[str, dict[float, float]] = {}
    for part in parts:
        for name, points in part.items():
            merged.setdefault(name, {}).update(points)
    return {name: tuple(sorted(points.items())) for name, points in merged.items()}


def with_current(samples: Samples, ctx: ActionContext, now: datetime) -> dict[str, tuple[tuple[float, float], ...]]:
    """``samples`` plus the snapshot's working sets at ``now`` where history has nothing that late."""
    out = {name: tuple(points) for name, points in samples.items()}
    t = now.timestamp()
    for name, value in ctx.usage.items():
        points = out.get(name, ())
        if value is not None and (not points or points[-1][0] < t):
            out[name] = (*points, (t, float(value)))
    return out


def start_read_patches(entries: Iterable[Any]) -> tuple[tuple[str, str, tuple[str, ...], datetime], ...]:
    """(configmap, deployment, keys, when) of every successful ConfigMap patch of start-read keys
    in audit ``entries``: a memtui started after the patch still says "restart pending" for it
    (the cockpit drops the ones every pod has picked up since)."""
    succeeded = {e.refers_to: e.timestamp for e in entries if e.kind == "result" and e.outcome == "success"}
    found = []
    for entry in entries:
        start_read = (entry.before or {}).get("start_read") if entry.kind == "intent" else None
        if not isinstance(start_read, Mapping) or entry.id not in succeeded or not start_read.get("keys"):
            continue
        found.append((str(start_read.get("configmap", "?")), str(start_read.get("deployment", "?")),
                      tuple(str(k) for k in start_read["keys"]), succeeded[entry.id]))
    return tuple(found)


# -- small formatting ------------------------------------------------------------------------------


def _delta(a: float, b: float) -> str:
    sign = "−" if b < a else "+"
    return f"{sign}{format_bytes(abs(b - a))}"


def _oom(seconds: float | None, growth: float | None) -> str:
    """The forecast as the header says it; "—" when there was no growth figure to forecast from."""
    return "—" if growth is None else describe_oom(seconds)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _clock(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%H:%M:%SZ")



@dataclass(frozen=True)
class Effect:
    """Before/after figures measured some refreshes after an action (also in the audit log)."""

    intent_id: str
    action_id: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    summary: str
    improved: bool | None
    """True when memory went down, False when it did not, None when nothing comparable remained."""
    replaced: tuple[str, ...] = field(default=())
    """Pods present before and gone after (replaced by a rollout or a delete)."""
    report: EffectReport | None = None
    """The per-target figures (``EffectReport``): window, growth, forecast, overlaps."""
