"""Rollouts, scaling, deletion, limits, dry runs, RBAC and the journal (official client only)."""

from __future__ import annotations

import pytest
from kubernetes import client

from .helpers import NS, apps, core, names, patch_config, restart_deployment, sap_llm_pods


def test_rollout_restart_replaces_pods_and_adds_a_revision(sim):
    old = names(sap_llm_pods(sim))
    restart_deployment(sim)
    mid = sap_llm_pods(sim)
    assert len(mid) == 6  # new pods surge while old ones still serve
    sim.advance(60)
    new = sap_llm_pods(sim)
    assert len(new) == 3 and not (names(new) & old)
    for p in new:
        cs = p.status.container_statuses[0]
        assert cs.restart_count == 0 and cs.last_state.terminated is None and cs.ready
    rs = apps(sim).list_namespaced_replica_set(NS, label_selector="app=sap-llm").items
    revs = sorted(int(r.metadata.annotations["deployment.kubernetes.io/revision"]) for r in rs)
    assert revs == [1, 2, 3, 4]
    dep = apps(sim).read_namespaced_deployment("sap-llm", NS)
    assert dep.metadata.annotations["deployment.kubernetes.io/revision"] == "4"
    assert dep.status.updated_replicas == 3 and dep.status.ready_replicas == 3
    evs = core(sim).list_namespaced_event(NS, field_selector="reason=Killing").items
    assert {e.involved_object.name for e in evs} == old
    # the OOM history outlives the pods
    assert core(sim).list_namespaced_event(NS, field_selector="reason=OOMKilling").items


def test_scale_subresource_and_spec_replicas(sim):
    a = apps(sim)
    a.patch_namespaced_deployment_scale("sap-llm", NS, {"spec": {"replicas": 5}})
    assert len(sap_llm_pods(sim)) == 5
    assert a.read_namespaced_deployment_scale("sap-llm", NS).spec.replicas == 5
    a.patch_namespaced_deployment("sap-llm", NS, {"spec": {"replicas": 2}})
    sim.advance(5)
    assert len(sap_llm_pods(sim)) == 2
    scale = a.read_namespaced_deployment_scale("sap-llm", NS)
    scale.spec.replicas = 4
    a.replace_namespaced_deployment_scale("sap-llm", NS, scale)
    assert len(sap_llm_pods(sim)) == 4


def test_deleted_pod_is_replaced(sim):
    victim = sap_llm_pods(sim)[0].metadata.name
    core(sim).delete_namespaced_pod(victim, NS)
    pods = sap_llm_pods(sim)
    assert victim not in names(pods) and len(pods) == 3
    sim.advance(45)
    assert all(p.status.container_statuses[0].ready for p in sap_llm_pods(sim))


def test_limit_json_patch_gives_new_pods_16gi(sim):
    apps(sim).patch_namespaced_deployment("sap-llm", NS, [
        {"op": "replace", "path": "/spec/template/spec/containers/0/resources/limits/memory", "value": "16Gi"}])
    sim.advance(60)
    pods = sap_llm_pods(sim)
    assert len(pods) == 3
    assert {p.spec.containers[0].resources.limits["memory"] for p in pods} == {"16Gi"}
    assert {t.limit_bytes for t in sim.truth().values()} == {16 * 1024**3}


def test_invalid_limit_is_422_and_bad_quantity_400(sim):
    with pytest.raises(client.ApiException) as e:
        apps(sim).patch_namespaced_deployment("sap-llm", NS, [
            {"op": "replace", "path": "/spec/template/spec/containers/0/resources/limits/memory", "value": "4Gi"}])
    assert e.value.status == 422 and "must be less than or equal to memory limit" in e.value.body
    with pytest.raises(client.ApiException) as e:
        apps(sim).patch_namespaced_deployment("sap-llm", NS, [
            {"op": "replace", "path": "/spec/template/spec/containers/0/resources/limits/memory", "value": "16XB"}])
    assert e.value.status == 400


