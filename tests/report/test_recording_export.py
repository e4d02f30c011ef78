"""The postmortem from a recording: the series are the recorded snapshots' figures, the audit
entries and rankings come from their frames, the incident clock is the cockpit's; ``memtui replay
FILE --export html|md`` writes it, and the page renders in Chromium without errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from memtui.audit.recording_export import export_recording, read_recording
from memtui.audit.report_data import build_charts
from memtui.audit.timeline import build_timeline
from memtui.cli import main as memtui_main
from memtui.demo.recorded_incident import HOSTILE, record_incident
from memtui.recording.extract import memory_series
from memtui.recording.store import RecordingReader
from memtui.state.incident import BASIS_CROSSING
from tests.report.browser import open_page


@pytest.fixture
def recorded(sim, tmp_path):
    return record_incident(sim, tmp_path / "rec" / "session.memtui-rec")


def test_the_series_are_the_recorded_snapshots_figures(recorded):
    series = memory_series(RecordingReader(recorded.path))
    worst = recorded.worst
    expected = sorted((u.timestamp, float(u.working_set_bytes)) for snap in recorded.kube
                      for u in snap.usage.values() if u.pod == worst)
    assert series.working_set[worst] == expected
    # the limit is the pod's containers' limits, at each poll until the pod was gone
    limits = {v for _, v in series.limit[worst]}
    pod = next(p for p in recorded.kube[0].pods if p.name == worst)
    assert limits == {float(sum(c.memory_limit_bytes for c in pod.containers))}
    # the rollout restart replaced the pod: its working set stops at the restart, new pods start under it
    assert series.working_set[worst][-1][0] <= recorded.restart_at + timedelta(minutes=1)
    assert series.redis_used and series.redis_max and {v for _, v in series.redis_max} == {0.0}
    assert series.gpu_used_mib and all(v > 0 for pts in series.gpu_used_mib.values() for _, v in pts)
    for pod, used in series.gpu_used_mib.items():  # nvidia-smi's total is above what is used, at each reading
        assert all(u < t for (_, u), (_, t) in zip(used, series.gpu_total_mib[pod], strict=True))


def test_the_report_of_a_recording_has_its_entries_rankings_incident_and_charts(recorded):
    incident = read_recording(recorded.path)
    timeline = build_timeline(incident.entries)
    assert [(r.kind, r.action) for r in timeline.rows] == [
        ("read", "diagnose.top-pods"), ("action", "fix.reduce-batch-size"), ("action", "fix.rollout-restart")]
    # the read recorded no ranking of its own: it gets the one on screen (the ranking frame before it)
    assert timeline.rows[0].ranking == recorded.shown_ranking
    assert timeline.rows[2].causes.startswith("Memory leak 86%")
    facts = incident.incident
    assert facts.basis == BASIS_CROSSING and facts.started_at is not None
    assert facts.started_at <= timeline.rows[0].time and facts.reached_at == timeline.rows[2].time
    assert facts.escalation is not None and facts.reached_when == "at the last change (#3)"
    charts = build_charts(timeline, incident.series, until=incident.end)
    names = [c.name for c in charts]
    assert names[0] == f"pod-{recorded.worst}" and "redis" in names and "gpu" in names
    assert all(c.end <= incident.end for c in charts)
    assert [m.number for m in charts[0].marks] == [2, 3]


def test_replay_export_writes_the_html_and_the_markdown_with_its_charts(recorded, tmp_path, capsys, chromium):
    html = tmp_path / "out" / "pm.html"
    html.parent.mkdir()
    assert memtui_main(["replay", str(recorded.path), "--export", "html", "-o", str(html)]) == 0
    assert f"wrote the report of {recorded.path} to {html}" in capsys.readouterr().err
    text = html.read_text(encoding="utf-8")
    assert HOSTILE not in text and "Figures from the recording session.memtui-rec" in text
    with open_page(html) as page:
        charts = page.evaluate("document.querySelectorAll('figure svg.mt-chart path.mt-line').length")
        rows = page.evaluate("document.querySelectorAll('#timeline tbody tr').length")
        page.drain()
        errors = page.of("Runtime.exceptionThrown") + page.of("Runtime.consoleAPICalled")
        requests = [e["request"]["url"] for e in page.of("Network.requestWillBeSent")]
    assert charts >= 5 and rows == 3 and errors == [] and requests == [html.resolve().as_uri()]

    md = tmp_path / "out" / "pm.md"
    assert memtui_main(["replay", str(recorded.path), "--export", "md", "-o", str(md)]) == 0
    body = md.read_text(encoding="utf-8")
    assert f"](pm-charts/pod-{recorded.worst}.svg)" in body
    assert (md.parent / "pm-charts" / "redis.svg").exists()
    assert export_recording(recorded.path, "html").text == text  # deterministic, and the same as the file


def test_replay_export_of_no_recording_is_one_line(tmp_path, capsys):
    assert memtui_main(["replay", str(tmp_path / "none.db"), "--export", "html"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("memtui: error: no recording at ") and err.count("\n") == 1
    assert memtui_main(["replay", str(tmp_path / "none.db"), "-o", "x.md"]) == 2
    assert "--output goes with --export" in capsys.readouterr().err


def test_a_teammates_change_is_a_timeline_row_and_a_mark_on_the_charts(sim, kubectl, tmp_path, chromium):
    recorded = record_incident(sim, tmp_path / "rec" / "team.memtui-rec", kubectl=kubectl)
    incident = read_recording(recorded.path)
    timeline = build_timeline(incident.entries, team=incident.team)
    team = [r for r in timeline.rows if r.kind == "team"]
    assert team and all(r.time >= recorded.team_at - timedelta(minutes=1) for r in team)
    patch = next(r for r in team if "batch_size" in r.effect + r.action + r.parameters)
    charts = build_charts(timeline, incident.series, until=incident.end)
    assert all(any(m.kind == "team" and m.number == patch.number for m in c.marks) for c in charts)
    html = tmp_path / "team.html"
    export_recording(recorded.path, "html", html)
    with open_page(html) as page:
        row = page.evaluate(f"document.querySelector('#row-{patch.number}').innerText")
        badges = page.evaluate("document.querySelectorAll('figure .mt-badge-team').length")
        page.drain()
        errors = page.of("Runtime.exceptionThrown") + page.of("Runtime.consoleAPICalled")
    assert "team" in row and "batch_size" in row and "kubectl" in row
    assert badges >= len(charts) and errors == []
