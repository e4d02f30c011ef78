"""The team's side of the timeline: changes to the namespace that this memtui did not make.

Deployments, ConfigMaps and HorizontalPodAutoscalers are kept by informers (one LIST at start,
then a WATCH that carries only the changes, as the pods are: no per-poll LIST of anything), and
so are the ``MemtuiAction`` Events other memtui sessions create (field selector
``reason=MemtuiAction``).  The watch hands every version to the source (``Informer.on_change``);
each poll diffs each version against the one before it and yields only the new ``TeamChange``s
(two changes between polls stay two, each with its owner).  The first sync is the baseline (no
changes, only what the ``managedFields`` times say was written in the ``BEFORE_START_S`` before,
without values).  A memtui-owned change another session's Event does not claim within
``HELD_S`` is dropped: it was this session's, or another memtui's that could not create Events.

Who: the ``managedFields`` entry owning the changed fields, newest (``sources/team_diff``).
memtui's own writes (fieldManager ``memtui``, ``executor/kubeapi.py``) are not the team's: a
change owned by ``memtui`` is held back and shown only as part of another session's
``MemtuiAction`` Event on the same object, which names that session's operator.  This session's
own Events are recognised by the audit entry they name (``audit.memtui.io/entry``), which the main
thread passes in (``TeamInputs.own_intents``, from ``CockpitState.own_intents``).  An Event is
shown from the second poll that sees it: the executor creates it just before it hands the
outcome to the main thread, so by then an own Event's entry is known there.

A 403 on one resource is a note (``TeamSnapshot.error``), never a failure of the pods pane; the
source's health is the Kubernetes source's.  Blocking: runs in a worker thread.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any


from memtui.clients.kube import rest
from memtui.clients.kube.connection import KubeConnection
from memtui.clients.kube.informer import Informer
from memtui.clients.kube.parse import object_key
from memtui.sources import team_diff
from memtui.sources.team_diff import Watched
from memtui.state.snapshots import FieldChange, TeamChange, TeamSnapshot

NAME = "team"
OWN_MANAGER = "memtui"
BEFORE_START_S = 15 * 60.0
"""How far back the first sync reads ``managedFields`` times (what was written just before memtui started)."""
VERSIONS_KEPT = 10_000
"""Versions queued between two polls at most; past it the oldest are dropped (the cache's
comparison still catches the change, merged)."""
HELD_S = 300.0
"""How long a ``memtui``-owned change waits for the other session's Event that explains it."""
EVENT_REASON = "MemtuiAction"
ENTRY_ANNOTATION = "audit.memtui.io/entry"
_BY = re.compile(r"\] by (?P<who>.+?): ")


@dataclass(frozen=True, slots=True)
class TeamInputs:
    """What the worker needs from the main thread: this session's own actions (their audit intent ids)."""

    own_intents: frozenset[str] = frozenset()


def team_inputs(state: Any) -> TeamInputs:
    """Computed on the main thread when a poll starts (``SourceSpec.inputs``)."""
    return TeamInputs(frozenset(state.own_intents))


@dataclass(frozen=True, slots=True)
class MemtuiEvent:
    """A ``MemtuiAction`` Event: an action some memtui took, and who took it."""

    uid: str
    at: datetime | None
    kind: str
    name: str
    message: str
    user: str | None
    entry: str


def parse_memtui_event(item: dict[str, Any]) -> MemtuiEvent:
    meta = item.get("metadata") or {}
    involved = item.get("involvedObject") or {}
    message = str(item.get("message") or "").strip()
    found = _BY.search(message)
    when = team_diff._time(item.get("lastTimestamp")) or team_diff._time(item.get("eventTime")) or team_diff._time(
        meta.get("creationTimestamp"))
    return MemtuiEvent(str(meta.get("uid") or meta.get("name") or ""), when, str(involved.get("kind") or ""),
                       str(involved.get("name") or ""), message, found.group("who") if found else None,
                       str((meta.get("annotations") or {}).get(ENTRY_ANNOTATION) or ""))


def _action_title(message: str) -> str:
    """"Reduce batch size [fix-batch] by x: ok; …" → "Reduce batch size [fix-batch]"."""
    head = message.split("] by ", 1)[0]
    return head + "]" if "[" in head else head[:80]


def _enqueue(queue: deque[tuple[str, Watched]], event: str, item: Watched) -> None:
    queue.append((event, item))


