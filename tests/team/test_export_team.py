"""The team's changes of a recording become timeline rows in the export, beside memtui's own actions.

The real app on the simulator: kubectl patches the ConfigMap while memtui runs, then memtui's own
action is run through the app (it writes the audit log).  The TeamSnapshots the app folded are
written to a recording as the recorder writes them (``apply`` frames), and ``memtui audit export
--recording FILE`` gives md, json and csv with the team's row."""

from __future__ import annotations

import csv
import io
import json

import pytest

from memtui.audit.cli import main as audit_main
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingWriter
from memtui.state.snapshots import TeamSnapshot
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal
from tests.team.test_app_team import NS, baseline, configmap, team


async def _session(sim, make_app, kubectl, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    before = configmap(kubectl)["batch_size"]
    async with app.run_test(size=(160, 48)) as pilot:
        await baseline(pilot, app)
        kubectl("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
                "-p", '{"data":{"batch_size":"48"}}', check=True)
        await wait_for(pilot, lambda: bool(team(app, kind="ConfigMap")), timeout=15)
        await open_modal(pilot, app, "B")  # memtui's own: batch_size 48 → 32
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        changes = app.state.team_changes
    recording = tmp_path / "session.memtui"
    writer = RecordingWriter(recording, RecordingMeta("memtui-sim", NS, "https://sim", changes[0].at))
    writer.write([Frame(0, c.at, "apply", "kubernetes", TeamSnapshot(c.at, (c,))) for c in changes])
    writer.close()
    return audit, recording, before


def _export(capsys, audit, recording, fmt) -> str:
    assert audit_main(["export", "--file", str(audit), "--recording", str(recording), "--format", fmt]) == 0
    return capsys.readouterr().out


async def test_the_export_has_the_teams_rows_beside_memtuis_actions(sim, make_app, kubectl, tmp_path, capsys):
    audit, recording, before = await _session(sim, make_app, kubectl, tmp_path)

    md = _export(capsys, audit, recording, "md")
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in md.splitlines() if line.startswith("| ")]
    body = rows[1:]
    (teamrow,) = [r for r in body if r[3] == "team: config"]
    assert teamrow[2] == "kubectl-patch (Update)" and teamrow[4] == "ConfigMap/sap-llm-config"
    assert teamrow[8] == f"batch_size {before}→48"
    own = next(i for i, r in enumerate(body) if r[3] == "`fix.reduce-batch-size`")
    assert body.index(teamrow) < own  # in time order: the team's patch came first
    assert "- Changes by others in the namespace (the team's, from the recording): 1" in md

    document = json.loads(_export(capsys, audit, recording, "json"))
    (row,) = [r for r in document["rows"] if r["kind"] == "team"]
    assert (row["who"], row["action"], row["effect"]) == ("kubectl-patch (Update)", "team: config", f"batch_size {before}→48")
    (change,) = document["team_changes"]
    assert change["changes"] == [{"path": "data.batch_size", "before": before, "after": "48"}]
    assert change["manager"] == "kubectl-patch" and change["operation"] == "Update"

    table = list(csv.DictReader(io.StringIO(_export(capsys, audit, recording, "csv"))))
    (line,) = [r for r in table if r["kind"] == "team"]
    assert (line["who"], line["target"], line["effect"]) == ("kubectl-patch (Update)", "ConfigMap/sap-llm-config",
                                                             f"batch_size {before}→48")
    assert any(r["action"] == "fix.reduce-batch-size" for r in table)


def test_a_file_that_is_not_a_recording_is_one_line_and_writes_nothing(tmp_path, capsys):
    audit = tmp_path / "audit.jsonl"
    audit.write_text("")
    bogus = tmp_path / "not-a-recording"
    bogus.write_text("hello")
    out = tmp_path / "out.md"
    code = audit_main(["export", "--file", str(audit), "--recording", str(bogus), "-o", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and not out.exists()
    assert err.count("\n") == 1 and "not a memtui recording" in err and "Traceback" not in err


@pytest.mark.parametrize("missing", ["nowhere.memtui"])
def test_a_missing_recording_is_named(tmp_path, capsys, missing):
    audit = tmp_path / "audit.jsonl"
    audit.write_text("")
    assert audit_main(["export", "--file", str(audit), "--recording", str(tmp_path / missing)]) != 0
    assert f"no recording at {tmp_path / missing}" in capsys.readouterr().err


async def test_by_default_the_export_reads_the_sessions_own_recording(sim, make_app, kubectl, tmp_path, capsys):
    """No --recording: the recordings of the log's context and namespace that overlap its period
    (the app records by default, into the state dir)."""
    from memtui.recording.paths import list_recordings

    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    before = configmap(kubectl)["batch_size"]
    async with app.run_test(size=(160, 48)) as pilot:
        await baseline(pilot, app)
        kubectl("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
                "-p", '{"data":{"batch_size":"48"}}', check=True)
        await wait_for(pilot, lambda: bool(team(app, kind="ConfigMap")), timeout=15)
        await open_modal(pilot, app, "B")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
    found = list_recordings("memtui-sim", NS)  # the session's recording, where the export looks
    assert found
    assert audit_main(["export", "--file", str(audit), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    (line,) = [r for r in table if r["kind"] == "team"]
    assert (line["who"], line["effect"]) == ("kubectl-patch (Update)", f"batch_size {before}→48")