def test_dry_run_changes_nothing(sim):
    before = core(sim).read_namespaced_config_map("sap-llm-config", NS)
    out = core(sim).patch_namespaced_config_map("sap-llm-config", NS, {"data": {"batch_size": "32"}}, dry_run="All")
    assert out.data["batch_size"] == "32"
    after = core(sim).read_namespaced_config_map("sap-llm-config", NS)
    assert after.data == before.data and after.metadata.resource_version == before.metadata.resource_version
    victim = sap_llm_pods(sim)[0].metadata.name
    core(sim).delete_namespaced_pod(victim, NS, dry_run="All")
    assert victim in names(sap_llm_pods(sim))
    apps(sim).patch_namespaced_deployment("sap-llm", NS, {"spec": {"replicas": 9}}, dry_run="All")
    assert len(sap_llm_pods(sim)) == 3
    entries = [e for e in sim.journal() if e.dry_run]
    assert len(entries) == 3 and all(e.query.get("dryRun") == "All" for e in entries)


def test_journal_records_mutations(sim):
    patch_config(sim, {"max_concurrent_requests": "50"})
    j = sim.journal()
    assert len(j) == 1
    e = j[0]
    assert e.method == "PATCH" and e.path == "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config"
    assert e.content_type.startswith("application/strategic-merge-patch+json")
    assert e.body == {"data": {"max_concurrent_requests": "50"}}
    assert e.token_name == "operator" and e.status == 200 and not e.dry_run
    assert e.user_agent and e.time.tzinfo is not None
    cm = core(sim).read_namespaced_config_map("sap-llm-config", NS)
    assert cm.data["max_concurrent_requests"] == "50"
    assert any(m.manager.startswith("OpenAPI-Generator") for m in cm.metadata.managed_fields)


def test_field_manager_is_recorded(sim):
    core(sim).patch_namespaced_config_map("sap-llm-config", NS, {"data": {"batch_size": "32"}},
                                          field_manager="memtui")
    cm = core(sim).read_namespaced_config_map("sap-llm-config", NS)
    assert any(m.manager == "memtui" and "f:batch_size" in m.fields_v1["f:data"] for m in cm.metadata.managed_fields)


def test_readonly_token_gets_403_on_writes(sim):
    ro = core(sim, "memtui-sim-readonly")
    assert ro.list_namespaced_pod(NS).items  # reads are fine
    victim = sap_llm_pods(sim)[0].metadata.name
    with pytest.raises(client.ApiException) as e:
        ro.delete_namespaced_pod(victim, NS)
    assert e.value.status == 403
    assert (f'pods \\"{victim}\\" is forbidden: User \\"oncall-readonly\\" cannot delete resource \\"pods\\" '
            'in API group \\"\\" in the namespace \\"sap-llm\\"') in e.value.body
    with pytest.raises(client.ApiException) as e:
        apps(sim, "memtui-sim-readonly").patch_namespaced_deployment_scale("sap-llm", NS, {"spec": {"replicas": 1}})
    assert e.value.status == 403
    assert victim in names(sap_llm_pods(sim))


def test_operator_cannot_touch_ml_batch(sim):
    pod = core(sim).list_namespaced_pod("ml-batch").items[0].metadata.name
    with pytest.raises(client.ApiException) as e:
        core(sim).delete_namespaced_pod(pod, "ml-batch")
    assert e.value.status == 403


def test_unauthenticated_is_401(sim):
    cfg = client.Configuration()
    cfg.host = sim.url
    cfg.ssl_ca_cert = str(sim.ca_path)
    with pytest.raises(client.ApiException) as e:
        client.CoreV1Api(client.ApiClient(cfg)).list_namespaced_pod(NS)
    assert e.value.status == 401 and '"reason":"Unauthorized"' in e.value.body.replace(" ", "")


