"""CockpitState.apply_steps: a big namespace's fold in steps, what it shows between them unchanged."""

from __future__ import annotations

from memtui.state.cockpit import CockpitState
from memtui.state.steps import FOLD_STEP_PODS
from memtui.state.snapshots import BackfillSnapshot, GpuUsage, KubeSnapshot, ListProgress, PodTrend, PrometheusSnapshot

from tests.recording.synthetic import EPOCH, GIB, kube

PODS = 2 * FOLD_STEP_PODS + 500


def _state() -> CockpitState:
    return CockpitState(threshold_bytes=10 * GIB, clock=lambda: EPOCH)


def test_a_namespace_below_one_step_folds_without_a_yield():
    state = _state()
    assert list(state.apply_steps(kube(1, pods=FOLD_STEP_PODS - 1))) == []
    assert len(state.rows) == FOLD_STEP_PODS - 1


def test_between_steps_the_rows_and_the_listing_are_the_last_folds_and_both_change_at_the_end():
    state, plain = _state(), _state()
    first, second = kube(1, pods=PODS), kube(8, pods=PODS)  # 7 refreshes later: every pod's figure moved
    state.apply(first)
    plain.apply(first)
    rows_before, listing_before = state.rows, state.snapshot
    steps = state.apply_steps(second)
    taken, shown = 0, []
    for _ in steps:
        taken += 1
        # the last fold's rows and listing, or (in the OOM summary's last steps) both new ones
        old = state.rows is rows_before
        assert old == (state.snapshot is listing_before) and old == (state.pods_by_name().keys() == {
            p.name for p in first.pods})
        shown.append(old)
    assert shown[0] and sum(shown) >= 4 * (PODS // FOLD_STEP_PODS) and shown == sorted(shown, reverse=True)
    # the history, the ledger's samples, its pods and the rows each yield per FOLD_STEP_PODS pods
    assert taken > sum(shown)
    assert state.snapshot is second and state.rows is not rows_before
    plain.apply(second)
    # the same rows, kills and history as a fold taken at once
    assert state.rows == plain.rows
    assert state.ledger.kills() == plain.ledger.kills() and len(state.ledger.kills()) > FOLD_STEP_PODS
    assert [state.history.get(p.name).samples() for p in second.pods] == [
        plain.history.get(p.name).samples() for p in second.pods]
    assert state.oom_summary() == plain.oom_summary()


def test_the_first_listing_keeps_showing_its_progress_until_its_rows_are_in():
    state = _state()
    state.apply(KubeSnapshot(EPOCH, (), {}, (), loading=ListProgress("pods", pages=3, items=PODS, seconds=1.5)))
    steps = state.apply_steps(kube(2, pods=PODS))
    next(steps)
    assert state.pods_loading is not None and state.rows == ()
    for _ in steps:
        pass
    assert state.pods_loading is None and len(state.rows) == PODS


def test_a_backfill_and_a_prometheus_answer_fold_in_steps_too():
    state = _state()
    listing = kube(1, pods=PODS)
    state.apply(listing)
    names = [p.name for p in listing.pods]
    backfill = BackfillSnapshot({n: [(EPOCH.timestamp() - 60, float(GIB)), (EPOCH.timestamp() - 30, float(GIB))]
                                 for n in names})
    assert len(list(state.apply_steps(backfill))) == PODS // FOLD_STEP_PODS + PODS // FOLD_STEP_PODS
    trends = {n: PodTrend(n, working_set=float(11 * GIB), limit=float(16 * GIB), growth_per_second=1.0) for n in names}
    rows_before = state.rows
    steps = state.apply_steps(PrometheusSnapshot(EPOCH, trends, {}, 12, 0.02))
    assert next(steps, "done") is None and state.rows is rows_before
    for _ in steps:
        pass
    assert all(row.growth_source == "deriv" for row in state.rows)


def test_dcgm_figures_with_a_prometheus_answer_fold_in_steps_before_the_rows():
    state = _state()
    listing = kube(1, pods=PODS)
    state.apply(listing)
    gpu = {p.name: GpuUsage(p.name, 30_000.0, 81_920.0, "DCGM") for p in listing.pods}
    rows_before = state.rows
    steps = state.apply_steps(PrometheusSnapshot(EPOCH, {}, gpu, 12, 0.02))
    taken = 0
    for _ in steps:
        taken += 1
        assert state.rows is rows_before
    assert taken >= 2 * (PODS // FOLD_STEP_PODS)  # the GPU history, then the rows
    assert state.gpu is gpu and all(row.gpu is gpu[row.name] for row in state.rows)
    assert len(state.gpu_history) == PODS
