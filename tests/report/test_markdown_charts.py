"""The Markdown export's charts: SVG files beside a written file, linked relatively, private; the
text chart on stdout; the same charts as the HTML report; deterministic output."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from memtui.audit import AuditLog, load_entries
from memtui.audit.export import export_report
from memtui.audit.report_data import ReportSeries, build_charts
from memtui.audit.svg_chart import render_svg
from memtui.audit.timeline import build_timeline
from tests.report.conftest import export

SVG = "{http://www.w3.org/2000/svg}"
GIB = 1024**3


def test_a_markdown_file_gets_its_charts_as_svg_files_beside_it(incident, tmp_path, capsys):
    out = tmp_path / "pm" / "postmortem.md"
    out.parent.mkdir()
    assert export(incident, "md", out) == 0
    text = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    folder = out.parent / "postmortem-charts"
    assert links and all(link.startswith("postmortem-charts/") and link.endswith(".svg") for link in links)
    assert sorted(p.name for p in folder.iterdir()) == sorted(link.split("/", 1)[1] for link in links)
    assert f"postmortem-charts/pod-{incident.pods[0]}.svg" in links
    assert "postmortem-charts/redis.svg" in links and "postmortem-charts/gpu.svg" in links
    assert "```text" not in text  # the pictures replace the text chart
    assert oct(folder.stat().st_mode & 0o777) == "0o700" and oct(out.stat().st_mode & 0o777) == "0o600"
    for link in links:
        svg = out.parent / link
        assert oct(svg.stat().st_mode & 0o777) == "0o600"
        root = ET.fromstring(svg.read_text(encoding="utf-8"))  # well-formed, standalone
        assert root.tag == f"{SVG}svg"
        assert root.findall(f".//{SVG}style") and root.findall(f".//{SVG}path")
    # a second export replaces the files (and keeps them private)
    out.chmod(0o644)
    assert export(incident, "md", out) == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert f"and {len(links)} charts in {folder}" in capsys.readouterr().err


def test_markdown_on_stdout_keeps_the_text_chart(incident, capsys):
    assert export(incident, "md", None) == 0
    text = capsys.readouterr().out
    assert "```text" in text and "Pod memory, working set (GiB)" in text
    assert ".svg)" not in text
    assert "- Alert start: " in text and "(basis: first crossing seen)" in text


def _timeline_and_series(tmp_path):
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    moments = iter(start + timedelta(minutes=m) for m in (2, 2.1, 9, 9.2))
    log = AuditLog(tmp_path / "a.jsonl", context="c", namespace="sap-llm", user="u", clock=lambda: next(moments))
    for pods in (["p-1"], ["p-2"]):
        fix = log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "d", "pods": pods})
        log.result(fix, outcome="success")
    minutes = range(-12, 22)
    series = ReportSeries(
        working_set={p: [(start + timedelta(minutes=m), (k + 4 + m / 10) * GIB) for m in minutes]
                     for k, p in enumerate(("p-1", "p-2", "p-3", "p-4", "p-5"))},
        limit={"p-1": [(start + timedelta(minutes=m), 12 * GIB) for m in minutes]},
        redis_used=[(start + timedelta(minutes=m), 2 * GIB) for m in minutes],
        redis_max=[(start + timedelta(minutes=m), 0) for m in minutes],
    )
    return load_entries(tmp_path / "a.jsonl"), series


def test_the_charts_are_the_targeted_pods_then_the_highest_peaks_over_the_window(tmp_path):
    entries, series = _timeline_and_series(tmp_path)
    charts = build_charts(build_timeline(entries), series)
    assert [c.name for c in charts] == ["pod-p-1", "pod-p-2", "pod-p-5", "pod-p-4", "redis"]
    first = charts[0]
    assert first.start == datetime(2026, 11, 27, 1, 52, tzinfo=UTC) and first.end == datetime(2026, 11, 27, 2, 19, tzinfo=UTC)
    assert all(first.start <= t <= first.end for t, _ in first.lines[0].points)
    assert [m.number for m in first.marks] == [1, 2] and first.limit is not None
    assert charts[1].limit is None and charts[1].note == "no memory limit known for this pod"
    assert charts[-1].limit is None and charts[-1].note.startswith("maxmemory 0: no bound")


def test_an_svg_chart_has_gib_ticks_utc_times_a_dashed_limit_and_numbered_marks(tmp_path):
    entries, series = _timeline_and_series(tmp_path)
    chart = build_charts(build_timeline(entries), series)[0]
    root = ET.fromstring(render_svg(chart, standalone=True))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "4", "8", "12"} <= set(texts) and "GiB" in texts
    assert {"01:55", "02:00", "02:05", "02:10", "02:15"} <= set(texts) and "time (UTC)" in texts
    assert [p.get("class") for p in root.iter(f"{SVG}path")] == ["mt-line mt-s0", "mt-limit"]
    assert "stroke-dasharray" in root.find(f"{SVG}style").text.split(".mt-limit", 1)[1].split("}", 1)[0]
    badges = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "mt-badge-text"]
    assert badges == ["1", "2"]


def test_the_same_input_gives_the_same_bytes(tmp_path):
    entries, series = _timeline_and_series(tmp_path)
    first = export_report(entries, fmt="html", series=series).text
    again = export_report(entries, fmt="html", series=series).text
    assert first == again
    md = export_report(entries, fmt="md", series=series, charts_dir="x-charts")
    assert md.files == export_report(entries, fmt="md", series=series, charts_dir="x-charts").files
    assert sorted(md.files) == ["x-charts/pod-p-1.svg", "x-charts/pod-p-2.svg", "x-charts/pod-p-4.svg",
                                "x-charts/pod-p-5.svg", "x-charts/redis.svg"]


def test_time_ticks_are_round_minutes_within_the_chart():
    from memtui.audit.report_data import time_ticks

    # a start a few seconds after a round minute: the first tick is the next one, not the one before
    t0 = datetime(2026, 11, 27, 2, 0, 5, tzinfo=UTC)
    ticks = time_ticks(t0, t0 + timedelta(minutes=20))
    assert [f"{t:%H:%M:%S}" for t in ticks] == ["02:05:00", "02:10:00", "02:15:00", "02:20:00"]
    assert time_ticks(t0.replace(second=0), t0 + timedelta(minutes=9))[0] == t0.replace(second=0)


def test_html_without_figures_says_how_to_get_them(tmp_path):
    entries, _ = _timeline_and_series(tmp_path)
    html = export_report(entries, fmt="html").text
    assert "<svg" not in html and "No memory figures for this period (give --prometheus-url" in html
    assert 'id="row-1"' in html and 'id="row-2"' in html


def test_outside_text_in_the_markdown_is_no_html(tmp_path):
    from tests.report.incident import HOSTILE

    moments = iter(datetime(2026, 11, 27, 2, m, tzinfo=UTC) for m in (1, 2))
    log = AuditLog(tmp_path / "a.jsonl", context="c", namespace="sap-llm", user="u", clock=lambda: next(moments))
    fix = log.intent(action="fix.delete-pod", target={"kind": "Pod", "pods": [HOSTILE]}, reason=HOSTILE)
    log.note(f"a & b {HOSTILE}")
    text = export_report(load_entries(tmp_path / "a.jsonl"), fmt="md").text
    assert "<img" not in text and fix
    assert "pods: &lt;img src=x onerror=alert(1)&gt;" in text and "a &amp; b &lt;img" in text
