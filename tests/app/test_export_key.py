"""The ``X`` key: the live cockpit writes the HTML report and the Markdown with its SVG charts
beside the audit log (the charts, memtui's action and a teammate's kubectl patch as rows, files
0600); in replay it writes the recording's report beside the recording and sends nothing."""

from __future__ import annotations

import re

import pytest

from memtui.config.settings import Settings
from memtui.demo.recorded_incident import record_incident
from memtui.recording.store import RecordingReader
from memtui.ui.replay import ReplayApp
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal

NS = "sap-llm"


def mode(path) -> str:
    return oct(path.stat().st_mode & 0o777)


def kinds_of_rows(html: str) -> list[str]:
    """The timeline's row kinds as the page marks them (``<span class="kind kind-team">``)."""
    body = html[html.index('id="timeline"'):]
    return re.findall(r'class="kind kind-([a-z]+)"', body)


@pytest.mark.parametrize("record", [True, False], ids=["recording", "history"])
async def test_x_writes_the_html_report_and_the_markdown_with_charts_beside_the_audit_log(sim, make_app, kubectl,
                                                                                          tmp_path, record):
    """Recording (the default): the figures are the recording's, read while its writer writes;
    without one, memtui's own history of the pods and the team's changes the state keeps."""
    audit = tmp_path / "audit" / "audit.jsonl"
    app = make_app(audit_log=str(audit), record=record)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None
                       and app.sources.team is not None and app.sources.team.baselined, timeout=20)
        await open_modal(pilot, app, "B")  # fix.reduce-batch-size, through the app
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        kubectl("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
                "-p", '{"data":{"max_batch_size":"96"}}', check=True)
        await wait_for(pilot, lambda: any(c.manager == "kubectl-patch" for c in app.state.team_changes), timeout=15)
        await pilot.pause(1.0)  # a few refreshes after the changes: the charts have samples on both sides
        await pilot.press("X")
        await wait_for(pilot, lambda: getattr(app, "last_export", None) is not None, timeout=20)
        report = app.last_export
        messages = [n.message for n in app._notifications]

    assert report.html.parent == audit.parent and report.markdown.parent == audit.parent
    assert report.html.name.startswith("audit-report-") and report.markdown == report.html.with_suffix(".md")
    assert any(str(report.html) in m and str(report.markdown) in m for m in messages)  # the toast names both
    html = report.html.read_text(encoding="utf-8")
    if record:
        assert report.source.startswith("the recording ") and app.recorder is not None
        assert report.source.startswith(f"the recording {app.recorder.path.name} ")
        assert 'class="mt-limit' in html  # the pods' limits, from the recorded Kubernetes polls
    else:
        assert report.source.startswith("memtui's own history")
    # a chart per affected pod, drawn as inline SVG, with the two changes marked
    assert re.search(r'<figure id="chart-pod-sap-llm-[^"]+"', html) and "<svg" in html and 'class="mt-line' in html
    assert kinds_of_rows(html).count("action") == 1 and "team" in kinds_of_rows(html)
    assert "fix.reduce-batch-size" in html and "kubectl-patch" in html and "max_batch_size" in html
    assert "Alert start" in html and "Escalation reached" in html
    markdown = report.markdown.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", markdown)
    assert links and all((report.markdown.parent / link).is_file() for link in links)
    assert {p.name for p in report.charts} == {link.split("/", 1)[1] for link in links}
    assert "fix.reduce-batch-size" in markdown and "kubectl-patch" in markdown
    for path in (report.html, report.markdown, *report.charts):
        assert mode(path) == "0o600", path
    assert mode(report.charts[0].parent) == "0o700"


async def test_x_in_replay_writes_the_recordings_report_beside_it_and_sends_nothing(sim, kubectl, tmp_path):
    recorded = record_incident(sim, tmp_path / "rec" / "incident.memtui-rec", minutes=24, restart_minute=16,
                               kubectl=kubectl)
    sim.clear_request_log()
    reader = RecordingReader(recorded.path)
    try:
        app = ReplayApp(Settings(), reader)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("X")
            await wait_for(pilot, lambda: app.recording_export is not None, timeout=20)
            html, markdown = app.recording_export
            messages = [n.message for n in app._notifications]
    finally:
        reader.close()
    assert (html, markdown) == (tmp_path / "rec" / "incident-report.html", tmp_path / "rec" / "incident-report.md")
    assert any(str(html) in m and str(markdown) in m for m in messages)
    assert not any("not allowed" in m for m in messages)
    page = html.read_text(encoding="utf-8")
    assert "Figures from the recording incident.memtui-rec" in page
    assert kinds_of_rows(page).count("action") == 2 and "team" in kinds_of_rows(page)
    assert 'id="chart-redis"' in page and 'id="chart-gpu"' in page
    assert (tmp_path / "rec" / "incident-report-charts" / "redis.svg").is_file()
    assert mode(html) == mode(markdown) == "0o600"
    assert sim.requests() == []  # an export reads the file, nothing else


async def test_x_in_replay_writes_into_the_current_dir_when_the_recordings_folder_cannot_be_written(
        sim, tmp_path, monkeypatch):
    import subprocess

    folder = tmp_path / "theirs"
    recorded = record_incident(sim, folder / "incident.memtui-rec", minutes=12, restart_minute=8)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    reader = RecordingReader(recorded.path)  # its -wal and -shm exist while a reader is open
    # immutable: not even root (these tests' user in CI) may create a file in it
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        reader.close()
        pytest.skip("chattr +i is not available on this filesystem")
    try:
        app = ReplayApp(Settings(), reader)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("X")
            await wait_for(pilot, lambda: app.recording_export is not None, timeout=20)
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
        reader.close()
    assert app.recording_export == (here / "incident-report.html", here / "incident-report.md")
    assert (here / "incident-report-charts").is_dir()
    assert not [p for p in folder.iterdir() if "report" in p.name]
