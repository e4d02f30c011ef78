"""Runbook actions driven from the keyboard, end to end: key → modal → confirm → the request
in the simulator's journal → intent and result in the audit file (and nothing at all on Esc)."""

from __future__ import annotations

import redis
from textual.widgets import OptionList

from memtui.audit import load_entries, verify_log
from memtui.sources.evidence import DU_SCRIPT
from memtui.widgets.actions_panel import ActionsPanel
from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.output_screen import OutputScreen
from tests.app.conftest import wait_for
from tests.servers import start_redis

CONFIGMAP = "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config"


def real_writes(handle):
    """Requests that changed something: not dry runs, not access reviews (a POST that changes
    nothing); exec is journaled too, since it can, except the evidence source's read-only ``du``
    (it runs once the first pods are in, whatever the test does)."""
    return [e for e in handle.journal() if not e.dry_run and "accessreview" not in e.path
            and DU_SCRIPT not in (e.query or {}).get("command", ())]


def configmap_data(kubectl) -> dict:
    import json

    return json.loads(kubectl("get", "configmap", "sap-llm-config", "-n", "sap-llm", "-o", "json", check=True).stdout)["data"]


async def open_modal(pilot, app, key: str) -> ConfirmActionScreen:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
    return app.screen


async def test_key_modal_confirm_sends_exactly_the_patch_and_audits_intent_then_result(sim, make_app, kubectl, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    before = configmap_data(kubectl)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "B")  # fix.reduce-batch-size
        plan = modal.plan
        assert plan.action.id == "fix.reduce-batch-size"
        assert {c.path: (c.before, c.after) for c in plan.changes}["data.batch_size"] == (before["batch_size"], "32")
        assert plan.dry_run is not None and plan.dry_run.ok
        assert "kubectl patch configmap sap-llm-config -n sap-llm --type merge" in plan.equivalent
        assert not real_writes(sim)  # the dry run is all that was sent so far
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(real_writes(sim)), timeout=15)
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)

    writes = [e for e in real_writes(sim) if e.path == CONFIGMAP]
    assert len(writes) == 1
    patch = writes[0]
    assert patch.method == "PATCH" and patch.content_type == "application/merge-patch+json"
    assert patch.body == {"data": {"batch_size": "32", "max_batch_size": "64"}}
    assert patch.query.get("fieldManager") == "memtui"
    assert patch.user_agent.startswith("memtui/") and patch.token_name == "operator"
    assert configmap_data(kubectl)["batch_size"] == "32"

    entries = list(load_entries(audit))
    intent = next(e for e in entries if e.kind == "intent" and e.action == "fix.reduce-batch-size")
    result = next(e for e in entries if e.kind == "result" and e.refers_to == intent.id)
    assert entries.index(intent) < entries.index(result)
    assert result.outcome == "success"
    assert result.previous  # recorded for undo
    assert verify_log(audit).ok


