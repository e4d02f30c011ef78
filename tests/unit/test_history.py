import copy
import tracemalloc

import pytest

from memtui.state.history import HistoryStore, RingSeries


def test_ring_keeps_only_the_last_capacity_samples_in_order():
    ring = RingSeries(5, window=4.0)  # already covers its window: drop the oldest
    for t in range(12):
        ring.append(float(t), float(t * 10))
    assert ring.values() == (70.0, 80.0, 90.0, 100.0, 110.0)
    assert [t for t, _ in ring.samples()] == [7.0, 8.0, 9.0, 10.0, 11.0]


def test_young_ring_halves_its_resolution_to_cover_the_window_keeping_peaks():
    ring = RingSeries(10, window=1000.0)
    for t in range(0, 200, 2):
        ring.append(float(t), 5.0 if t != 100 else 99.0)  # one spike
    assert len(ring) <= 10
    times = [t for t, _ in ring.samples()]
    assert times[0] <= 20.0 and times[-1] >= 180.0  # still spans (almost) all it saw
    assert max(ring.values()) == 99.0  # the spike survived the merges
    spacing = {round(b - a) for a, b in zip(times, times[1:])}
    assert len(spacing) <= 2  # evenly spaced after compaction


def test_backfill_goes_before_live_samples():
    ring = RingSeries(20, window=3600.0)
    ring.append(1000.0, 7.0)
    ring.backfill([(float(t), 1.0) for t in range(0, 1000, 100)])
    assert ring.samples()[0] == (0.0, 1.0)
    assert ring.samples()[-1] == (1000.0, 7.0)


def test_ring_ignores_repeated_timestamps_from_a_slow_metrics_window():
    ring = RingSeries(10)
    ring.append(1.0, 5.0)
    ring.append(1.0, 5.0)
    ring.append(0.5, 4.0)
    assert len(ring) == 1


def test_slope_measures_growth_and_restarts_cut_the_window():
    ring = RingSeries(100, window=60.0)
    for t in range(60):
        ring.append(float(t), 1000.0 + 10.0 * t)  # 10 units per second
    assert abs(ring.slope(window=120) - 10.0) < 1e-3
    # a restart at t=60 drops to the base line; with `since` the slope ignores the old life
    for t in range(60, 90):
        ring.append(float(t), 100.0 + 10.0 * (t - 60))
    assert ring.slope(window=120) < 10.0  # the sawtooth misleads a plain regression
    assert abs(ring.slope(window=120, since=60.0) - 10.0) < 1e-3


def test_slope_needs_enough_points_spanning_the_window():
    ring = RingSeries(10)
    ring.append(0.0, 1.0)
    ring.append(1.0, 2.0)
    assert ring.slope(window=60) is None


def test_store_drops_series_of_departed_pods_after_the_grace_period():
    store = HistoryStore(capacity=10, grace=3)
    store.record({"a": (1.0, 1.0), "b": (1.0, 2.0)})
    for t in range(2, 6):
        store.record({"a": (float(t), 1.0)})
    assert "a" in store and "b" not in store


def test_store_memory_stays_flat_over_pod_churn():
    store = HistoryStore(capacity=60, grace=5)
    tracemalloc.start()
    for t in range(50):
        store.record({f"pod-{t}-{i}": (float(t), 1.0) for i in range(50)})  # every pod replaced every refresh
    first, _ = tracemalloc.get_traced_memory()
    for t in range(50, 300):
        store.record({f"pod-{t}-{i}": (float(t), 1.0) for i in range(50)})
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(store) <= 50 * 6
    assert second < first * 1.2


def test_peak_is_the_highest_sample_and_the_span_young_full_compacted_and_backfilled():
    def expected(ring):
        samples = ring.samples()
        return max(v for _, v in samples), samples[-1][0] - samples[0][0]

    assert RingSeries(4).peak() is None
    young = RingSeries(8, window=3600.0)
    for t, v in ((0.0, 3.0), (5.0, 9.0), (10.0, 4.0)):
        young.append(t, v)
    assert young.peak() == expected(young) == (9.0, 10.0)
    wrapped = RingSeries(5, window=4.0)  # full and wrapped: the oldest dropped, the peak with them
    for t in range(12):
        wrapped.append(float(t), 100.0 if t == 3 else float(t))
    assert wrapped.peak() == expected(wrapped) == (11.0, 4.0)
    compacted = RingSeries(10, window=1000.0)
    for t in range(0, 200, 2):
        compacted.append(float(t), 99.0 if t == 100 else 5.0)
    assert compacted.peak() == expected(compacted)
    backfilled = RingSeries(20, window=3600.0)
    backfilled.append(1000.0, 7.0)
    backfilled.backfill([(float(t), 8.0 if t == 300 else 1.0) for t in range(0, 1000, 100)])
    assert backfilled.peak() == expected(backfilled) == (8.0, 1000.0)

def test_a_ring_reads_newest_first_lazily_as_the_run_start_search_does():
    from memtui.state.incident import current_run_start

    ring = RingSeries(5, window=4.0)  # full and wrapped
    for t in range(12):
        ring.append(float(t), float(t % 7))
    assert list(reversed(ring)) == list(reversed(ring.samples()))
    assert list(ring) == ring.samples()
    assert current_run_start(ring, 2.5) == current_run_start(ring.samples(), 2.5) == 10.0
    assert current_run_start(iter(ring.samples()), 2.5) == 10.0  # any iterable still



