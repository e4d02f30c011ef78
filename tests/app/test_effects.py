"""Effects in the running app: windows on the app's clock, restart pending in the header, and
what the audit log says when memtui stops before an effect was measured."""

from __future__ import annotations

from memtui.audit import load_entries
from memtui.widgets.incident_header import IncidentHeader
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal
from tests.sim.helpers import restart_deployment


def header_text(app) -> str:
    return str(app.query_one(IncidentHeader).render())


async def advance(pilot, app, handle, seconds: float) -> None:
    """Move the simulator's clock and wait until the app has refreshed past it."""
    handle.advance(seconds)
    previous = app.state.snapshot
    await wait_for(pilot, lambda: app.state.snapshot is not previous, timeout=10)


async def test_quit_before_the_effect_is_measured_leaves_an_entry_saying_so(sim, make_app, tmp_path):
    audit = tmp_path / "audit.jsonl"
    app = make_app(audit_log=str(audit))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await open_modal(pilot, app, "N")  # fix.limit-concurrency: its effect is due 120 s later
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        await pilot.press("q")
    entries = list(load_entries(audit))
    intent = next(e for e in entries if e.kind == "intent" and e.action == "fix.limit-concurrency")
    (effect,) = [e for e in entries if e.kind == "effect"]
    assert effect.refers_to == intent.id and effect.summary == "effect not measured (memtui stopped)"


async def test_restart_pending_until_a_rollout_replaced_the_pods_and_the_effects_say_whose(sim_factory, make_app,
                                                                                          tmp_path):
    handle = sim_factory(scenario="leak", seed=7)
    audit = tmp_path / "audit.jsonl"
    app = make_app(handle=handle, audit_log=str(audit))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        # memtui forgets a departed pod's series after a few refreshes: the rollout's effect must
        # not need the old pods' history to say how fast they grew
        app.state.history.grace = 1
        for _ in range(4):
            await advance(pilot, app, handle, 15)  # some history before the actions
        old = {p.name for p in app.state.snapshot.pods if p.owner == "sap-llm"}
        assert "restart pending" not in header_text(app)
        await open_modal(pilot, app, "N")  # max_concurrent_requests, read by the pods at start (envFrom)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 1, timeout=15)
        await wait_for(pilot, lambda: "restart pending for max_concurrent_requests" in header_text(app))
        for _ in range(2):
            await advance(pilot, app, handle, 15)
        assert "restart pending for max_concurrent_requests" in header_text(app)  # time alone changes nothing
        await open_modal(pilot, app, "R")  # fix.rollout-restart
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 2, timeout=15)
        # the patch's window closed at the restart: measured at the next refresh, credited until it
        await advance(pilot, app, handle, 15)
        await wait_for(pilot, lambda: len(app.effects) >= 1, timeout=15)
        patched = app.effects[0]
        assert patched.action_id == "fix.limit-concurrency"
        # the other action named as the operator knows it: title and key
        assert f"until action 2 ({app.action_label('fix.rollout-restart')} at" in patched.summary
        assert app.action_label("fix.rollout-restart").endswith("(R)")
        assert "restart pending for max_concurrent_requests" in patched.summary
        for _ in range(20):
            await advance(pilot, app, handle, 30)
            if len(app.effects) >= 2:
                break
        new = {p.name for p in app.state.snapshot.pods if p.owner == "sap-llm"}
        assert new and new.isdisjoint(old)
        assert "restart pending" not in header_text(app)
        await wait_for(pilot, lambda: len(app.effects) >= 2, timeout=15)
        restarted = app.effects[1]
        assert restarted.action_id == "fix.rollout-restart" and set(restarted.replaced) == old
        (target,) = restarted.report.targets
        assert target.rollout == "complete" and set(target.pods_after) == new
        assert target.growth_before > 2 * target.growth_after
        assert f"overlaps action 1 ({app.action_label('fix.limit-concurrency')} at" in restarted.summary
    summaries = [e.summary for e in load_entries(audit) if e.kind == "effect"]
    assert summaries == [patched.summary, restarted.summary]  # nothing left "not measured" at quit


async def test_restart_pending_survives_a_memtui_restart_and_clears_after_a_rollout_outside_memtui(sim, make_app,
                                                                                                tmp_path):
    audit = tmp_path / "audit.jsonl"
    first = make_app(audit_log=str(audit))
    async with first.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: first.state.snapshot is not None and first.executor is not None)
        await open_modal(pilot, first, "B")  # fix.reduce-batch-size: batch_size, max_batch_size (envFrom)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in first.outcomes), timeout=15)
        await wait_for(pilot, lambda: "restart pending for batch_size, max_batch_size" in header_text(first))
    sim.advance(60)
    second = make_app(audit_log=str(audit))  # the on-call restarted memtui: the pods still run the old values
    async with second.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: "restart pending for batch_size, max_batch_size" in header_text(second))
        restart_deployment(sim)  # kubectl rollout restart, not through memtui
        for _ in range(12):
            await advance(pilot, second, sim, 30)
            if "restart pending" not in header_text(second):
                break
        pods = [p for p in second.state.snapshot.pods if p.owner == "sap-llm"]
        assert pods and all(p.phase == "Running" for p in pods)
        assert "restart pending" not in header_text(second)
