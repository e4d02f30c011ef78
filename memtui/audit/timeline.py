"""From entries to the postmortem timeline: one row per thing that happened.

An intent, its result and its effects are one row (joined by ``refers_to``), because the reader
of a postmortem asks "what was done, did it work, what did it change", not "which lines were
written".  An intent with no result becomes a row whose outcome is **outcome unknown**: memtui
stopped after announcing the call and before recording how it went, so the change may well have
been applied.  A result or effect whose intent is not in the entries (cut off by ``since``, or
lost) still gets a row, so nothing recorded disappears from the export.  If an intent has several
results (only possible with a buggy or foreign writer) the first one counts.

The team's changes (``TeamChange``: what others changed in the namespace meanwhile, from a
recording) are rows of kind ``team`` in the same time order: Who is the user where the API names
one (another memtui's Event), else the field manager and its operation (``kubectl-patch
(Update)``), the effect is the one-line summary (``batch_size 64→32``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memtui.audit.entry import AuditEntry
from memtui.reasoning.model import CAUSE_TITLES
from memtui.audit.times import as_utc
from memtui.state.snapshots import TeamChange

OUTCOME_UNKNOWN = "outcome unknown"


@dataclass(frozen=True)
class TimelineRow:
    number: int
    """Position in the timeline, 1-based; the chart marks actions with it."""
    time: datetime
    kind: str
    """``action`` (mutating), ``read`` (diagnose step), ``note``, ``orphan`` (a result/effect without its
    intent) or ``team`` (a change to the namespace memtui did not make)."""
    who: str
    action: str
    target: str
    parameters: str
    outcome: str
    outcome_unknown: bool
    duration_s: float | None
    effect: str
    """Effect of an action (before → after), output of a read, text of a note."""
    reason: str
    error: str
    dry_run: str
    entry_id: str
    seq: int
    causes: str = ""
    """The cause ranking the action was taken under, one line: "Memory leak 82%, Cache bloat 58%, …"
    (or "uncertain: …"); empty for entries written before memtui recorded it."""
    ranking: Mapping[str, Any] | None = None
    """That ranking as recorded (causes, facts with sources, gaps), for the export's "why" section."""

    def as_dict(self) -> dict[str, Any]:
        from memtui.audit.times import format_time

        return {
            "number": self.number,
            "time": format_time(self.time),
            "kind": self.kind,
            "who": self.who,
            "action": self.action,
            "target": self.target,
            "parameters": self.parameters,
            "outcome": self.outcome,
            "outcome_unknown": self.outcome_unknown,
            "duration_s": self.duration_s,
            "effect": self.effect,
            "reason": self.reason,
            "error": self.error,
            "dry_run": self.dry_run,
            "entry_id": self.entry_id,
            "seq": self.seq,
            "causes": self.causes,
        }


@dataclass(frozen=True)
class TimelineSummary:
    actions: int
    succeeded: int
    failed: int
    refused: int
    unknown: int
    reads: int
    notes: int
    first_action: datetime | None
    last_action: datetime | None
    start: datetime | None
    end: datetime | None
    contexts: tuple[str, ...]
    namespaces: tuple[str, ...]
    team: int = 0
    """Rows of the team's changes."""


@dataclass(frozen=True)
class Timeline:
    rows: tuple[TimelineRow, ...]
    entries: tuple[AuditEntry, ...]
    """The entries the rows were built from, in file order."""
    summary: TimelineSummary
    team: tuple[TeamChange, ...] = ()
    """The team's changes the ``team`` rows were built from (within ``since``), oldest first."""


def build_timeline(entries: Iterable[AuditEntry], *, since: datetime | None = None,
                   team: Iterable[TeamChange] = ()) -> Timeline:
    entries = tuple(entries)
    results: dict[str, AuditEntry] = {}
    effects: dict[str, list[AuditEntry]] = {}
    intent_ids = {e.id for e in entries if e.kind == "intent"}
    for entry in entries:
        if entry.kind == "result" and entry.refers_to:
            results.setdefault(entry.refers_to, entry)
        elif entry.kind == "effect" and entry.refers_to:
            effects.setdefault(entry.refers_to, []).append(entry)

    drafts: list[tuple[AuditEntry, dict[str, Any], list[AuditEntry]]] = []
    for entry in entries:
        if entry.kind == "intent":
            result = results.get(entry.id)
            fx = effects.get(entry.id, [])
            drafts.append((entry, _action_cells(entry, result, fx), [entry, *([result] if result else []), *fx]))
        elif entry.kind == "read":
            drafts.append((entry, _read_cells(entry), [entry]))
        elif entry.kind == "note":
            drafts.append((entry, _note_cells(entry), [entry]))
        elif entry.kind in ("result", "effect") and entry.refers_to not in intent_ids:
            if entry.kind == "result" and results.get(entry.refers_to or "") is not entry:
                continue
            drafts.append((entry, _orphan_cells(entry), [entry]))

    cutoff = as_utc(since) if since is not None else None
    drafts = [d for d in drafts if cutoff is None or d[0].timestamp >= cutoff]
    changes = _team_within(team, cutoff)
    heads: list[tuple[datetime, int, AuditEntry | TeamChange]] = [(h.timestamp, h.seq, h) for h, _, _ in drafts]
    heads += [(as_utc(c.at), 0, c) for c in changes]
    heads.sort(key=lambda h: (h[0], h[1]))
    cells_of = {id(head): cells for head, cells, _ in drafts}
    numbers = {h.id: n for n, (_, _, h) in enumerate(heads, start=1) if isinstance(h, AuditEntry) and h.kind == "intent"}
    for head, cells, group in drafts:
        if head.kind == "intent":
            cells["effect"] = "; ".join(t for t in (_effect_text(e, numbers) for e in group if e.kind == "effect") if t)
    rows = tuple(
        (TimelineRow(number=n, time=at, who=_who(head), entry_id=head.id, seq=head.seq,
                     causes=causes_text(head.ranking), ranking=head.ranking, **cells_of[id(head)])
         if isinstance(head, AuditEntry) else _team_row(n, at, head))
        for n, (at, _, head) in enumerate(heads, start=1)
    )
    used_ids = {e.id for _, _, group in drafts for e in group}
    used = tuple(e for e in entries if e.id in used_ids)
    return Timeline(rows, used, _summarise(rows, used), changes)


