"""The postmortem's "limit after the fix": a line per affected deployment/container in the export,
computed with the same advice from the figures after the fix (the effect entry's, or Prometheus')."""

from __future__ import annotations

import json

from memtui.audit.cli import main
from memtui.reasoning.limit_advice import GiB, round_up
from tests.executor.test_events_and_effects import Watch, numbered


def export(capsys, *argv: str) -> str:
    assert main(["export", *argv]) == 0
    return capsys.readouterr().out


def test_export_says_what_the_limit_should_be_after_the_fix(sim_factory, make_rig, catalogue, capsys):
    handle = sim_factory(scenario="leak", seed=7)
    rig = make_rig(handle)
    watch = Watch(rig)
    watch.run(120)
    outcome = rig.executor.execute(rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "20Gi"},
                                                     rig.ctx()))
    assert outcome.ok
    watch.run(600)
    rig.executor.check_effect(outcome, rig.ctx(), samples=watch.samples, marks=numbered([outcome]))
    (effect,) = [e for e in rig.entries() if e.kind == "effect"]
    after = effect.after["targets"][0]
    ws, growth = after["working_set_after"], after["growth_per_min_after"]

    document = json.loads(export(capsys, "--file", str(rig.audit_path), "--format", "json"))
    (figures,) = document["limits_after_fix"]
    assert (figures["deployment"], figures["container"], figures["source"]) == ("sap-llm", "sap-llm", "memtui")
    assert figures["peak_bytes"] == ws and figures["limit_set"] == "20Gi"
    growth_term = round(growth / 60 * 3600) if growth and growth > 2**20 else 0
    expected, _ = round_up(ws + round(ws * 0.15) + growth_term)
    assert figures["proposed"] == f"{expected // GiB}Gi"

    text = export(capsys, "--file", str(rig.audit_path), "--format", "md")
    section = text.split("## Memory limit after the fix", 1)[1]
    line = next(ln for ln in section.splitlines() if ln.startswith("- deployment/sap-llm container sap-llm"))
    assert f"**{figures['proposed']}**" in line and "memtui's effect figures (per pod)" in line
    assert "after fix.raise-memory-limit at" in line and "the limit set during the incident: 20Gi" in line


def test_no_fix_no_section(rig, catalogue, capsys):
    assert rig.executor.run_read(catalogue.get("diagnose.top-pods"), {}, rig.ctx()).ok
    text = export(capsys, "--file", str(rig.audit_path), "--format", "md")
    assert "Memory limit after the fix" not in text
