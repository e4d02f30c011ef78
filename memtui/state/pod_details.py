"""What the pod details screen shows about one pod, derived from the cockpit's state.

Per container, not per pod: a pod of a 12 GiB model server and a 256 MiB log shipper is at 50 %
of its summed limit while the shipper is at 98 % of its own and about to be OOMKilled.  Averaging
them into the pod's figure is how an incident hides, so each container gets its own working set,
limit and % of limit.  Also here: the runbook's log patterns, and the matching of a bounded log
tail against them (pure; the read itself is ``memtui.sources.pod_logs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from memtui.state.oom_ledger import OomKill
from memtui.state.snapshots import KubeEvent

if TYPE_CHECKING:
    from memtui.state.cockpit import CockpitState, PodRow

LOG_PATTERNS: tuple[tuple[str, str], ...] = (
    ("memory", r"memory|leak|oom"),
    ("model", r"model loaded|model cached"),
    ("gc", r"allocated|freed|\bgc\b"),
    ("batch", r"batch_size"),
)
"""The runbook's greps (diagnosis steps 2-4), each with the short label the screen tags a line with."""
_COMPILED = tuple((label, re.compile(pattern, re.IGNORECASE)) for label, pattern in LOG_PATTERNS)
LOG_TAIL_LINES = 2000
"""Lines read per container (``tailLines``): the runbook's ``--tail=500`` and then some."""
LOG_TAIL_BYTES = 1 << 20
"""``limitBytes`` per container: a chatty container cannot make the read unbounded."""
LOG_LINES_KEPT = 40
"""Matching lines kept for the screen, newest."""


@dataclass(frozen=True, slots=True)
class LogLine:
    container: str
    label: str
    """Which runbook pattern matched (``memory``, ``model``, ``gc``, ``batch``)."""
    text: str
    """The line as the container wrote it: outside text, drawn through ``outside_text``."""


@dataclass(frozen=True, slots=True)
class PodLogExcerpt:
    """The lines of a pod's log tail that match the runbook's patterns, or why they could not be read."""

    pod: str
    lines: tuple[LogLine, ...]
    containers_read: tuple[str, ...]
    errors: tuple[str, ...] = ()
    """One line per container not read: ``log-shipper: forbidden`` (403), a timeout…"""
    lines_scanned: int = 0


def match_log(text: str, container: str) -> tuple[list[LogLine], int]:
    """(matching lines, lines scanned) of one container's log tail."""
    found = []
    lines = text.splitlines()
    for line in lines:
        for label, regex in _COMPILED:
            if regex.search(line):
                found.append(LogLine(container, label, line))
                break
    return found, len(lines)


@dataclass(frozen=True, slots=True)
class ContainerFigures:
    """One container: its own working set against its own limit, restarts, and its last termination."""

    name: str
    working_set: int | None
    limit: int | None
    restarts: int
    state: str
    state_reason: str | None
    last_reason: str | None
    last_exit_code: int | None
    last_at: datetime | None
    last_kill: OomKill | None
    """memtui's classified record of the latest kill, when the last termination was one."""

    @property
    def percent(self) -> float | None:
        if self.working_set is None or not self.limit:
            return None
        return 100.0 * self.working_set / self.limit


@dataclass(frozen=True, slots=True)
class NodeFigures:
    name: str | None
    memory_pressure: bool | None
    since: datetime | None = None
    allocatable: int | None = None
    note: str = ""
    """Why the condition is not known: ``node conditions: forbidden``, ``not read yet``."""


@dataclass(frozen=True, slots=True)
class PodDetails:
    pod: str
    row: PodRow | None
    """None once the pod is gone (evicted and deleted, replaced by a rollout)."""
    containers: tuple[ContainerFigures, ...]
    kills: tuple[OomKill, ...]
    """Every kill memtui knows of this pod's containers, newest first."""
    events: tuple[KubeEvent, ...]
    """The pod's events, newest first."""
    node: NodeFigures
    reason: str | None = None
    """``status.reason`` (``Evicted``)."""
    message: str | None = None

    @property
    def gone(self) -> bool:
        return self.row is None


def pod_details(state: CockpitState, pod: str) -> PodDetails:
    """Everything the details screen draws for ``pod``, from the latest snapshots (no request)."""
    snapshot = state.snapshot
    found = next((p for p in snapshot.pods if p.name == pod), None) if snapshot else None
    row = next((r for r in state.rows if r.name == pod), None)
    usage = snapshot.usage.get(pod) if snapshot else None
    per_container = {c.name: c.working_set_bytes for c in usage.containers} if usage else {}
    kills = state.ledger.kills_for(pod)
    containers = []
    for c in found.containers if found else ():
        terminated = c.state == "terminated"
        at = c.terminated_at if terminated else c.last_terminated_at
        last_kill = next((k for k in kills if k.container == c.name and k.finished_at == at), None) if at else None
        containers.append(ContainerFigures(
            name=c.name,
            working_set=per_container.get(c.name),
            limit=c.memory_limit_bytes,
            restarts=c.restarts,
            state=c.state,
            state_reason=c.state_reason,
            last_reason=c.state_reason if terminated else c.last_termination_reason,
            last_exit_code=c.terminated_exit_code if terminated else c.last_exit_code,
            last_at=c.terminated_at if terminated else c.last_terminated_at,
            last_kill=last_kill,
        ))
    events = tuple(e for e in state.events() if e.object_kind == "Pod" and e.object_name == pod)
    node_name = found.node if found else (kills[0].node if kills else None)
    return PodDetails(pod=pod, row=row, containers=tuple(containers), kills=kills, events=events,
                      node=_node(state, node_name), reason=found.reason if found else None,
                      message=found.message if found else None)


def _node(state: CockpitState, name: str | None) -> NodeFigures:
    nodes = state.ledger.nodes
    if name is None:
        return NodeFigures(None, None, note="not scheduled")
    if nodes is None:
        return NodeFigures(name, None, note="node conditions: not read yet")
    node = nodes.nodes.get(name)
    if node is None:
        return NodeFigures(name, None, note=nodes.nodes_error or "node conditions: not reported")
    return NodeFigures(name, node.memory_pressure, node.pressure_since, node.allocatable_memory,
                       note="" if node.memory_pressure is not None else "MemoryPressure not reported")
