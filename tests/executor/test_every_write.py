"""A sweep over the whole catalogue: every write memtui makes carries fieldManager=memtui, the
memtui User-Agent and the operator's token, with the patch type chosen for its kind, and stays in
the namespace."""

from __future__ import annotations

from memtui.executor.kinds.registry import handler_for

PATCH_TYPES = {
    "configmaps": "application/merge-patch+json",
    "scale": "application/merge-patch+json",
}
DEPLOYMENT_PATCH_TYPES = {
    "fix.rollout-restart": "application/strategic-merge-patch+json",
    "fix.python-unbuffered": "application/strategic-merge-patch+json",
    "fix.raise-memory-limit": "application/json-patch+json",
}


def test_every_write_of_every_fix_carries_memtuis_field_manager_and_user_agent(rig, catalogue):
    # the silence writes to Alertmanager, not the API server (tests/alerts, against a real one)
    fixes = [a for a in catalogue.actions if a.is_mutating and not handler_for(a.operation).NEEDS_ALERTMANAGER]
    order = sorted(fixes, key=lambda a: (a.risk == "destructive", a.id))  # deletes and FLUSHDB last
    start = rig.mark()
    deployment_patches: dict[str, str] = {}
    for action in order:
        plan = rig.executor.plan(action, {}, rig.ctx(reason="sweep"))
        mark = rig.mark()
        outcome = rig.executor.execute(plan, confirmation=plan.confirm_name)
        assert outcome.ok, (action.id, outcome.error)
        for entry in rig.writes(mark):
            if entry.path.endswith("/deployments/sap-llm") and entry.method == "PATCH":
                deployment_patches[action.id] = entry.content_type
        rig.sim.advance(30)
    writes = [e for e in rig.sim.journal()[start:] if e.method in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(writes) > len(fixes)  # dry runs, reviews, the calls and the Events
    for entry in writes:
        assert entry.query.get("fieldManager") == "memtui", entry
        assert (entry.user_agent or "").startswith("memtui/"), entry
        assert entry.token_name == "operator", entry
        assert entry.path.startswith(("/api/v1/namespaces/sap-llm/", "/apis/apps/v1/namespaces/sap-llm/",
                                      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")), entry
        if entry.path.endswith("/configmaps/sap-llm-config"):
            assert entry.content_type == PATCH_TYPES["configmaps"]
        if entry.path.endswith("/scale"):
            assert entry.content_type == PATCH_TYPES["scale"]
    assert deployment_patches == DEPLOYMENT_PATCH_TYPES
    for entry in rig.sim.journal()[start:]:
        assert "ml-batch" not in entry.path
    results = [e for e in rig.entries() if e.kind == "result"]
    assert len(results) == len(fixes)
