"""The crash's first link, in the running app: execs (the force-GC fix, the Redis and GPU panes'
``redis-cli`` / ``nvidia-smi``) while the pods, metrics and events keep polling.  Exec used to
share the pollers' ApiClient, whose transport ``kubernetes.stream`` swaps for a WebSocket, and the
pods pane went stale with ``HTTP 0 Handshake status 200 OK`` and a PodList in the reason."""

from __future__ import annotations

import threading

from memtui.clients.errors import SourceError
from memtui.widgets.confirm_screen import ConfirmActionScreen
from tests.app.conftest import wait_for


async def test_execs_never_turn_the_pollers_requests_into_websocket_handshakes(sim, make_app, tmp_path):
    app = make_app(refresh=0.2, redis_deployment="redis", gpu_source="exec", audit_log=str(tmp_path / "audit.jsonl"))
    stop = threading.Event()
    execs = []

    def more_execs() -> None:  # the Redis pane's own exec source, as fast as it goes
        while not stop.is_set():
            try:
                app.sources.spec("redis").fetch()
                execs.append(True)
            except SourceError:
                execs.append(False)

    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None, timeout=20)
        worker = threading.Thread(target=more_execs, daemon=True)
        worker.start()
        seen: list[str] = []

        def record() -> bool:
            seen.extend(h.error for name in ("kubernetes", "metrics API") if (h := app.state.health[name]).error)
            return False

        try:
            await pilot.press("G")  # fix.force-gc on the worst pod: an exec of curl POST :8080/admin/gc
            await wait_for(pilot, lambda: record() or isinstance(app.screen, ConfirmActionScreen), timeout=15)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: record() or any(o.ok for o in app.outcomes), timeout=20)
            first = app.state.snapshot
            for _ in range(20):  # twenty more refreshes of pods, metrics and events
                before = app.state.snapshot
                await wait_for(pilot, lambda before=before: record() or app.state.snapshot is not before, timeout=15)
            assert app.state.snapshot is not first
        finally:
            stop.set()
            worker.join(30)
        assert sum(execs) > 10, f"{sum(execs)} of {len(execs)} execs succeeded"
        assert seen == [], seen[:2]
        assert not app.query_one("#pods-pane").has_class("-stale")
