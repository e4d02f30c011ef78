"""``[contexts."eu"]`` / ``[contexts."us"]`` in the config file: each cluster its own real Prometheus,
and each tab's pods pane shows the figures of its own (a mix-up would leave the other cluster's pod
names without RSS: the two simulators' pods differ)."""

from __future__ import annotations

from memtui.config.settings import read_layers
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for
from tests.multicontext.test_multi_context import pods_of


def rss_shown(app) -> set[str]:
    """The model server's pods the pods table shows an RSS for (a Prometheus figure)."""
    return {row.name for row in app.query_one(PodTable).rows if row.rss is not None}


async def test_each_context_gets_its_own_prometheus_from_its_table(two_sims, make_multi_app, prometheus_for, tmp_path):
    eu, us = two_sims
    eu_prometheus, us_prometheus = prometheus_for(eu), prometheus_for(us)
    config = tmp_path / "config.toml"
    config.write_text(f'prometheus_url = "http://127.0.0.1:1"\n\n[contexts."eu"]\nprometheus_url = "{eu_prometheus.url}"\n'
                      f'\n[contexts."us"]\nprometheus_url = "{us_prometheus.url}"\n')
    layers = read_layers({"context": "eu,us"}, environ={}, config_path=config)
    per_context = {name: layers.settings(name) for name in ("eu", "us")}
    app = make_multi_app(per_context=per_context)
    assert {s.name: s.settings.prometheus_url for s in app.sessions} == {"eu": eu_prometheus.url, "us": us_prometheus.url}
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: all(s.state.prometheus is not None and s.state.prometheus.pods
                                          for s in app.sessions), timeout=60)
        await wait_for(pilot, lambda: pods_of(eu) <= rss_shown(app), timeout=30)
        assert not rss_shown(app) & pods_of(us)
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: app.displayed.name == "us" and pods_of(us) <= rss_shown(app), timeout=30)
        assert not rss_shown(app) & pods_of(eu)
        assert not any(s.state.health["prometheus"].stale for s in app.sessions)  # neither went to the top level's


async def test_a_context_whose_table_names_no_prometheus_runs_on_the_metrics_api(two_sims, make_multi_app,
                                                                                  prometheus_for, tmp_path):
    """Only eu has a Prometheus (its table); us, with none at the top level either, has no trends."""
    eu, us = two_sims
    eu_prometheus = prometheus_for(eu)
    config = tmp_path / "config.toml"
    config.write_text(f'[contexts."eu"]\nprometheus_url = "{eu_prometheus.url}"\n')
    layers = read_layers({"context": "eu,us"}, environ={}, config_path=config)
    app = make_multi_app(per_context={name: layers.settings(name) for name in ("eu", "us")})
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: pods_of(eu) <= rss_shown(app), timeout=60)
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: app.displayed.name == "us" and app.state.snapshot is not None, timeout=30)
        await wait_for(pilot, lambda: {row.name for row in app.query_one(PodTable).rows} >= pods_of(us), timeout=30)
        assert not rss_shown(app)
        assert app.sessions[1].state.prometheus is None
