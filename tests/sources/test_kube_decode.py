"""The pods, events and PodMetrics memtui decodes (msgspec, straight from the response bytes into
slim records) say what kubectl reads from the same simulator: no pod lost, restarts, OOM kills,
limits, STATUS and working sets equal, through the first LIST and through the WATCH after it."""

from __future__ import annotations

import json
import time

import msgspec
import pytest

from memtui.clients.kube.connection import connect
from memtui.clients.kube.parse import POD_DECODER, decode_pod_metrics_list, parse_pod
from memtui.sources.kube import KubeSource
from memtui.state.units import parse_bytes

NS = "sap-llm"


def _source(handle) -> KubeSource:
    connection = connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace=NS)
    return KubeSource(connection, timeout=5.0)


def _kubectl_figures(k) -> dict[str, tuple]:
    """Per pod, from ``kubectl get pods -o json`` read here by hand (not through memtui's parse),
    and STATUS and RESTARTS from kubectl's own table."""
    items = json.loads(k("get", "pods", "-n", NS, "-o", "json", check=True).stdout)["items"]
    table = {}
    for line in k("get", "pods", "-n", NS, "--no-headers", check=True).stdout.splitlines():
        name, ready, status, restarts, *_ = line.split()
        table[name] = (ready, status, int(restarts))
    figures = {}
    for pod in items:
        name = pod["metadata"]["name"]
        statuses = {cs["name"]: cs for cs in pod["status"].get("containerStatuses") or []}
        containers = []
        for c in pod["spec"]["containers"]:
            limits = c.get("resources", {}).get("limits", {})
            cs = statuses.get(c["name"], {})
            last = (cs.get("lastState") or {}).get("terminated") or {}
            containers.append((c["name"], parse_bytes(limits["memory"]) if "memory" in limits else None,
                               cs.get("restartCount", 0), last.get("reason"), last.get("exitCode")))
        figures[name] = (pod["metadata"]["uid"], table[name], tuple(containers))
    return figures


def _memtui_figures(pods) -> dict[str, tuple]:
    return {
        p.name: (p.uid, (p.ready_text, p.status_text, p.restarts),
                 tuple((c.name, c.memory_limit_bytes, c.restarts, c.last_termination_reason, c.last_exit_code)
                       for c in p.containers))
        for p in pods
    }


def _until(fetch, predicate, what: str):
    for _ in range(100):
        snapshot = fetch()
        if predicate(snapshot):
            return snapshot
        time.sleep(0.05)
    pytest.fail(f"never saw {what}")


def test_the_decoded_pods_are_what_kubectl_reads_through_list_and_watch(sim_factory, kubectl):
    handle = sim_factory(seed=7, sidecar=True, replicas=12)
    k = kubectl.using(handle)
    source = _source(handle)
    try:
        first = source.fetch()
        assert len(first.pods) > 12
        assert _memtui_figures(first.pods) == _kubectl_figures(k)

        # kills the watch carries as MODIFIED (and ADDED for the eviction's replacement)
        victims = [p for p in first.pods if p.owner == "sap-llm" and p.restarts == 0]
        handle.fail_liveness(victims[0].name)
        handle.node_pressure(victims[1].node, evict=victims[1].name)
        handle.sidecar_oom(victims[2].name, ramp=1)
        handle.advance(20)

        def settled(snapshot) -> bool:
            return _memtui_figures(snapshot.pods) == _kubectl_figures(k)

        later = _until(source.fetch, settled, "the watched pods equal to kubectl's")
        assert source.pods.snapshot().lists == 1  # no re-LIST: the watch carried the changes
        kinds = {p.name: p for p in later.pods}
        assert kinds[victims[0].name].containers[0].last_exit_code == 137
        assert kinds[victims[1].name].reason == "Evicted"
        assert kinds[victims[2].name].containers[1].last_termination_reason == "OOMKilled"
        assert any(e.reason == "Evicted" for e in later.events)

        # a fresh LIST decodes to the very records the watch built
        fresh = _source(handle)
        try:
            assert set(fresh.fetch().pods) == set(later.pods)
        finally:
            fresh.stop()
    finally:
        source.stop()


