"""Deployment fixes: rollout restart (strategic merge), memory limit (JSON patch by container
name), set env (strategic merge), scale (scale subresource, merge patch)."""

from __future__ import annotations

from memtui.state.units import parse_bytes

DEPLOY = "/apis/apps/v1/namespaces/sap-llm/deployments/sap-llm"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


def sap_llm_pods(rig, *, live_only: bool = True):
    return [p for p in rig.ctx().pods if p.owner == "sap-llm" and (not live_only or p.status_text != "Terminating")]


def test_rollout_restart_is_kubectls_strategic_merge_patch_and_replaces_every_pod(rig, catalogue):
    old = {p.name for p in sap_llm_pods(rig)}
    plan = rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx())
    (change,) = plan.changes
    assert change.path == f'spec.template.metadata.annotations["{RESTARTED_AT}"]' and change.before is None
    assert plan.dry_run.ok and "rollout" in plan.dry_run.message
    assert plan.equivalent == "kubectl rollout restart deployment/sap-llm -n sap-llm"
    assert all(name in plan.targets[0].why for name in old)
    assert plan.confirm_name is None and not plan.undoable

    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert outcome.ok, outcome
    (sent,) = rig.writes(start)
    assert (sent.method, sent.path, sent.content_type) == ("PATCH", DEPLOY, "application/strategic-merge-patch+json")
    assert sent.body == {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: change.after}}}}}
    assert sent.query == {"fieldManager": "memtui"} and sent.user_agent.startswith("memtui/")
    template = rig.deployment()["spec"]["template"]["metadata"]
    assert template["annotations"][RESTARTED_AT] == change.after

    rig.sim.advance(120)
    new = {p.name for p in sap_llm_pods(rig)}
    assert new and not (new & old)
    effect = rig.executor.check_effect(outcome, rig.ctx())
    assert set(effect.replaced) == old
    assert f"{len(old)} of {len(old)} pods replaced" in effect.summary
    (entry,) = [e for e in rig.entries() if e.kind == "effect"]
    assert entry.refers_to == outcome.intent_id and entry.summary == effect.summary
    assert set(entry.before["pods"]) == old and set(entry.after["pods"]) == new


def test_memory_limit_is_a_json_patch_by_container_name_and_new_pods_get_16gi(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {}, rig.ctx())
    (change,) = plan.changes
    assert (change.path, change.before, change.after) == (
        "spec.template.spec.containers[sap-llm].resources.limits.memory", "12Gi", "16Gi")
    assert plan.dry_run.ok and plan.undoable
    assert plan.equivalent == "kubectl set resources deployment/sap-llm -n sap-llm -c sap-llm --limits=memory=16Gi"

    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert outcome.ok, outcome
    (sent,) = rig.writes(start)
    assert (sent.method, sent.path, sent.content_type) == ("PATCH", DEPLOY, "application/json-patch+json")
    assert sent.body == [
        {"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "sap-llm"},
        {"op": "add", "path": "/spec/template/spec/containers/0/resources/limits/memory", "value": "16Gi"},
    ]
    assert sent.query == {"fieldManager": "memtui"}
    assert outcome.previous["limit"] == "12Gi"

    rig.sim.advance(120)
    pods = sap_llm_pods(rig)
    assert pods and all(p.memory_limit_bytes == parse_bytes("16Gi") for p in pods)

    undone = rig.executor.execute(rig.executor.undo_plan(outcome))
    assert undone.ok, undone
    container = rig.deployment()["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["memory"] == "12Gi"


def test_a_limit_below_the_request_fails_the_dry_run_and_says_why(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "4Gi"}, rig.ctx())
    assert not plan.dry_run.ok
    assert "422" in plan.dry_run.message or "Invalid" in plan.dry_run.message
    assert any("below the memory request 8Gi" in w for w in plan.warnings)
    assert rig.deployment()["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == "12Gi"


def test_set_env_is_a_strategic_merge_patch_of_the_named_container(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.python-unbuffered"), {}, rig.ctx())
    assert [(c.path, c.before, c.after) for c in plan.changes] == [
        ("spec.template.spec.containers[sap-llm].env[PYTHONUNBUFFERED]", None, "1")]
    start = rig.mark()
    assert rig.executor.execute(plan).ok
    (sent,) = rig.writes(start)
    assert sent.content_type == "application/strategic-merge-patch+json"
    assert sent.body == {"spec": {"template": {"spec": {"containers": [
        {"name": "sap-llm", "env": [{"name": "PYTHONUNBUFFERED", "value": "1"}]}]}}}}
    env = rig.deployment()["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "PYTHONUNBUFFERED", "value": "1"} in env


def test_scale_goes_through_the_scale_subresource_and_undo_restores_the_count(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.scale-api"), {}, rig.ctx())
    assert [(c.before, c.after) for c in plan.changes] == [("4", "2")]
    assert plan.dry_run.ok and plan.undoable
    assert plan.equivalent == "kubectl scale deployment sap-llm-api -n sap-llm --replicas=2"
    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert outcome.ok, outcome
    (sent,) = rig.writes(start)
    assert (sent.method, sent.path) == ("PATCH", "/apis/apps/v1/namespaces/sap-llm/deployments/sap-llm-api/scale")
    assert sent.content_type == "application/merge-patch+json" and sent.body == {"spec": {"replicas": 2}}
    assert rig.deployment("sap-llm-api")["spec"]["replicas"] == 2
    assert outcome.previous == {"kind": "scale", "deployment": "sap-llm-api", "replicas": 4}

    undo = rig.executor.undo_plan(outcome)
    assert [(c.before, c.after) for c in undo.changes] == [("2", "4")]
    assert undo.equivalent == "kubectl scale deployment sap-llm-api -n sap-llm --replicas=4"
    start = rig.mark()
    assert rig.executor.execute(undo).ok
    (sent,) = rig.writes(start)
    assert sent.body == {"spec": {"replicas": 4}}
    assert rig.deployment("sap-llm-api")["spec"]["replicas"] == 4


def test_a_deployment_managed_by_argo_cd_or_flux_warns_that_a_patch_will_be_reverted(rig, catalogue):
    from memtui.executor.kubeapi import MERGE_PATCH, write_call

    rig.reader.send(write_call("PATCH", DEPLOY, content_type=MERGE_PATCH,
                               body={"metadata": {"labels": {"argocd.argoproj.io/instance": "sap-llm-prod"}}}))
    plan = rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {}, rig.ctx())
    assert any("Argo CD" in w and "sap-llm-prod" in w and "reverted by the next sync" in w for w in plan.warnings)
    rig.reader.send(write_call("PATCH", DEPLOY, content_type=MERGE_PATCH, body={"metadata": {"labels": {
        "argocd.argoproj.io/instance": None, "kustomize.toolkit.fluxcd.io/name": "apps"}}}))
    plan = rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx())
    assert any("Flux" in w and "Kustomization apps" in w for w in plan.warnings)
    plan = rig.executor.plan(catalogue.get("fix.reduce-batch-size"), {}, rig.ctx())
    assert not any("Flux" in w or "Argo" in w for w in plan.warnings)  # the ConfigMap itself is not managed
