"""The team source on its own against the simulator: the HPA's rescale, a 403 on one resource, cost."""

from __future__ import annotations

import time

from memtui.clients.kube.connection import connect
from memtui.sources.kube import KubeSource
from memtui.sources.team import TeamInputs, TeamSource
from tests.sim.helpers import NS, apps


def _source(handle) -> TeamSource:
    return TeamSource(connect(kubeconfig=str(handle.kubeconfig_path), context="memtui-sim", namespace=NS),
                      timeout=5.0, clock=handle.now)


def _until(source: TeamSource, found, seconds: float = 15.0):
    """Poll like the app does until ``found(changes)`` holds; returns every change seen."""
    seen: list = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        snapshot = source.fetch(TeamInputs())
        seen += snapshot.changes
        if found(seen):
            return seen, snapshot
        time.sleep(0.1)
    raise AssertionError(f"not seen within {seconds} s: {seen}")


def test_the_hpa_rescale_is_kube_controller_manager_on_the_scale_subresource(sim_factory):
    h = sim_factory(hpa=True, seed=7)
    source = _source(h)
    try:
        first = source.fetch(TeamInputs())
        assert first.changes == () and first.error is None and source.baselined
        apps(h).patch_namespaced_deployment_scale("sap-llm-api", NS, {"spec": {"replicas": 2}})
        h.advance(16)  # below minReplicas 3: the controller puts it back
        seen, _ = _until(source, lambda cs: any(c.manager == "kube-controller-manager" for c in cs))
        (hpa,) = [c for c in seen if c.manager == "kube-controller-manager"]
        assert (hpa.kind, hpa.name, hpa.what, hpa.subresource) == ("Deployment", "sap-llm-api", "scale", "scale")
        assert hpa.summary == "replicas 2→3" and hpa.who == "kube-controller-manager (Update scale)"
        # the manual scale before it, between the same two polls, is its own change (every version counts)
        (manual,) = [c for c in seen if c.summary == "replicas 4→2"]
        assert manual.subresource == "scale" and manual.manager != "kube-controller-manager"
        assert seen.index(manual) < seen.index(hpa)
    finally:
        source.stop()


def test_a_403_on_one_resource_is_a_note_and_the_rest_still_comes(sim_factory, kubectl):
    h = sim_factory(hpa=True, operator_denied=("horizontalpodautoscalers.autoscaling",))
    source = _source(h)
    kube = KubeSource(connect(kubeconfig=str(h.kubeconfig_path), context="memtui-sim", namespace=NS), timeout=5.0)
    try:
        first = source.fetch(TeamInputs())
        assert first.error == "horizontalpodautoscalers: forbidden (RBAC)"
        kubectl.using(h)("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
                         "-p", '{"data":{"max_concurrent_requests":"50"}}', check=True)
        seen, last = _until(source, lambda cs: any(c.kind == "ConfigMap" for c in cs))
        assert last.error == "horizontalpodautoscalers: forbidden (RBAC)"
        assert [c.summary for c in seen if c.kind == "ConfigMap"][0].startswith("max_concurrent_requests ")
        assert kube.fetch().pods  # the pods pane is not affected
    finally:
        source.stop()
        kube.stop()


def test_a_quiet_poll_sends_no_request(sim):
    """After the first sync the watch carries the changes: a poll reads the informers' caches."""
    source = _source(sim)
    try:
        source.fetch(TeamInputs())
        before = len(sim.journal())
        for _ in range(5):
            assert source.fetch(TeamInputs()).changes == ()
        assert [e for e in sim.journal()[before:] if "watch" not in str(e.query)] == []
    finally:
        source.stop()


def test_kubectl_patch_of_the_hpa_is_a_team_change_then_its_rescale(sim_factory, kubectl):
    h = sim_factory(hpa=True, seed=7)
    source = _source(h)
    try:
        source.fetch(TeamInputs())
        kubectl.using(h)("patch", "hpa", "sap-llm-api", "-n", NS, "-p", '{"spec":{"minReplicas":5}}', check=True)
        h.advance(16)
        seen, _ = _until(source, lambda cs: any(c.kind == "HorizontalPodAutoscaler" for c in cs)
                         and any(c.manager == "kube-controller-manager" for c in cs))
        (bounds,) = [c for c in seen if c.kind == "HorizontalPodAutoscaler"]
        assert (bounds.what, bounds.summary, bounds.who) == ("scale", "minReplicas 3→5", "kubectl-patch (Update)")
        (rescale,) = [c for c in seen if c.manager == "kube-controller-manager"]
        assert rescale.summary == "replicas 4→5"
    finally:
        source.stop()
