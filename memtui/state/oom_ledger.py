"""memtui's own record of container kills, and why each container died.

``lastState`` holds only a container's latest termination and vanishes with the pod (a rollout
restart replaces every pod), and events expire after an hour.  The runbook's
``jsonpath | grep OOM`` then finds nothing, yet the on-call engineer and the postmortem still
need to know which pods died, when, and why.  The ledger is bounded so it cannot grow without end.

Each kill is kept per container, not per pod: a pod whose log-shipping sidecar hit its own small
limit is another incident than the model server hitting its 12 GiB.  Each is classified:

* **container limit OOM**: ``OOMKilled`` near its own limit (or the kernel's "Memory cgroup out of
  memory" line) — raise the limit or fix the growth;
* **node memory pressure**: an eviction (pod ``Evicted``), or an ``OOMKilled`` far below the limit
  while the node reported ``MemoryPressure`` or a ``SystemOOM`` event — the node is overcommitted,
  raising this container's limit fixes nothing;
* **another kill**: exit code 137 (SIGKILL) without ``OOMKilled``, e.g. a failed liveness probe —
  not a memory problem of this container at all.

The evidence (container samples, restart counts, node conditions, probe and SystemOOM events)
arrives from different polls in any order, so the kills of the last few minutes are classified
again as it comes in.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import cast

from memtui.state.history import RingSeries
from memtui.state.records import UntrackedRecord, replaced
from memtui.state.same_objects import LastListing
from memtui.state.snapshots import ContainerState, KubeEvent, NodeSnapshot, PodState, PodUsage
from memtui.state.steps import Steps, exhaust, step_due

SIGKILL_EXIT = 137
"""128 + 9: what an OOM kill, a liveness-probe kill and an eviction's SIGKILL all exit with."""
NEAR_LIMIT = 0.85
"""A working set at or above this share of the limit just before the kill is "near its own limit"."""
FAR_BELOW_LIMIT = 0.75
"""Below this share of the limit, an OOMKilled container with node evidence died of the node's pressure."""
NODE_EVIDENCE_WINDOW = timedelta(minutes=5)
"""MemoryPressure or a SystemOOM event this close to a kill is evidence about that kill."""
PROBE_WINDOW_BEFORE = timedelta(minutes=3)
"""Liveness failures precede the kill by failureThreshold × periodSeconds (a minute by default)."""
PROBE_WINDOW_AFTER = timedelta(seconds=30)
RECLASSIFY_WINDOW = timedelta(minutes=10)
"""Kills this recent are classified again when new evidence arrives (events lag the pod update)."""
SAMPLES_PER_CONTAINER = 3
SAMPLE_STALE = timedelta(minutes=5)
"""A container sample older than this before the kill is not "just before"."""
SAME_KILL = 30.0
"""Seconds: an event and a lastState this close describe the same kill."""


class KillKind(StrEnum):
    """Why a container died, as the issue's three classes."""

    LIMIT = "container limit OOM"
    NODE = "node memory pressure"
    OTHER = "another kill"

    @property
    def short(self) -> str:
        """A few characters for the side panel's one-line list."""
        return {"container limit OOM": "limit", "node memory pressure": "node", "another kill": "kill"}[self.value]


class OomKill(UntrackedRecord, frozen=True):
    """One container kill memtui knows of; kept even after the pod is gone (rollouts erase lastState).

    The name stays ``OomKill`` (the executor and effects take the ledger's kills under it), though
    since classification it also records kills that were not OOMs (``kind`` says which)."""

    pod: str
    container: str
    """``""`` when only a pod-level event told of it (an OOMKilling event names no container)."""
    finished_at: datetime | None
    source: str
    """Where memtui learnt it: ``lastState``, ``state`` (terminated now), ``event`` or ``prometheus``."""
    reason: str | None = None
    """``OOMKilled``, ``Error``, ``Evicted``, … as the API said."""
    exit_code: int | None = None
    working_set_before: int | None = None
    """memtui's last PodMetrics sample of this container before it died (None: none taken in time)."""
    sampled_at: datetime | None = None
    limit: int | None = None
    """The container's memory limit (None: unlimited or unknown)."""
    node: str | None = None
    restarts_before: int | None = None
    """restartCount memtui saw before this kill (None: memtui had not seen the container before)."""
    restarts_after: int | None = None
    """restartCount seen with this termination as lastState (the kubelet counts the restart later)."""
    kind: KillKind = KillKind.LIMIT
    why: str = ""
    """One line of evidence for ``kind`` (memtui's own words; no outside text)."""
    message: str = ""
    """The API's message for the kill (eviction or kernel line): outside text, drawn through outside_text."""

    @property
    def restart_delta(self) -> int | None:
        """Restarts this kill added (more than 1: memtui missed kills between two polls)."""
        if self.restarts_before is None or self.restarts_after is None:
            return None
        return max(0, self.restarts_after - self.restarts_before)

    @property
    def percent_of_limit(self) -> float | None:
        if self.working_set_before is None or not self.limit:
            return None
        return 100.0 * self.working_set_before / self.limit

    @property
    def is_memory(self) -> bool:
        """An OOM or an eviction for memory: what the incident clock and effect checks count."""
        return self.kind is not KillKind.OTHER


