"""The postmortem timeline as Markdown, HTML, JSON or CSV.

Markdown is for the postmortem document (title, summary, table, charts); HTML is the same report
as one self-contained page with inline SVG charts (``html_report``); JSON carries the joined rows
*and* the raw entries, so tooling can re-verify hashes or dig into request bodies, and the
summary's incident facts (alert start and basis, escalation reached) as the page shows them; CSV is for a
spreadsheet.  All of them come from the same ``Timeline`` rows, and the charts of Markdown and
HTML from the same ``report_data.build_charts``, so they cannot disagree.  A Markdown file written
with ``-o report.md`` gets its charts as SVG files in ``report-charts/`` beside it (``write_export``);
on stdout it keeps the text chart.  The team's changes (from a recording, ``team=``) are rows of
kind ``team`` among memtui's own.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from memtui.audit.chart import ChartUnavailable, memory_chart
from memtui.audit.entry import AuditEntry
from memtui.audit.errors import AuditError
from memtui.audit.report_data import CHART_MARGIN, Chart, IncidentFacts, ReportSeries, build_charts, marks_of, window_of
from memtui.audit.timeline import Timeline, TimelineRow, TimelineSummary, build_timeline, ranking_lines
from memtui.audit.times import format_time
from memtui.audit.verify import VerifyReport
from memtui.state.snapshots import TeamChange

Format = Literal["md", "html", "json", "csv"]
FORMATS: tuple[str, ...] = ("md", "html", "json", "csv")
MemorySeries = Mapping[str, Sequence[tuple[datetime, float]]]
__all__ = ["CHART_MARGIN", "FORMATS", "Export", "export_report", "export_timeline", "write_export"]

CSV_COLUMNS = (
    "number", "time", "who", "kind", "action", "target", "parameters", "outcome", "outcome_unknown",
    "duration_s", "effect", "reason", "error", "dry_run", "entry_id", "seq", "causes",
)
_MD_HEADER = (
    "#", "Time (UTC)", "Who", "Action", "Target", "Parameters", "Outcome", "Duration", "Effect / output", "Reason",
    "Top causes then",
)


@dataclass(frozen=True)
class Export:
    """An export's text and, for a Markdown file with charts, the SVG files beside it
    (path relative to the text's directory → SVG)."""

    text: str
    files: Mapping[str, str] = field(default_factory=dict)


def charts_dir_for(output: Path | str) -> str:
    """``postmortem.md`` → ``postmortem-charts``: the folder of its SVGs, named after the file."""
    return f"{Path(output).stem}-charts"


def export_report(
    entries: Iterable[AuditEntry],
    *,
    fmt: Format | str = "md",
    since: datetime | None = None,
    series: ReportSeries | None = None,
    incident: IncidentFacts | None = None,
    verify_report: VerifyReport | None = None,
    warnings: Sequence[str] = (),
    limits_after_fix: Sequence[tuple[str, Mapping[str, Any]]] = (),
    charts_dir: str | None = None,
    team: Iterable[TeamChange] = (),
    until: datetime | None = None,
) -> Export:
    """The export of ``entries`` in ``fmt``.  ``series``: the charts' figures (Prometheus or a
    recording); ``incident``: the alert start and escalation for the summary; ``charts_dir``: for
    Markdown written to a file, the folder (relative) its SVG charts go to, else a text chart.
    ``team``: the team's changes (``memtui.recording.extract.team_changes``), rows of kind ``team``;
    ``until``: the charts end there at the latest (now; the end of a recording)."""
    if fmt not in FORMATS:
        raise AuditError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    timeline = build_timeline(entries, since=since, team=team)
    if fmt == "json":
        return Export(_json(timeline, verify_report, warnings, limits_after_fix, incident))
    if fmt == "csv":
        return Export(_csv(timeline.rows))
    charts = build_charts(timeline, series, until=until) if series is not None else []
    if fmt == "html":
        from memtui import __version__
        from memtui.audit.html_report import render_html

        return Export(render_html(timeline, charts, incident=incident, verify_report=verify_report, warnings=warnings,
                                  limits_after_fix=limits_after_fix, source=series.source if series else "",
                                  notes=series.notes if series else (), version=__version__))
    files: dict[str, str] = {}
    if charts_dir is not None and series is not None:
        from memtui.audit.svg_chart import render_svg

        files = {f"{charts_dir}/{chart.name}.svg": render_svg(chart, standalone=True) for chart in charts}
    text = _markdown(timeline, series, verify_report, warnings, limits_after_fix, incident=incident,
                     charts=charts if charts_dir is not None else None, charts_dir=charts_dir)
    return Export(text, files)


def write_export(output: Path | str, export: Export) -> list[Path]:
    """Write the export's text to ``output`` and its chart files beside it: files 0600, the charts'
    folder 0700 (a postmortem names pods, users and reasons: like the audit log, it is the
    operator's).  An existing file is replaced.  Returns the paths written; ``AuditError`` on failure."""
    target = Path(output)
    written = []
    try:
        for relative, content in [*export.files.items()]:
            path = target.parent / relative
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write_private(path, content)
            written.append(path)
        _write_private(target, export.text)
    except OSError as exc:
        raise AuditError(f"cannot write {exc.filename or target}: {exc.strerror or exc}") from None
    return [target, *written]


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def export_timeline(
    entries: Iterable[AuditEntry],
    *,
    fmt: Format | str = "md",
    since: datetime | None = None,
    memory_series: MemorySeries | None = None,
    verify_report: VerifyReport | None = None,
    warnings: Sequence[str] = (),
    limits_after_fix: Sequence[tuple[str, Mapping[str, Any]]] = (),
    team: Iterable[TeamChange] = (),
) -> str:
    """Render the timeline of ``entries`` (e.g. ``load_entries(path)``).

    ``since`` drops rows that started before it; ``memory_series`` (pod → [(time, bytes)]) adds a
    chart to the Markdown; ``verify_report`` and ``warnings`` are stated in the export so a reader
    knows how far to trust it.  ``limits_after_fix``: (Markdown line, figures) per affected
    deployment and container (``memtui.audit.limits``), the limit the history advises after the fix.
    The text only: ``export_report`` for the charts of a report and its files.
    """
    series = None if memory_series is None else ReportSeries(working_set=memory_series)
    return export_report(entries, fmt=fmt, since=since, series=series, verify_report=verify_report,
                         warnings=warnings, limits_after_fix=limits_after_fix, team=team).text


# -- JSON / CSV ------------------------------------------------------------------------------------


def _json(timeline: Timeline, report: VerifyReport | None, warnings: Sequence[str],
          limits: Sequence[tuple[str, Mapping[str, Any]]] = (), incident: IncidentFacts | None = None) -> str:
    s = timeline.summary
    document = {
        "incident": _incident_json(incident),
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
        "team_changes": [_team_json(change) for change in timeline.team],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _incident_json(incident: IncidentFacts | None) -> dict[str, Any] | None:
    """The summary's incident facts, as the HTML and Markdown show them: the alert start and its
    basis (or why it is unknown), and the escalation level reached, when and how far into the
    incident.  ``None`` when the export had no source for them (no Prometheus, no recording)."""
    if incident is None:
        return None
    level = incident.escalation
    return {
        "alert_start": _iso(incident.started_at),
        "basis": incident.basis or None,
        "note": incident.note or None,
        "escalation": None if level is None else {
            "level": level.level, "who": level.who, "reached_at": _iso(incident.reached_at),
            "when": incident.reached_when,
            "minutes_in": None if incident.minutes_in is None else round(incident.minutes_in, 1),
        },
    }


def _team_json(change: TeamChange) -> dict[str, Any]:
    """A team change with its fields (values as the source redacted them), for tooling."""
    return {
        "time": format_time(change.at), "kind": change.kind, "name": change.name, "what": change.what,
        "summary": change.summary, "who": change.who, "manager": change.manager, "operation": change.operation,
        "subresource": change.subresource, "user": change.user, "key": change.key,
        "changes": [{"path": c.path, "before": c.before, "after": c.after} for c in change.changes],
    }


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
    timeline: Timeline, series: ReportSeries | None, report: VerifyReport | None, warnings: Sequence[str],
    limits: Sequence[tuple[str, Mapping[str, Any]]] = (), *, incident: IncidentFacts | None = None,
    charts: Sequence[Chart] | None = None, charts_dir: str | None = None,
) -> str:
    s = timeline.summary
    where = " / ".join(x for x in (", ".join(s.contexts), ", ".join(s.namespaces)) if x) or "no entries"
    lines = [f"# memtui audit timeline: {where}", ""]
    lines.append(f"Period: {_period(s)}")
    lines.append("")
    lines.extend(_incident_lines(incident))
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
        if charts is not None and charts_dir is not None:
            lines.extend(_chart_files_section(series, charts, charts_dir))
        else:
            lines.extend(_chart_section(timeline, series))
    return "\n".join(lines) + "\n"


def _incident_lines(incident: IncidentFacts | None) -> list[str]:
    if incident is None:
        return []
    if incident.started_at is None:
        return [f"- Alert start: unknown ({_inline(incident.note or 'no alert source')})"]
    out = [f"- Alert start: {format_time(incident.started_at)} (basis: {incident.basis})"]
    level = incident.escalation
    if level is not None:
        out.append(f"- Escalation reached: L{level.level} {level.who}, {incident.minutes_in or 0:.0f} min into the "
                   f"incident {incident.reached_when}")
    return out


def _chart_files_section(series: ReportSeries, charts: Sequence[Chart], charts_dir: str) -> list[str]:
    out = ["## Memory around the changes", ""]
    if series.source:
        out += [f"Figures from {_inline(series.source)}. Numbered lines are the rows of the timeline; the dashed "
                "line is the limit.", ""]
    out.extend(f"- Note: {_inline(note)}" for note in series.notes)
    if series.notes:
        out.append("")
    if not charts:
        return [*out, "No memory samples in this period."]
    for chart in charts:
        alt = _inline(chart.title).replace("[", "(").replace("]", ")")
        out.append(f"![{alt}]({charts_dir}/{chart.name}.svg)")
        if chart.note:
            out.append(f"*{_inline(chart.note)}*")
        out.append("")
    return out[:-1]


def _summary_lines(s: TimelineSummary, rows: Sequence[TimelineRow]) -> list[str]:
    out = [
        f"- Actions taken: {s.actions} ({s.succeeded} succeeded, {s.failed} failed, {s.refused} refused, "
        f"{s.unknown} outcome unknown); {s.reads} diagnose steps; {s.notes} notes",
    ]
    if s.team:
        out.append(f"- Changes by others in the namespace (the team's, from the recording): {s.team}")
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


def _chart_section(timeline: Timeline, series: ReportSeries) -> list[str]:
    start, end = window_of(timeline) or (None, None)
    marks = marks_of(timeline)
    heading = "## Pod memory around the actions"
    try:
        chart = memory_chart(series.working_set, marks, start=start, end=end)
    except ChartUnavailable as exc:
        return [heading, "", f"Chart unavailable: {exc}"]
    if not chart:
        return [heading, "", "No memory samples in this period."]
    return [heading, "", "```text", chart, "```"]


def _cell(text: str) -> str:
    """Table cells: a ``|`` would end the cell, a newline the row."""
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    """One line, with ``<``, ``>`` and ``&`` as entities: most Markdown viewers render raw HTML, and a
    reason or a pod name from outside must show as text there too (``<img onerror=…>`` ran in one)."""
    return html.escape(" ".join(str(text).split()), quote=False)


def _iso(moment: datetime | None) -> str | None:
    return format_time(moment) if moment is not None else None


def _period(s: TimelineSummary) -> str:
    if s.start is None or s.end is None:
        return "no entries"
    return f"{format_time(s.start)} → {format_time(s.end)} (UTC)"