def _team_within(team: Iterable[TeamChange], cutoff: datetime | None) -> tuple[TeamChange, ...]:
    """Each change once (by key), from ``cutoff`` on, oldest first."""
    seen: set[str] = set()
    out = []
    for change in team:
        if change.key and change.key in seen:
            continue
        seen.add(change.key)
        if cutoff is None or as_utc(change.at) >= cutoff:
            out.append(change)
    return tuple(sorted(out, key=lambda c: as_utc(c.at)))


def _team_row(number: int, at: datetime, change: TeamChange) -> TimelineRow:
    """``20:04 kubectl-patch (Update) · team: config · ConfigMap/llm-config · batch_size 64→32``."""
    target = change.name if change.kind == "MemtuiAction" else f"{change.kind}/{change.name}"
    return TimelineRow(
        number=number, time=at, kind="team", who=change.who, action=f"team: {change.what}", target=target,
        parameters="", outcome="", outcome_unknown=False, duration_s=None, effect=change.summary, reason="",
        error="", dry_run="", entry_id=change.key, seq=0,
    )


def _action_cells(intent: AuditEntry, result: AuditEntry | None, fx: list[AuditEntry]) -> dict[str, Any]:
    if result is None:
        outcome, unknown, duration, error = OUTCOME_UNKNOWN, True, None, ""
    else:
        outcome, unknown, duration, error = result.outcome or "?", False, result.duration_s, result.error or ""
    return dict(
        kind="action",
        action=intent.action or "?",
        target=format_target(intent.target),
        parameters=format_mapping(intent.parameters),
        outcome=outcome,
        outcome_unknown=unknown,
        duration_s=duration,
        effect="",  # filled in by build_timeline once the rows are numbered ("overlaps action N")
        reason=intent.reason or "",
        error=error,
        dry_run=_dry_run_text(intent.dry_run),
    )


def _read_cells(entry: AuditEntry) -> dict[str, Any]:
    output = entry.summary or ""
    if entry.artifact:
        output = f"{output}; saved to {entry.artifact}" if output else f"saved to {entry.artifact}"
    return dict(
        kind="read",
        action=entry.action or "?",
        target=format_target(entry.target),
        parameters=format_mapping(entry.parameters),
        outcome=entry.outcome or "?",
        outcome_unknown=False,
        duration_s=entry.duration_s,
        effect=output,
        reason="",
        error=entry.error or "",
        dry_run="",
    )


def _note_cells(entry: AuditEntry) -> dict[str, Any]:
    return dict(
        kind="note", action="note", target="", parameters="", outcome="", outcome_unknown=False,
        duration_s=None, effect=entry.text or "", reason="", error="", dry_run="",
    )


def _orphan_cells(entry: AuditEntry) -> dict[str, Any]:
    intent = (entry.refers_to or "?")[:8]
    return dict(
        kind="orphan",
        action=f"{entry.action or '?'} ({entry.kind} of intent {intent}…, not in this export)",
        target="",
        parameters="",
        outcome=entry.outcome or "",
        outcome_unknown=False,
        duration_s=entry.duration_s,
        effect=_effect_text(entry) if entry.kind == "effect" else "",
        reason="",
        error=entry.error or "",
        dry_run="",
    )


def _cause_name(cause: object) -> str:
    return CAUSE_TITLES.get(str(cause), str(cause))


def _percent(value: object) -> str:
    return f"{round(100 * value)}%" if isinstance(value, int | float) and not isinstance(value, bool) else "?"


def causes_text(ranking: Mapping[str, Any] | None, *, limit: int = 4) -> str:
    """A recorded ranking in one line: "Memory leak 82%, Cache bloat 58%, …", most likely first;
    "uncertain: …" when the ranking said it could not tell (and then the causes in the order recorded)."""
    if not isinstance(ranking, Mapping):
        return ""
    causes = [c for c in ranking.get("causes") or () if isinstance(c, Mapping)]
    shown = ", ".join(f"{_cause_name(c.get('cause'))} {_percent(c.get('confidence'))}" for c in causes[:limit])
    return f"uncertain: {shown}" if ranking.get("uncertain") else shown