@dataclass(frozen=True, slots=True)
class KillEvidence:
    """What is known around one kill, handed to ``classify`` (pure, so tested on hand-built facts)."""

    reason: str | None
    exit_code: int | None
    working_set: int | None
    limit: int | None
    pod_evicted: bool = False
    node_pressure: bool = False
    system_oom: bool = False
    probe_failed: bool = False
    kernel_line: str = ""
    nodes_readable: bool = True


def classify(e: KillEvidence) -> tuple[KillKind, str]:
    """The kill's class and the one line of evidence behind it."""
    share = None if e.working_set is None or not e.limit else e.working_set / e.limit
    at = "" if share is None else f" at {share * 100:.0f} % of its limit"
    node_facts = [f for f, seen in (("MemoryPressure on its node", e.node_pressure),
                                    ("a SystemOOM event on its node", e.system_oom)) if seen]
    if e.pod_evicted or e.reason == "Evicted":
        return KillKind.NODE, "evicted by the kubelet" + at + (f" ({' and '.join(node_facts)})" if node_facts else "")
    oom = e.reason == "OOMKilled" or e.kernel_line.startswith("Memory cgroup out of memory")
    system_line = e.kernel_line.startswith("Out of memory")
    if oom or system_line:
        far = share is None or share < FAR_BELOW_LIMIT
        if (node_facts or system_line) and far:
            return KillKind.NODE, "OOMKilled" + (at or " (working set before unknown)") + " with " + " and ".join(
                node_facts or ["the kernel's system-wide OOM line"])
        if share is not None and share < NEAR_LIMIT:
            unseen = "" if e.nodes_readable else "; node conditions not readable"
            return KillKind.LIMIT, f"OOMKilled{at} (last sample; a spike between samples{unseen})"
        return KillKind.LIMIT, "OOMKilled" + (at or " (working set before unknown)")
    if e.exit_code == SIGKILL_EXIT:
        if e.probe_failed:
            return KillKind.OTHER, "SIGKILL after a failed liveness probe (exit 137, not OOMKilled)" + at
        return KillKind.OTHER, "SIGKILL (exit 137) without OOMKilled" + at
    return KillKind.OTHER, f"{e.reason or 'terminated'} (exit {e.exit_code})"


def is_kill(reason: str | None, exit_code: int | None) -> bool:
    """A termination the ledger keeps: an OOM kill, an eviction or a SIGKILL."""
    return reason in ("OOMKilled", "Evicted") or exit_code == SIGKILL_EXIT


def _is_oom_event(event: KubeEvent) -> bool:
    if event.reason in ("OOMKilling", "OOMKilled"):
        return True
    return "oomkilled" in event.message.lower() or "out of memory" in event.message.lower()


def _is_probe_kill_event(event: KubeEvent) -> bool:
    text = event.message.lower()
    return (event.reason == "Unhealthy" and text.startswith("liveness probe failed")) or (
        event.reason == "Killing" and "failed liveness probe" in text)


def _container_of(event: KubeEvent) -> str:
    """``spec.containers{sidecar}`` → ``sidecar``."""
    path = event.field_path
    if path.startswith("spec.containers{") and path.endswith("}"):
        return path[len("spec.containers{"):-1]
    return ""


def _near(times: Iterable[datetime], at: datetime | None, before: timedelta, after: timedelta) -> bool:
    if at is None:
        return False
    return any(at - before <= t <= at + after for t in times)


