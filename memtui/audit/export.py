"""The postmortem timeline as Markdown, JSON or CSV.

Markdown is for the postmortem document (title, summary, table, memory chart); JSON carries the
joined rows *and* the raw entries, so tooling can re-verify hashes or dig into request bodies; CSV
is for a spreadsheet.  All three come from the same ``Timeline`` rows, so they cannot disagree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from memtui.audit.chart import ChartMark, ChartUnavailable, memory_chart
from memtui.audit.entry import AuditEntry
from memtui.audit.errors import AuditError
from memtui.audit.timeline import Timeline, TimelineRow, TimelineSummary, build_timeline, ranking_lines
from memtui.audit.times import format_time
from memtui.audit.verify import VerifyReport

Format = Literal["md", "json", "csv"]
FORMATS: tuple[str, ...] = ("md", "json", "csv")
MemorySeries = Mapping[str, Sequence[tuple[datetime, float]]]

CSV_COLUMNS = (
    "number", "time", "who", "kind", "action", "target", "parameters", "outcome", "outcome_unknown",
    "duration_s", "effect", "reason", "error", "dry_run", "entry_id", "seq", "causes",
)
_MD_HEADER = (
    "#", "Time (UTC)", "Who", "Action", "Target", "Parameters", "Outcome", "Duration", "Effect / output", "Reason",
    "Top causes then",
)
CHART_MARGIN = timedelta(minutes=10)
"""How much memory history around the first and last action the chart shows."""


def export_timeline(
    entries: Iterable[AuditEntry],
    *,
    fmt: Format | str = "md",
    since: datetime | None = None,
    memory_series: MemorySeries | None = None,
    verify_report: VerifyReport | None = None,
    warnings: Sequence[str] = (),
    limits_after_fix: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> str:
    """Render the timeline of ``entries`` (e.g. ``load_entries(path)``).

    ``since`` drops rows that started before it; ``memory_series`` (pod → [(time, bytes)]) adds a
    chart to the Markdown; ``verify_report`` and ``warnings`` are stated in the export so a reader
    knows how far to trust it.  ``limits_after_fix``: (Markdown line, figures) per affected
    deployment and container (``memtui.audit.limits``), the limit the history advises after the fix.
    """
    if fmt not in FORMATS:
        raise AuditError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    timeline = build_timeline(entries, since=since)
    if fmt == "json":
        return _json(timeline, verify_report, warnings, limits_after_fix)
    if fmt == "csv":
        return _csv(timeline.rows)
    return _markdown(timeline, memory_series, verify_report, warnings, limits_after_fix)


# -- JSON / CSV ------------------------------------------------------------------------------------


def _json(timeline: Timeline, report: VerifyReport | None, warnings: Sequence[str],
          limits: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> str:
    s = timeline.summary
    document = {
        "contexts": list(s.contexts),
        "namespaces": list(s.namespaces),
        "period": {"start": _iso(s.start), "end": _iso(s.end)},
        "summary": {
            "actions": s.actions, "succeeded": s.succeeded, "failed": s.failed, "refused": s.refused,
            "outcome_unknown": s.unknown, "reads": s.reads, "notes": s.notes,
            "first_action": _iso(s.first_action), "last_action": _iso(s.last_action),
        },
        "integrity": None if report is None else {"ok": report.ok, "detail": report.describe()},
        "warnings": list(warnings),
        "limits_after_fix": [dict(figures) for _, figures in limits],
        "rows": [row.as_dict() for row in timeline.rows],
        "entries": [entry.to_json() for entry in timeline.entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _csv(rows: Sequence[TimelineRow]) -> str:
    buffer = io.StringIO()
    out = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    out.writeheader()
    for row in rows:
        values = row.as_dict()
        out.writerow({k: "" if values[k] is None else values[k] for k in CSV_COLUMNS})
    return buffer.getvalue()


# -- Markdown --------------------------------------------------------------------------------------


def _markdown(
    timeline: Timeline, series: MemorySeries | None, report: VerifyReport | None, warnings: Sequence[str],
    limits: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> str:
    s = timeline.summary
    where = " / ".join(x for x in (", ".join(s.contexts), ", ".join(s.namespaces)) if x) or "no entries"
    lines = [f"# memtui audit timeline: {where}", ""]
    lines.append(f"Period: {_period(s)}")
    lines.append("")
    lines.extend(_summary_lines(s, timeline.rows))
    if report is not None:
        lines.append(f"- Integrity: {report.describe()}")
    for warning in warnings:
        lines.append(f"- Warning: {_inline(warning)}")
    lines.append("")
    if timeline.rows:
        lines.append("| " + " | ".join(_MD_HEADER) + " |")
        lines.append("|" + "|".join("---" for _ in _MD_HEADER) + "|")
        lines.extend(_md_row(row) for row in timeline.rows)
        lines.extend(_why_section(timeline.rows))
    else:
        lines.append("No actions recorded in this period.")
    if limits:
        lines.extend(["", "## Memory limit after the fix", "",
                      "What the history after the last fix advises (peak working set + headroom + what the "
                      "growth left adds over the horizon), per affected deployment and container:", ""])
        lines.extend(line for line, _ in limits)
    if series is not None:
        lines.append("")
        lines.extend(_chart_section(timeline, series))
    return "\n".join(lines) + "\n"


def _summary_lines(s: TimelineSummary, rows: Sequence[TimelineRow]) -> list[str]:
    out = [
        f"- Actions taken: {s.actions} ({s.succeeded} succeeded, {s.failed} failed, {s.refused} refused, "
        f"{s.unknown} outcome unknown); {s.reads} diagnose steps; {s.notes} notes",
    ]
    if s.first_action is not None and s.last_action is not None:
        first = next(r for r in rows if r.kind == "action")
        last = [r for r in rows if r.kind == "action"][-1]
        out.append(f"- First action: {format_time(s.first_action)} {_inline(first.action)} (#{first.number})")
        out.append(f"- Last action: {format_time(s.last_action)} {_inline(last.action)} (#{last.number})")
    if s.unknown:
        numbers = ", ".join(f"#{r.number}" for r in rows if r.outcome_unknown)
        out.append(
            f"- **⚠ {s.unknown} action{'s' if s.unknown > 1 else ''} with OUTCOME UNKNOWN ({numbers})**: memtui "
            "recorded the intent and then stopped before recording a result. The change may have been "
            "applied: check the target in the cluster before assuming it was not."
        )
    return out


def _md_row(row: TimelineRow) -> str:
    outcome = row.outcome
    if row.outcome_unknown:
        outcome = f"**⚠ {row.outcome.upper()}**"
    elif row.error:
        outcome = f"{row.outcome}: {row.error}"
    if row.dry_run:
        outcome = f"{outcome} (dry run: {row.dry_run})"
    cells = (
        str(row.number),
        f"{row.time:%Y-%m-%d %H:%M:%S}",
        row.who,
        f"`{row.action}`" if row.kind in ("action", "read") else row.action,
        row.target,
        row.parameters,
        outcome,
        "" if row.duration_s is None else f"{row.duration_s:.2f} s",
        row.effect,
        row.reason,
        row.causes,
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _why_section(rows: Sequence[TimelineRow]) -> list[str]:
    """Per action taken under a recorded ranking: the causes, the facts and their sources, the gaps."""
    chosen = [r for r in rows if r.kind in ("action", "read") and r.ranking]
    if not chosen:
        return []
    out = ["", "## Why each action was chosen (the cause ranking at the time)", ""]
    for row in chosen:
        out.append(f"- **#{row.number}** {row.time:%H:%M:%S} `{_inline(row.action)}`")
        out.extend(f"  - {_inline(line)}" for line in ranking_lines(row.ranking))
    return out


def _chart_section(timeline: Timeline, series: MemorySeries) -> list[str]:
    s = timeline.summary
    start = s.start - CHART_MARGIN if s.start else None
    end = s.end + CHART_MARGIN if s.end else None
    marks = [ChartMark(r.number, r.time, r.action) for r in timeline.rows if r.kind == "action"]
    heading = "## Pod memory around the actions"
    try:
        chart = memory_chart(series, marks, start=start, end=end)
    except ChartUnavailable as exc:
        return [heading, "", f"Chart unavailable: {exc}"]
    if not chart:
        return [heading, "", "No memory samples in this period."]
    return [heading, "", "```text", chart, "```"]


def _cell(text: str) -> str:
    """Table cells: a ``|`` would end the cell, a newline the row."""
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    return " ".join(str(text).split())


def _iso(moment: datetime | None) -> str | None:
    return format_time(moment) if moment is not None else None


def _period(s: TimelineSummary) -> str:
    if s.start is None or s.end is None:
        return "no entries"
    return f"{format_time(s.start)} → {format_time(s.end)} (UTC)"
