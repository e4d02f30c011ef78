"""memtui's own record of OOM kills, because the cluster forgets them.

``lastState`` holds only a container's latest termination and vanishes with the pod (a rollout
restart replaces every pod), and events expire after an hour.  The runbook's
``jsonpath | grep OOM`` then finds nothing, yet the on-call engineer and the postmortem still
need to know which pods died and when.  The ledger is bounded so it cannot grow without end.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timezone

from memtui.state.incident import OomKill
from memtui.state.snapshots import KubeEvent, PodState


def _is_oom_event(event: KubeEvent) -> bool:
    if event.reason in ("OOMKilling", "OOMKilled"):
        return True
    return "oomkilled" in event.message.lower() or "out of memory" in event.message.lower()


class OomLedger:
    """Distinct OOM kills per pod, oldest dropped past ``capacity``."""

    def __init__(self, capacity: int = 5000) -> None:
        self.capacity = capacity
        self._by_pod: dict[str, list[OomKill]] = {}
        self._order: deque[OomKill] = deque()
        self._seen_events: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._order)

    def _add(self, kill: OomKill) -> None:
        known = self._by_pod.setdefault(kill.pod, [])
        for other in known:
            if other.finished_at == kill.finished_at:
                return
            # An event and a lastState describe the same kill a few seconds apart: keep one.
            if (
                other.finished_at
                and kill.finished_at
                and abs((other.finished_at - kill.finished_at).total_seconds()) < 30
            ):
                return
        known.append(kill)
        self._order.append(kill)
        while len(self._order) > self.capacity:
            oldest = self._order.popleft()
            bucket = self._by_pod.get(oldest.pod, [])
            bucket.remove(oldest)
            if not bucket:
                self._by_pod.pop(oldest.pod, None)

    def observe(self, pods: tuple[PodState, ...], events: tuple[KubeEvent, ...]) -> None:
        for pod in pods:
            for c in pod.containers:
                if c.last_termination_reason == "OOMKilled":
                    self._add(OomKill(pod.name, c.name, c.last_terminated_at, "lastState"))
        for event in events:
            if event.object_kind not in ("Pod", "") or not _is_oom_event(event):
                continue
            marker = f"{event.uid}:{event.count}"
            if event.uid:
                if marker in self._seen_events:
                    continue
                self._seen_events[marker] = None
                while len(self._seen_events) > self.capacity:
                    self._seen_events.popitem(last=False)
            self._add(OomKill(event.object_name, "", event.last_seen, "event"))

    def note_pod(self, pod: str, source: str) -> None:
        """Evidence of an OOM kill without its time (e.g. Prometheus ``max_over_time`` over 2 h)."""
        if pod not in self._by_pod:
            self._add(OomKill(pod, "", None, source))

    def kills(self) -> tuple[OomKill, ...]:
        return tuple(sorted(self._order, key=lambda k: k.finished_at or datetime.min.replace(tzinfo=timezone.utc)))

    def count_for(self, pod: str) -> int:
        return len(self._by_pod.get(pod, ()))

    def times(self) -> list[datetime]:
        return [k.finished_at for k in self._order if k.finished_at is not None]