_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


class OomLedger:
    """Distinct container kills per pod, oldest dropped past ``capacity`` (or twice the pods of the
    last listing, if more), each classified."""

    def __init__(self, capacity: int = 5000) -> None:
        self.capacity = capacity
        self._by_pod: dict[str, dict[int, OomKill]] = {}
        """Per pod, its kills by sequence number (the order they were first seen)."""
        self._order: OrderedDict[int, OomKill] = OrderedDict()
        """Every kill by sequence number, oldest first: a merge replaces a kill in place, in O(1)
        (a scan of thousands of kills per merge cost seconds per refresh at 5,000 pods)."""
        self._next_seq = 0
        self._recent: dict[int, None] = {}
        """The kills that may still be inside ``RECLASSIFY_WINDOW`` (or have no time), by sequence
        number: the window only moves forward, so a kill that left it is dropped for good and a
        refresh classifies again only these (walking all 5,000 kills cost ~60 ms per refresh)."""
        self.version = 0
        """Moves whenever a kill is added, merged or classified again: summaries are derived again only then."""
        self._seen_events: OrderedDict[str, None] = OrderedDict()
        self._samples: OrderedDict[tuple[str, str], tuple[datetime | int, ...]] = OrderedDict()
        """Per container its last samples, flat: (time, bytes, time, bytes, …), oldest first.  Not
        a tuple of pairs: a tuple that holds tuples stays tracked by the cyclic collector a
        collection longer than they do, so one per container a refresh went through a middle one."""
        self._restarts: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._probe_failures: OrderedDict[tuple[str, str], deque[datetime]] = OrderedDict()
        self._pressure: dict[str, deque[tuple[datetime, datetime]]] = {}
        """Per node, spans (since, last seen) during which it reported MemoryPressure."""
        self._system_ooms: dict[str, deque[datetime]] = {}
        self._pods: dict[str, PodState] = {}
        self._observed: dict[str, PodState] = {}
        """The pods of the last refresh whose terminations were read: an informer hands an unchanged
        pod over as the same object, and its kills are not merged (and classified) again."""
        self._events_read: LastListing[KubeEvent] = LastListing()
        """The events of the last refresh: an event handed over again as the same object is not read again."""
        self._kill_capacity = capacity
        """The bound on kills kept: at least twice the pods of the last listing.  A fixed 5,000 in a
        namespace of 20,000 pods, a quarter of them killed within 2 h, evicted kills that the next
        refresh added again (Prometheus's "OOMKilled within 2 h" per pod): every refresh
        classified thousands anew, 90 ms of the main thread, and moved every row's kill count."""
        self._container_capacity = capacity
        """The bound of the per-container maps: at least twice the containers of the last listing, so
        a big namespace never evicts the entries of its own live containers at every refresh."""
        self.nodes: NodeSnapshot | None = None
        """The latest node conditions (None until the node poll answered once)."""
        self._latest: datetime | None = None
        self.pod_history: Callable[[str], RingSeries | None] | None = None
        """The pod's working-set history (CockpitState's, backfilled from Prometheus when it is there):
        the "just before" of a single-container pod killed before memtui sampled its container."""

    def __len__(self) -> int:
        return len(self._order)

    # -- evidence ---------------------------------------------------------------------------

    def _bounded(self, mapping: OrderedDict, key: object, value: object, capacity: int | None = None) -> None:
        mapping[key] = value
        mapping.move_to_end(key)
        while len(mapping) > (capacity or self._container_capacity):
            mapping.popitem(last=False)

    def note_usage(self, usage: dict[str, PodUsage], taken_at: datetime) -> None:
        """The last few samples of each container, to know its working set just before a kill."""
        exhaust(self._note_usage_steps(usage, taken_at))

    def _note_usage_steps(self, usage: dict[str, PodUsage], taken_at: datetime) -> Steps:
        samples = self._samples
        for done, (pod, figures) in enumerate(usage.items(), 1):
            when = figures.timestamp or taken_at
            for figure in figures.containers:
                container, value = figure.name, figure.working_set_bytes
                # at most three samples in one flat tuple, replaced: a deque allocates a 64-slot block whatever its
                # maxlen (0.6 KiB a container, 6 MiB at 5,000 pods of two containers)
                key = (pod, container)
                ring = samples.get(key)
                if ring is None:
                    self._bounded(samples, key, (when, value))
                elif ring[-2] < when:  # type: ignore[operator]  # the newest sample's time
                    samples[key] = (*ring[2 - 2 * SAMPLES_PER_CONTAINER:], when, value)
            if step_due(done):
                yield

    def observe_nodes(self, nodes: NodeSnapshot) -> None:
        """Node conditions and SystemOOM events; recent kills are classified again with them."""
        exhaust(self.observe_nodes_steps(nodes))

    def observe_nodes_steps(self, nodes: NodeSnapshot) -> Steps:
        self.nodes = nodes
        for node in nodes.nodes.values():
            if node.memory_pressure:
                spans = self._pressure.setdefault(node.name, deque(maxlen=8))
                since = node.pressure_since or nodes.taken_at
                if spans and spans[-1][0] == since:
                    spans[-1] = (since, nodes.taken_at)
                else:
                    spans.append((since, nodes.taken_at))
        for event in nodes.system_ooms:
            if event.last_seen is not None:
                times = self._system_ooms.setdefault(event.object_name, deque(maxlen=32))
                if event.last_seen not in times:
                    times.append(event.last_seen)
        yield from self._reclassify_steps()

    def _pressure_near(self, node: str | None, at: datetime | None) -> bool:
        if node is None or at is None:
            return False
        return any(since - NODE_EVIDENCE_WINDOW <= at <= until + NODE_EVIDENCE_WINDOW
                   for since, until in self._pressure.get(node, ()))

    def _sample_before(self, pod: str, container: str, at: datetime | None) -> tuple[datetime, int] | None:
        ring = self._samples.get((pod, container))
        if not ring:
            return None
        pairs = cast(list[tuple[datetime, int]], list(zip(ring[::2], ring[1::2])))
        if at is None:
            return pairs[-1]
        before = [s for s in pairs if s[0] <= at and at - s[0] <= SAMPLE_STALE]
        return before[-1] if before else None

    def _history_before(self, pod: PodState | None, at: datetime | None) -> tuple[datetime, int] | None:
        """The pod's history sample before ``at``, for a pod of one container (the pod's figure is its)."""
        if pod is None or len(pod.containers) != 1 or at is None or self.pod_history is None:
            return None
        series = self.pod_history(pod.name)
        if series is None:
            return None
        stamp = at.timestamp()
        before = [(t, v) for t, v in series.samples() if t <= stamp and stamp - t <= SAMPLE_STALE.total_seconds()]
        if not before:
            return None
        t, value = before[-1]
        return datetime.fromtimestamp(t, timezone.utc), int(value)

    def _classified(self, kill: OomKill) -> OomKill:
        pod = self._pods.get(kill.pod)
        node = kill.node or (pod.node if pod else None)
        sample = self._sample_before(kill.pod, kill.container, kill.finished_at) if kill.container else None
        if sample is None and kill.working_set_before is None:
            sample = self._history_before(pod, kill.finished_at)
        working_set, sampled_at = (sample[1], sample[0]) if sample else (kill.working_set_before, kill.sampled_at)
        evidence = KillEvidence(
            reason=kill.reason,
            exit_code=kill.exit_code,
            working_set=working_set,
            limit=kill.limit,
            pod_evicted=kill.reason == "Evicted" or bool(pod and pod.reason == "Evicted" and kill.source == "state"),
            node_pressure=self._pressure_near(node, kill.finished_at),
            system_oom=node is not None and _near(self._system_ooms.get(node, deque()), kill.finished_at,
                                                  NODE_EVIDENCE_WINDOW, NODE_EVIDENCE_WINDOW),
            probe_failed=_near(self._probe_failures.get((kill.pod, kill.container), deque()), kill.finished_at,
                               PROBE_WINDOW_BEFORE, PROBE_WINDOW_AFTER),
            kernel_line=kill.message if kill.source == "event" else "",
            nodes_readable=self.nodes is None or self.nodes.nodes_error is None,
        )
        kind, why = classify(evidence)
        if kill.source == "prometheus":
            kind, why = KillKind.LIMIT, "OOMKilled within 2 h (Prometheus; time not known)"
        return replaced(kill, node=node, working_set_before=working_set, sampled_at=sampled_at, kind=kind, why=why)

    # -- kills ------------------------------------------------------------------------------

    def _same(self, other: OomKill, kill: OomKill) -> bool:
        if other.container and kill.container and other.container != kill.container:
            return False
        if other.finished_at == kill.finished_at:
            return True
        # An event and a lastState describe the same kill a few seconds apart: keep one.
        return bool(other.finished_at and kill.finished_at
                    and abs((other.finished_at - kill.finished_at).total_seconds()) < SAME_KILL)

    def _add(self, kill: OomKill) -> None:
        known = self._by_pod.setdefault(kill.pod, {})
        for seq, other in known.items():
            if self._same(other, kill):
                merged = self._merge(other, kill)
                if merged != other:
                    known[seq] = self._order[seq] = merged
                    self.version += 1
                    if not self._past_window(merged):
                        self._recent[seq] = None
                return
        kill = self._classified(kill)
        self.version += 1
        seq = self._next_seq
        self._next_seq += 1
        known[seq] = self._order[seq] = kill
        self._recent[seq] = None
        while len(self._order) > self._kill_capacity:
            oldest_seq, oldest = self._order.popitem(last=False)
            self._recent.pop(oldest_seq, None)
            bucket = self._by_pod.get(oldest.pod, {})
            bucket.pop(oldest_seq, None)
            if not bucket:
                self._by_pod.pop(oldest.pod, None)

    def _merge(self, old: OomKill, new: OomKill) -> OomKill:
        """The pod status knows the container and exit code, the event the kernel's line: keep both."""
        if old.source == "event" and new.source != "event":
            merged = replaced(new, message=new.message or old.message, restarts_before=new.restarts_before)
        elif new.source == "event" and not old.message:
            merged = replaced(old, message=new.message)
        else:
            merged = old
        if new.source != "event" and new.restarts_after is not None:
            after = max(new.restarts_after, merged.restarts_after or 0)
            merged = replaced(merged, restarts_after=after)
        return self._classified(merged)

    def _past_window(self, kill: OomKill) -> bool:
        """Too old to be classified again (the window only moves forward: for good)."""
        return (self._latest is not None and kill.finished_at is not None
                and kill.finished_at < self._latest - RECLASSIFY_WINDOW)

    def _reclassify_steps(self) -> Steps:
        """Kills of the last minutes again, with the evidence that arrived since (in steps: at
        20,000 pods thousands of kills can be recent)."""
        if self._latest is None:
            return
        for done, seq in enumerate(reversed(list(self._recent)), 1):
            if step_due(done):
                yield
            kill = self._order[seq]
            if self._past_window(kill):
                del self._recent[seq]
                continue
            new = self._classified(kill)
            if new != kill:
                self._by_pod[kill.pod][seq] = self._order[seq] = new
                self.version += 1

    def observe(self, pods: tuple[PodState, ...], events: tuple[KubeEvent, ...],
                usage: dict[str, PodUsage] | None = None, taken_at: datetime | None = None) -> None:
        """One Kubernetes refresh: the pods' terminations, the namespace's events, the samples.

        Pods and events handed over as the same objects as last time are not read again: what
        they say is already in (at 5,000 pods, reading them all cost half a second per refresh);
        the kills of the last minutes are still classified again with the evidence that came."""
        exhaust(self.observe_steps(pods, events, usage, taken_at))

    def observe_steps(self, pods: tuple[PodState, ...], events: tuple[KubeEvent, ...],
                      usage: dict[str, PodUsage] | None = None, taken_at: datetime | None = None) -> Steps:
        """``observe`` in steps of ``FOLD_STEP_PODS`` pods or events (the first listing of 20,000
        pods with thousands of kills is 0.7-1.2 s).  Between two steps some of the refresh's
        kills are in and others not yet; each kill is whole."""
        self._container_capacity = max(self.capacity, 2 * sum(len(pod.containers) for pod in pods))
        self._kill_capacity = max(self.capacity, 2 * len(pods))
        if usage:
            yield from self._note_usage_steps(usage, taken_at or datetime.now(timezone.utc))
        self._pods = {pod.name: pod for pod in pods}
        events = tuple(self._events_read.swap(events).new_in(events))
        for done, event in enumerate(events, 1):
            if event.last_seen and (self._latest is None or event.last_seen > self._latest):
                self._latest = event.last_seen
            if event.object_kind == "Pod" and _is_probe_kill_event(event) and event.last_seen is not None:
                key = (event.object_name, _container_of(event))
                ring = self._probe_failures.get(key)
                if ring is None:
                    ring = deque(maxlen=8)
                    self._bounded(self._probe_failures, key, ring)
                if event.last_seen not in ring:
                    ring.append(event.last_seen)
            if step_due(done):
                yield
        if taken_at is not None and (self._latest is None or taken_at > self._latest):
            self._latest = taken_at
        yield from self._reclassify_steps()
        observed = self._observed
        for done, pod in enumerate(pods, 1):
            if step_due(done):
                yield
            if observed.get(pod.name) is pod:
                for c in pod.containers:  # still live: its restart count is not the oldest to drop
                    if (pod.name, c.name) in self._restarts:
                        self._restarts.move_to_end((pod.name, c.name))
                continue
            for c in pod.containers:
                self._observe_container(pod, c)
        self._observed = dict(self._pods)
        kill_events = [event for event in events if event.object_kind in ("Pod", "")
                       and (_is_oom_event(event) or event.reason == "Evicted")]
        # every kill event of this listing stays marked: a bound below their count evicted the
        # oldest markers at each refresh, and their events were merged in again (at 5,000 pods,
        # 2,500 merges per refresh)
        seen_capacity = max(self.capacity, 2 * len(kill_events))
        for done, event in enumerate(kill_events, 1):
            if step_due(done):
                yield
            marker = f"{event.uid}:{event.count}"
            if event.uid:
                if marker in self._seen_events:
                    continue
                self._bounded(self._seen_events, marker, None, seen_capacity)
            owner = self._pods.get(event.object_name)
            reason = "Evicted" if event.reason == "Evicted" else "OOMKilled"
            self._add(OomKill(event.object_name, _container_of(event), event.last_seen, "event", reason=reason,
                              node=owner.node if owner else None, message=event.message))

    def _observe_container(self, pod: PodState, c: ContainerState) -> None:
        key = (pod.name, c.name)
        before = self._restarts.get(key)
        terminations = []
        if is_kill(c.last_termination_reason, c.last_exit_code):
            terminations.append(("lastState", c.last_termination_reason, c.last_exit_code, c.last_terminated_at))
        if c.state == "terminated" and is_kill(c.state_reason if pod.reason != "Evicted" else "Evicted",
                                               c.terminated_exit_code):
            reason = "Evicted" if pod.reason == "Evicted" else c.state_reason
            terminations.append(("state", reason, c.terminated_exit_code, c.terminated_at))
        for source, reason, exit_code, at in terminations:
            self._add(OomKill(pod.name, c.name, at, source, reason=reason, exit_code=exit_code,
                              limit=c.memory_limit_bytes, node=pod.node, restarts_before=before,
                              restarts_after=c.restarts,
                              message=(pod.message or "") if source == "state" else ""))
        # restartCount moves when the container starts again, after the kill: a kill keeps the
        # count seen before it (restarts_before) and merges in later counts (restarts_after)
        self._bounded(self._restarts, key, c.restarts)

    def note_pod(self, pod: str, source: str) -> None:
        """Evidence of an OOM kill without its time (e.g. Prometheus ``max_over_time`` over 2 h)."""
        if pod not in self._by_pod:
            self._add(OomKill(pod, "", None, source, reason="OOMKilled"))

    def all_kills(self) -> tuple[OomKill, ...]:
        """Every kill, OOM or not, oldest first."""
        return tuple(sorted(self._order.values(), key=lambda k: k.finished_at or _EPOCH))

    def kills(self) -> tuple[OomKill, ...]:
        """The memory kills (container limit OOMs and node-pressure kills), oldest first."""
        return tuple(k for k in self.all_kills() if k.is_memory)

    def kills_for(self, pod: str) -> tuple[OomKill, ...]:
        """Every kill of ``pod``'s containers, newest first (the details screen)."""
        return tuple(sorted(self._by_pod.get(pod, {}).values(), key=lambda k: k.finished_at or _EPOCH, reverse=True))

    def count_for(self, pod: str) -> int:
        kills = self._by_pod.get(pod)
        if not kills:  # most pods: asked for each of 20,000 rows at every rebuild
            return 0
        return sum(1 for k in kills.values() if k.is_memory)

    def times(self) -> list[datetime]:
        return [k.finished_at for k in self._order.values() if k.finished_at is not None and k.is_memory]
