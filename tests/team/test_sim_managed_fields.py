"""The simulator keeps managedFields as a real API server does, for the writes kubectl makes.

memtui attributes a team change to the newest managedFields entry owning the changed field, so
these are the entries kubectl's own commands leave (their default field managers, the operation,
the scale subresource) and the HPA controller's rescale through ``/scale``."""

from __future__ import annotations

import json

from .helpers_sim import NS, apps, managed_entries


def _owners(entries: list[dict], *path: str) -> list[str]:
    """Managers whose FieldsV1 reach ``path`` (keys as in FieldsV1: ``f:data``, ``f:batch_size``)."""
    out = []
    for entry in entries:
        node = entry.get("fieldsV1") or {}
        for key in path:
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
        else:
            out.append(entry["manager"])
    return out


def test_kubectl_patch_takes_the_field_from_its_previous_owner(kubectl, sim):
    kubectl("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
            "-p", '{"data":{"batch_size":"32"}}', check=True)
    entries = managed_entries(kubectl, "configmap/sap-llm-config")
    assert _owners(entries, "f:data", "f:batch_size") == ["kubectl-patch"]
    assert "kubectl-client-side-apply" in _owners(entries, "f:data", "f:max_batch_size")
    (patch,) = [e for e in entries if e["manager"] == "kubectl-patch"]
    assert patch["operation"] == "Update" and "subresource" not in patch


def test_scale_restart_set_env_and_json_patch_are_attributed(kubectl, sim):
    kubectl("scale", "deployment", "sap-llm-api", "-n", NS, "--replicas=6", check=True)
    kubectl("rollout", "restart", "deployment/sap-llm", "-n", NS, check=True)
    kubectl("set", "env", "deployment/sap-llm", "-n", NS, "PYTHONUNBUFFERED=1", check=True)
    kubectl("patch", "deployment", "sap-llm", "-n", NS, "--type", "json", "-p",
            '[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"20Gi"}]',
            check=True)
    api_entries = managed_entries(kubectl, "deployment/sap-llm-api")
    (scale,) = [e for e in api_entries if e.get("subresource") == "scale"]
    assert scale["operation"] == "Update" and scale["manager"].startswith("kubectl")
    assert _owners(api_entries, "f:spec", "f:replicas") == [scale["manager"]]
    llm = managed_entries(kubectl, "deployment/sap-llm")
    assert _owners(llm, "f:spec", "f:template", "f:metadata", "f:annotations",
                   "f:kubectl.kubernetes.io/restartedAt") == ["kubectl-rollout"]
    container = 'k:{"name":"sap-llm"}'
    assert _owners(llm, "f:spec", "f:template", "f:spec", "f:containers", container, "f:env",
                   'k:{"name":"PYTHONUNBUFFERED"}', "f:value") == ["kubectl-set"]
    # a JSON patch names no field: the owner comes from what the write changed
    assert _owners(llm, "f:spec", "f:template", "f:spec", "f:containers", container, "f:resources",
                   "f:limits", "f:memory") == ["kubectl-patch"]
    assert "kubectl-client-side-apply" in _owners(llm, "f:spec", "f:template", "f:spec", "f:containers",
                                                   container, "f:image")


def test_server_side_apply_is_an_apply_of_its_field_manager(kubectl, sim, tmp_path):
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sap-llm-config", "namespace": NS},
                "data": {"max_concurrent_requests": "50"}}
    kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=argocd-controller", "--validate=false",
            "-f", "-",
            input=json.dumps(manifest), check=True)
    entries = managed_entries(kubectl, "configmap/sap-llm-config")
    (argo,) = [e for e in entries if e["manager"] == "argocd-controller"]
    assert argo["operation"] == "Apply"
    assert _owners(entries, "f:data", "f:max_concurrent_requests") == ["argocd-controller"]


def test_the_hpa_rescales_through_the_scale_subresource_as_kube_controller_manager(sim_factory, kubectl):
    h = sim_factory(hpa=True, seed=7)
    kubectl = kubectl.using(h)
    apps(h).patch_namespaced_deployment_scale("sap-llm-api", NS, {"spec": {"replicas": 2}})
    h.advance(16)  # below minReplicas 3: the controller puts it back
    entries = managed_entries(kubectl, "deployment/sap-llm-api")
    (hpa,) = [e for e in entries if e["manager"] == "kube-controller-manager"]
    assert (hpa["operation"], hpa.get("subresource")) == ("Update", "scale")
    assert _owners(entries, "f:spec", "f:replicas") == ["kube-controller-manager"]
    hpas = json.loads(kubectl("get", "hpa", "-n", NS, "-o", "json", "--show-managed-fields", check=True).stdout)
    assert [e["manager"] for e in hpas["items"][0]["metadata"]["managedFields"]] == ["kubectl-client-side-apply"]


def test_client_side_apply_is_kubectl_client_side_apply(kubectl, sim):
    before = managed_entries(kubectl, "configmap/sap-llm-config")
    current = json.loads(kubectl("get", "configmap", "sap-llm-config", "-n", NS, "-o", "json", check=True).stdout)
    manifest = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "sap-llm-config", "namespace": NS, "labels": current["metadata"].get("labels", {})},
                "data": {**current["data"], "prompt_cache_entries": "512"}}
    kubectl("apply", "--validate=false", "-f", "-", input=json.dumps(manifest), check=True)
    entries = managed_entries(kubectl, "configmap/sap-llm-config")
    assert not _owners(before, "f:data", "f:prompt_cache_entries")
    assert _owners(entries, "f:data", "f:prompt_cache_entries") == ["kubectl-client-side-apply"]
    assert _owners(entries, "f:metadata", "f:annotations", "f:kubectl.kubernetes.io/last-applied-configuration") == [
        "kubectl-client-side-apply"]
    (apply,) = [e for e in entries if e["manager"] == "kubectl-client-side-apply"]
    assert apply["operation"] == "Update"


def test_kubectl_patch_hpa_changes_its_bounds_and_the_controller_follows(sim_factory, kubectl):
    h = sim_factory(hpa=True, seed=7)
    kubectl = kubectl.using(h)
    kubectl("patch", "hpa", "sap-llm-api", "-n", NS, "-p", '{"spec":{"minReplicas":5}}', check=True)
    hpa = json.loads(kubectl("get", "hpa", "sap-llm-api", "-n", NS, "-o", "json", "--show-managed-fields",
                             check=True).stdout)
    assert hpa["spec"]["minReplicas"] == 5 and hpa["status"]["desiredReplicas"] == 4
    assert _owners(hpa["metadata"]["managedFields"], "f:spec", "f:minReplicas") == ["kubectl-patch"]
    bad = kubectl("patch", "hpa", "sap-llm-api", "-n", NS, "-p", '{"spec":{"maxReplicas":2}}')
    assert bad.returncode != 0 and "must be greater than or equal to `minReplicas`" in bad.stderr
    h.advance(16)  # the next sync scales the target up to the new minimum
    assert apps(h).read_namespaced_deployment_scale("sap-llm-api", NS).spec.replicas == 5
