"""A fix's key answers at once: the planning modal is up before the plan, holds the keys typed
meanwhile, cancels with the modal's key, and gives way to the confirmation modal when the plan
comes.  Redis is made slow for real (``DEBUG SLEEP``), so the plan's reads wait as they would."""

from __future__ import annotations

import re
import threading

import pytest
import redis

from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.planning_screen import PlanningScreen
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for
from tests.app.screen import screen_text
from tests.app.test_modals import notifications
from tests.servers import start_redis

ASLEEP_S = 2.5


def put_redis_to_sleep(url: str) -> threading.Thread:
    """Redis answers nobody for ``ASLEEP_S``: the FLUSHDB plan's CONFIG GET and INFO wait."""
    sleeper = threading.Thread(target=lambda: redis.Redis.from_url(url).execute_command("DEBUG", "SLEEP", ASLEEP_S),
                               daemon=True)
    sleeper.start()
    return sleeper


def planning_on_top(app) -> bool:
    return isinstance(app.screen, PlanningScreen)


@pytest.fixture
def redis_with_keys(tmp_path):
    """A real Redis that allows ``DEBUG SLEEP``, holding 20 keys (a FLUSHDB would empty it)."""
    server = start_redis(tmp_path / "redis", debug_command=True)
    try:
        redis.Redis.from_url(server.url).mset({f"k{i}": "v" for i in range(20)})
        yield server
    finally:
        server.stop()


async def test_a_fix_key_opens_the_modal_before_its_plan_and_the_keys_typed_meanwhile_stay_in_it(
        sim, make_app, tmp_path, redis_with_keys):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"), redis_url=redis_with_keys.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.executor is not None and bool(getattr(app, "permissions", None))
                       and len(app.query_one(PodTable).visible_rows) > 2)
        table = app.query_one(PodTable)
        cursor = table.cursor_pod
        sleeper = put_redis_to_sleep(redis_with_keys.url)
        await pilot.pause(0.2)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: planning_on_top(app), timeout=1.0)  # Redis sleeps on: no plan yet
        text = screen_text(app)
        assert "Redis FLUSHDB" in text and "Planning" in text and "Nothing has been sent" in text
        await pilot.press("j", "j")  # meant for nothing: the modal is up, the cursor stays
        assert table.cursor_pod == cursor and planning_on_top(app)
        await wait_for(pilot, lambda: re.search(r"… \d\.\d s", screen_text(app)) is not None, timeout=1.5)
        sleeper.join(timeout=10)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        assert not any(isinstance(s, PlanningScreen) for s in app.screen_stack)
        await pilot.pause(0.2)
        assert app.focused is not None and app.focused.id == "confirm-name"  # where a destructive one starts
        assert table.cursor_pod == cursor
    assert redis.Redis.from_url(redis_with_keys.url).dbsize() == 20


async def test_esc_while_planning_cancels_and_the_plan_that_comes_later_is_dropped(
        sim, make_app, tmp_path, redis_with_keys):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"), redis_url=redis_with_keys.url)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.executor is not None and bool(getattr(app, "permissions", None)))
        sleeper = put_redis_to_sleep(redis_with_keys.url)
        await pilot.pause(0.2)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: planning_on_top(app), timeout=1.0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not planning_on_top(app), timeout=2.0)
        assert "cancelled: nothing was sent" in notifications(app)
        sleeper.join(timeout=10)
        await wait_for(pilot, lambda: not [w for w in app.workers if w.group == "runbook" and w.is_running],
                       timeout=15)
        await pilot.pause(0.3)
        assert len(app.screen_stack) == 1  # the late plan opened nothing
        assert isinstance(app.focused, PodTable)
        assert app.is_running and app.return_code is None
    assert redis.Redis.from_url(redis_with_keys.url).dbsize() == 20


async def test_a_plan_that_cannot_be_made_closes_the_planning_modal_and_says_why(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"), redis_deployment="no-such-redis")
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.executor is not None and bool(getattr(app, "permissions", None)))
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: any("Redis FLUSHDB: " in n for n in notifications(app)), timeout=15)
        await pilot.pause(0.2)
        assert len(app.screen_stack) == 1 and isinstance(app.focused, PodTable)
        refusal = next(n for n in notifications(app) if "Redis FLUSHDB: " in n)
        assert "no-such-redis" in refusal



async def test_the_action_context_is_gathered_after_the_planning_modal_is_drawn(sim, make_app, tmp_path):
    """At 20,000 pods the context (every pod's usage, forecast, peak) is tens of milliseconds of
    the main thread: the modal's first frame does not wait for it."""
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    seen = []
    gather = app.action_context

    def noting_what_is_on_screen(*args, **kwargs):
        seen.append((type(app.screen).__name__, app.screen.is_mounted))
        return gather(*args, **kwargs)

    app.action_context = noting_what_is_on_screen
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
    assert seen[0] == ("PlanningScreen", True)
