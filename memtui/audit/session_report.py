"""The live cockpit's postmortem (the ``X`` key): the HTML report, and the Markdown with its SVG
charts folder, written beside the audit log.

The on-call gets the page people would rather read than a table: built from the audit log's
entries and what this session saw.  With the session's recording (``recording``): its memory
series (working sets, limits, Redis, GPU), the team's changes and the rankings on screen, read
while the recorder's writer thread keeps writing (a WAL reader sees every committed frame).
Without one: the cockpit's own history of the pods and the team's changes it keeps, as handed in.
The incident facts are the live state's (the header's alert start and basis, the escalation
reached now); when the live clock has stopped (the pods are back under the threshold), the
recording's, as it had them at the last change.

Blocking I/O: run it in a worker, with everything from the main thread passed in ``SessionInputs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from memtui.audit.entry import AuditEntry
from memtui.audit.errors import AuditError
from memtui.audit.export import charts_dir_for, export_report, write_export
from memtui.audit.reader import load_entries
from memtui.audit.recording_export import incident_of, read_frames, recording_series, with_rankings
from memtui.audit.report_data import IncidentFacts, ReportSeries, last_change
from memtui.audit.timeline import build_timeline
from memtui.recording.extract import rankings, team_changes
from memtui.state.snapshots import TeamChange

REACHED_WHEN = "when the report was written"


@dataclass(frozen=True)
class SessionInputs:
    """What the main thread knows when ``X`` is pressed."""

    audit_path: Path
    stamp: str
    """The files' time stamp (``20261127T021403Z``): ``<audit stem>-report-<stamp>.html`` and ``.md``."""
    now: datetime
    """The cockpit's clock: the charts end there, the escalation is read there."""
    incident: IncidentFacts
    """The live state's incident facts (started_at None: no incident on screen now)."""
    recording: Path | None = None
    """The session's recording, when it records."""
    history: Mapping[str, Sequence[tuple[datetime, float]]] | None = None
    """Without a recording: memtui's own history of the pods (pod → [(time, bytes)])."""
    team: tuple[TeamChange, ...] = ()
    """Without a recording: the team's changes the state keeps."""


@dataclass(frozen=True)
class SessionReport:
    html: Path
    markdown: Path
    charts: tuple[Path, ...]
    source: str
    """Where the figures came from (the recording, or memtui's own history)."""


def write_session_report(inputs: SessionInputs) -> SessionReport | None:
    """Write the report files (0600, the charts' folder 0700); ``None`` when there is nothing to
    report yet (no audited action, no team change); ``AuditError`` with one line on failure."""
    path = inputs.audit_path
    entries: list[AuditEntry] = []
    warnings: list[str] = []
    if path.exists():
        loaded = load_entries(path)
        entries = list(loaded.entries)
        warnings += [f"audit log: {p}" for p in loaded.problems]
    incident = inputs.incident
    if inputs.recording is not None:
        try:
            meta, frames = read_frames(inputs.recording)
        except AuditError as exc:
            warnings.append(f"the session's recording could not be read ({exc}): memtui's own history instead")
            team, series = inputs.team, _history_series(inputs.history)
        else:
            entries = with_rankings(entries, rankings(frames))
            team, series = team_changes(frames), recording_series(frames, meta, inputs.recording)
            if incident.started_at is None:
                last = last_change(build_timeline(entries, team=team))
                if last is not None:
                    recorded = incident_of(frames, meta.threshold_bytes, *last)
                    incident = recorded if recorded.started_at is not None else incident
    else:
        team, series = inputs.team, _history_series(inputs.history)
    if not entries and not team:
        return None
    html = path.with_name(f"{path.stem}-report-{inputs.stamp}.html")
    markdown = html.with_suffix(".md")
    for output, fmt in ((html, "html"), (markdown, "md")):
        written = write_export(output, export_report(
            entries, fmt=fmt, series=series, incident=incident, warnings=warnings, team=team,
            until=inputs.now, charts_dir=charts_dir_for(output) if fmt == "md" else None))
    return SessionReport(html, markdown, tuple(written[1:]), series.source)


def _history_series(history: Mapping[str, Sequence[tuple[datetime, float]]] | None) -> ReportSeries:
    return ReportSeries(
        working_set=dict(history or {}),
        source="memtui's own history of the pods (this session; no recording)",
        notes=("Limits, Redis and GPU memory left out: they come from the session's recording "
               "(memtui records by default; --no-record turns it off)",),
    )
