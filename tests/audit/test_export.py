"""export_timeline: Markdown, JSON and CSV parsed back, joined rows, the memory chart."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from memtui.audit import AuditError, export_timeline, load_entries

from .conftest import INCIDENT_START, write_incident

GIB = 1024**3


def incident(log, clock, log_path):
    ids = write_incident(log, clock)
    clock.advance(minutes=1)
    lost = log.intent(action="fix.rollout-restart", target={"kind": "Deployment", "name": "sap-llm"})
    return ids | {"lost": lost}, load_entries(log_path)


def memory_series():
    pods = {}
    for n, pod in enumerate(("sap-llm-7d9f-abc12", "sap-llm-7d9f-def34")):
        samples = []
        for minute in range(-5, 20):
            value = (11.8 - (4.7 if minute >= 6 else 0) - n * 3) * GIB
            samples.append((INCIDENT_START + timedelta(minutes=minute), value))
        pods[pod] = samples
    return pods


def table_rows(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in rows]


def test_markdown_has_title_summary_table_in_time_order(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    text = export_timeline(entries, fmt="md")
    assert text.startswith("# memtui audit timeline: memtui-sim / sap-llm\n")
    assert "Period: 2026-11-27T02:01:00.000Z → 2026-11-27T02:09:00.350Z (UTC)" in text
    assert "- Actions taken: 3 (1 succeeded, 1 failed, 0 refused, 1 outcome unknown); 1 diagnose steps; 1 notes" in text
    assert "- First action: 2026-11-27T02:03:00.000Z fix.reduce-batch-size (#2)" in text
    rows = table_rows(text)
    assert rows[0] == ["#", "Time (UTC)", "Who", "Action", "Target", "Parameters", "Outcome", "Duration",
                       "Effect / output", "Reason", "Top causes then"]
    body = rows[1:]
    assert [r[3] for r in body] == ["`diagnose.top-pods`", "`fix.reduce-batch-size`", "`fix.scale-api`", "note",
                                    "`fix.rollout-restart`"]
    fix = body[1]
    assert fix[1] == "2026-11-27 02:03:00" and fix[2] == "system:admin (" + fix[2].split("(")[1]
    assert fix[4] == "ConfigMap/sap-llm-config · pods: sap-llm-7d9f-abc12, sap-llm-7d9f-def34"
    assert fix[5] == "batch_size=32, max_batch_size=64"
    assert fix[6] == "success (dry run: ok)" and fix[7] == "0.25 s"
    assert fix[8] == "sap-llm-7d9f-abc12 working set 11.8 GiB → 7.1 GiB" and fix[9] == "INC-1234 batch spike"
    assert body[2][6].startswith("failure: 403 Forbidden")


def test_markdown_flags_the_action_whose_outcome_is_unknown(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    text = export_timeline(entries, fmt="md")
    lost_row = table_rows(text)[-1]
    assert lost_row[3] == "`fix.rollout-restart`" and lost_row[6] == "**⚠ OUTCOME UNKNOWN**"
    assert "1 action with OUTCOME UNKNOWN (#5)" in text
    assert "may have been applied" in text


def test_markdown_escapes_pipes_so_the_table_keeps_its_columns(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    text = export_timeline(entries, fmt="md")
    note = next(line for line in text.splitlines() if "paged the model team" in line)
    assert "paged the model team \\| waiting" in note
    assert len([c for c in note.replace("\\|", "").split("|")]) == 13  # 11 cells plus the two ends


def test_markdown_chart_of_pod_memory_with_actions_marked(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    without = export_timeline(entries, fmt="md")
    assert "```" not in without and "Pod memory" not in without

    text = export_timeline(entries, fmt="md", memory_series=memory_series())
    chart = text.split("```text\n", 1)[1].split("\n```", 1)[0]
    assert "Pod memory, working set (GiB)" in chart
    assert "• sap-llm-7d9f-abc12" in chart and "+ sap-llm-7d9f-def34" in chart
    assert "#2 02:03:00 fix.reduce-batch-size" in chart and "#5 02:09:00 fix.rollout-restart" in chart
    assert "#1" not in chart  # diagnose steps are not drawn as actions
    assert "\x1b[" not in text  # no terminal colours in a document
    assert "02:00" in chart and "│" in chart


def test_empty_memory_series_says_so(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    text = export_timeline(entries, fmt="md", memory_series={})
    assert "No memory samples in this period." in text


def test_json_has_joined_rows_and_raw_entries(log, clock, log_path):
    ids, entries = incident(log, clock, log_path)
    document = json.loads(export_timeline(entries, fmt="json"))
    assert [r["action"] for r in document["rows"]] == [
        "diagnose.top-pods", "fix.reduce-batch-size", "fix.scale-api", "note", "fix.rollout-restart"]
    fix = document["rows"][1]
    assert fix["outcome"] == "success" and fix["duration_s"] == 0.25 and fix["entry_id"] == ids["fix"]
    lost = document["rows"][-1]
    assert lost["outcome"] == "outcome unknown" and lost["outcome_unknown"] is True
    assert document["summary"]["outcome_unknown"] == 1
    assert len(document["entries"]) == 8
    assert document["entries"][0]["hash"] == entries[0].hash
    assert document["contexts"] == ["memtui-sim"] and document["namespaces"] == ["sap-llm"]


def test_csv_parses_back_with_a_header(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    rows = list(csv.DictReader(io.StringIO(export_timeline(entries, fmt="csv"))))
    assert len(rows) == 5
    assert rows[1]["action"] == "fix.reduce-batch-size" and rows[1]["outcome"] == "success"
    assert rows[1]["parameters"] == "batch_size=32, max_batch_size=64"
    assert rows[3]["effect"] == "INC-1234: paged the model team | waiting"
    assert rows[4]["outcome"] == "outcome unknown" and rows[4]["outcome_unknown"] == "True"
    assert rows[4]["duration_s"] == ""


def test_since_keeps_only_later_rows(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    since = INCIDENT_START + timedelta(minutes=7)
    rows = list(csv.DictReader(io.StringIO(export_timeline(entries, fmt="csv", since=since))))
    assert [r["action"] for r in rows] == ["fix.scale-api", "note", "fix.rollout-restart"]
    document = json.loads(export_timeline(entries, fmt="json", since=since.replace(tzinfo=None)))
    assert {e["action"] for e in document["entries"] if "action" in e} == {"fix.scale-api", "fix.rollout-restart"}


def test_rows_follow_time_not_file_order(log, clock, log_path):
    clock.advance(minutes=10)
    log.note("written first, happened later")
    clock.advance(minutes=-5)
    log.note("written second, happened earlier")
    rows = json.loads(export_timeline(load_entries(log_path), fmt="json"))["rows"]
    assert [r["effect"] for r in rows] == ["written second, happened earlier", "written first, happened later"]


def test_a_result_without_its_intent_still_gets_a_row(log, clock, log_path):
    log.result("f" * 32, outcome="success", duration_s=1.0)
    rows = json.loads(export_timeline(load_entries(log_path), fmt="json"))["rows"]
    assert len(rows) == 1 and rows[0]["kind"] == "orphan" and "ffffffff" in rows[0]["action"]


def test_unknown_format_is_refused(log, clock, log_path):
    with pytest.raises(AuditError, match="format"):
        export_timeline([], fmt="xml")


def test_an_empty_log_exports(log_path, log):
    assert "No actions recorded in this period." in export_timeline(load_entries(log_path))


RANKING = {
    "computed_at": "2026-11-27T02:02:58+00:00", "evidence_at": None, "uncertain": False, "inputs": {},
    "causes": [
        {"cause": "batch", "prior": 0.2, "confidence": 0.77,
         "facts": [{"cause": "batch", "weight": 1.8, "text": "spikes follow request rate", "source": "prometheus",
                    "pod": None},
                   {"cause": "batch", "weight": 1.1, "text": "batch_size=512 in 9 lines", "source": "log",
                    "pod": "sap-llm-7d9f-abc12"}]},
        {"cause": "leak", "prior": 0.3, "confidence": 0.2, "facts": []},
    ],
    "gaps": [{"what": "no Prometheus", "action_id": None, "cause": None}],
}


def test_the_ranking_an_action_was_taken_under_is_a_column_and_a_why_section(log, clock, log_path):
    log.intent(action="fix.reduce-batch-size", target={"kind": "ConfigMap", "name": "sap-llm-config"},
               ranking=RANKING)
    log.read(action="diagnose.top-pods", ranking={**RANKING, "uncertain": True})
    log.note("no ranking on a note")
    entries = load_entries(log_path)
    text = export_timeline(entries, fmt="md")
    rows = table_rows(text)
    assert rows[1][-1] == "Large batches 77%, Memory leak 20%"
    assert rows[2][-1] == "uncertain: Large batches 77%, Memory leak 20%"
    assert rows[3][-1] == ""  # a note: nothing recorded
    why = text[text.index("## Why each action was chosen"):]
    assert ("- Large batches 77% (prior 20%): spikes follow request rate [prometheus]; "
            "batch_size=512 in 9 lines [log]") in why
    assert "- missing: no Prometheus" in why and "uncertain: the evidence was too thin" in why
    assert json.loads(export_timeline(entries, fmt="json"))["entries"][0]["ranking"]["causes"][0]["cause"] == "batch"
    assert list(csv.DictReader(io.StringIO(export_timeline(entries, fmt="csv"))))[0]["causes"].startswith("Large")


def test_without_a_recorded_ranking_the_export_has_no_why_section(log, clock, log_path):
    _, entries = incident(log, clock, log_path)
    text = export_timeline(entries, fmt="md")
    assert "## Why each action was chosen" not in text
    assert all(row[-1] == "" for row in table_rows(text)[1:])