def test_pod_metrics_are_the_working_sets_the_metrics_api_serves(sim_factory, kubectl):
    handle = sim_factory(seed=7, replicas=12)
    k = kubectl.using(handle)
    raw = k("get", "--raw", f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods", check=True).stdout
    source = _source(handle)
    try:
        usage = source.fetch().usage
    finally:
        source.stop()
    expected = {
        item["metadata"]["name"]: sum(parse_bytes(c["usage"]["memory"]) for c in item["containers"])
        for item in json.loads(raw)["items"]
    }
    assert {name: u.working_set_bytes for name, u in usage.items()} == expected
    assert usage == decode_pod_metrics_list(raw.encode())


def test_a_get_answered_as_a_dict_parses_to_the_listed_record(sim_factory, kubectl):
    """The executor's GETs (dicts) and the informer's LIST (bytes) go through the same Structs."""
    handle = sim_factory(seed=7, replicas=3)
    listed = kubectl.using(handle)("get", "pods", "-n", NS, "-o", "json", check=True).stdout
    page = POD_DECODER.page(listed.encode())
    assert [state for _, state in page.items] == [parse_pod(item) for item in json.loads(listed)["items"]]
    assert [key for key, _ in page.items] == [item["metadata"]["uid"] for item in json.loads(listed)["items"]]


def test_a_value_of_the_wrong_type_names_where_it_is():
    page = b'{"metadata": {}, "items": [{"metadata": {"name": "a"}, "status": {"containerStatuses": [{"restartCount": "3"}]}}]}'
    with pytest.raises(msgspec.ValidationError, match=r"\$\.items\[0\]\.status\.containerStatuses\[0\]\.restartCount"):
        POD_DECODER.page(page)


def test_a_quiet_refresh_hands_over_the_same_pods_and_a_change_a_new_sorted_tuple(sim_factory):
    handle = sim_factory(seed=7, replicas=6)
    source = _source(handle)
    try:
        first = source.fetch()
        assert source.fetch().pods is first.pods  # nothing happened: not re-sorted, not rebuilt
        victim = next(p for p in first.pods if p.owner == "sap-llm")
        handle.fail_liveness(victim.name)
        changed = _until(source.fetch, lambda s: s.pods is not first.pods, "the watched change")
        assert [p.name for p in changed.pods] == sorted(p.name for p in changed.pods)
        assert {p.name for p in changed.pods} == {p.name for p in first.pods}
    finally:
        source.stop()


def test_a_quiet_refresh_hands_over_the_same_figures_and_events_and_nothing_is_folded_again(sim_factory):
    """metrics-server changes its figures once per scrape, so most refreshes read the same list:
    the source hands over the very same objects and the state derives nothing again from them
    (no row, no ranking), while a refresh with new figures is folded as always."""
    from datetime import datetime, timezone

    from memtui.reasoning.ranking import rank
    from memtui.state.cockpit import CockpitState

    handle = sim_factory(seed=7, replicas=6)
    source = _source(handle)
    state = CockpitState(threshold_bytes=10 * 1024**3)
    try:
        for _ in range(5):  # two reads within one 15 s metrics window
            first, second = source.fetch(), source.fetch()
            if second.usage == first.usage and second.events == first.events:
                break
        assert second.usage is first.usage and second.events is first.events and second.pods is first.pods
        state.apply_kube(first)
        rows, version = state.rows, state.history.version
        ranking = rank(state, datetime.now(timezone.utc))
        state.apply_kube(second)
        assert state.snapshot is second
        assert state.rows is rows and state.history.version == version
        assert rank(state, datetime.now(timezone.utc)).causes is ranking.causes
        handle.advance(20)  # the next metrics window: new figures
        third = _until(source.fetch, lambda s: s.usage != first.usage, "the next metrics window")
        state.apply_kube(third)
        assert state.rows is not rows
        assert {r.name: r.working_set for r in state.rows} == {
            name: u.working_set_bytes for name, u in third.usage.items() if name in {r.name for r in state.rows}}
    finally:
        source.stop()
