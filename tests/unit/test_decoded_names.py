"""Names and repeated texts decoded from answers are one object each (``memtui.clients.names``):
at 20,000 pods the copies were half of what the listing's records held (62 -> 30.5 MiB for 20,000
pods and 60,000 events)."""

from __future__ import annotations

import json

from memtui.clients.kube.parse import EVENT_DECODER, POD_DECODER, decode_pod_metrics_list


def _pod(name: str) -> dict:
    return {"metadata": {"name": name, "namespace": "sap-llm", "uid": "u-" + name},
            "spec": {"nodeName": "gpu-node-01", "containers": [{"name": "sap-llm"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "sap-llm", "ready": True,
                                                                   "state": {"running": {"startedAt": "2026-12-05T01:00:00Z"}}}]}}


def _event(pod: str) -> dict:
    return {"metadata": {"uid": "e-" + pod}, "type": "Normal", "reason": "Started", "message": "Started container sap-llm",
            "involvedObject": {"kind": "Pod", "name": pod, "fieldPath": "spec.containers{sap-llm}"},
            "lastTimestamp": "2026-12-05T01:00:00Z"}


def _page(items: list) -> bytes:
    return json.dumps({"metadata": {"resourceVersion": "1"}, "items": items}).encode()


def test_a_pods_name_is_one_object_in_its_listing_its_metrics_and_its_events_and_repeated_texts_too():
    names = [f"sap-llm-7d9f-{i}" for i in range(3)]
    pods = [state for _, state in POD_DECODER.page(_page([_pod(n) for n in names])).items]
    events = [event for _, event in EVENT_DECODER.page(_page([_event(n) for n in names])).items]
    metrics = decode_pod_metrics_list(_page([
        {"metadata": {"name": n}, "timestamp": "2026-12-05T01:00:30Z", "window": "30s",
         "containers": [{"name": "sap-llm", "usage": {"memory": "9Gi"}}]} for n in names]))
    for pod, event in zip(pods, events):
        usage = metrics[pod.name]
        assert usage.pod is pod.name and event.object_name is pod.name
        assert next(iter(metrics)) is pods[0].name  # the figures' keys too
        assert usage.containers[0].name is pod.containers[0].name
    first, second = events[0], events[1]
    for field in ("type", "reason", "object_kind", "field_path", "message"):
        assert getattr(first, field) is getattr(second, field), field
    assert pods[0].node is pods[1].node and pods[0].namespace is pods[1].namespace and pods[0].phase is pods[1].phase
    assert pods[0].containers[0].started_at is pods[1].containers[0].started_at  # one datetime per timestamp