def ranking_lines(ranking: Mapping[str, Any] | None, *, facts: int = 3) -> list[str]:
    """A recorded ranking for a reader: each cause with confidence and prior, the facts behind the
    likely ones with their source, and the gaps (what the ranking lacked)."""
    if not isinstance(ranking, Mapping):
        return []
    lines = []
    if ranking.get("uncertain"):
        lines.append("uncertain: the evidence was too thin to name a cause")
    for cause in ranking.get("causes") or ():
        if not isinstance(cause, Mapping):
            continue
        head = f"{_cause_name(cause.get('cause'))} {_percent(cause.get('confidence'))} (prior {_percent(cause.get('prior'))})"
        found = [f for f in cause.get("facts") or () if isinstance(f, Mapping)][:facts]
        if found:
            head += ": " + "; ".join(f"{f.get('text', '')} [{f.get('source', '?')}]" for f in found)
        lines.append(head)
    gaps = [g for g in ranking.get("gaps") or () if isinstance(g, Mapping)]
    if gaps:
        lines.append("missing: " + "; ".join(str(g.get("what", "")) + (f" ({g['action_id']})" if g.get("action_id") else "")
                                             for g in gaps))
    return lines


def _who(entry: AuditEntry) -> str:
    user = entry.user or {}
    kube, local = user.get("kube"), user.get("os")
    if kube and local:
        return f"{kube} ({local})"
    return str(kube or local or "?")


def format_target(target: Mapping[str, Any] | None) -> str:
    """``ConfigMap/sap-llm-config · pods: a, b`` and any other keys as ``k=v``."""
    if not target:
        return ""
    parts = []
    kind, name = target.get("kind"), target.get("name")
    if kind or name:
        parts.append("/".join(str(x) for x in (kind, name) if x))
    pods = target.get("pods")
    if pods:
        parts.append("pods: " + (", ".join(map(str, pods)) if isinstance(pods, list) else str(pods)))
    rest = {k: v for k, v in target.items() if k not in ("kind", "name", "pods")}
    if rest:
        parts.append(format_mapping(rest))
    return " · ".join(parts)


def format_mapping(values: Mapping[str, Any] | None) -> str:
    if not values:
        return ""
    return ", ".join(f"{k}={_scalar(v)}" for k, v in values.items())


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _effect_text(entry: AuditEntry, numbers: Mapping[str, int] | None = None) -> str:
    """The effect's summary; "action N" in it (overlaps, "until action N") becomes the row number
    of that action in *this* timeline, which is what the reader of the export can look up (memtui
    numbered the actions of its own session)."""
    if entry.summary:
        return _renumber(entry.summary, entry.after or {}, numbers or {})
    before, after = entry.before or {}, entry.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return ", ".join(f"{k}: {_scalar(before.get(k, '—'))} → {_scalar(after.get(k, '—'))}" for k in keys)


def _renumber(text: str, after: Mapping[str, Any], numbers: Mapping[str, int]) -> str:
    refs = list(after.get("overlaps") or [])
    until = (after.get("window") or {}).get("until") if isinstance(after.get("window"), Mapping) else None
    if until:
        refs.append(until)
    for ref in refs:
        if not isinstance(ref, Mapping) or ref.get("intent") not in numbers:
            continue
        name = ref.get("label") or ref.get("action")
        text = text.replace(f"action {ref.get('number')} ({name} at ", f"action {numbers[ref['intent']]} ({name} at ")
    return text


def _dry_run_text(dry_run: Mapping[str, Any] | None) -> str:
    if not dry_run:
        return ""
    outcome = dry_run.get("outcome")
    rest = {k: v for k, v in dry_run.items() if k != "outcome"}
    return " ".join(x for x in (str(outcome) if outcome else "", format_mapping(rest)) if x)


def _summarise(rows: tuple[TimelineRow, ...], used: tuple[AuditEntry, ...]) -> TimelineSummary:
    actions = [r for r in rows if r.kind == "action"]
    return TimelineSummary(
        actions=len(actions),
        succeeded=sum(r.outcome == "success" for r in actions),
        failed=sum(r.outcome == "failure" for r in actions),
        refused=sum(r.outcome == "refused" for r in actions),
        unknown=sum(r.outcome_unknown for r in actions),
        reads=sum(r.kind == "read" for r in rows),
        notes=sum(r.kind == "note" for r in rows),
        first_action=actions[0].time if actions else None,
        last_action=actions[-1].time if actions else None,
        start=rows[0].time if rows else None,
        end=rows[-1].time if rows else None,
        contexts=tuple(dict.fromkeys(e.context for e in used if e.context)),
        namespaces=tuple(dict.fromkeys(e.namespace for e in used if e.namespace)),
        team=sum(r.kind == "team" for r in rows),
    )
