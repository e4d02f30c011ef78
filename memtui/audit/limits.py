"""The postmortem's "what should the limit be after the fix", per affected deployment and container.

The same advice the raise-limit modal gives (``memtui.reasoning.limit_advice``), taken over the
time *after* the last fix on each deployment: its peak working set since then, plus the headroom,
plus what the growth still left adds over the horizon.  A deployment is affected when a change
that succeeded targeted it or its pods (``before.deployment`` of a template change or a ConfigMap
fix, or a memory-limit plan's advice).  With Prometheus the figures are per container; without
it they are the effect entries' per-pod figures (working set and growth after the action), and the
line says so.  A window after the fix under an hour is said to be short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memtui.audit.entry import AuditEntry
from memtui.audit.times import as_utc, format_time
from memtui.reasoning.limit_advice import DEFAULT_SETTINGS, AdviceSettings, LimitAdvice, UsageHistory, advise, span_text
from memtui.state.units import format_bytes, format_rate


@dataclass(frozen=True)
class Affected:
    """A deployment a fix changed, when the last fix that succeeded was sent, and what is known."""

    namespace: str
    deployment: str
    fixed_at: datetime
    action: str
    containers: tuple[str, ...] = ()
    """Containers named by a memory-limit plan (else: whatever Prometheus finds in its pods)."""
    limit_now: str | None = None
    """The limit the last memory-limit change set, if one succeeded."""
    working_set_after: int | None = None
    """From the last effect entry: the highest working set of the pods measured after the fix."""
    growth_after_per_min: float | None = None
    effect_window_s: float | None = None


@dataclass(frozen=True)
class ContainerPeak:
    """What Prometheus says of one container after the fix: peak over the window, growth at its end."""

    container: str
    peak_bytes: int | None
    growth_bytes_per_s: float | None


def affected_deployments(entries: Iterable[AuditEntry]) -> list[Affected]:
    """Every deployment a succeeded fix touched, with the last such fix (time order of the log)."""
    entries = list(entries)
    results = {e.refers_to: e for e in entries if e.kind == "result" and e.refers_to}
    effects: dict[str, AuditEntry] = {}
    for e in entries:
        if e.kind == "effect" and e.refers_to and e.after:
            effects[e.refers_to] = e
    found: dict[tuple[str, str], Affected] = {}
    for e in entries:
        if e.kind != "intent" or (results.get(e.id) is None or results[e.id].outcome != "success"):
            continue
        if (e.action or "").endswith(".undo"):
            continue
        before: Mapping[str, Any] = e.before or {}
        advice = before.get("limit_advice") or {}
        deployment = advice.get("deployment") or before.get("deployment")
        if not deployment:
            continue
        namespace = e.namespace or ""
        key = (namespace, str(deployment))
        old = found.get(key)
        containers = tuple(sorted(set((old.containers if old else ()) + ((advice["container"],)
                                                                          if advice.get("container") else ()))))
        limit_now = old.limit_now if old else None
        if advice:
            limit_now = str((e.parameters or {}).get("limit") or limit_now or "") or None
        effect = effects.get(e.id)
        targets = list(((effect.after or {}).get("targets") or []) if effect is not None else [])
        sets = [t["working_set_after"] for t in targets if t.get("working_set_after") is not None]
        growths = [t["growth_per_min_after"] for t in targets if t.get("growth_per_min_after") is not None]
        spans = [(_parse(w["end"]) - _parse(w["start"])).total_seconds()
                 for t in targets if (w := t.get("window") or {}).get("start") and w.get("end")]
        found[key] = Affected(namespace, str(deployment), _parse(e.time), e.action or "?", containers, limit_now,
                              max(sets) if sets else None, max(growths) if growths else None,
                              max(spans) if spans else None)
    return sorted(found.values(), key=lambda a: (a.namespace, a.deployment))


def advice_after_fix(affected: Affected, end: datetime, peaks: Iterable[ContainerPeak] | None,
                     settings: AdviceSettings = DEFAULT_SETTINGS) -> list[LimitAdvice]:
    """The advice per container: from Prometheus ``peaks`` when given, else the effect's figures."""
    window = max(0.0, (as_utc(end) - as_utc(affected.fixed_at)).total_seconds())
    if peaks is not None:
        out = []
        for peak in peaks:
            if affected.containers and peak.container not in affected.containers:
                continue
            history = UsageHistory(affected.deployment, peak.container, "prometheus", peak.peak_bytes, window,
                                   window, growth_bytes_per_s=peak.growth_bytes_per_s,
                                   note=f"since {format_time(affected.fixed_at)}, after {affected.action}")
            out.append(advise(history, settings))
        if out:
            return out
    container = ",".join(affected.containers) or "(all containers)"
    growth = None if affected.growth_after_per_min is None else affected.growth_after_per_min / 60.0
    history = UsageHistory(affected.deployment, container, "memtui", affected.working_set_after,
                           affected.effect_window_s or 0.0, growth_bytes_per_s=growth,
                           note="the effect entry's per-pod figures after the fix" if affected.working_set_after
                           is not None else "no effect measured after the fix and no Prometheus")
    return [advise(history, settings)]


def limit_lines(affected: Affected, advices: Iterable[LimitAdvice]) -> list[str]:
    """Markdown bullet lines: one per container."""
    lines = []
    for advice in advices:
        h = advice.history
        head = f"deployment/{affected.deployment} container {h.container}"
        if advice.quantity is None:
            lines.append(f"- {head}: no figure ({h.note or 'no history after the fix'})")
            continue
        terms = f"peak {format_bytes(advice.peak_bytes)} + {advice.settings.headroom:.0%}"
        if advice.growth_bytes:
            terms += (f" + {format_rate((h.growth_bytes_per_s or 0) * 60)} × {span_text(advice.settings.horizon_s)}")
        else:
            terms += ", no growth left" if h.growth_bytes_per_s is not None else ", growth unknown"
        source = "Prometheus" if h.source == "prometheus" else "memtui's effect figures (per pod)"
        window = span_text(h.window_s) if h.window_s else "an unknown time"
        short = " (under an hour after the fix: check again later)" if h.window_s < 3600 else ""
        now = f"; the limit set during the incident: {affected.limit_now}" if affected.limit_now else ""
        lines.append(f"- {head}: **{advice.quantity}** ({terms}; {source}, {window} after "
                     f"{affected.action} at {format_time(affected.fixed_at)}){short}{now}")
    return lines


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