async def test_escape_sends_nothing_and_audits_nothing(sim, make_app, kubectl, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    before = configmap_data(kubectl)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await open_modal(pilot, app, "B")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
        await pilot.pause(0.5)
    assert not real_writes(sim)
    assert configmap_data(kubectl) == before
    kinds = [e.kind for e in load_entries(audit)] if audit.exists() else []
    assert "intent" not in kinds and "result" not in kinds


async def test_read_only_token_disables_actions_with_the_rbac_reason(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"), context="memtui-sim-readonly")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        await wait_for(pilot, lambda: bool(getattr(app, "permissions", None)), timeout=15)
        denied = app.permissions["fix.reduce-batch-size"]
        assert not denied.allowed
        assert denied.reason.startswith("RBAC:") and "may not patch configmaps" in denied.reason
        assert app.permissions["diagnose.top-pods"].allowed
        panel = app.query_one(ActionsPanel)
        assert panel.permissions["fix.redis-flushdb"].allowed is False
        await pilot.press("B")
        await pilot.pause(1.0)
        assert not isinstance(app.screen, ConfirmActionScreen)
        # the entry stays in the panel, and highlighting it says why it cannot run
        options = panel.query_one(OptionList)
        options.highlighted = options.get_option_index("fix.reduce-batch-size")
        await pilot.pause()
        hint = str(panel.query_one("#action-hint").render())
        assert "not allowed: RBAC" in hint and "patch configmaps" in hint
    assert not real_writes(sim)


async def test_read_only_flag_refuses_every_change(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"), read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: bool(getattr(app, "permissions", None)), timeout=15)
        mutating = [a for a in app.catalogue.actions if a.is_mutating]
        assert all(not app.permissions[a.id].allowed for a in mutating)
        assert all("read-only" in app.permissions[a.id].reason for a in mutating)
        await pilot.press("R")
        await pilot.pause(1.0)
        assert not isinstance(app.screen, ConfirmActionScreen)
    assert not [e for e in sim.journal() if "accessreview" not in e.path]  # not even a dry run


async def test_flushdb_needs_the_name_typed_and_then_empties_real_redis(sim, make_app, tmp_path):
    server = start_redis(tmp_path / "redis", password="flush-pw")
    try:
        client = redis.Redis.from_url(server.url)
        client.mset({f"k{i}": "v" for i in range(500)})
        app = make_app(audit_log=str(tmp_path / "audit.jsonl"), redis_url=server.url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.executor is not None and bool(getattr(app, "permissions", None)))
            modal = await open_modal(pilot, app, "ctrl+f")
            assert modal.plan.confirm_name
            assert any("500" in w for w in modal.plan.warnings)  # the key count, before anything
            assert modal.plan.gentler_first  # eviction policy and MEMORY PURGE are offered first
            await pilot.press("ctrl+s")  # nothing typed: Apply is disabled
            await pilot.pause(0.5)
            assert isinstance(app.screen, ConfirmActionScreen) and client.dbsize() == 500
            await pilot.click("#confirm-name")
            for char in modal.plan.confirm_name:
                await pilot.press(char)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: client.dbsize() == 0, timeout=15)
        entries = list(load_entries(tmp_path / "audit.jsonl"))
        assert any(e.kind == "result" and e.outcome == "success" for e in entries)
        assert "flush-pw" not in (tmp_path / "audit.jsonl").read_text()
    finally:
        server.stop()


async def test_undo_restores_the_configmap_through_the_same_modal(sim, make_app, kubectl, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    original = configmap_data(kubectl)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await open_modal(pilot, app, "B")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        assert configmap_data(kubectl)["batch_size"] == "32"
        modal = await open_modal(pilot, app, "u")
        assert modal.plan.undo_of
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 2, timeout=15)
    assert configmap_data(kubectl) == original
    actions = [e.action for e in load_entries(audit) if e.kind == "intent"]
    assert actions == ["fix.reduce-batch-size", "fix.reduce-batch-size.undo"]


async def test_diagnose_step_runs_without_a_modal_shows_output_and_is_audited(sim, make_app, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("l")  # diagnose.logs-memory
        await wait_for(pilot, lambda: isinstance(app.screen, OutputScreen), timeout=15)
        outcome = app.screen.outcome
        assert outcome.ok and "matching lines" in outcome.summary
        assert "memory" in outcome.output.lower()
        await pilot.press("escape")
    assert not real_writes(sim)
    reads = [e for e in load_entries(audit) if e.kind == "read"]
    assert reads and reads[0].action == "diagnose.logs-memory"


async def test_export_key_writes_the_postmortem_timeline(sim, make_app, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await open_modal(pilot, app, "B")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        await pilot.press("X")
        await wait_for(pilot, lambda: getattr(app, "last_export", None) is not None, timeout=15)
        text = app.last_export.markdown.read_text()
    assert "fix.reduce-batch-size" in text and "|" in text  # the Markdown table of actions
    assert "success" in text


async def test_bad_parameter_in_the_modal_is_explained_and_sends_nothing(sim, make_app, kubectl, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "L")  # fix.raise-memory-limit
        box = modal.query_one("#param-limit")
        box.value = "16Gx"
        await pilot.pause(0.3)
        error = str(modal.query_one("#error-limit").render())
        assert "16Gx" in error and "quantity" in error
        assert modal.query_one("#apply").disabled
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmActionScreen)
        assert not real_writes(sim)
        box.value = "20Gi"
        await wait_for(pilot, lambda: not modal.query_one("#apply").disabled, timeout=15)
        assert any(c.after == "20Gi" for c in modal.plan.changes)  # re-planned with the edit
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
    patch = next(e for e in real_writes(sim) if e.path.endswith("/deployments/sap-llm"))
    assert patch.content_type == "application/json-patch+json"
    sim.advance(120)
    limits = kubectl(
        "get", "pods", "-n", "sap-llm", "-l", "app=sap-llm",
        "-o", "jsonpath={.items[*].spec.containers[0].resources.limits.memory}", check=True,
    ).stdout.split()
    assert limits and set(limits) == {"20Gi"}  # the rollout replaced every pod with the new limit


async def test_the_fix_for_the_scenarios_root_cause_stops_the_growth(sim_factory, make_app, tmp_path):
    """model-duplication: reduce model instances, then rollout restart: the new pods stop stepping up."""
    handle = sim_factory(scenario="model-duplication", seed=11)
    app = make_app(handle=handle, audit_log=str(tmp_path / "audit.jsonl"))
    growing_before = max(t.growth_bytes_per_second for t in handle.truth().values())
    assert growing_before > 0
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await open_modal(pilot, app, "M")  # fix.reduce-model-instances
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 1, timeout=15)
        before_names = set(handle.truth())
        await open_modal(pilot, app, "R")  # fix.rollout-restart
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 2, timeout=15)
        for _ in range(20):  # half an hour of simulated time, refresh by refresh
            handle.advance(90)
            previous = app.state.snapshot
            await wait_for(pilot, lambda previous=previous: app.state.snapshot is not previous, timeout=10)
        truth = handle.truth()
        new_pods = [p for p in truth if p not in before_names]
        assert new_pods, "the rollout replaced the pods"
        # no more model instances piling up: flat after the restart (the simulator's ground truth)
        assert all(truth[p].growth_bytes_per_second <= 0.05 * growing_before for p in new_pods)
        assert all(truth[p].restarts == 0 for p in new_pods)  # and no OOM kill since
        rows = {r.name: r for r in app.state.rows}
        # what memtui shows agrees: no growth worth a forecast on the new pods
        assert all(rows[p].seconds_to_oom is None or rows[p].seconds_to_oom > 3600 for p in new_pods)
        app.check_effects_now()
        await wait_for(pilot, lambda: len(app.effects) >= 1, timeout=15)