def _newer(version: str, than: str) -> bool:
    """resourceVersions are opaque, but etcd's (and the simulator's) are increasing integers."""
    if version.isdigit() and than.isdigit():
        return int(version) > int(than)
    return version != than


def _note(error: str) -> str:
    return "forbidden (RBAC)" if "403" in error else error


class TeamSource:
    """Reads one namespace's Deployments, ConfigMaps, HPAs and MemtuiAction Events."""

    name = NAME

    def __init__(self, connection: KubeConnection, *, timeout: float = 5.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.namespace = connection.namespace
        self.timeout = timeout
        self.clock = clock
        api = connection.api_client
        self._objects: dict[str, Informer[Watched]] = {}
        self._versions: dict[str, deque[tuple[str, Watched]]] = {}
        """Per resource, every version the watch delivered since the last poll, in order (appended
        by the watch thread; ``deque.append``/``popleft`` are thread-safe)."""
        for resource, kind, call in (
            ("deployments", "Deployment", rest.Lister(api, "/apis/apps/v1/namespaces/{namespace}/deployments")),
            ("configmaps", "ConfigMap", rest.Lister(api, "/api/v1/namespaces/{namespace}/configmaps")),
            ("horizontalpodautoscalers", "HorizontalPodAutoscaler",
             rest.Lister(api, "/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers")),
        ):
            queue: deque[tuple[str, Watched]] = deque(maxlen=VERSIONS_KEPT)
            self._versions[resource] = queue
            self._objects[resource] = Informer(name=resource, list_call=call, namespace=self.namespace,
                                               parse=partial(team_diff.watched, kind), key=object_key, timeout=timeout,
                                               on_change=partial(_enqueue, queue))
        self._events: Informer[MemtuiEvent] = Informer(
            name="events", list_call=rest.Lister(api, "/api/v1/namespaces/{namespace}/events",
                                                field_selector=f"reason={EVENT_REASON}"),
            namespace=self.namespace, parse=parse_memtui_event, key=object_key, timeout=timeout)
        self._seen: dict[str, dict[str, Watched]] = {}
        """Per resource (once synced): each object's last version seen, by uid."""
        self._events_seen: set[str] | None = None
        self._events_pending: set[str] = set()
        self._held: deque[tuple[datetime, TeamChange]] = deque(maxlen=200)
        """Changes owned by ``memtui``: this session's, or another's waiting for its Event."""
        self._started: datetime | None = None
        self._polls = 0

    def stop(self) -> None:
        for informer in self._informers():
            informer.stop()

    @property
    def baselined(self) -> bool:
        """True once every watched resource and the Events have their baseline (first sync)."""
        return len(self._seen) == len(self._objects) and self._events_seen is not None

    def _informers(self) -> list[Informer[Any]]:
        return [*self._objects.values(), self._events]

    def fetch(self, inputs: TeamInputs | None = None) -> TeamSnapshot:
        inputs = inputs or TeamInputs()
        now = self.clock()
        if self._started is None:
            self._started = now
        for informer in self._informers():
            informer.start()
        # the first poll waits (one shared timeout) for the baselines; later ones never block: an
        # informer still failing (a 403) stays a note, it must not hold up every poll
        deadline = time.monotonic() + (self.timeout if self._polls == 0 else 0.0)
        self._polls += 1
        for informer in self._informers():
            while not informer.wait_synced(min(0.1, max(0.0, deadline - time.monotonic()))):
                if informer.snapshot().error or time.monotonic() >= deadline:
                    break
        changes: list[TeamChange] = []
        errors: list[str] = []
        for resource, informer in self._objects.items():
            snapshot = informer.snapshot()
            if snapshot.error:
                errors.append(f"{resource}: {_note(snapshot.error)}")
            if not snapshot.synced:
                continue
            changes += self._compare(resource, now)
        events = self._events.snapshot()
        if events.error:
            errors.append(f"MemtuiAction events: {_note(events.error)}")
        if events.synced:
            changes += self._memtui_events(events.items, inputs.own_intents, now)
        return TeamSnapshot(taken_at=now, changes=tuple(sorted(changes, key=lambda c: c.at)),
                            error="; ".join(errors) or None)

    def _compare(self, resource: str, now: datetime) -> list[TeamChange]:
        """Every version the watch delivered since the last poll, in order, each against the one
        before it (two changes between polls stay two); then the cache, which catches what a
        re-LIST (410 Gone, errors) replaced without events."""
        queue = self._versions[resource]
        versions = []
        while queue:
            versions.append(queue.popleft())
        items = self._objects[resource].snapshot().items
        last = self._seen.get(resource)
        if last is None:  # the baseline: only what managedFields say happened just before
            self._seen[resource] = {item.uid: item for item in items}
            assert self._started is not None
            return [change for item in items
                    for change in team_diff.before_start(item, self._started, BEFORE_START_S)
                    if change.manager != OWN_MANAGER]
        out: list[TeamChange] = []
        for event, item in versions:
            if event == "DELETED":
                if last.pop(item.uid, None) is not None:
                    out.append(TeamChange(at=now, kind=item.kind, name=item.name, what="spec", summary="deleted",
                                          key=f"{item.uid}/deleted"))
                continue
            out += self._version(last, item, now)
        current = {item.uid: item for item in items}
        for item in items:
            out += self._version(last, item, now)
        for uid in [uid for uid in last if uid not in current]:
            old = last.pop(uid)
            out.append(TeamChange(at=now, kind=old.kind, name=old.name, what="spec", summary="deleted",
                                  key=f"{old.uid}/deleted"))
        kept = []
        for change in out:
            if change.manager == OWN_MANAGER:
                self._held.append((now, change))
            else:
                kept.append(change)
        return kept

    def _version(self, last: dict[str, Watched], new: Watched, now: datetime) -> list[TeamChange]:
        """``new`` against the last version seen of its object (nothing if it is not newer)."""
        old = last.get(new.uid)
        if old is not None and not _newer(new.resource_version, old.resource_version):
            return []
        last[new.uid] = new
        if old is None:
            owner = team_diff.attribute(new.managed, [p for p, _ in new.fields.values()])
            return [TeamChange(at=owner.time if owner and owner.time else now, kind=new.kind, name=new.name,
                               what="spec", summary="created", manager=owner.manager if owner else None,
                               operation=owner.operation if owner else None,
                               subresource=owner.subresource if owner else None,
                               key=f"{new.uid}/{new.resource_version}")]
        change, _ = team_diff.team_change(old, new, now)
        return [change] if change is not None else []

    def _memtui_events(self, items: tuple[MemtuiEvent, ...], own: frozenset[str], now: datetime) -> list[TeamChange]:
        uids = {event.uid for event in items}
        if self._events_seen is None:  # the baseline
            self._events_seen = uids
            return []
        out: list[TeamChange] = []
        for event in items:
            if event.uid in self._events_seen:
                continue
            if event.entry and event.entry in own:
                self._events_seen.add(event.uid)
                self._take_held(event, now)  # this session's own write: not the team's, not another's
                continue
            if event.uid not in self._events_pending:
                self._events_pending.add(event.uid)  # shown from the next poll (see the module's docstring)
                continue
            self._events_pending.discard(event.uid)
            self._events_seen.add(event.uid)
            out.append(self._from_event(event, now))
        self._forget_held(now)
        return out

    def _take_held(self, event: MemtuiEvent, now: datetime) -> tuple[FieldChange, ...]:
        """The held ``memtui``-owned changes of the Event's object written about when it was (its
        write comes just before its Event); they are the Event's, whoever's it is."""
        at = event.at or now
        fields: list[FieldChange] = []
        kept: deque[tuple[datetime, TeamChange]] = deque(maxlen=self._held.maxlen)
        for held_at, change in self._held:
            near = abs((change.at - at).total_seconds()) <= 120
            if change.kind == event.kind and change.name == event.name and near:
                fields += change.changes
            else:
                kept.append((held_at, change))
        self._held = kept
        return tuple(fields)

    def _from_event(self, event: MemtuiEvent, now: datetime) -> TeamChange:
        """Another memtui's action, with the field changes its write made to the object, when seen."""
        changes = self._take_held(event, now)
        summary = _action_title(event.message)
        if changes:
            summary += ": " + team_diff.summarize(changes)
        return TeamChange(at=event.at or now,
                          kind="MemtuiAction", name=f"{event.kind.lower()}/{event.name}" if event.kind else event.name,
                          what="memtui-action", summary=summary, changes=changes, manager=OWN_MANAGER,
                          user=event.user, key=f"event/{event.uid}")

    def _forget_held(self, now: datetime) -> None:
        limit = now - timedelta(seconds=HELD_S)
        while self._held and self._held[0][0] < limit:
            self._held.popleft()
