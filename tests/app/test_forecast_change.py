"""What the fix did to the forecast, in the running app: on the simulator's leak, "limit concurrent
requests" (a ConfigMap key read at start) then a rollout restart; the header shows growth and
time to OOM before, says it is measuring while the new pods have too few points, then shows the
new figures next to the old ones; the effect measured for the restart says the same."""

from __future__ import annotations

from memtui.state.forecast_change import MIN_SPAN_AFTER_S
from memtui.widgets.incident_header import IncidentHeader
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal
from tests.app.test_effects import advance, header_text

MiB = 2**20


async def test_header_shows_growth_and_time_to_oom_before_and_after_a_rollout_with_lower_concurrency(
        sim_factory, make_app, tmp_path):
    handle = sim_factory(scenario="leak", seed=7)
    app = make_app(handle=handle, audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(200, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        for _ in range(4):
            await advance(pilot, app, handle, 15)  # growth and a forecast before the actions
        assert app.query_one(IncidentHeader).forecast_change is None  # no action yet: nothing to compare
        await open_modal(pilot, app, "N")  # max_concurrent_requests=50, read at start
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 1, timeout=15)
        await open_modal(pilot, app, "R")  # the rollout that makes it live
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 2, timeout=15)
        await advance(pilot, app, handle, 15)
        change = app.query_one(IncidentHeader).forecast_change
        assert change is not None and change.label == app.action_label("fix.rollout-restart")
        before = change.before
        assert before.growth_per_minute is not None and before.growth_per_minute > 50 * MiB
        assert before.seconds_to_oom is not None
        assert change.after is None and "measuring" in header_text(app)
        for _ in range(30):  # the new pods start, then need their points
            await advance(pilot, app, handle, 15)
            change = app.query_one(IncidentHeader).forecast_change
            if change.after is not None:
                break
        assert change.after is not None, change
        assert change.span_after_s >= MIN_SPAN_AFTER_S
        assert change.before == before  # what the operator saw when the rollout ran
        after = change.after.growth_per_minute
        assert after is not None and after < 0.5 * before.growth_per_minute  # a quarter of the concurrency
        assert f"after {change.label}: " in header_text(app)
        assert change.text() in header_text(app)
        assert " → " in change.text() and "MiB/min, OOM ~" in change.text()
        app.check_effects_now()
        await wait_for(pilot, lambda: any(e.action_id == "fix.rollout-restart" for e in app.effects), timeout=15)
        effect = next(e for e in app.effects if e.action_id == "fix.rollout-restart")
        assert "growth +" in effect.summary and " → +" in effect.summary and "OOM forecast ~" in effect.summary
