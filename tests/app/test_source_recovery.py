"""After a backend fault clears, its pane is fresh again within two refreshes.

A failing backend is retried at the normal interval: polls never overlap, so a dead backend never
gets more requests than a healthy one, and exponential backoff only delayed the recovery (after a
25 s ``DEBUG SLEEP`` the Redis pane used to wait out 8-30 s of backoff while Redis answered again).
The faults are real: ``DEBUG SLEEP`` on a redis-server with ``requirepass``, and a TCP proxy that
refuses or stalls.
"""

from __future__ import annotations

import threading
import time

import pytest
import redis

from tests.app.conftest import wait_for
from tests.faults import FaultProxy
from tests.servers import start_redis

REFRESH = 0.5
SLEEP_SECONDS = 15
FAILED_POLLS = 5


@pytest.fixture
def redis_server(tmp_path):
    server = start_redis(tmp_path, password="recovery-pw", debug_command=True)
    yield server
    server.stop()


def _stale(app) -> bool:
    return app.query_one("#redis-pane").has_class("-stale")


@pytest.mark.parametrize("fault", ["debug-sleep", "refuse", "stall"])
async def test_redis_pane_recovers_within_two_refreshes_after_the_fault_clears(sim, make_app, redis_server, fault):
    proxy = FaultProxy(redis_server.port)
    url = redis_server.url.replace(f":{redis_server.port}/", f":{proxy.port}/")
    app = make_app(redis_url=url, refresh=REFRESH, request_timeout=1.0)
    cleared = threading.Event()

    def debug_sleep() -> None:
        redis.Redis.from_url(redis_server.url, socket_timeout=SLEEP_SECONDS + 10).execute_command(
            "DEBUG", "SLEEP", str(SLEEP_SECONDS))
        cleared.set()  # DEBUG SLEEP answers the moment Redis serves again

    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.state.redis is not None)
            if fault == "debug-sleep":
                threading.Thread(target=debug_sleep, daemon=True).start()
            else:
                proxy.set_mode(fault)
            await wait_for(pilot, lambda: _stale(app), timeout=15)
            assert "stale since" in str(app.query_one("#redis-pane").border_subtitle)
            peak = 0

            def failed_polls() -> int:
                nonlocal peak
                peak = max(peak, app.pollers["redis"].failures)
                return peak

            if fault == "debug-sleep":
                await wait_for(pilot, lambda: failed_polls() >= 0 and cleared.is_set(), timeout=SLEEP_SECONDS + 10)
            else:
                await wait_for(pilot, lambda: failed_polls() >= FAILED_POLLS, timeout=30)
                proxy.set_mode("pass")
            assert peak >= 3  # the fault lasted several polls in a row
            started = time.monotonic()
            await wait_for(pilot, lambda: not _stale(app), timeout=60)
            waited = time.monotonic() - started
            # at most: the poll in flight when the fault cleared (one request timeout), then the
            # next refresh and its INFO
            assert waited <= 2 * REFRESH + 1.0 + 0.5, f"recovered {waited:.1f} s after the fault cleared"
            assert "updated" in str(app.query_one("#redis-pane").border_subtitle)
    finally:
        proxy.close()


async def test_pods_pane_recovers_within_two_refreshes_after_the_api_server_comes_back(sim, make_app, tmp_path):
    """The informer's watch thread backs off while the API server refuses (up to 30 s); the refresh
    proves the server is back with one cheap read and wakes it, instead of waiting that out."""
    from tests.app.conftest import kubeconfig_via

    proxy = FaultProxy(int(sim.url.rsplit(":", 1)[1]))
    kubeconfig = kubeconfig_via(sim, proxy.port, tmp_path / "via-proxy.kubeconfig")
    app = make_app(kubeconfig=kubeconfig, refresh=REFRESH, request_timeout=1.0)
    subtitle = lambda: str(app.query_one("#pods-pane").border_subtitle)  # noqa: E731
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.state.snapshot is not None and "updated" in subtitle(), timeout=20)
            proxy.set_mode("refuse")
            await wait_for(pilot, lambda: "stale since" in subtitle()
                           and any(w in subtitle() for w in ("refused", "reset", "closed")), timeout=20)
            # long enough for the watch thread's backoff to grow past several refreshes
            await pilot.pause(SLEEP_SECONDS)
            assert "stale since" in subtitle()
            proxy.set_mode("pass")
            started = time.monotonic()
            await wait_for(pilot, lambda: "updated" in subtitle(), timeout=60)
            waited = time.monotonic() - started
            assert waited <= 2 * REFRESH + 1.0 + 0.5, f"recovered {waited:.1f} s after the API server came back"
            assert not app.query_one("#pods-pane").has_class("-stale")
    finally:
        proxy.close()