def test_self_subject_access_review(sim):
    def can(ctx, verb, resource, ns=NS, sub=None, group=""):
        body = client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
            resource_attributes=client.V1ResourceAttributes(namespace=ns, verb=verb, resource=resource,
                                                            subresource=sub, group=group)))
        return client.AuthorizationV1Api(core(sim, ctx).api_client).create_self_subject_access_review(body).status.allowed
    assert can("memtui-sim", "delete", "pods")
    assert can("memtui-sim", "create", "pods", sub="exec")
    assert can("memtui-sim", "patch", "deployments", group="apps")
    assert not can("memtui-sim", "delete", "pods", ns="ml-batch")
    assert can("memtui-sim", "list", "pods", ns="ml-batch")
    assert not can("memtui-sim-readonly", "create", "pods", sub="exec")
    assert not can("memtui-sim-readonly", "patch", "configmaps")
    assert can("memtui-sim-readonly", "get", "pods", sub="log")


def test_watch_sees_the_oom_kill(sim):
    from kubernetes import watch
    from .helpers import by_ttl
    pods = core(sim).list_namespaced_pod(NS)
    name, ttl = by_ttl(sim)[0]
    sim.advance(ttl + 1)
    w = watch.Watch()
    seen = []
    for ev in w.stream(core(sim).list_namespaced_pod, NS, resource_version=pods.metadata.resource_version,
                       timeout_seconds=2):
        seen.append((ev["type"], ev["object"].metadata.name, ev["object"].status.container_statuses[0].state))
        if ev["object"].metadata.name == name and ev["object"].status.container_statuses[0].state.waiting:
            w.stop()
    assert any(n == name and s.waiting is not None for _, n, s in seen)


def test_too_old_resource_version_is_410(sim):
    from kubernetes import watch
    with pytest.raises(client.ApiException) as e:
        for _ in watch.Watch().stream(core(sim).list_namespaced_pod, NS, resource_version="1", timeout_seconds=2):
            pass
    assert e.value.status == 410


def test_events_create(sim):
    ev = client.CoreV1Event(metadata=client.V1ObjectMeta(generate_name="memtui-"),
                            involved_object=client.V1ObjectReference(kind="Deployment", name="sap-llm", namespace=NS),
                            reason="MemtuiAction", message="rollout restart by on-call", type="Normal")
    out = core(sim).create_namespaced_event(NS, ev)
    assert out.metadata.name.startswith("memtui-")
    got = core(sim).list_namespaced_event(NS, field_selector="reason=MemtuiAction").items
    assert [e.message for e in got] == ["rollout restart by on-call"]


def test_unsupported_patch_type_is_415(sim):
    import urllib.request, ssl
    ctx = ssl.create_default_context(cafile=str(sim.ca_path))
    req = urllib.request.Request(sim.url + "/api/v1/namespaces/sap-llm/configmaps/sap-llm-config", method="PATCH",
                                 data=b'{"data":{}}', headers={"Authorization": f"Bearer {sim.operator_token}",
                                                              "Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, context=ctx)
    assert e.value.code == 415
    body = e.value.read().decode()
    assert '"reason": "UnsupportedMediaType"' in body or '"reason":"UnsupportedMediaType"' in body


def test_stale_resource_version_is_409(sim):
    cm = core(sim).read_namespaced_config_map("sap-llm-config", NS)
    core(sim).patch_namespaced_config_map("sap-llm-config", NS, {"data": {"batch_size": "48"}})
    cm.data["batch_size"] = "32"
    with pytest.raises(client.ApiException) as e:
        core(sim).replace_namespaced_config_map("sap-llm-config", NS, cm)
    assert e.value.status == 409 and "the object has been modified" in e.value.body
    fresh = core(sim).read_namespaced_config_map("sap-llm-config", NS)
    fresh.data["batch_size"] = "32"
    assert core(sim).replace_namespaced_config_map("sap-llm-config", NS, fresh).data["batch_size"] == "32"


def test_deployment_status_subresource_reads(sim):
    d = apps(sim).read_namespaced_deployment_status("sap-llm", NS)
    assert d.status.ready_replicas == 3
