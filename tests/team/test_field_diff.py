"""The field diff and the managedFields attribution, on objects shaped as the API serves them."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

from memtui.sources import team_diff
from memtui.state.snapshots import FieldChange

T0 = datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc)
CONTAINER = 'k:{"name":"llm"}'


def _iso(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(manager, minutes, fields, operation="Update", subresource=None):
    entry = {"manager": manager, "operation": operation, "apiVersion": "apps/v1", "time": _iso(minutes),
             "fieldsType": "FieldsV1", "fieldsV1": fields}
    if subresource:
        entry["subresource"] = subresource
    return entry


def _deployment(rv="1", replicas=3, image="llm:2.14", env=None, memory="16Gi", restarted=None, managed=(), generation=1):
    template_meta = {"annotations": {team_diff.RESTARTED_AT: restarted}} if restarted else {}
    container = {"name": "llm", "image": image, "env": [{"name": k, "value": v} for k, v in (env or {}).items()],
                 "resources": {"limits": {"memory": memory}, "requests": {"memory": "8Gi"}}}
    return {"metadata": {"name": "llm", "uid": "u-1", "resourceVersion": rv, "generation": generation,
                         "managedFields": list(managed)},
            "spec": {"replicas": replicas, "template": {"metadata": template_meta, "spec": {"containers": [container]}}}}


HELM = _entry("helm", -600, {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
    CONTAINER: {".": {}, "f:image": {}, "f:resources": {"f:limits": {"f:memory": {}}}}}}}}})
STATUS = _entry("kube-controller-manager", 9, {"f:status": {"f:replicas": {}}}, subresource="status")


def test_scale_is_attributed_to_the_scale_subresource_writer_not_the_status_writer():
    old = team_diff.watched("Deployment", _deployment(managed=[HELM]))
    scale = _entry("kube-controller-manager", 4, {"f:spec": {"f:replicas": {}}}, subresource="scale")
    new = team_diff.watched("Deployment", _deployment(rv="2", replicas=5, managed=[HELM, scale, STATUS]))
    change, owner = team_diff.team_change(old, new, T0)
    assert change is not None and owner is not None
    assert change.changes == (FieldChange("spec.replicas", "3", "5"),)
    assert (change.what, change.summary, change.who) == ("scale", "replicas 3→5", "kube-controller-manager (Update scale)")
    assert change.at == T0 + timedelta(minutes=4) and change.key == "u-1/2"


def test_env_and_restart_are_a_rollout_by_their_owner_and_the_newest_owner_wins():
    old = team_diff.watched("Deployment", _deployment(managed=[HELM]))
    rollout = _entry("kubectl-rollout", 2, {"f:spec": {"f:template": {"f:metadata": {"f:annotations": {
        f"f:{team_diff.RESTARTED_AT}": {}}}}}})
    set_env = _entry("kubectl-set", 3, {"f:spec": {"f:template": {"f:spec": {"f:containers": {CONTAINER: {
        "f:env": {'k:{"name":"PYTHONUNBUFFERED"}': {".": {}, "f:value": {}}}}}}}}})
    new = team_diff.watched("Deployment", _deployment(rv="3", env={"PYTHONUNBUFFERED": "1"}, restarted=_iso(2),
                                                      managed=[HELM, rollout, set_env]))
    change, owner = team_diff.team_change(old, new, T0)
    assert change is not None and change.what == "rollout"
    assert owner is not None and owner.manager == "kubectl-set"  # newest of the two owners
    assert change.summary.startswith("rollout restart, env PYTHONUNBUFFERED ∅→1")
    # each alone goes to its own owner
    only_restart = team_diff.watched("Deployment", _deployment(rv="3", restarted=_iso(2), managed=[HELM, rollout]))
    assert team_diff.team_change(old, only_restart, T0)[1].manager == "kubectl-rollout"


def test_a_limit_change_is_resources_and_a_helm_owned_field_changed_by_helm_is_helms():
    old = team_diff.watched("Deployment", _deployment(managed=[HELM]))
    later_helm = {**HELM, "time": _iso(5)}
    new = team_diff.watched("Deployment", _deployment(rv="4", memory="20Gi", managed=[later_helm, STATUS]))
    change, owner = team_diff.team_change(old, new, T0)
    assert change is not None
    assert (change.what, change.summary, change.who) == ("resources", "limits.memory 16Gi→20Gi", "helm (Update)")


def test_nothing_followed_changed_is_no_change_and_other_spec_is_generation():
    old = team_diff.watched("Deployment", _deployment(managed=[HELM]))
    status_only = team_diff.watched("Deployment", _deployment(rv="5", managed=[HELM, STATUS]))
    assert team_diff.team_change(old, status_only, T0) == (None, None)
    other = team_diff.watched("Deployment", _deployment(rv="6", generation=2, managed=[HELM]))
    change, _ = team_diff.team_change(old, other, T0)
    assert change is not None and (change.what, change.summary) == ("spec", "spec changed (generation 1→2)")


def _configmap(rv, data, managed):
    return {"metadata": {"name": "llm-config", "uid": "c-1", "resourceVersion": rv, "managedFields": managed},
            "data": data}


def test_configmap_keys_with_secret_values_redacted_and_free_text_credentials_masked():
    apply = _entry("argocd-controller", -100, {"f:data": {".": {}, "f:batch_size": {}, "f:api_token": {},
                                                          "f:redis_url": {}}}, operation="Apply")
    old = team_diff.watched("ConfigMap", _configmap("1", {"batch_size": "64", "api_token": "s3cr3t-a",
                                                          "redis_url": "redis://u:pw1@r:6379"}, [apply]))
    patch = _entry("kubectl-patch", 4, {"f:data": {"f:batch_size": {}, "f:api_token": {}, "f:redis_url": {}}})
    new = team_diff.watched("ConfigMap", _configmap("2", {"batch_size": "32", "api_token": "s3cr3t-b",
                                                          "redis_url": "redis://u:pw2@r:6379"}, [apply, patch]))
    change, _ = team_diff.team_change(old, new, T0)
    assert change is not None and change.who == "kubectl-patch (Update)" and change.what == "config"
    by_path = {c.path: c for c in change.changes}
    assert (by_path["data.batch_size"].before, by_path["data.batch_size"].after) == ("64", "32")
    # a secret-looking key shows that it changed, never its values; credentials in free text are masked
    assert (by_path["data.api_token"].before, by_path["data.api_token"].after) == ("***", "***")
    assert "pw1" not in repr(change) and "pw2" not in repr(change) and "s3cr3t" not in repr(change)
    assert change.summary == "api_token ***→***, batch_size 64→32, redis_url redis://u:***@r:6379→redis://u:***@r:6379"


def test_a_long_value_changed_past_its_first_line_still_shows():
    conf = "bind 0.0.0.0\nmaxmemory 0\n"
    old = team_diff.watched("ConfigMap", _configmap("1", {"redis.conf": conf}, []))
    new = team_diff.watched("ConfigMap", _configmap("2", {"redis.conf": conf.replace("maxmemory 0", "maxmemory 8gb")}, []))
    (field,) = team_diff.diff(old, new)
    assert field == FieldChange("data.redis.conf", "bind 0.0.0.0… (2 lines)", "bind 0.0.0.0… (2 lines)")


def test_hpa_bounds_and_target():
    def hpa(rv, lo, target):
        return {"metadata": {"name": "api", "uid": "h-1", "resourceVersion": rv, "managedFields": [
            _entry("kubectl-patch", 1, {"f:spec": {"f:minReplicas": {}, "f:metrics": {}}})]},
            "spec": {"minReplicas": lo, "maxReplicas": 8, "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                            "averageUtilization": target}}}]}}
    change, _ = team_diff.team_change(team_diff.watched("HorizontalPodAutoscaler", hpa("1", 3, 90)),
                                      team_diff.watched("HorizontalPodAutoscaler", hpa("2", 2, 70)), T0)
    assert change is not None and change.who == "kubectl-patch (Update)"
    assert change.summary == "minReplicas 3→2, target cpu 90%→70%"


def test_attribution_of_a_removed_field_goes_to_the_newest_writer():
    entries = team_diff.managed_entries({"managedFields": [HELM, _entry("kubectl-edit", 7, {"f:metadata": {}}), STATUS]})
    owner = team_diff.attribute(entries, [("f:data", "f:gone")])
    assert owner is not None and owner.manager == "kubectl-edit"


def test_before_start_names_fields_without_values():
    obj = team_diff.watched("ConfigMap", _configmap("9", {"batch_size": "32"}, [
        _entry("kubectl-patch", -5, {"f:data": {"f:batch_size": {}}}),
        _entry("kubectl-client-side-apply", -3000, {"f:data": {"f:batch_size": {}}})]))
    (change,) = team_diff.before_start(obj, T0, 15 * 60)
    assert change.manager == "kubectl-patch" and "32" not in change.summary
    assert change.summary == "batch_size written before memtui started (values not known)"
    assert copy.copy(change) == change
