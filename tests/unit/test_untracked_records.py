"""The per-pod records are invisible to Python's cyclic collector (``state.records``).

At 20,000 pods a middle-generation collection walked every pod's listing, usage, row and kill
records again: 0.5-0.9 s on the main thread while a key waited.  These tests fail when one of them
becomes a tracked object again (a dataclass, a Struct without ``gc=False``)."""

from __future__ import annotations

import gc

import msgspec
import pytest

from memtui.recording import delta
from memtui.state.cockpit import CockpitState, OomSummary, PodRow
from memtui.state.history import RingSeries
from memtui.ui.gc_tuning import OLDER_THRESHOLDS, YOUNG_THRESHOLD
from memtui.state.oom_ledger import OomKill
from memtui.state.records import as_dict, field_names, is_record, replaced
from memtui.clients.kube.parse import decode_pod_metrics_list
from memtui.state.snapshots import (ContainerState, ContainerUsage, GpuUsage, KubeEvent, NodeState, PodState, PodTrend,
                                    PodUsage)
from tests.recording.synthetic import EPOCH, GIB, kube

PER_POD = (PodState, ContainerState, PodUsage, ContainerUsage, NodeState, KubeEvent, PodRow, OomSummary, OomKill,
           PodTrend, GpuUsage)
PODS = 2_000


def _folded(threshold: int = 10 * GIB) -> CockpitState:
    state = CockpitState(threshold_bytes=threshold, clock=lambda: EPOCH)
    state.apply(kube(1, pods=PODS))
    state.apply(kube(2, pods=PODS))
    assert state.rows and state.oom_summary() and state.ledger.kills()
    return state


def test_no_per_pod_record_is_tracked_by_the_cyclic_collector():
    state = _folded()
    usage = list(state.snapshot.usage.values())
    records = [*state.snapshot.pods, *state.snapshot.pods[0].containers, *usage, *usage[0].containers,
               *state.rows, *state.oom_summary(), *state.ledger.kills()]
    assert {type(r) for r in records} >= set(PER_POD) - {KubeEvent, PodTrend, GpuUsage, NodeState}
    assert not [type(r).__name__ for r in records if gc.is_tracked(r)]
    tracked = {type(o) for o in gc.get_objects()}
    assert not tracked & set(PER_POD)


def test_a_folded_namespace_leaves_few_tracked_objects_per_pod():
    """Folded with the collector's thresholds as the cockpit sets them (few young collections
    meanwhile), then one full collection: what a middle collection would walk again."""
    before_thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
    try:
        gc.collect()
        before = len(gc.get_objects())
        state = _folded()
        gc.collect()
    finally:
        gc.set_threshold(*before_thresholds)
    per_pod = (len(gc.get_objects()) - before) / PODS
    # 16 per pod while these records were slotted dataclasses; 5 while the rings were tracked (a
    # ring, the row's cache key and entry that hold it); 4 with the ledger's samples as tuples of
    # pairs and the rows' cache as pairs; 3 with ``PodUsage.containers`` as (container, bytes) pairs
    # (a tuple one collection behind its pairs); 2 now: the ring's two arrays
    assert per_pod < 2.5, per_pod
    assert state.rows


def test_the_rows_caches_hold_untracked_rings_so_their_tuples_drop_out_of_the_collector():
    """A tuple stays tracked while it holds a tracked object: with the rings tracked, each pod's
    row cache key, its entry and its run start stayed in every middle collection (~60,000 tuples
    a refresh at 20,000 pods).  With untracked rings and flat tuples (no pair holding the key: an
    outer tuple is untracked a collection after its inner one) one collection drops them all."""
    gc.disable()  # no collection while it folds: what one collection afterwards leaves
    try:
        state = _folded(threshold=1)  # every pod over it: each has a run start
    finally:
        gc.enable()
    name = state.rows[0].name
    ring = state.history.get(name)
    assert ring is not None and state.rows[0].series is ring and not gc.is_tracked(ring)
    assert ring == ring and ring != RingSeries(ring.capacity) and len({ring, ring}) == 1  # by identity
    gc.collect()
    keys = list(state._row_inputs.values())
    assert keys and not [k for k in keys if gc.is_tracked(k)]
    assert state._run_starts and not [s for s in state._run_starts.values() if gc.is_tracked(s)]


def test_decoded_metrics_leave_the_young_generation_untracked():
    """Each pod's tuple of container figures, from the metrics API's answer, is untracked by the
    first young collection it meets.  As a tuple of (name, bytes) pairs it was not: the pairs were
    found untracked only after their pod's tuple was looked at, so 20,000 tuples a metrics refresh
    went on to the middle generation."""
    body = msgspec.json.encode({"kind": "PodMetricsList", "items": [
        {"metadata": {"name": f"p-{i}"}, "timestamp": "2026-12-05T01:00:30Z", "window": "30s",
         "containers": [{"name": "llm", "usage": {"memory": f"{i + 1}Ki"}}]} for i in range(PODS)]})
    gc.disable()
    try:
        usage = decode_pod_metrics_list(body)
        gc.collect(0)
    finally:
        gc.enable()
    assert len(usage) == PODS and usage["p-3"].containers == (ContainerUsage("llm", 4 * 1024),)
    assert not [u.pod for u in usage.values() if gc.is_tracked(u.containers)]


@pytest.mark.parametrize("kind", PER_POD)
def test_each_record_is_a_frozen_struct_the_walkers_know(kind):
    assert issubclass(kind, msgspec.Struct) and kind.__struct_config__.frozen and not kind.__struct_config__.gc
    assert field_names(kind) == kind.__struct_fields__


def test_the_generic_walkers_treat_a_struct_as_they_treat_a_dataclass():
    state = _folded()
    row, other = state.rows[0], state.rows[1]
    assert is_record(row) and not is_record(PodRow) and as_dict(row)["name"] == row.name
    renamed = replaced(row, name=other.name)
    assert renamed.name == other.name and renamed.series is row.series
    # equality leaves the ring out: the same figures read from another ring are the same row
    assert replaced(row, series=other.series) == row and hash(replaced(row, series=None)) == hash(row)
    assert replaced(row, restarts=row.restarts + 1) != row
    # the recording's delta of two listings patches the pods by uid and rebuilds them as Structs
    first, second = kube(1, pods=50), kube(2, pods=50)
    change = delta.diff(first, second)
    assert change and delta.patch(first, change) == second
    assert all(type(p) is PodState for p in delta.patch(first, change).pods)


def test_prometheus_per_pod_figures_are_untracked_and_compare_by_value():
    """One ``PodTrend`` and one ``GpuUsage`` per pod per Prometheus refresh: at 20,000 pods a
    middle collection walked 40,000 of them (a census of generation 1: 209,300 objects)."""
    trend = PodTrend("p", working_set=1.0, limit=2.0, seconds_to_oom=30.0)
    gpu = GpuUsage("p", 40.0, 80.0, "DCGM")
    assert not gc.is_tracked(trend) and not gc.is_tracked(gpu)
    assert trend == PodTrend("p", working_set=1.0, limit=2.0, seconds_to_oom=30.0) and hash(trend)
    assert gpu.percent == 50.0 and gpu.gpus == 1 and as_dict(gpu)["source"] == "DCGM"
    assert replaced(trend, growth_per_second=1.0).growth_per_second == 1.0
