"""A backend that is down, slow or answering garbage: the pane goes stale with the reason, the
rest stays live, keys stay responsive, and it recovers by itself.  The faults are real: a TCP
proxy between memtui and the simulator refuses, stalls or garbles."""

from __future__ import annotations

import time

import pytest

from memtui.widgets.pod_table import PodTable
from tests.app.conftest import kubeconfig_via, wait_for
from tests.faults import FaultProxy


@pytest.fixture
def proxy(sim):
    port = int(sim.url.rsplit(":", 1)[1])
    p = FaultProxy(port)
    yield p
    p.close()


def subtitle(app) -> str:
    return str(app.query_one("#pods-pane").border_subtitle)


@pytest.mark.parametrize("mode", ["refuse", "stall", "garbage"])
async def test_failing_api_marks_pods_pane_stale_keeps_data_and_recovers(sim, make_app, proxy, tmp_path, mode):
    kubeconfig = kubeconfig_via(sim, proxy.port, tmp_path / "via-proxy.kubeconfig")
    app = make_app(kubeconfig=kubeconfig, request_timeout=1.0, refresh=0.2)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        rows_before = app.query_one(PodTable).visible_rows
        proxy.set_mode(mode)
        expected = {"refuse": ("refused", "reset", "closed"), "stall": ("timed out",),
                    "garbage": ("ssl", "tls", "wrong version", "record")}[mode]
        # the first failure may be the pooled connection being cut; wait for the fault's own reason
        await wait_for(
            pilot,
            lambda: "stale since" in subtitle(app) and any(w in subtitle(app).lower() for w in expected),
            timeout=15,
        )
        assert app.query_one("#pods-pane").has_class("-stale")
        print(mode, "->", subtitle(app))
        assert "object at 0x" not in subtitle(app) and "Traceback" not in subtitle(app)
        assert len(subtitle(app)) < 160  # one line, not a repr of nested exceptions
        assert "stale since" in app.query_one("IncidentHeader").render().plain
        # the last data stays on screen while stale
        assert [r.name for r in app.query_one(PodTable).visible_rows] == [r.name for r in rows_before]
        proxy.set_mode("pass")
        await wait_for(pilot, lambda: "updated" in subtitle(app), timeout=40)
        assert not app.query_one("#pods-pane").has_class("-stale")
        assert app.state.snapshot is not None


async def test_keys_stay_responsive_while_the_api_hangs(sim, make_app, proxy, tmp_path):
    kubeconfig = kubeconfig_via(sim, proxy.port, tmp_path / "via-proxy.kubeconfig")
    app = make_app(kubeconfig=kubeconfig, request_timeout=5.0, refresh=0.2)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        proxy.set_mode("stall")
        # a refresh is now blocked in its worker for up to 5 s (the next one to start, at the latest)
        await wait_for(pilot, lambda: app.pollers["kubernetes"].in_flight, timeout=5)
        await pilot.pause(0.3)
        table = app.query_one(PodTable)
        assert app.pollers["kubernetes"].in_flight  # a refresh really is stuck in its worker
        started = time.monotonic()
        await pilot.press("s")
        await pilot.press("slash", "a", "p", "i")
        await pilot.pause()
        # the event loop answered while the request is stuck, inside the 5 s it may take (a loaded
        # CI machine took 2.6 s to run the five key presses; the stuck poll is still in flight below)
        assert time.monotonic() - started < 4.5
        assert table.sort_key == "percent"
        assert table.filter_text == "api"
        assert app.pollers["kubernetes"].in_flight
        proxy.set_mode("pass")  # let the stuck request finish so the app shuts down promptly
