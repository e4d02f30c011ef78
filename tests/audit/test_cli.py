"""memtui audit export / verify / path, through main([...]) as the memtui CLI will call it."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from memtui.audit import AuditLog, default_audit_path
from memtui.audit.cli import main
from memtui.audit.times import utc_now

from tests.servers import free_port

from .conftest import FakeClock, write_incident

GIB = 1024**3


@pytest.fixture
def sim_log(private_state_dir):
    """An incident in the default place for memtui-sim/sap-llm, as memtui would have written it."""
    path = default_audit_path("memtui-sim", "sap-llm")
    clock = FakeClock()
    log = AuditLog(path, context="memtui-sim", namespace="sap-llm", user="system:admin", clock=clock)
    write_incident(log, clock)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str) -> None:
    assert err.count("\n") == 1 and err.startswith("memtui audit: error: ")
    assert "Traceback" not in err


def test_path_prints_the_default_location(capsys, private_state_dir):
    code, out, _ = run(capsys, "path", "--context", "arn:aws:eks:eu-west-1:1:cluster/prod", "--namespace", "sap-llm")
    assert code == 0
    assert out == f"{default_audit_path('arn:aws:eks:eu-west-1:1:cluster/prod', 'sap-llm')}\n"
    assert out.startswith(str(private_state_dir))


def test_path_without_names_prints_the_only_log_or_the_dir(capsys, private_state_dir, sim_log):
    assert run(capsys, "path")[1] == f"{sim_log}\n"
    AuditLog(default_audit_path("other", "sap-llm"), context="other", namespace="sap-llm")
    assert run(capsys, "path")[1] == f"{sim_log.parent}\n"


def test_verify_ok(capsys, sim_log):
    code, out, _ = run(capsys, "verify", "--context", "memtui-sim", "--namespace", "sap-llm")
    assert code == 0 and out.startswith("OK: 7 entries, chain intact")


def test_verify_names_the_first_broken_entry_and_exits_1(capsys, sim_log):
    sim_log.write_bytes(sim_log.read_bytes().replace(b'"replicas":2', b'"replicas":9'))
    code, out, _ = run(capsys, "verify", "--file", str(sim_log))
    assert code == 1
    assert out.startswith("BROKEN: line 5 (seq 5): hash mismatch: entry was edited")


def test_export_markdown_to_stdout_from_the_only_log(capsys, sim_log):
    code, out, err = run(capsys, "export")
    assert code == 0 and err == ""
    assert out.startswith("# memtui audit timeline: memtui-sim / sap-llm")
    assert "| # | Time (UTC) | Who | Action |" in out
    assert "- Integrity: OK: 7 entries, chain intact" in out


def test_export_csv_and_json_to_files(capsys, sim_log, tmp_path):
    target = tmp_path / "timeline.csv"
    code, out, err = run(capsys, "export", "--file", str(sim_log), "--format", "csv", "--output", str(target))
    assert code == 0 and out == "" and str(target) in err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["action"] for r in rows] == ["diagnose.top-pods", "fix.reduce-batch-size", "fix.scale-api", "note"]

    code, out, _ = run(capsys, "export", "--context", "memtui-sim", "--namespace", "sap-llm", "--format", "json")
    assert code == 0 and len(json.loads(out)["entries"]) == 7


def test_export_since_a_duration_or_a_time(capsys, private_state_dir):
    path = default_audit_path("memtui-sim", "sap-llm")
    clock = FakeClock(utc_now() - timedelta(hours=3))
    log = AuditLog(path, context="memtui-sim", namespace="sap-llm", clock=clock)
    log.note("three hours ago")
    clock.advance(minutes=170)
    log.note("ten minutes ago")

    notes = lambda out: [r["effect"] for r in csv.DictReader(io.StringIO(out))]  # noqa: E731
    assert notes(run(capsys, "export", "--since", "1h", "--format", "csv")[1]) == ["ten minutes ago"]
    assert notes(run(capsys, "export", "--since", "4h", "--format", "csv")[1]) == ["three hours ago", "ten minutes ago"]
    since = (clock.now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert notes(run(capsys, "export", "--since", since, "--format", "csv")[1]) == ["ten minutes ago"]


def test_export_warns_when_the_chain_is_broken(capsys, sim_log):
    sim_log.write_bytes(sim_log.read_bytes()[:-15])
    code, out, err = run(capsys, "export")
    assert code == 0
    assert "warning" in err and "line 7" in err
    assert "- Integrity: BROKEN: line 7" in out


def test_export_with_a_prometheus_chart(capsys, sim, prometheus, private_state_dir):
    """The chart of the real Prometheus scraping the simulator: its sap-llm pods, around the action."""
    path = default_audit_path("memtui-sim", "sap-llm")
    intent = utc_now() - timedelta(minutes=5)
    log = AuditLog(path, context="memtui-sim", namespace="sap-llm", clock=FakeClock(intent))
    log.intent(action="fix.reduce-batch-size", target={"kind": "ConfigMap", "name": "sap-llm-config"})
    code, out, err = run(capsys, "export", "--prometheus-url", prometheus.url)
    assert code == 0 and err == ""
    chart = out.split("## Pod memory around the actions\n\n```text\n", 1)[1].split("\n```", 1)[0]
    key = next(line for line in chart.splitlines() if line.startswith("• "))
    # the pods nearest their limit have the highest peaks: the incident's sap-llm pods lead the key
    truth = sim.truth()
    drawn = re.findall(r"[•+xo*#@%] (\S+)", key)
    assert set(drawn[:len(truth)]) == set(truth)
    assert f"#1 {intent:%H:%M:%S} fix.reduce-batch-size" in chart
    # the chart spans the action ± 10 minutes, ticks every 5 minutes from its start ...
    first_tick = intent - timedelta(minutes=10)
    first_tick += timedelta(minutes=-first_tick.minute % 5, seconds=-first_tick.second,
                            microseconds=-first_tick.microsecond)
    if first_tick < intent - timedelta(minutes=10):
        first_tick += timedelta(minutes=5)
    lines = chart.splitlines()
    axis = next(line for line in lines if re.search(r"\d\d:\d\d", line) and "#1" not in line)
    assert re.findall(r"\d\d:\d\d", axis)[0] == f"{first_tick:%H:%M}"
    # ... and the samples asked of Prometheus start at its left edge (the query's start is the window's)
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left = lines[top].index("┌") + 1
    assert any(len(line) > left and line[left] in "•+xo*#@%" for line in lines[top + 1:bottom])


def test_export_without_prometheus_still_exports_and_says_why(capsys, sim_log):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    code, out, err = run(capsys, "export", "--prometheus-url", url)
    assert code == 0
    assert "| # | Time (UTC)" in out
    assert f"memory chart left out: Prometheus at {url} is unreachable" in out
    assert "warning: memory chart left out" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--since", "yesterday"], "--since 'yesterday' is neither a duration"),
        (["export", "--file", "/nonexistent/audit.jsonl"], "audit log /nonexistent/audit.jsonl does not exist"),
        (["verify", "--file", "/nonexistent/audit.jsonl"], "does not exist"),
        (["export", "--format", "xml"], "invalid choice: 'xml'"),
        (["export", "--file", "x.jsonl", "--context", "c"], "either --file or --context/--namespace"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, sim_log, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err)
    assert message in err


def test_an_unreadable_file_is_one_line(capsys, tmp_path):
    directory = tmp_path / "a-dir.jsonl"
    directory.mkdir()
    code, _, err = run(capsys, "verify", "--file", str(directory))
    assert code == 2
    assert_one_line_error(err)
    assert "is a directory" in err


def test_no_log_at_all_says_where_it_looked(capsys, private_state_dir):
    code, _, err = run(capsys, "export")
    assert code == 2
    assert_one_line_error(err)
    assert f"no audit log in {private_state_dir / 'memtui' / 'audit'}" in err


def test_several_logs_are_listed_with_how_to_choose(capsys, sim_log):
    AuditLog(default_audit_path("prod", "sap-llm"), context="prod", namespace="sap-llm")
    code, _, err = run(capsys, "export")
    assert code == 2
    assert_one_line_error(err)
    assert "2 audit logs" in err
    assert "--context memtui-sim --namespace sap-llm" in err and "--context prod --namespace sap-llm" in err
    # one of the two names is enough to pick
    assert run(capsys, "export", "--context", "prod")[0] == 0


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0 and "--prometheus-url" in out
