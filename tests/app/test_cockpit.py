"""The cockpit driven headless with Pilot against the simulator, through the real client path."""

from __future__ import annotations

from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for

GIB = 1024**3


async def test_every_pod_is_listed_highest_working_set_first(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        table = app.query_one(PodTable)
        shown = [row.name for row in table.visible_rows]
        truth = sim.truth()
        sap_llm = [name for name in shown if name in truth]
        assert len(sap_llm) == len(truth) >= 3
        # highest memory first: what the eye needs at 3 a.m.
        sets = [row.working_set for row in table.visible_rows]
        assert sets == sorted(sets, reverse=True)
        for row in table.visible_rows:
            if row.name in truth:
                # PodMetrics is in Ki: the figures agree with the simulator's own truth to the KiB
                assert abs(row.working_set - truth[row.name].working_set_bytes) < 1024
                assert row.limit == truth[row.name].limit_bytes
        assert table.cursor_pod == shown[0]


async def test_oomkilled_pod_and_pods_over_threshold_are_called_out(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        truth = sim.truth()
        oom = {name for name, t in truth.items() if t.last_terminated_reason == "OOMKilled"}
        assert oom, "every scenario starts with an OOMKilled pod"
        rows = {row.name: row for row in app.query_one(PodTable).visible_rows}
        for name in oom:
            assert rows[name].last_reason == "OOMKilled"
            assert rows[name].restarts == truth[name].restarts >= 2
        over = {name for name, row in rows.items() if row.working_set and row.working_set > 10**10}
        header = app.query_one(IncidentHeader)
        assert header.incident.pods_over == len(over) >= 1
        assert header.incident.started_at is not None  # an OOM kill and a breach: the clock runs
        rendered = header.render().plain
        assert "10 GB (9.31 GiB)" in rendered
        assert f"{len(over)}/{len(rows)} pods" in rendered


async def test_requests_per_refresh_stay_three_whatever_the_pod_count(sim_factory, make_app):
    for replicas in (3, 40):
        handle = sim_factory(replicas=replicas)
        app = make_app(handle=handle)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.state.snapshot is not None)
            handle.clear_request_log()
            before = app.state.snapshot
            await wait_for(pilot, lambda: app.state.snapshot is not before)
            await pilot.pause(0.05)
        paths = [r.path for r in handle.requests() if not r.path.startswith("/_sim")]
        refreshes = max(1, paths.count("/api/v1/namespaces/sap-llm/pods"))
        assert len(paths) / refreshes == 3, paths
        assert "/apis/metrics.k8s.io/v1beta1/namespaces/sap-llm/pods" in paths
        assert "/api/v1/namespaces/sap-llm/events" in paths
        assert len(app.state.rows) >= replicas


async def test_filter_sort_and_cursor_follow_the_pod(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        table = app.query_one(PodTable)
        total = len(table.visible_rows)
        await pilot.press("slash")
        for char in "api":
            await pilot.press(char)
        await pilot.pause()
        assert table.visible_rows and all("api" in row.name for row in table.visible_rows)
        assert "filter: /api/" in app.query_one("#pods-pane").border_title
        await pilot.press("escape")
        await pilot.pause()
        assert len(table.visible_rows) == total and table.filter_text == ""
        # move the cursor to the third pod, re-sort: the cursor stays on that pod
        await pilot.press("down", "down")
        chosen = table.cursor_pod
        await pilot.press("s")
        await pilot.pause()
        assert table.sort_key == "percent"
        assert "sort: percent" in app.query_one("#pods-pane").border_title
        assert table.cursor_pod == chosen
        await pilot.press("S")
        await pilot.pause()
        assert table.sort_reverse and "reversed" in app.query_one("#pods-pane").border_title