def test_the_ring_s_own_run_start_is_the_generic_one_on_wrapped_compacted_and_backfilled_rings():
    """``RingSeries.run_start_above`` (by index, what the incident crossing asks 17,000 pods at
    20,000) answers as ``current_run_start`` over the same samples as a plain list."""
    import random

    from memtui.state.incident import current_run_start

    rng = random.Random(11)
    for case in range(300):
        ring = RingSeries(rng.choice((1, 2, 5, 16, 64)), window=rng.choice((5.0, 60.0, 3600.0)))
        if case % 3 == 0:
            ring.backfill([(float(t), rng.choice((1.0, 9.0))) for t in range(0, rng.randrange(1, 90))])
        t = 100.0
        for _ in range(rng.randrange(0, 200)):
            t += rng.choice((0.5, 1.0, 7.0))
            ring.append(t, rng.choice((1.0, 4.0, 9.0, 9.0, 9.0, float("nan"))))
        for threshold in (0.5, 3.0, 8.0, 10.0):
            assert ring.run_start_above(threshold) == current_run_start(list(ring.samples()), threshold), case
            assert current_run_start(ring, threshold) == ring.run_start_above(threshold)

def test_times_kept_as_offsets_read_back_close_and_a_repeat_stays_one_sample_after_a_backfill():
    """Times are single-precision offsets from a base: read back within a millisecond, and the
    newest sample's repeat (the metrics API's same window) is still recognised after a backfill
    re-encoded every offset."""
    ring = RingSeries(40, window=3600.0)
    start = 1_764_800_000.123  # a real epoch, with a fraction a float32 offset cannot hold exactly
    for i in range(10):
        ring.append(start + 15.077 * i, float(i))
    ring.backfill([(start - 15.0 * k, 1.0) for k in range(1, 6)])
    newest = start + 15.077 * 9
    count = len(ring)
    ring.append(newest, 9.0)  # the same window again
    assert len(ring) == count == 15
    times = [t for t, _ in ring.samples()]
    expected = sorted([start - 15.0 * k for k in range(1, 6)] + [start + 15.077 * i for i in range(10)])
    assert max(abs(a - b) for a, b in zip(times, expected)) < 1e-3
    assert times == sorted(times)


def test_a_series_running_for_days_keeps_its_times_to_the_millisecond():
    ring = RingSeries(10, window=100.0)  # covers its window: never compacts, keeps one base unless rebased
    start = 1_764_800_000.0
    for i in range(20_000):  # 3.5 days at 15.1 s
        ring.append(start + 15.1 * i, float(i % 50))
    times = [t for t, _ in ring.samples()]
    expected = [start + 15.1 * i for i in range(19_990, 20_000)]
    assert max(abs(a - b) for a, b in zip(times, expected)) < 1e-2
    assert abs(ring.slope(window=200.0) - 1 / 15.1) < 1e-6  # 40 → 49, one a sample


def test_a_packed_backfill_loads_as_the_pairs_do_older_samples_only_and_the_live_ones_after():
    """``Samples`` (two packed columns) go in through ``columns()``, without a pair per sample; the
    ring holds what it holds from the same samples as pairs, bit for bit."""
    from memtui.state.snapshots import Samples

    points = [(1_000.0 + 20 * i, 9e9 + 1e6 * i) for i in range(181)]
    rings = []
    for given in (points, Samples.of(points)):
        ring = RingSeries(180, window=3600.0)
        ring.append(1_000.0 + 20 * 170, 5.0)  # a live sample: the backfill's from it on are not taken
        ring.append(1_000.0 + 20 * 171 + 1, 6.0)
        ring.backfill(given)
        rings.append(ring)
    pairs, packed = rings
    assert packed.samples() == pairs.samples() and packed.min_interval == pairs.min_interval
    assert len(packed) == 172 and packed.samples()[-2:] == [(4_400.0, 5.0), (4_421.0, 6.0)]
    assert packed.samples()[0] == (1_000.0, pytest.approx(9e9, rel=1e-7))  # values are single precision


def test_the_slope_of_a_wrapped_ring_is_the_least_squares_slope_of_its_window():
    from memtui.state.history import linear_slope

    ring = RingSeries(50, window=100.0)  # full, its oldest somewhere inside the buffer
    for t in range(137):
        ring.append(float(t), 3.0 * t + (7.0 if t % 2 else -7.0))
    window = [(t, v) for t, v in ring.samples() if t >= 136 - 40.0]
    assert ring.slope(window=40.0) == pytest.approx(linear_slope(window), rel=1e-12)
    assert ring.slope(window=40.0) == pytest.approx(3.0, rel=0.05)
    # cut at a container start: only the samples since it
    since = [(t, v) for t, v in ring.samples() if t >= 120.0]
    assert ring.slope(window=40.0, since=120.0) == pytest.approx(linear_slope(since), rel=1e-12)
    flat = RingSeries(10)
    for t in range(10):
        flat.append(float(t), 5e9)
    assert flat.slope(window=10.0) == 0.0  # a constant series grows by exactly nothing


def test_a_copied_ring_keeps_its_samples_and_a_deep_copy_is_its_own():
    """The replay's checkpoints are deep copies of the state: a ring rebuilt through its
    constructor (a Struct's copy) once came back with empty buffers."""
    ring = RingSeries(4, window=3600.0)
    for t in range(6):
        ring.append(float(t), float(t * 10))
    shallow, deep = copy.copy(ring), copy.deepcopy(ring)
    assert shallow.samples() == deep.samples() == ring.samples() and len(deep) == len(ring) > 2
    assert deep.version == ring.version and deep.peak() == ring.peak()
    deep.append(9.0, 99.0)
    assert ring.last() == 50.0 and deep.last() == 99.0
