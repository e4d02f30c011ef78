"""Redis, GPU and Prometheus panes in the running app: real servers, real faults."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import redis

from memtui.widgets.gpu_pane import GpuPane
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.redis_pane import RedisPane
from tests.app.conftest import wait_for
from tests.faults import FaultProxy
from tests.servers import start_redis


@pytest.fixture
def redis_server(tmp_path):
    server = start_redis(tmp_path, password="pane-secret")
    client = redis.Redis.from_url(server.url)
    pipe = client.pipeline()
    for i in range(5000):
        pipe.set(f"cache:{i}", "x" * 256, ex=3600 if i % 4 == 0 else None)
    pipe.execute()
    yield server
    server.stop()


async def test_redis_pane_shows_what_info_says(sim, make_app, redis_server):
    app = make_app(redis_url=redis_server.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.redis is not None)
        info = redis.Redis.from_url(redis_server.url).info()
        text = app.query_one(RedisPane).render().plain
        assert f"{info['db0']['keys']:,} keys" in text and f"{info['db0']['expires']:,} with TTL" in text
        shown = re.search(r"used ([0-9.]+) (MiB|GiB)", text)
        assert shown, text
        shown_bytes = float(shown.group(1)) * (1024**2 if shown.group(2) == "MiB" else 1024**3)
        # INFO moves by a few KiB between two reads; the pane shows it to 0.1 of its unit
        assert shown_bytes == pytest.approx(info["used_memory"], rel=0.05)
        assert "maxmemory 0 (unbounded)" in text and "noeviction" in text
        assert "maxmemory 0: no bound" in text  # the cache-bloat warning
        title = str(app.query_one("#redis-pane").border_title)
        assert "pane-secret" not in title and "***" in title


async def test_redis_down_then_back_marks_only_its_pane(sim, make_app, redis_server):
    proxy = FaultProxy(redis_server.port)
    url = redis_server.url.replace(f":{redis_server.port}/", f":{proxy.port}/")
    app = make_app(redis_url=url, refresh=0.2)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.state.redis is not None)
            proxy.set_mode("refuse")
            await wait_for(pilot, lambda: app.query_one("#redis-pane").has_class("-stale"), timeout=15)
            assert "stale since" in str(app.query_one("#redis-pane").border_subtitle)
            assert not app.query_one("#pods-pane").has_class("-stale")  # the rest stays live
            assert app.query_one(RedisPane).stats is not None  # last figures stay on screen
            proxy.set_mode("pass")
            await wait_for(pilot, lambda: not app.query_one("#redis-pane").has_class("-stale"), timeout=40)
    finally:
        proxy.close()


async def test_redis_through_exec_when_no_url(sim, make_app):
    app = make_app(redis_deployment="redis")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.redis is not None, timeout=20)
        assert app.state.redis.source.startswith("redis-cli INFO in pod/redis-")
        truth = sim.redis_truth()
        assert app.state.redis.used_memory == truth["used"]
        assert app.state.redis.total_keys == truth["keys"]


@pytest.mark.parametrize("mode", ["stall", "garbage", "refuse"])
async def test_prometheus_slow_broken_or_down_then_back(sim, make_app, prometheus, mode):
    port = int(prometheus.url.rsplit(":", 1)[1])
    proxy = FaultProxy(port)
    app = make_app(prometheus_url=f"http://127.0.0.1:{proxy.port}", refresh=0.2)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            # under load the first growth query can time out; the next refresh brings it
            await wait_for(pilot, lambda: any(row.growth_source == "deriv" for row in app.state.rows), timeout=30)
            proxy.set_mode(mode)
            expected = {"stall": "timed out", "garbage": "unreadable", "refuse": "unreachable"}[mode]
            # the first failure may be the pooled connection being cut; then the fault's own reason
            await wait_for(
                pilot,
                lambda: app.state.health["prometheus"].stale and expected in (app.state.health["prometheus"].error or ""),
                timeout=40,
            )
            header = app.query_one(IncidentHeader).render().plain
            assert "prometheus stale since" in header
            assert not app.query_one("#pods-pane").has_class("-stale")
            proxy.set_mode("pass")
            await wait_for(pilot, lambda: not app.state.health["prometheus"].stale, timeout=60)
    finally:
        proxy.close()


async def test_without_prometheus_the_header_says_so_and_growth_is_local(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        assert "prometheus off" in app.query_one(IncidentHeader).render().plain
        assert app.state.health["prometheus"].detail.startswith("no --prometheus-url")
        assert all(row.growth_source == "local" for row in app.state.rows)


async def test_gpu_pane_names_its_source_dcgm_then_exec(sim, make_app, prometheus):
    app = make_app(prometheus_url=prometheus.url, gpu_source="auto")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: bool(app.state.gpu), timeout=20)
        assert app.state.gpu_source == "DCGM via Prometheus"
        assert "DCGM" in str(app.query_one("#gpu-pane").border_title)
    app = make_app(gpu_source="exec")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: bool(app.state.gpu), timeout=20)
        assert app.state.gpu_source == "nvidia-smi via exec"
        truth = sim.truth()
        for pod, usage in app.state.gpu.items():
            assert usage.used_mib == truth[pod].gpu_used_mib and usage.total_mib == truth[pod].gpu_total_mib
        assert "MiB" not in app.query_one(GpuPane).render().plain or "GiB" in app.query_one(GpuPane).render().plain


async def test_nvml_without_a_driver_says_so_and_nothing_crashes(sim, make_app):
    app = make_app(gpu_source="nvml")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.health["gpu"].error is not None, timeout=10)
        reason = app.state.health["gpu"].error
        # this machine has no NVIDIA driver; a GPU node would show its cards instead
        assert "NVML" in reason and ("driver" in reason or "GPU" in reason)
        assert "NVML" in app.query_one(GpuPane).render().plain
        await wait_for(pilot, lambda: app.state.snapshot is not None)  # the rest of the cockpit is fine


def test_nvml_source_when_pynvml_is_not_installed():
    # pynvml cannot be uninstalled for one test; blocking its import is the same fault
    code = (
        "import sys; sys.modules['pynvml'] = None\n"
        "from memtui.sources.gpu_nvml import NvmlSource\n"
        "from memtui.clients.errors import SourceError\n"
        "try:\n    NvmlSource().fetch()\nexcept SourceError as e:\n    print(e.reason)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "pynvml is not installed" in out.stdout


async def test_small_terminal_collapses_panes_and_keys_bring_them_back(sim, make_app, redis_server):
    app = make_app(redis_url=redis_server.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.state.redis is not None)
        assert not app.query_one("#redis-pane").display
        assert app.query_one("#side").display and app.query_one("#ranking").display  # the ranking stays
        assert not app.query_one("#incident").display
        await pilot.press("i")
        await pilot.pause()
        assert app.query_one("#redis-pane").display
        await pilot.press("p")  # the side panel goes: the pods pane gets the whole width
        await pilot.pause()
        assert not app.query_one("#side").display
        await pilot.press("p")
        await pilot.pause()
        assert app.query_one("#side").display
        await pilot.press("e")
        await pilot.pause()
        assert not app.query_one("#events-pane").display
        assert app.query_one("#pods-pane").display
