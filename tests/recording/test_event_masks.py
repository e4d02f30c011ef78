"""What the recording gets of the namespace's events (memtui.ui.recording.RecordingMasks): masked once
per event, and an unchanged event comes back as the same object however many events there are
(the delta writer skips it by identity)."""

from __future__ import annotations

from datetime import datetime, timezone

from memtui.state.snapshots import KubeEvent, KubeSnapshot
from memtui.ui.recording import RecordingMasks

NOW = datetime(2026, 12, 3, 5, 0, tzinfo=timezone.utc)


def _snapshot(events: tuple[KubeEvent, ...]) -> KubeSnapshot:
    return KubeSnapshot(taken_at=NOW, pods=(), usage={}, events=events)


def test_25000_events_are_masked_once_and_come_back_as_the_same_objects():
    events = tuple(KubeEvent(NOW, "Normal", "Pulled", "Pod", f"sap-llm-{i}", "image pulled", 1, uid=f"e{i}")
                   for i in range(25_000))
    secret = KubeEvent(NOW, "Warning", "Unhealthy", "Pod", "sap-llm-0",
                       "Liveness probe failed: GET https://admin:s3cr3t-pw@sap-llm:8080/health", 1, uid="s")
    masks = RecordingMasks()
    first = masks.payload(_snapshot((*events, secret))).events
    second = masks.payload(_snapshot((*events, secret))).events
    assert "s3cr3t-pw" not in first[-1].message and first[-1] is not secret
    assert second[-1] is first[-1]  # masked once: the same masked object both times
    assert all(a is b for a, b in zip(first[:-1], events))


def test_the_same_listing_again_comes_back_as_the_same_tuple_without_a_walk():
    """The informer hands over its very same tuple while nothing changed: no walk of the events."""
    events = tuple(KubeEvent(NOW, "Normal", "Pulled", "Pod", f"sap-llm-{i}", "image pulled", 1, uid=f"e{i}")
                   for i in range(100))
    masks = RecordingMasks()
    first = masks.payload(_snapshot(events)).events
    assert masks.payload(_snapshot(events)).events is first
    again = masks.payload(_snapshot(events[:50] + events[50:])).events  # equal, another tuple: walked, same events
    assert again is not first and all(a is b for a, b in zip(again, first))
