"""Which pods the evidence is gathered in: the worst pod of each deployment, a few at most.

Logs and execs cost one request per pod, so the evidence never covers every pod: the pod of each
deployment closest to its limit (highest working set as a share of the limit, then the highest
working set) stands for its deployment.  The evidence source and the ranking pick them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from memtui.reasoning.memo import LastResult
from memtui.state.cockpit import CockpitState, PodRow

MAX_PODS = 4
"""Deployments beyond this many (by how close their worst pod is to its limit) are not sampled."""


@dataclass(frozen=True, slots=True)
class Representative:
    pod: str
    deployment: str | None
    percent: float | None
    """Working set as % of the limit when the pick was made (None without a limit or a figure)."""


def _badness(row: PodRow) -> tuple[float, float]:
    return (row.percent if row.percent is not None else -1.0, float(row.working_set or 0))


_picked: LastResult[tuple[Representative, ...]] = LastResult()


def representative_pods(state: CockpitState, *, limit: int = MAX_PODS) -> tuple[Representative, ...]:
    """The worst live pod of each deployment, worst deployments first, at most ``limit``.

    Picked again only when the pods or their rows changed: the ranking and the evidence ask at
    every refresh of any source, and the walk of 5,000 rows cost 24 ms each time."""
    if state.snapshot is None:
        return ()
    picked, _ = _picked.get((state.snapshot.pods, state.rows), (limit,), lambda: _pick(state, limit))
    return picked


def _pick(state: CockpitState, limit: int) -> tuple[Representative, ...]:
    assert state.snapshot is not None
    owners = {pod.name: pod.owner for pod in state.snapshot.pods if pod.status_text != "Terminating"}
    worst: dict[str | None, PodRow] = {}
    for row in state.rows:
        if row.name not in owners:
            continue
        owner = owners[row.name]
        best = worst.get(owner)
        if best is None or _badness(row) > _badness(best):
            worst[owner] = row
    ranked = sorted(worst.items(), key=lambda item: _badness(item[1]), reverse=True)[:limit]
    return tuple(Representative(row.name, owner, row.percent) for owner, row in ranked)
