"""The cockpit driven headless with Pilot against the simulator, through the real client path."""

from __future__ import annotations

from memtui.reasoning.pods import MAX_PODS
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
            assert rows[name].restarts == truth[name].restarts
        assert max(rows[name].restarts for name in oom) >= 2  # an OOM loop, not a one-off
        over = {name for name, row in rows.items() if row.working_set and row.working_set > 10**10}
        header = app.query_one(IncidentHeader)
        assert header.incident.pods_over == len(over) >= 1
        assert header.incident.started_at is not None  # an OOM kill and a breach: the clock runs
        rendered = header.render().plain
        assert "10 GB (9.31 GiB)" in rendered
        assert f"{len(over)}/{len(rows)} pods" in rendered


async def test_requests_per_refresh_do_not_grow_with_the_pod_count(sim_factory, make_app):
    """Pods and events: one LIST then a WATCH; per refresh only the PodMetrics LIST."""
    for replicas in (3, 40):
        handle = sim_factory(replicas=replicas)
        app = make_app(handle=handle)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda app=app: app.state.snapshot is not None)
            refreshes = []
            for _ in range(4):
                before = app.state.snapshot
                await wait_for(pilot, lambda app=app, before=before: app.state.snapshot is not before)
                refreshes.append(app.state.snapshot)
            assert len(app.state.rows) >= replicas
            informer = app.sources.kube.pods.snapshot()
            assert informer.synced and informer.lists == 1  # listed once, kept by the watch
        requests = [r for r in handle.requests() if not r.path.startswith("/_sim")]
        pods_path = "/api/v1/namespaces/sap-llm/pods"
        pod_lists = [r for r in requests if r.path == pods_path and not _is_watch(r)]
        pod_watches = [r for r in requests if r.path == pods_path and _is_watch(r)]
        metrics = [r for r in requests if r.path == "/apis/metrics.k8s.io/v1beta1/namespaces/sap-llm/pods"]
        event_lists = [r for r in requests if r.path == "/api/v1/namespaces/sap-llm/events" and not _is_watch(r)
                       and "fieldSelector" not in r.query]
        assert len(pod_lists) == 1 and len(event_lists) == 1  # listed once, then watched
        # the team's timeline: Deployments, ConfigMaps, HPAs and MemtuiAction Events, each listed once (pages of 500)
        team_paths = ("/apis/apps/v1/namespaces/sap-llm/deployments", "/api/v1/namespaces/sap-llm/configmaps",
                      "/apis/autoscaling/v2/namespaces/sap-llm/horizontalpodautoscalers", "/api/v1/namespaces/sap-llm/events")
        team_lists = [r for r in requests if r.path in team_paths and not _is_watch(r) and r.query.get("limit") == "500"
                      and (not r.path.endswith("/events") or r.query.get("fieldSelector") == "reason=MemtuiAction")]
        assert sorted(r.path for r in team_lists) == sorted(team_paths)
        assert len(pod_watches) <= 1  # the simulator logs a watch when it ends
        assert len(metrics) >= 5  # one PodMetrics LIST per refresh (and the first)
        # nothing is requested per pod, but the evidence's sample: its first poll comes before the
        # pods list and retries in evidence.RETRY s, so a slow run (a loaded CI machine) also sees
        # its log and exec reads, of at most MAX_PODS pods whatever the pod count
        per_pod = [r.path for r in requests if "/pods/" in r.path]
        evidence_reads = [path for path in per_pod if path.endswith(("/log", "/exec"))]
        assert per_pod == evidence_reads, per_pod
        assert len({path.rsplit("/", 1)[0] for path in evidence_reads}) <= MAX_PODS, evidence_reads
        assert all(s.request_count == 1 for s in refreshes)


def _is_watch(record) -> bool:
    return str(record.query.get("watch", "")).lower() in ("1", "true")


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
