"""Which events of a refresh were read before (memtui.state.same_objects): by identity, with no map
of every event kept between refreshes (the OOM ledger's and the recording masks' id maps held
8 MiB each at 20,000 pods)."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime, timezone

from memtui.state.oom_ledger import OomLedger
from memtui.state.same_objects import LastListing
from memtui.state.snapshots import KubeEvent, KubeSnapshot
from memtui.ui.recording import RecordingMasks

NOW = datetime(2026, 12, 3, 5, 0, tzinfo=timezone.utc)


def _events(n: int, start: int = 0) -> tuple[KubeEvent, ...]:
    return tuple(KubeEvent(NOW, "Normal", "Pulled", "Pod", f"sap-llm-{i}", "image pulled", 1, uid=f"e{i}")
                 for i in range(start, start + n))


def test_only_objects_of_the_last_listing_count_as_seen_and_equal_ones_do_not():
    listing: LastListing[KubeEvent] = LastListing()
    first = _events(3)
    assert list(listing.swap(first).new_in(first)) == list(first)
    twin = _events(1)[0]  # equal to first[0], another object
    second = (first[0], twin, first[2])
    seen = listing.swap(second)
    assert [e for e in second if e in seen] == [first[0], first[2]]
    assert list(seen.new_in(second)) == [twin]
    again = listing.swap(second)
    assert again.same_tuple and list(again.new_in(second)) == []


def _kept_after(make, feed) -> int:
    """Bytes the object still holds once it has read 20,000 events (the events not counted)."""
    gc.collect()
    tracemalloc.start()
    try:
        holder = make()
        feed(holder)
        gc.collect()
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def test_reading_20000_events_keeps_no_map_of_them_in_the_ledger_or_the_recording_masks():
    events = _events(20_000)
    snapshot = KubeSnapshot(taken_at=NOW, pods=(), usage={}, events=events)
    # before: an id → event map of every event, 1.2 MiB (ledger) and 1.3 MiB (masks) at 20,000
    assert _kept_after(OomLedger, lambda ledger: ledger.observe((), events)) < 64 * 1024
    # the masks keep the tuple they gave (a pointer per event, 0.16 MiB), no map
    assert _kept_after(RecordingMasks, lambda masks: masks.payload(snapshot)) < 256 * 1024

