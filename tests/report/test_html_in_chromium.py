"""The HTML report in a real headless Chromium: it has the charts, the summary and the timeline,
logs no console error or exception, fetches nothing but itself, and shows outside text as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from memtui.audit import AuditLog, load_entries
from memtui.audit.export import export_report
from memtui.audit.report_data import ReportSeries
from tests.report.browser import open_page
from tests.report.conftest import export
from tests.report.incident import HOSTILE

GIB = 1024**3
CHARTS_JS = """JSON.stringify(Array.from(document.querySelectorAll('figure')).map(f => ({
  id: f.id,
  svgs: f.querySelectorAll('svg.mt-chart').length,
  lines: f.querySelectorAll('path.mt-line').length,
  limits: f.querySelectorAll('path.mt-limit').length,
  marks: Array.from(f.querySelectorAll('.mt-badge-text, .mt-badge-team + text')).map(t => t.textContent),
})))"""


def test_the_report_has_charts_summary_and_timeline_and_no_errors_or_requests(incident, chromium, tmp_path):
    import json

    report = tmp_path / "report.html"
    assert export(incident, "html", report) == 0
    with open_page(report) as page:
        charts = json.loads(page.evaluate(CHARTS_JS))
        summary = page.evaluate("document.querySelector('#summary').textContent")
        rows = page.evaluate("Array.from(document.querySelectorAll('#timeline tbody tr')).map(r => r.id)")
        images = page.evaluate("document.images.length + document.querySelectorAll('script, iframe, object').length")
        body = page.evaluate("document.body.innerText")
        page.drain()
        png = page.screenshot(tmp_path / "report.png")
        console = page.of("Runtime.consoleAPICalled")
        exceptions = page.of("Runtime.exceptionThrown")
        logged = [e["entry"] for e in page.of("Log.entryAdded")]
        requests = [e["request"]["url"] for e in page.of("Network.requestWillBeSent")]

    ids = [c["id"] for c in charts]
    # one chart per affected pod (the targeted ones first), Redis and GPU, each an inline SVG
    assert ids[:2] == [f"chart-pod-{pod}" for pod in incident.pods]
    assert "chart-redis" in ids and "chart-gpu" in ids
    for chart in charts:
        assert chart["svgs"] == 1 and chart["lines"] >= 1, chart
        # the three changes of the timeline (#2, #3, #5), numbered as its rows; reads and notes are not marked
        assert chart["marks"] == ["2", "3", "5"], chart
    pod_charts = [c for c in charts if c["id"].startswith("chart-pod-")]
    assert all(c["limits"] == 1 for c in pod_charts)  # the limit, dashed
    assert "Alert start" in summary and "basis: first crossing seen" in summary
    assert "Escalation reached" in summary and "L2 application engineer" in summary
    assert "memtui actions3" in summary and "2 succeeded, 1 failed" in summary
    assert rows == [f"row-{n}" for n in range(1, 6)]
    # outside text is text: the reason and the parameter show it, no element was made of it
    assert images == 0
    assert f"INC-1234 batch spikes {HOSTILE}" in body and f"ticket={HOSTILE}" in body
    assert console == [] and exceptions == []
    assert [e for e in logged if e.get("level") in ("error", "warning")] == []
    assert requests == [report.resolve().as_uri()]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000


def test_the_file_references_no_resource_and_has_no_script(incident, tmp_path):
    report = tmp_path / "report.html"
    assert export(incident, "html", report) == 0
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert "url(" not in text and "@import" not in text and "<script" not in text.lower()
    assert "<link" not in text and "@font-face" not in text
    assert not re.search(r"https?://(?!127\.0\.0\.1:\d+\.)", text)  # only the Prometheus named in the text
    assert HOSTILE not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert oct(report.stat().st_mode & 0o777) == "0o600"


def test_a_pod_name_from_outside_is_text_in_the_charts_and_the_timeline(tmp_path, chromium):
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    clock = iter(start + timedelta(minutes=m) for m in (5, 5.1))
    log = AuditLog(tmp_path / "a.jsonl", context="c", namespace="sap-llm", user="u", clock=lambda: next(clock))
    fix = log.intent(action="fix.delete-pod", target={"kind": "Pod", "pods": [HOSTILE]}, reason=HOSTILE)
    log.result(fix, outcome="success", duration_s=0.1)
    samples = [(start + timedelta(minutes=m), (8 + m / 10) * GIB) for m in range(-5, 16)]
    series = ReportSeries(working_set={HOSTILE: samples}, limit={HOSTILE: [(t, 12 * GIB) for t, _ in samples]},
                          source=f"recording {HOSTILE}", notes=(HOSTILE,))
    html = export_report(load_entries(tmp_path / "a.jsonl"), fmt="html", series=series).text
    assert HOSTILE not in html
    page_file = tmp_path / "hostile.html"
    page_file.write_text(html, encoding="utf-8")
    with open_page(page_file) as page:
        made = page.evaluate("document.images.length + document.querySelectorAll('script').length")
        legend = page.evaluate("document.querySelector('figure h3').textContent")
        titles = page.evaluate("Array.from(document.querySelectorAll('svg title')).map(t => t.textContent)")
        cells = page.evaluate("document.querySelector('#row-1').innerText")
        page.drain()
        exceptions = page.of("Runtime.exceptionThrown") + page.of("Runtime.consoleAPICalled")
    assert made == 0 and exceptions == []
    assert legend == f"Pod {HOSTILE}: working set against its limit"
    assert any(HOSTILE in t for t in titles)
    assert cells.count(HOSTILE) == 2  # the target's pod and the reason


def test_dark_mode_follows_the_system_and_print_is_black_on_white(incident, chromium, tmp_path):
    import base64

    report = tmp_path / "report.html"
    assert export(incident, "html", report) == 0
    colour = "getComputedStyle(document.body).backgroundColor"
    with open_page(report) as page:
        light = page.evaluate(colour)
    with open_page(report, dark=True) as page:
        dark = page.evaluate(colour)
        page.send("Emulation.setEmulatedMedia", {"media": "print",
                                                  "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        printed = (page.evaluate(colour), page.evaluate("getComputedStyle(document.body).color"),
                   page.evaluate("getComputedStyle(document.querySelector('.card .detail')).color"))
        pdf = base64.b64decode(page.send("Page.printToPDF", {"printBackground": True})["data"])
    assert light == "rgb(244, 246, 249)" and dark == "rgb(13, 17, 23)"
    # printed from a dark laptop: still ink on paper, the soft text too
    assert printed == ("rgb(255, 255, 255)", "rgb(0, 0, 0)", "rgb(68, 68, 68)")
    assert pdf.startswith(b"%PDF-")
