"""Which pod "delete the worst pod" means: what the runbook's text says, not what its command does.

The runbook's ``kubectl get pods --sort-by='.status.containerStatuses[0].restartCount' -o
jsonpath='{.items[0]...}'`` sorts ascending, so ``items[0]`` is the pod with the *fewest*
restarts (often the healthiest), while the text says "restart high-memory pods".  memtui picks
the pod with the highest working set against its memory limit, breaks ties (the same whole
percentage, as the table shows it) by the nearest forecast OOM, then by more restarts, and says
why, so the operator can check the choice before typing its name.  The cursor plays no part:
"the worst pod" in a title means this pod, whatever row is selected.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from memtui.state.units import format_bytes


class PodFacts(Protocol):
    """What the choice needs (read only): ``memtui.state.cockpit.PodRow`` and
    ``memtui.executor.pods.PodFacts`` (frozen dataclasses) have it."""

    @property
    def name(self) -> str: ...
    @property
    def working_set(self) -> int | None: ...
    @property
    def limit(self) -> int | None: ...
    @property
    def restarts(self) -> int: ...
    @property
    def seconds_to_oom(self) -> float | None:
        """The forecast time to reach the limit at the current growth; None when not growing."""


@dataclass(frozen=True)
class WorstPod:
    name: str
    ratio: float
    """Working set over the limit (or over the alert threshold for a pod without a limit)."""
    reason: str
    """One line for the modal: why this pod."""


def worst_pod(pods: Iterable[PodFacts], *, threshold_bytes: int) -> WorstPod | None:
    """The pod to delete, or None when no pod has a memory figure.

    Pods without a limit are measured against the alert threshold (a pod with no limit at 30 GB
    is as bad as one at its limit).  Pass only the pods of the action's deployment.
    """
    measured = []
    for pod in pods:
        if pod.working_set is None:
            continue
        denominator, against = (pod.limit, "limit") if pod.limit else (threshold_bytes, "alert threshold")
        measured.append((pod.working_set / denominator, pod, denominator, against))
    if not measured:
        return None
    def rank(m):
        ratio, pod = m[0], m[1]
        oom = pod.seconds_to_oom if pod.seconds_to_oom is not None else math.inf
        # highest whole percentage, then the nearest OOM, then most restarts, then the name (stable)
        return (-round(ratio * 100), oom, -ratio, -pod.restarts, pod.name)

    ratio, pod, denominator, against = min(measured, key=rank)
    reason = (
        f"highest working set against its {against}: {format_bytes(pod.working_set)} of "
        f"{format_bytes(denominator)} ({ratio:.0%}), {pod.restarts} restart{'s' if pod.restarts != 1 else ''}"
    )
    if pod.seconds_to_oom is not None:
        reason += f", forecast OOM in {_duration(pod.seconds_to_oom)}"
    return WorstPod(pod.name, ratio, reason)


def _duration(seconds: float) -> str:
    minutes = max(0, round(seconds / 60))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
