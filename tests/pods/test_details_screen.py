"""The pod details screen, driven through the real app against the simulator (Pilot).

Enter opens it on the highlighted pod; each container is shown against its own limit; the log
lines matching the runbook are read (once, in a worker) and shown literally, markup and escape
sequences included; a 403 on pods/log is said; the figures stay live; Esc lands on the same pod."""

from __future__ import annotations

from memtui.widgets.pod_details_screen import PodDetailsScreen
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for
from tests.app.screen import assert_nothing_raw_on_screen, screen_text

HOSTILE = "memory: [bold]rss[/bold] grew [@click=app.quit]clickme[/] \x1b]0;pwned\x07 leak suspected"
SHOWN = "memory: [bold]rss[/bold] grew [@click=app.quit]clickme[/] ␛]0;pwned␇ leak suspected"


async def _open(app, pilot, pod: str | None = None) -> PodDetailsScreen:
    table = app.query_one(PodTable)
    await wait_for(pilot, lambda: app.state.snapshot is not None and len(table.rows) > 3, timeout=15)
    if pod is not None:
        assert table.select_pod(pod)
    else:
        # not the first row: Enter must open the highlighted pod, not the first one
        await pilot.press("down", "down")
    target = table.cursor_pod
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PodDetailsScreen))
    assert app.screen.pod == target
    return app.screen


def _sap_llm_pod(app) -> str:
    return next(p.name for p in app.state.snapshot.pods if p.owner == "sap-llm" and p.restarts == 0)


async def test_enter_opens_the_highlighted_pod_and_esc_returns_to_it(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await _open(app, pilot)
        pod = screen.pod
        assert pod in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PodDetailsScreen))
        table = app.query_one(PodTable)
        assert table.cursor_pod == pod and table.has_focus


async def test_each_container_against_its_own_limit_and_the_sidecars_kill(sim_factory, make_app):
    handle = sim_factory(seed=7, sidecar=True)
    app = make_app(handle)
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.state.snapshot.usage, timeout=15)
        pod = _sap_llm_pod(app)
        await _open(app, pilot, pod)
        usage = {c.name: c.working_set_bytes for c in app.state.snapshot.usage[pod].containers}
        text = screen_text(app)
        lines = {name: next(line for line in text.splitlines() if f" {name} " in line and " %" in line)
                 for name in ("sap-llm", "log-shipper")}
        main_pct = 100 * usage["sap-llm"] / (12 * 1024**3)
        side_pct = 100 * usage["log-shipper"] / (256 * 1024**2)
        assert f"{main_pct:.0f} %" in lines["sap-llm"] and f"{side_pct:.0f} %" in lines["log-shipper"]
        # the sidecar climbs to its limit while the screen is open: memtui samples each metrics window
        handle.sidecar_oom(pod, ramp=60)
        def sampled_at(pod=pod):
            usage = app.state.snapshot.usage.get(pod)
            return usage.timestamp if usage else None

        for _ in range(4):
            seen = sampled_at()
            handle.advance(15)
            await wait_for(pilot, lambda seen=seen: sampled_at() not in (None, seen), timeout=15)
        handle.advance(15)
        await wait_for(pilot, lambda: any(k.container == "log-shipper" for k in app.screen.details.kills), timeout=15)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "log-shipper" in text and "container limit OOM" in text
        sidecar = next(c for c in app.screen.details.containers if c.name == "log-shipper")
        assert sidecar.last_kill is not None and sidecar.last_kill.percent_of_limit >= 85


async def test_log_lines_are_read_once_and_shown_literally(sim, make_app):
    app = make_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None, timeout=15)
        pod = _sap_llm_pod(app)
        sim.write_log(pod, HOSTILE)
        sim.clear_request_log()
        screen = await _open(app, pilot, pod)
        await wait_for(pilot, lambda: screen.logs is not None, timeout=15)
        await pilot.pause(0.2)
        assert any(line.text == HOSTILE for line in screen.logs.lines)
        screen.query_one("#details-logs").scroll_visible(animate=False, top=True)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert SHOWN in text, [l for l in text.splitlines() if "rss" in l]
        assert app.is_running and isinstance(app.screen, PodDetailsScreen)
        assert_nothing_raw_on_screen(app)
        log_reads = [r for r in sim.requests() if r.path.endswith(f"/pods/{pod}/log")]
        assert len(log_reads) == 1 and log_reads[0].query["tailLines"] == "2000"


async def test_logs_forbidden_is_said_and_the_rest_is_shown(sim_factory, make_app):
    handle = sim_factory(seed=7, operator_denied=("pods/log",))
    app = make_app(handle)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None, timeout=15)
        screen = await _open(app, pilot, _sap_llm_pod(app))
        await wait_for(pilot, lambda: screen.logs is not None, timeout=15)
        await pilot.pause(0.2)
        screen.query_one("#details-logs").scroll_visible(animate=False, top=True)
        await pilot.pause(0.2)
        assert "not read: sap-llm: forbidden (pods/log)" in screen_text(app)
        assert "Containers" in screen_text(app)


async def test_figures_stay_live_while_the_screen_is_open(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.state.snapshot.usage, timeout=15)
        pod = _sap_llm_pod(app)
        screen = await _open(app, pilot, pod)
        before = screen.details.containers[0].working_set
        sim.advance(120)
        await wait_for(pilot, lambda: screen.details.containers and screen.details.containers[0].working_set != before,
                       timeout=15)


async def test_a_liveness_kill_is_shown_as_another_kill(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.state.snapshot.usage, timeout=15)
        pod = _sap_llm_pod(app)
        screen = await _open(app, pilot, pod)
        sim.fail_liveness(pod)
        await wait_for(pilot, lambda: any(k.container == "sap-llm" for k in screen.details.kills), timeout=15)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "another kill" in text and "liveness" in text and "Unhealthy" in text
