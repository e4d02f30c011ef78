"""The cockpit tunes Python's collector for its big heap (memtui.ui.gc_tuning): higher thresholds
while it runs, the heap frozen once the first full listing is folded, and the collector as it was
after quit (tests and ``memtui demo`` run several apps in one process)."""

from __future__ import annotations

import gc

from textual.strip import Strip

from memtui.ui import strip_cycles
from memtui.ui.gc_tuning import YOUNG_THRESHOLD
from tests.app.conftest import wait_for


async def test_the_heap_is_frozen_after_the_first_full_listing_and_released_at_quit(make_app):
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        await wait_for(pilot, lambda: bool(app.state.rows) and app.collector.frozen)
        assert app.state.pods_loading is None
        assert gc.get_freeze_count() > frozen_before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


async def test_the_free_heap_is_handed_back_after_the_first_listing_and_after_the_backfill(make_app, prometheus):
    """Both are decoded once and mostly dropped after the fold: glibc keeps the freed pages unless
    asked (``malloc_trim``), and at 5,000 pods that was 22 MiB of the RSS."""
    app = make_app(prometheus_url=prometheus.url)
    app.collector.trim_every = float("inf")  # only these two (the periodic trims: the next test)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.collector.frozen)
        assert app.collector.heap_trims >= 1
        await wait_for(pilot, lambda: app.pollers["backfill"]._stopped, timeout=30)
        assert app.collector.heap_trims == 2


async def test_the_steady_refreshes_free_heap_is_handed_back_now_and_then(make_app):
    """Every refresh decodes a full answer and drops the last one: without a trim now and then the
    RSS crept back by 22 MiB within a minute of the first trim (5,000 pods, ``bench/app.py``)."""
    app = make_app(refresh=0.2)
    app.collector.trim_every = 0.0  # at every fold after the first full one
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.collector.frozen)
        first = app.collector.heap_trims
        await wait_for(pilot, lambda: app.collector.heap_trims >= first + 3, timeout=15)
    assert app.collector.heap_trim_seconds > 0


async def test_painted_lines_leave_no_garbage_that_only_the_collector_frees(make_app):
    """Textual's ``Strip.divide`` made each painted line a strip that held itself, so every line a
    repaint replaced waited for a middle collection (with its caches and segments: 31,902 objects
    in one 118 ms pause at 20,000 pods).  ``strip_cycles`` keeps them freed by reference count."""
    app = make_app(refresh=0.2)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.collector.frozen and len(app.state.rows) > 3)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for key in ("j", "j", "k", "j"):  # the pods pane repaints the cursor's lines
                await pilot.press(key)
                await pilot.pause(0.3)  # and a refresh or so repaints the panes
            gc.collect()
            strips = [o for o in gc.garbage if isinstance(o, Strip)]
            self_held = sum(map(strip_cycles.holds_itself, strips))
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    assert self_held == 0, f"{self_held} of the {len(strips)} strips the cyclic collector freed held themselves"


async def test_keys_that_restyle_the_cockpit_leave_no_component_node_to_the_collector(make_app):
    """``/`` and Esc restyle the pods table, the filter and the panes; Textual dropped each
    widget's component nodes at every restyle (340 of them, about half the cyclic garbage, in 18
    keys at 1,000 pods).  ``component_styles`` restyles the ones they have."""
    from textual.dom import DOMNode

    app = make_app(refresh=60)  # no refresh among the keys: what is dropped is the keys' alone
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.collector.frozen and len(app.state.rows) > 3)
        await pilot.pause(0.3)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for key in ("slash", "escape", "slash", "escape"):
                await pilot.press(key)
                await pilot.pause(0.2)
            gc.collect()
            dropped = sum(type(o) is DOMNode for o in gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    assert dropped == 0, f"{dropped} component nodes were left to the cyclic collector"


def test_what_the_first_metrics_make_after_the_first_freeze_is_frozen_after_the_backfill():
    """At 20,000 pods the histories' rings (39,982 tracked arrays) came after the first freeze and
    the first middle collection among keys walked them all (``CollectorTuning.after_backfill``)."""
    from memtui.state.history import RingSeries
    from memtui.ui.gc_tuning import CollectorTuning

    tuning = CollectorTuning(trim_every=float("inf"))
    tuning.start()
    try:
        tuning.after_fold(still_loading=False)  # the first full listing: the first freeze
        rings = [RingSeries(8) for _ in range(50)]  # the first metrics' histories, made after it
        made = {id(ring._times) for ring in rings}
        assert made <= {id(o) for o in gc.get_objects()}
        tuning.after_backfill()
        assert not made & {id(o) for o in gc.get_objects()}, "the rings' arrays are still walked by collections"
    finally:
        tuning.stop()
