"""Discovery documents (legacy, non-aggregated: kubectl falls back to them when
the server answers its aggregated-discovery Accept with plain JSON)."""

from __future__ import annotations

from typing import Any

VERSION = {
    "major": "1", "minor": "32", "emulationMajor": "1", "emulationMinor": "32",
    "minCompatibilityMajor": "1", "minCompatibilityMinor": "31",
    "gitVersion": "v1.32.4", "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335", "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:03:04Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64",
}

_ALL = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def _r(name: str, kind: str, namespaced: bool = True, verbs: list[str] | None = None, short: list[str] | None = None,
       singular: str = "", cats: list[str] | None = None, group: str | None = None, version: str | None = None
       ) -> dict[str, Any]:
    d: dict[str, Any] = {"name": name, "singularName": singular, "namespaced": namespaced}
    if group is not None:
        d["group"] = group
        d["version"] = version
    d["kind"] = kind
    d["verbs"] = verbs if verbs is not None else list(_ALL)
    if short:
        d["shortNames"] = short
    if cats:
        d["categories"] = cats
    return d


RESOURCES: dict[str, list[dict[str, Any]]] = {
    "v1": [
        _r("configmaps", "ConfigMap", short=["cm"], singular="configmap"),
        _r("events", "Event", short=["ev"], singular="event"),
        _r("limitranges", "LimitRange", short=["limits"], singular="limitrange"),
        _r("namespaces", "Namespace", namespaced=False, verbs=["create", "delete", "get", "list", "patch", "update",
                                                               "watch"], short=["ns"], singular="namespace"),
        _r("nodes", "Node", namespaced=False, short=["no"], singular="node"),
        _r("pods", "Pod", short=["po"], singular="pod", cats=["all"]),
        _r("pods/eviction", "Eviction", verbs=["create"], group="policy", version="v1"),
        _r("pods/exec", "PodExecOptions", verbs=["create", "get"]),
        _r("pods/log", "Pod", verbs=["get"]),
        _r("pods/status", "Pod", verbs=["get", "patch", "update"]),
        _r("resourcequotas", "ResourceQuota", short=["quota"], singular="resourcequota"),
        _r("resourcequotas/status", "ResourceQuota", verbs=["get", "patch", "update"]),
    ],
    "apps/v1": [
        _r("deployments", "Deployment", short=["deploy"], singular="deployment", cats=["all"]),
        _r("deployments/scale", "Scale", verbs=["get", "patch", "update"], group="autoscaling", version="v1"),
        _r("deployments/status", "Deployment", verbs=["get", "patch", "update"]),
        _r("replicasets", "ReplicaSet", short=["rs"], singular="replicaset", cats=["all"]),
        _r("replicasets/scale", "Scale", verbs=["get", "patch", "update"], group="autoscaling", version="v1"),
        _r("replicasets/status", "ReplicaSet", verbs=["get", "patch", "update"]),
    ],
    "autoscaling/v2": [
        _r("horizontalpodautoscalers", "HorizontalPodAutoscaler", short=["hpa"], singular="horizontalpodautoscaler",
           cats=["all"]),
        _r("horizontalpodautoscalers/status", "HorizontalPodAutoscaler", verbs=["get", "patch", "update"]),
    ],
    "policy/v1": [
        _r("poddisruptionbudgets", "PodDisruptionBudget", short=["pdb"], singular="poddisruptionbudget"),
        _r("poddisruptionbudgets/status", "PodDisruptionBudget", verbs=["get", "patch", "update"]),
    ],
    "metrics.k8s.io/v1beta1": [
        _r("nodes", "NodeMetrics", namespaced=False, verbs=["get", "list"]),
        _r("pods", "PodMetrics", verbs=["get", "list"]),
    ],
    "authorization.k8s.io/v1": [
        _r("selfsubjectaccessreviews", "SelfSubjectAccessReview", namespaced=False, verbs=["create"]),
        _r("selfsubjectrulesreviews", "SelfSubjectRulesReview", namespaced=False, verbs=["create"]),
    ],
}

GROUPS = [("apps", "v1"), ("authorization.k8s.io", "v1"), ("autoscaling", "v2"), ("policy", "v1"),
          ("metrics.k8s.io", "v1beta1")]


def api_versions(server_address: str) -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group_list() -> dict[str, Any]:
    groups = []
    for g, v in GROUPS:
        gv = {"groupVersion": f"{g}/{v}", "version": v}
        groups.append({"name": g, "versions": [gv], "preferredVersion": gv})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(group: str) -> dict[str, Any] | None:
    for g, v in GROUPS:
        if g == group:
            gv = {"groupVersion": f"{g}/{v}", "version": v}
            return {"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": [gv], "preferredVersion": gv}
    return None


def resource_list(group_version: str) -> dict[str, Any] | None:
    res = RESOURCES.get(group_version)
    if res is None:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": res}


def known(group: str, version: str, resource: str, subresource: str | None) -> bool:
    gv = version if not group else f"{group}/{version}"
    name = f"{resource}/{subresource}" if subresource else resource
    return any(r["name"] == name for r in RESOURCES.get(gv, []))


def is_namespaced(group: str, version: str, resource: str) -> bool:
    gv = version if not group else f"{group}/{version}"
    for r in RESOURCES.get(gv, []):
        if r["name"] == resource:
            return bool(r["namespaced"])
    return True


def kind_of(group: str, version: str, resource: str) -> str:
    gv = version if not group else f"{group}/{version}"
    for r in RESOURCES.get(gv, []):
        if r["name"] == resource:
            return str(r["kind"])
    return resource
