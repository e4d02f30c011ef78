"""``memtui --context eu,us``: two real simulators, one tab each, nothing of one reaching the other."""

from __future__ import annotations

from memtui.audit import default_audit_path, load_entries
from memtui.recording.store import RecordingReader
from memtui.widgets.cluster_tabs import ClusterTabs
from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.pod_table import PodTable
from memtui.widgets.source_pane import SourcePane
from tests.app.conftest import wait_for
from tests.app.screen import screen_text
from tests.faults import FaultProxy

CONFIGMAP = "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config"


def real_writes(handle):
    """Requests that changed an object (not dry runs, not access reviews; the evidence source's
    read-only execs, which every cluster's pollers make, aside)."""
    return [e for e in handle.journal()
            if e.method in ("POST", "PUT", "PATCH", "DELETE") and not e.dry_run and "accessreview" not in e.path]


def pods_of(handle) -> set[str]:
    """The model server's pods the simulator runs (its own truth, not memtui's): their names
    differ between the two simulators (seeds 7 and 8)."""
    return set(handle.truth())


def shown_pods(app) -> set[str]:
    """The model server's pods in the pods table now (as ``pods_of`` has them)."""
    return {row.name for row in app.query_one(PodTable).rows if not row.name.startswith(("sap-llm-api", "redis"))}


def tabs_line(app) -> str:
    return str(app.query_one(ClusterTabs).render())


def both_polled(app) -> bool:
    return all(s.state.snapshot is not None and s.executor is not None for s in app.sessions)


async def test_each_tab_shows_its_own_cluster_and_switching_shows_the_other(two_sims, make_multi_app):
    eu, us = two_sims
    assert pods_of(eu).isdisjoint(pods_of(us))
    app = make_multi_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: both_polled(app), timeout=20)
        await wait_for(pilot, lambda: shown_pods(app) == pods_of(eu))
        assert app.query_one(ClusterTabs).display
        assert "eu" in tabs_line(app) and "us" in tabs_line(app)
        assert "ctx eu" in str(app.query_one("#header").render()).replace("  ", " ")
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: shown_pods(app) == pods_of(us))
        assert app.displayed.name == "us" and "us" in str(app.query_one("#header").render())
        assert "▸ us" in tabs_line(app)
        await pilot.press("less_than_sign")
        await wait_for(pilot, lambda: shown_pods(app) == pods_of(eu))


async def test_an_action_on_us_goes_to_us_only_its_modal_names_it_and_each_log_holds_its_own(two_sims, make_multi_app):
    eu, us = two_sims
    app = make_multi_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: both_polled(app), timeout=20)
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: shown_pods(app) == pods_of(us))
        await pilot.press("B")  # fix.reduce-batch-size: a ConfigMap patch
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        modal = app.screen
        assert str(modal.query_one("#context").render()) == "Context: us"
        assert modal.query("#dialog > *").first().id == "context"  # the first line of the modal
        # what the operator would paste goes to us too, not to kubectl's current-context (eu)
        assert modal.plan.equivalent.startswith("kubectl --context us patch configmap sap-llm-config "), modal.plan.equivalent
        assert "kubectl --context us patch configmap" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.sessions[1].outcomes), timeout=15)

    writes = [e for e in real_writes(us) if e.path == CONFIGMAP]
    assert len(writes) == 1 and writes[0].method == "PATCH"
    assert not real_writes(eu)
    assert not app.sessions[0].outcomes
    us_log = list(load_entries(default_audit_path("us", "sap-llm")))
    assert any(e.kind == "intent" and e.action == "fix.reduce-batch-size" for e in us_log)
    assert all(e.context == "us" for e in us_log)
    assert [e.kubectl for e in us_log if e.kind == "intent"][0].startswith("kubectl --context us patch ")
    eu_path = default_audit_path("eu", "sap-llm")
    eu_log = list(load_entries(eu_path)) if eu_path.exists() else []
    assert not any(e.kind == "intent" for e in eu_log)
    # one recording per context, the action's audit frames only in us's
    recordings = {s.name: RecordingReader(s.recorder.path) for s in app.sessions}
    try:
        assert recordings["eu"].meta.context == "eu" and recordings["us"].meta.context == "us"
        audited = {name: [f for f in r.frames() if f.kind == "audit"] for name, r in recordings.items()}
        assert any(f.source == "intent" for f in audited["us"]) and not any(f.source == "intent" for f in audited["eu"])
    finally:
        for reader in recordings.values():
            reader.close()


async def test_a_failing_cluster_marks_only_its_own_tab_stale(two_sims, make_multi_app):
    eu, us = two_sims
    proxy = FaultProxy(int(us.url.rsplit(":", 1)[1]))
    try:
        app = make_multi_app(servers={"us": f"https://127.0.0.1:{proxy.port}"}, request_timeout=1.0)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: both_polled(app), timeout=20)
            proxy.mode = "refuse"
            await wait_for(pilot, lambda: app.sessions[1].stale(), timeout=15)
            await pilot.pause(1.0)  # eu keeps polling meanwhile
            assert not app.sessions[0].stale()
            assert "us ⚠ stale" in tabs_line(app) and "eu ⚠" not in tabs_line(app)
            assert not app.query_one("#pods-pane", SourcePane).has_class("-stale")
            await pilot.press("greater_than_sign")
            await wait_for(pilot, lambda: app.query_one("#pods-pane", SourcePane).has_class("-stale"))
    finally:
        proxy.close()


def test_a_context_placeholder_in_the_prometheus_matchers_is_each_clusters_own(two_sims, make_multi_app):
    """``--prometheus-matchers 'cluster="{context}"'``: one shared Prometheus, each tab's queries
    (the pods pane's and the executor's, both from ``prometheus_access``) name their own cluster."""
    from memtui.config.prometheus_access import prometheus_access

    app = make_multi_app(prometheus_url="http://127.0.0.1:1", prometheus_matchers='cluster="{context}"')
    access = {s.name: prometheus_access(s.settings) for s in app.sessions}
    assert access["eu"] is not None and access["eu"].matchers == 'cluster="eu"'
    assert access["us"] is not None and access["us"].matchers == 'cluster="us"'


def test_a_file_option_names_one_file_per_context(make_multi_app, tmp_path):
    app = make_multi_app(audit_log=str(tmp_path / "audit.jsonl"), record_path=str(tmp_path / "run.memtui"))
    assert [s.settings.audit_log for s in app.sessions] == [str(tmp_path / "audit.eu.jsonl"),
                                                             str(tmp_path / "audit.us.jsonl")]
    assert [s.settings.record_path for s in app.sessions] == [str(tmp_path / "run.eu.memtui"),
                                                               str(tmp_path / "run.us.memtui")]
