"""The postmortem from a recording (``memtui replay FILE --export html|md [-o FILE]``).

A recording holds what the cockpit saw, so the report needs no Prometheus: the audit entries
the session wrote (``audit`` frames), the team's changes it saw (``team`` rows), the memory it measured (``recording.extract.memory_series``:
working sets and limits from the Kubernetes polls, Prometheus' figures and backfill, Redis INFO,
GPU), the cause ranking as it changed, and the incident clock as the cockpit had it (the frames
folded into a ``CockpitState``, as replay does).  An intent recorded before memtui stored its
ranking in the entry gets the ranking that was on screen when it was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from memtui.audit.entry import AuditEntry
from memtui.audit.errors import AuditError
from memtui.audit.export import Export, charts_dir_for, export_report, write_export
from memtui.audit.report_data import MIB, IncidentFacts, ReportSeries, last_change
from memtui.audit.timeline import build_timeline
from memtui.recording.extract import audit_payloads, memory_series, rankings, team_changes
from memtui.recording.fold import apply_frame
from memtui.recording.model import STATE_KINDS, Frame, RecordingMeta
from memtui.recording.store import RecordingError, RecordingReader
from memtui.state.snapshots import TeamChange

EXPORT_FORMATS = ("html", "md")


@dataclass(frozen=True)
class RecordedIncident:
    entries: tuple[AuditEntry, ...]
    series: ReportSeries
    incident: IncidentFacts
    warnings: tuple[str, ...] = ()
    end: datetime | None = None
    """The last frame's time: the charts stop there."""
    team: tuple[TeamChange, ...] = ()
    """The team's changes the session saw: timeline rows (and chart marks) of kind ``team``."""


def read_recording(path: Path | str) -> RecordedIncident:
    """Everything the report takes from the recording at ``path``; ``AuditError`` with one line if
    it cannot be read."""
    meta, frames = read_frames(path)
    warnings: list[str] = []
    entries: list[AuditEntry] = []
    for payload in audit_payloads(frames):
        try:
            entries.append(AuditEntry.from_json(payload))
        except (ValueError, TypeError) as exc:
            warnings.append(f"an audit frame left out: {exc}")
    entries = with_rankings(entries, rankings(frames))
    series = recording_series(frames, meta, path)
    team = team_changes(frames)
    timeline = build_timeline(entries, team=team)
    last = last_change(timeline)
    end = frames[-1].at if frames else None
    reached_at, reached_when = last if last else (end, "at the end of the recording")
    incident = incident_of(frames, meta.threshold_bytes, reached_at, reached_when)
    return RecordedIncident(tuple(entries), series, incident, tuple(warnings), end, team)


def read_frames(path: Path | str) -> tuple[RecordingMeta, list[Frame]]:
    """The header and every committed frame of the recording at ``path`` (one that another
    memtui is still writing too: WAL); ``AuditError`` with one line if it cannot be read."""
    try:
        reader = RecordingReader(path)
    except RecordingError as exc:
        raise AuditError(str(exc)) from None
    try:
        return reader.meta, list(reader.frames())
    except RecordingError as exc:
        raise AuditError(str(exc)) from None
    finally:
        reader.close()


def recording_series(frames: list[Frame], meta: RecordingMeta, path: Path | str) -> ReportSeries:
    """The charts' figures from a recording's frames (``extract.memory_series``), its name and
    header as the charts' source, and notes for what the session did not read."""
    recorded = memory_series(frames)
    return ReportSeries(
        working_set=recorded.working_set, limit=recorded.limit, redis_used=recorded.redis_used,
        redis_max=recorded.redis_max,
        gpu_used={p: [(t, v * MIB) for t, v in pts] for p, pts in recorded.gpu_used_mib.items()},
        gpu_total={p: [(t, v * MIB) for t, v in pts] for p, pts in recorded.gpu_total_mib.items()},
        source=f"the recording {Path(path).name} ({meta.context} / {meta.namespace}, started "
               f"{meta.started_at:%Y-%m-%d %H:%M:%S} UTC)",
        notes=tuple(n for n, missing in (
            ("Redis memory left out: the session read no Redis", not recorded.redis_used),
            ("GPU memory left out: the session read no GPU figures", not recorded.gpu_used_mib)) if missing),
    )


def with_rankings(entries: list[AuditEntry], shown: list[tuple[datetime, Mapping[str, Any]]]) -> list[AuditEntry]:
    """Intents and reads without a ranking of their own get the one on screen when they were written."""
    out = []
    for entry in entries:
        if entry.kind in ("intent", "read") and entry.ranking is None:
            before = [r for at, r in shown if at <= entry.timestamp]
            if before:
                entry = replace(entry, ranking=before[-1])
        out.append(entry)
    return out


def incident_of(frames: list[Frame], threshold: int, reached_at: datetime | None, when: str) -> IncidentFacts:
    """The incident clock as the cockpit had it at ``reached_at`` (the frames folded up to then)."""
    from memtui.config.settings import DEFAULT_THRESHOLD
    from memtui.state.cockpit import CockpitState
    from memtui.state.units import parse_bytes

    now: list[datetime] = [frames[0].at] if frames else []
    state = CockpitState(threshold_bytes=threshold or parse_bytes(DEFAULT_THRESHOLD), clock=lambda: now[0])
    started, basis = None, ""
    for frame in frames:
        if reached_at is not None and frame.at > reached_at:
            break
        if frame.kind not in STATE_KINDS:
            continue
        now[0] = frame.at
        apply_frame(state, frame)
        if state.incident.started_at is not None:
            started, basis = state.incident.started_at, state.incident.basis
    if started is None:
        return IncidentFacts(None, "", note="no pod over the threshold and no firing alert in the recording")
    return IncidentFacts(started, basis, reached_at, when)


def export_recording(path: Path | str, fmt: str, output: Path | str | None = None) -> Export:
    """The report of the recording at ``path`` in ``fmt`` (html or md); written to ``output``
    (0600, a Markdown's charts in ``<name>-charts/``) when given."""
    if fmt not in EXPORT_FORMATS:
        raise AuditError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    export = _export(read_recording(path), fmt, output)
    if output is not None:
        write_export(output, export)
    return export


def _export(recorded: RecordedIncident, fmt: str, output: Path | str | None) -> Export:
    return export_report(recorded.entries, fmt=fmt, series=recorded.series, incident=recorded.incident,
                         warnings=recorded.warnings, charts_dir=charts_dir_for(output) if output else None,
                         until=recorded.end, team=recorded.team)


def write_recording_report(path: Path | str, fallback_dir: Path | str) -> tuple[Path, Path]:
    """The replay's ``X``: the recording's HTML report and its Markdown (charts in
    ``<name>-charts/``) as ``<recording stem>-report.html``/``.md`` beside the recording, or in
    ``fallback_dir`` (the current directory) when that folder cannot be written (a colleague's
    recording, a read-only mount).  The recording is read once.  Returns both paths."""
    recording = Path(path)
    recorded = read_recording(recording)
    try:
        return _write_both(recorded, recording.parent, recording.stem)
    except AuditError:
        if Path(fallback_dir).resolve() == recording.parent.resolve():
            raise
        return _write_both(recorded, Path(fallback_dir), recording.stem)


def _write_both(recorded: RecordedIncident, folder: Path, stem: str) -> tuple[Path, Path]:
    html = folder / f"{stem}-report.html"
    markdown = html.with_suffix(".md")
    for output, fmt in ((html, "html"), (markdown, "md")):
        write_export(output, _export(recorded, fmt, output))
    return html, markdown
