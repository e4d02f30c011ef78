"""A fix's plan never waits for a thread behind polls (``memtui.ui.workers.install_worker_pool``).

Textual runs every thread worker on the event loop's default executor, which asyncio sizes by the
CPUs (6 threads on a 2-vCPU VM).  Each poller holds a thread for the whole of a hung poll (its
timeout), and two clusters have more pollers than that: with their polls hung, the plan of a fix
typed meanwhile waited in the executor's queue.  Here one thread per poller of both clusters is
held, standing for every poll hung at once (real servers cannot be made to hang every source but
the API server the plan itself needs); the plan must still come.
"""

from __future__ import annotations

import asyncio
import threading

from memtui.widgets.confirm_screen import ConfirmActionScreen
from tests.app.conftest import wait_for
from tests.multicontext.test_multi_context import both_polled


async def test_a_plan_comes_while_every_pollers_thread_of_both_clusters_is_held(two_sims, make_multi_app):
    app = make_multi_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: both_polled(app), timeout=20)
        pollers = sum(len(session.pollers) for session in app.sessions)
        assert pollers >= 6, pollers  # more than asyncio's default pool holds on 2 vCPUs
        loop, release = asyncio.get_running_loop(), threading.Event()
        held = [loop.run_in_executor(None, release.wait, 60.0) for _ in range(pollers)]
        try:
            await pilot.press("B")  # fix.reduce-batch-size: the plan reads the ConfigMap and dry-runs its patch
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        finally:
            release.set()
            await asyncio.gather(*held)
