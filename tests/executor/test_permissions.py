"""RBAC preflight (SelfSubjectAccessReview, batched and cached) and ``--read-only``."""

from __future__ import annotations

from memtui.executor.kinds.registry import handler_for

from memtui.executor.model import Permission
from memtui.executor.rbac import requirements

SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


def ssar_bodies(sim, since: int = 0) -> list[dict]:
    return [e.body["spec"]["resourceAttributes"] for e in sim.journal()[since:] if e.path == SSAR]


def test_the_read_only_token_disables_fixes_with_the_rbac_reason(sim, make_rig, catalogue):
    rig = make_rig(sim, context="memtui-sim-readonly")
    permissions = rig.executor.permissions(catalogue.actions)
    assert set(permissions) == {a.id for a in catalogue.actions}
    batch = permissions["fix.reduce-batch-size"]
    assert not batch.allowed
    assert batch.reason == "RBAC: oncall-readonly may not patch configmaps in namespace sap-llm"
    assert "may not create pods/exec" in permissions["fix.clear-app-cache"].reason
    assert "may not delete pods" in permissions["fix.delete-worst-pod"].reason
    assert "patch deployments/scale (API group apps)" in permissions["fix.scale-api"].reason
    assert "create pods/exec" in permissions["diagnose.heap-profile"].reason  # exec is a create, even to read
    for allowed in ("diagnose.logs-memory", "diagnose.rollout-history", "diagnose.configmap-keys", "diagnose.top-pods"):
        assert permissions[allowed] == Permission(True, None), allowed
    assert permissions["diagnose.prom-memory-now"] == Permission(False, "no Prometheus URL configured (--prometheus-url)")


def test_execute_with_the_read_only_token_refuses_and_sends_nothing(sim, make_rig, catalogue):
    rig = make_rig(sim, context="memtui-sim-readonly")
    plan = rig.executor.plan(catalogue.get("fix.reduce-batch-size"), {}, rig.ctx())
    assert not plan.permission.allowed and plan.warnings[0] == plan.permission.reason
    assert plan.dry_run is not None and not plan.dry_run.ok and "403" in plan.dry_run.message
    start = rig.mark()
    outcome = rig.executor.execute(plan)
    assert not outcome.ok and outcome.refused and "may not patch configmaps" in outcome.error
    assert rig.writes(start) == [] and rig.writes(start, dry_run=True) == []
    intent, result = rig.entries()
    assert (intent.kind, result.kind, result.outcome, result.refers_to) == ("intent", "result", "refused", intent.id)
    assert rig.configmap()["batch_size"] == "64"


def test_read_only_mode_denies_every_mutating_action_and_execute_refuses(sim, make_rig, catalogue):
    rig = make_rig(sim, read_only=True)
    permissions = rig.executor.permissions(catalogue.actions)
    for action in catalogue.actions:
        if action.is_mutating:
            assert permissions[action.id] == Permission(False, "read-only mode (--read-only)"), action.id
        elif action.operation.kind not in ("promql", "exec", "exec-script", "pod-http", "redis"):
            assert permissions[action.id].allowed, action.id  # reads of the API server (test_read_only: containers)
    # read-only mode asks the API server nothing about what it forbids anyway
    asked = {(a["verb"], a["resource"], a.get("subresource", "")) for a in ssar_bodies(sim)}
    assert ("patch", "configmaps", "") not in asked and ("delete", "pods", "") not in asked
    start = rig.mark()
    plan = rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx())
    assert plan.dry_run is None and "no server-side dry run: memtui runs in read-only mode" in plan.warnings
    assert plan.permission == Permission(False, "read-only mode (--read-only)")
    outcome = rig.executor.execute(plan)
    assert outcome.refused and outcome.error == "read-only mode (--read-only)"
    # not a single write-shaped request: no dry run, no call, no Event (access reviews aside)
    assert [e for e in rig.sim.journal()[start:] if e.path != SSAR] == []
    assert rig.executor.run_read(catalogue.get("diagnose.rollout-history"), {}, rig.ctx()).ok


def test_one_review_per_distinct_permission_and_then_the_cache(rig, catalogue):
    start = rig.mark()
    rig.executor.permissions(catalogue.actions)
    asked = ssar_bodies(rig.sim, start)
    keys = [(a["verb"], a["group"], a["resource"], a.get("subresource", "")) for a in asked]
    # the silence needs --alertmanager-url, which this rig has not: disabled before any review
    distinct = {(r.verb, r.group, r.resource, r.subresource)
                for a in catalogue.actions if not handler_for(a.operation).NEEDS_ALERTMANAGER
                for r in requirements(a.operation, redis_via_url=False)}
    assert sorted(keys) == sorted(distinct)  # each once: not one per action
    assert len(keys) < len([a for a in catalogue.actions if a.operation.kind != "promql"])
    assert all(a["namespace"] == "sap-llm" for a in asked)
    again = rig.mark()
    rig.executor.permissions(catalogue.actions)
    rig.executor.plan(catalogue.get("fix.limit-concurrency"), {}, rig.ctx())
    assert ssar_bodies(rig.sim, again) == []
    rig.executor.permissions(catalogue.actions, refresh=True)
    assert len(ssar_bodies(rig.sim, again)) == len(keys)
