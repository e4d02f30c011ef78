"""The JSON export carries the incident facts the HTML summary shows (alert start and its basis,
the escalation level reached), so tooling reads what the page says."""

from __future__ import annotations

import json
from html import escape

from memtui.audit.times import parse_time
from memtui.state.incident import BASIS_CROSSING
from tests.report.conftest import export


def test_json_has_the_alert_start_and_escalation_the_html_summary_shows(incident, tmp_path):
    page, document = tmp_path / "report.html", tmp_path / "report.json"
    assert export(incident, "html", page) == 0
    assert export(incident, "json", document) == 0
    facts = json.loads(document.read_text(encoding="utf-8"))["incident"]
    html = page.read_text(encoding="utf-8")

    assert facts["basis"] == BASIS_CROSSING and facts["note"] is None
    start = parse_time(facts["alert_start"])
    assert f"{start:%H:%M:%S} UTC" in html and escape(f"basis: {facts['basis']}") in html
    level = facts["escalation"]
    # the incident's last change is the restart 16 minutes after the first crossing's minute: L2
    assert (level["level"], level["who"]) == (2, "application engineer")
    assert f"L2 {level['who']}" in html and f"{level['minutes_in']:.0f} min into the incident" in html
    assert level["when"] == "at the last change (#5)" and escape(level["when"]) in html
    assert parse_time(level["reached_at"]) > start
    assert oct(document.stat().st_mode & 0o777) == "0o600"


def test_json_without_an_alert_source_says_so(incident, tmp_path, capsys):
    from memtui.audit.cli import main as audit_main

    assert audit_main(["export", "--file", str(incident.log), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["incident"] is None
