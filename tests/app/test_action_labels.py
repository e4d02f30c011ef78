"""User text names an action by what the operator presses and reads (its key and title), never by
its catalogue id: ``Redis eviction policy (E)``, not ``fix.redis-eviction-policy``."""

from __future__ import annotations

import re

from memtui.widgets.confirm_screen import ConfirmActionScreen
from tests.app.conftest import wait_for
from tests.servers import start_redis

CATALOGUE_ID = re.compile(r"\b(fix|diagnose|runbook|app)\.[a-z][a-z-]+")


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_gentler_steps_are_named_by_key_and_title(sim, make_app, tmp_path):
    server = start_redis(tmp_path / "redis")
    try:
        app = make_app(audit_log=str(tmp_path / "audit.jsonl"), redis_url=server.url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.executor is not None and bool(getattr(app, "permissions", None)))
            await pilot.press("ctrl+f")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
            warnings = app.screen.plan.warnings
            titles = [app.catalogue.get(a).title for a in app.screen.plan.gentler_first]
            expected = f"gentler steps first: {titles[0]} (E), {titles[1]} (Y), {titles[2]} (P)"
            assert expected in warnings, warnings
            assert not [w for w in warnings if CATALOGUE_ID.search(w)], warnings
    finally:
        server.stop()


async def test_effect_toast_names_the_action_by_title_and_key(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        app.check_effects_now()
        await wait_for(pilot, lambda: any(t.startswith("Effect of") for t in toasts(app)), timeout=15)
        effect = next(t for t in toasts(app) if t.startswith("Effect of"))
        title = app.catalogue.get("fix.reduce-batch-size").title
        assert effect.startswith(f"Effect of {title} (B): "), effect
        assert not CATALOGUE_ID.search(effect), effect
