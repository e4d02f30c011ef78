"""ConfigMap fixes: a JSON merge patch, shown, dry-run, sent exactly, audited, undone."""

from __future__ import annotations

import textwrap

import pytest

from memtui.executor import HttpCall, PlanError
from memtui.runbook import load_catalogue

ORIGINAL = {"batch_size": "64", "max_batch_size": "128"}
PATH = "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config"


def test_plan_shows_the_diff_the_kubectl_equivalent_and_the_dry_run(rig, catalogue):
    action = catalogue.get("fix.reduce-batch-size")
    start = rig.mark()
    plan = rig.executor.plan(action, {}, rig.ctx(reason="INC-7"))

    assert [(c.path, c.before, c.after) for c in plan.changes] == [
        ("data.batch_size", "64", "32"), ("data.max_batch_size", "128", "64")]
    assert plan.equivalent == ("kubectl patch configmap sap-llm-config -n sap-llm --type merge -p "
                               """'{"data":{"batch_size":"32","max_batch_size":"64"}}'""")
    (request,) = plan.requests
    assert request == HttpCall("PATCH", PATH, (("fieldManager", "memtui"),), "application/merge-patch+json",
                               {"data": {"batch_size": "32", "max_batch_size": "64"}})
    assert plan.dry_run is not None and plan.dry_run.ok, plan.dry_run
    assert plan.targets[0].kind == "ConfigMap" and plan.targets[0].name == "sap-llm-config"
    assert plan.mutating and plan.undoable and plan.confirm_name is None and plan.reason == "INC-7"
    assert plan.permission.allowed
    # planning changed nothing: the only write-shaped call was the dry run
    assert rig.writes(start) == []
    (dry,) = rig.writes(start, dry_run=True)
    assert dry.method == "PATCH" and dry.path == PATH and dry.query["dryRun"] == "All"
    assert rig.configmap()["batch_size"] == "64"


def test_execute_sends_exactly_the_merge_patch_and_audits_intent_then_result(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.reduce-batch-size"), {}, rig.ctx(reason="INC-7"))
    start = rig.mark()
    outcome = rig.executor.execute(plan)

    assert outcome.ok, outcome
    (sent,) = rig.writes(start)
    assert (sent.method, sent.path, sent.content_type) == ("PATCH", PATH, "application/merge-patch+json")
    assert sent.body == {"data": {"batch_size": "32", "max_batch_size": "64"}}
    assert sent.query == {"fieldManager": "memtui"}
    assert sent.user_agent.startswith("memtui/") and sent.token_name == "operator" and sent.status == 200
    assert {k: rig.configmap()[k] for k in ORIGINAL} == {"batch_size": "32", "max_batch_size": "64"}

    intent, result = [e for e in rig.entries() if e.kind in ("intent", "result")]
    assert intent.kind == "intent" and intent.action == "fix.reduce-batch-size" and intent.reason == "INC-7"
    assert intent.request["requests"][0]["content_type"] == "application/merge-patch+json"
    assert intent.dry_run["outcome"] == "accepted"
    assert intent.kubectl == plan.equivalent
    assert result.kind == "result" and result.refers_to == intent.id == outcome.intent_id
    assert result.outcome == "success" and result.duration_s is not None
    assert result.previous == {"kind": "configmap", "name": "sap-llm-config", "data": ORIGINAL}
    assert dict(outcome.previous) == result.previous


def test_undo_restores_the_configmap_and_removes_keys_that_did_not_exist(sim, make_rig, tmp_path):
    runbook = tmp_path / "runbook.toml"
    runbook.write_text(textwrap.dedent('''
        [[action]]
        id = "fix.gc-threshold"
        title = "GC threshold"
        phase = "fix"
        risk = "reversible"
        summary = "Set a key that sap-llm-config does not have yet, and batch_size."
        undo = "restore-previous"
        equivalent = """kubectl patch configmap {configmap} -n {namespace} --type merge -p '{"data":{"gc_threshold":"{threshold}"}}'"""

        [action.operation]
        kind = "configmap-patch"
        name = "sap-llm-config"
        data = { gc_threshold = "{threshold}", batch_size = "16" }

        [action.params.threshold]
        type = "int"
        default = "700"
        label = "gc threshold"
    '''))
    action = load_catalogue(runbook).get("fix.gc-threshold")
    rig = make_rig(sim)
    before = rig.configmap()
    assert "gc_threshold" not in before

    done = rig.executor.execute(rig.executor.plan(action, {"threshold": "900"}, rig.ctx()))
    assert done.ok and rig.configmap()["gc_threshold"] == "900" and rig.configmap()["batch_size"] == "16"

    undo = rig.executor.undo_plan(done)
    assert undo.undo_of == done.intent_id and undo.audit_action == "fix.gc-threshold.undo"
    assert [(c.path, c.before, c.after) for c in undo.changes] == [
        ("data.gc_threshold", "900", None), ("data.batch_size", "16", "64")]
    assert undo.dry_run is not None and undo.dry_run.ok
    start = rig.mark()
    undone = rig.executor.execute(undo)
    assert undone.ok, undone
    (sent,) = rig.writes(start)
    assert sent.content_type == "application/merge-patch+json"
    assert sent.body == {"data": {"gc_threshold": None, "batch_size": "64"}}
    assert rig.configmap() == before

    kinds = [(e.kind, e.action) for e in rig.entries()]
    assert kinds == [("intent", "fix.gc-threshold"), ("result", "fix.gc-threshold"),
                     ("intent", "fix.gc-threshold.undo"), ("result", "fix.gc-threshold.undo")]


def test_a_bad_value_is_a_plan_error_naming_the_parameter_and_nothing_is_sent(rig, catalogue):
    start = rig.mark()
    with pytest.raises(PlanError) as caught:
        rig.executor.plan(catalogue.get("fix.reduce-batch-size"), {"batch_size": "500", "max_batch_size": "64"},
                          rig.ctx())
    assert caught.value.param == "batch_size" and "larger than max_batch_size" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert rig.writes(start, dry_run=None) == []
    assert rig.entries() == []


def test_a_plan_is_executed_once(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.limit-concurrency"), {}, rig.ctx())
    assert rig.executor.execute(plan).ok
    start = rig.mark()
    again = rig.executor.execute(plan)
    assert not again.ok and again.refused and "already executed" in again.error
    assert rig.writes(start) == []


def test_undo_is_refused_for_actions_that_cannot_be_undone(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.force-gc"), {}, rig.ctx())
    assert not plan.undoable
    outcome = rig.executor.execute(plan)
    assert outcome.ok
    with pytest.raises(PlanError, match="cannot be undone"):
        rig.executor.undo_plan(outcome)
