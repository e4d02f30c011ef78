"""Checking the log against the ``MemtuiAction`` Events in the cluster.

Every action memtui applies creates an Event that names its intent's ``seq`` and ``hash`` and the
log's chain (see ``memtui.executor.events``).  Those Events live in the API server, out of reach of
someone who edits or cuts the file on a laptop, so comparing the two finds what the file alone
cannot prove: an Event of this chain whose seq/hash is not in the log means entries were removed,
cut off the end, or the chain was rewritten.

Only Events that still exist are compared: the API server drops Events after ``--event-ttl`` (one
hour by default), so a log entry without an Event is not a problem.  Events of other chains (a
teammate's memtui, an older log) are counted and named, not compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from memtui.audit.head import ChainPosition
from memtui.audit.verify import VerifyReport

REASON = "MemtuiAction"
_PREFIX = "audit.memtui.io/"


@dataclass(frozen=True)
class ActionEvent:
    """A ``MemtuiAction`` Event as the check needs it."""

    name: str
    position: ChainPosition | None
    """The audit entry it names; None for an Event from a memtui that did not record it."""
    entry_id: str | None
    host: str
    """``reportingInstance``: the machine whose memtui created it."""


@dataclass(frozen=True)
class ClusterReport:
    namespace: str
    compared: int
    """Events of this log's chain that were compared."""
    problems: tuple[str, ...]
    other_chains: tuple[str, ...]
    """One line per other chain: how many Events, from which hosts."""
    unnamed: int
    """Events that name no audit entry (created by an older memtui)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        events = f"{self.compared} MemtuiAction Event{'s' if self.compared != 1 else ''}"
        if self.ok:
            return f"cluster: OK: {events} in namespace {self.namespace} match the log"
        return f"cluster: BROKEN: {self.problems[0]}" + (
            f" ({len(self.problems) - 1} more after it)" if len(self.problems) > 1 else ""
        )


def parse_action_events(items: Iterable[Mapping[str, Any]]) -> list[ActionEvent]:
    """``MemtuiAction`` Events from a LIST's ``items`` (JSON as the API sends it), oldest seq first."""
    found: list[ActionEvent] = []
    for item in items:
        if item.get("reason") != REASON:
            continue
        metadata = item.get("metadata") or {}
        annotations = metadata.get("annotations") or {}
        seq, digest = annotations.get(_PREFIX + "seq"), annotations.get(_PREFIX + "hash")
        position = None
        if isinstance(seq, str) and seq.isdigit() and isinstance(digest, str) and digest:
            chain = annotations.get(_PREFIX + "chain")
            position = ChainPosition(int(seq), digest, chain if isinstance(chain, str) and chain else None)
        host = str(item.get("reportingInstance") or (item.get("source") or {}).get("host") or "?")
        entry = annotations.get(_PREFIX + "entry")
        found.append(ActionEvent(str(metadata.get("name") or "?"), position, entry if isinstance(entry, str) else None,
                                 host))
    return sorted(found, key=lambda e: (e.position.seq if e.position else -1, e.name))


def check_against_events(report: VerifyReport, events: Iterable[ActionEvent], namespace: str) -> ClusterReport:
    """Compare the Events of this log's chain with the log's entries.

    An Event belongs to this log when it names the log's chain, an entry id the log holds, or a
    hash the log holds; and then so does every Event of the same chain (a rewritten log names a
    new chain of its own, but the entries it kept still give the old one away).
    """
    events = list(events)
    known_hashes = set(report.hashes.values())
    ours_chains = {report.chain} - {None}
    for event in events:
        position = event.position
        if position is not None and position.chain and (
            (event.entry_id is not None and event.entry_id in report.ids) or position.hash in known_hashes
        ):
            ours_chains.add(position.chain)
    last_seq = report.last.seq if report.last else 0
    problems: list[str] = []
    others: dict[str, list[str]] = {}
    compared = unnamed = 0
    for event in events:
        position = event.position
        if position is None:
            unnamed += 1
            continue
        held_by_id = report.ids.get(event.entry_id) if event.entry_id else None
        if not (position.chain in ours_chains or held_by_id is not None or position.hash in known_hashes):
            others.setdefault(position.chain or "unnamed chain", []).append(event.host)
            continue
        compared += 1
        problem = _disagreement(event, position, held_by_id, report.hashes.get(position.seq), last_seq)
        if problem:
            problems.append(problem)
    other_lines = tuple(
        f"{len(hosts)} Event{'s' if len(hosts) != 1 else ''} of another audit log (chain {name[:12]}…, "
        f"from {', '.join(sorted(set(hosts)))}) not compared"
        for name, hosts in sorted(others.items())
    )
    return ClusterReport(namespace, compared, tuple(problems), other_lines, unnamed)


def _disagreement(event: ActionEvent, position: ChainPosition, held_by_id: ChainPosition | None,
                  held_hash: str | None, last_seq: int) -> str | None:
    """Why the log does not hold what the Event recorded, or None when it does."""
    recorded = f"Event {event.name} records audit #{position.seq} (hash {position.hash[:12]}…)"
    if held_by_id is not None:
        if (held_by_id.seq, held_by_id.hash) == (position.seq, position.hash):
            return None
        return (f"{recorded}, the log holds that entry as #{held_by_id.seq} (hash {held_by_id.hash[:12]}…): "
                "the chain was rewritten")
    if held_hash == position.hash:
        return None
    if position.seq > last_seq:
        ends = f"the log ends at seq {last_seq}" if last_seq else "the log has no entries"
        return f"{recorded}, {ends}: its end was cut"
    if held_hash is None:
        return f"{recorded}, which the log does not hold: entries were removed"
    return f"{recorded}, the log's seq {position.seq} has hash {held_hash[:12]}…: the chain was rewritten"


class ClusterUnavailable(Exception):
    """The Events could not be listed; the message is one line for the terminal."""


def fetch_action_events(*, kubeconfig: str | None, context: str | None, namespace: str,
                        timeout: float = 10.0) -> list[ActionEvent]:
    """LIST the namespace's ``MemtuiAction`` Events, with the same kubeconfig rules as the cockpit.

    Blocking; for the command line only.  Raises ``ClusterUnavailable``.
    """
    import json

    from kubernetes import client
    from kubernetes.client.rest import ApiException

    from memtui.clients.errors import describe_failure
    from memtui.clients.kube.connection import KubeConnectError, load_api_client

    try:
        api, _context, _user, _ns, _current = load_api_client(kubeconfig, context)
    except KubeConnectError as exc:
        raise ClusterUnavailable(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None
    try:
        # Unpreloaded, the call returns the raw urllib3 response (its stubs name the model).
        response: Any = client.CoreV1Api(api).list_namespaced_event(
            namespace, field_selector=f"reason={REASON}", _request_timeout=timeout, _preload_content=False
        )
        body = json.loads(response.data)
    except ApiException as exc:
        raise ClusterUnavailable(f"listing Events in namespace {namespace}: {describe_failure(exc)}") from None
    except ValueError:
        raise ClusterUnavailable(f"listing Events in namespace {namespace}: the answer is not JSON") from None
    except Exception as exc:  # noqa: BLE001 - connection refused, TLS, timeouts: one line, never a traceback
        raise ClusterUnavailable(f"listing Events in namespace {namespace}: {describe_failure(exc)}") from None
    finally:
        api.close()
    items = body.get("items") if isinstance(body, dict) else None
    return parse_action_events(item for item in items or [] if isinstance(item, dict))
