"""The RSS+CACHE column of the pods table says what Prometheus knows, and a dash for what it does not."""

from __future__ import annotations

import pytest

from memtui.demo.local_prometheus import binaries_available, start_prometheus_for_simulator
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for


def table_lines(table: PodTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


@pytest.fixture
def prometheus_without_cache(sim, tmp_path):
    """A real Prometheus that has container_memory_rss but no container_memory_cache."""
    if not binaries_available():
        pytest.fail("prometheus/promtool are not installed: scripts/test installs them (apt install prometheus)")
    server = start_prometheus_for_simulator(sim, tmp_path / "prometheus", scrape_interval="1s",
                                            drop_families=("container_memory_cache",))
    yield server
    server.stop()


async def test_missing_cache_series_shows_a_dash_not_zero(sim, make_app, prometheus_without_cache):
    app = make_app(prometheus_url=prometheus_without_cache.url)
    async with app.run_test(size=(220, 48)) as pilot:  # wide enough for the RSS+CACHE column
        await wait_for(pilot, lambda: any(r.rss is not None for r in app.state.rows), timeout=30)
        await pilot.pause(0.3)
        row = next(r for r in app.state.rows if r.rss is not None)
        assert row.cache is None  # Prometheus really has no cache series
        line = next(text for text in table_lines(app.query_one(PodTable)) if row.name in text)
        rss = f"{row.rss / 1024**3:.1f}"
        assert f"{rss}+— GiB" in line, line
        assert "+0.0" not in line
