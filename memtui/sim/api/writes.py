"""Mutations: PATCH/PUT of Deployments (and their scale), ConfigMaps; DELETE of pods;
POST of Events. Each honours dryRun=All (validate, answer, change nothing) and
fieldManager (recorded in managedFields)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import yaml
from aiohttp import web

from .. import managed, manifests
from ..store import dumps
from . import errors, validation
from .context import BODY_KEY, RAW_BODY_KEY
from .patching import PATCH_TYPES, PatchError, apply_patch, strategic_merge
from .paths import RequestInfo
from .reads import JSON

if TYPE_CHECKING:
    from .context import SimState

APPLY = "application/apply-patch+yaml"
ACCEPTED = ["application/json-patch+json", "application/merge-patch+json", APPLY,
            "application/strategic-merge-patch+json"]


def _body(request: web.Request) -> Any:
    ct = _ct(request)
    raw = request.get(RAW_BODY_KEY, b"")
    if ct == APPLY:
        try:
            return yaml.safe_load(raw.decode() if raw else "")
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error decoding YAML: {exc}") from None
    body = request.get(BODY_KEY)
    if isinstance(body, str):
        raise errors.bad_request(f"error decoding patch: invalid character in JSON: {body[:40]!r}")
    return body


def _ct(request: web.Request) -> str:
    return (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def _options(request: web.Request) -> tuple[bool, str]:
    dry = request.query.getall("dryRun", [])
    if any(d != "All" for d in dry):
        raise errors.bad_request(f"Invalid dry run value: {dry}; only 'All' is supported")
    fm = request.query.get("fieldManager")
    validation.validate_field_manager(fm)
    if fm is None:
        ua = request.headers.get("User-Agent") or "unknown"
        fm = ua.split("/", 1)[0][:128]
    return bool(dry), fm


def _operation(request: web.Request) -> str:
    """A server-side apply is an ``Apply`` in managedFields; every other write an ``Update``."""
    return "Apply" if _ct(request) == APPLY else "Update"


def _applied(request: web.Request) -> dict[str, Any] | None:
    body = _body(request) if _ct(request) == APPLY else None
    return body if isinstance(body, dict) else None


def _patched(request: web.Request, current: dict[str, Any]) -> dict[str, Any]:
    ct = _ct(request)
    body = _body(request)
    if ct == APPLY:
        if not request.query.get("fieldManager"):
            raise errors.bad_request("PATCH, application/apply-patch+yaml requires fieldManager parameter")
        if not isinstance(body, dict):
            raise errors.bad_request("apply patch must be an object")
        return strategic_merge(copy.deepcopy(current), body)
    kind = PATCH_TYPES.get(ct)
    if kind is None:
        raise errors.unsupported_media(ACCEPTED)
    if body is None:
        raise errors.bad_request("the body of the request was empty")
    try:
        return apply_patch(kind, current, body)
    except PatchError as exc:
        if exc.code == 422:
            raise errors.ApiError(422, "Invalid", str(exc)) from None
        raise errors.bad_request(str(exc)) from None


def _precondition(cur: dict[str, Any], new: dict[str, Any], resource: str, group: str) -> None:
    want = (new.get("metadata") or {}).get("resourceVersion")
    if want and want != cur["metadata"]["resourceVersion"]:
        raise errors.conflict(resource, group, cur["metadata"]["name"])


def _strip_for_compare(o: dict[str, Any]) -> dict[str, Any]:
    o = dict(o)
    o["metadata"] = {k: v for k, v in o["metadata"].items() if k not in ("managedFields", "resourceVersion")}
    return o


async def handle(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.StreamResponse:
    res, sub, verb = info.resource, info.subresource, info.verb
    if res == "deployments" and sub == "scale":
        return _scale(st, request, info, now)
    if res == "deployments" and sub is None and verb in ("patch", "update"):
        return _deployment(st, request, info, now)
    if res == "configmaps" and sub is None and verb in ("patch", "update", "create"):
        return _configmap(st, request, info, now)
    if res == "horizontalpodautoscalers" and sub is None and verb in ("patch", "update"):
        return _autoscaler(st, request, info, now)
    if res == "pods" and sub is None and verb == "delete":
        return _delete_pod(st, request, info, now)
    if res == "events" and sub is None and verb == "create":
        return _create_event(st, request, info, now)
    if res == "pods" and sub == "eviction" and verb == "create":
        return _evict(st, request, info, now)
    if res == "poddisruptionbudgets" and sub is None and verb == "create":
        return _create_pdb(st, request, info, now)
    if res == "poddisruptionbudgets" and sub is None and verb == "delete":
        return _delete_pdb(st, request, info, now)
    raise errors.method_not_allowed()


# -- Deployments -----------------------------------------------------------------------------------
def _deployment(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    dry, fm = _options(request)
    cl = st.cluster
    dep = cl.deployment(info.namespace or "", info.name or "")
    stored = cl.store.get("deployments", info.namespace, info.name or "")
    if dep is None or stored is None:
        raise errors.not_found("deployments", info.name or "", "apps")
    cur = copy.deepcopy(stored.obj)
    if info.verb == "update":
        new = _body(request)
        if not isinstance(new, dict) or (new.get("metadata") or {}).get("name") != info.name:
            raise errors.bad_request("the name of the object does not match the name on the URL")
        _precondition(cur, new, "deployments", "apps")
        new.setdefault("status", cur.get("status"))
    else:
        new = _patched(request, cur)
        _precondition(cur, new, "deployments", "apps")
    validation.check_metadata("Deployment", "apps", cur, new)
    validation.validate_deployment(cur, new)
    spec_changed = new["spec"] != cur["spec"]
    if not spec_changed and _strip_for_compare({"metadata": new["metadata"]}) == _strip_for_compare(
            {"metadata": cur["metadata"]}):
        return web.Response(body=stored.raw, content_type=JSON)  # no-op: no new resourceVersion
    if dry:
        out = copy.deepcopy(new)
        out["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"]
        out["metadata"]["generation"] = cur["metadata"].get("generation", 1) + (1 if spec_changed else 0)
        out["status"] = cur.get("status", {})
        return web.Response(body=dumps(out), content_type=JSON)
    meta = {k: v for k, v in new["metadata"].items() if k not in ("resourceVersion", "generation")}
    if not meta.get("managedFields"):  # an update without them keeps the stored ones, as the API server does
        meta["managedFields"] = cur["metadata"].get("managedFields") or []
    managed.record(meta, manager=fm, operation=_operation(request), api_version="apps/v1", when=st.clock.iso(now),
                   old=cur, new=new, applied=_applied(request))
    cl.update_deployment(dep, {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": meta,
                               "spec": new["spec"]}, now)
    out = cl.store.get("deployments", info.namespace, info.name or "")
    assert out is not None
    return web.Response(body=out.raw, content_type=JSON)


def _scale_obj(st: "SimState", info: RequestInfo) -> dict[str, Any]:
    stored = st.cluster.store.get("deployments", info.namespace, info.name or "")
    if stored is None:
        raise errors.not_found("deployments", info.name or "", "apps")
    d = stored.obj
    m = d["metadata"]
    sel = ",".join(f"{k}={v}" for k, v in sorted(d["spec"]["selector"]["matchLabels"].items()))
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
                         "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
            "spec": {"replicas": d["spec"].get("replicas", 1)},
            "status": {"replicas": d.get("status", {}).get("replicas", 0), "selector": sel}}


def _scale(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    cur = _scale_obj(st, info)
    if info.verb == "get":
        return web.Response(body=dumps(cur), content_type=JSON)
    if info.verb not in ("patch", "update"):
        raise errors.method_not_allowed()
    dry, fm = _options(request)
    if info.verb == "update":
        new = _body(request)
        if not isinstance(new, dict):
            raise errors.bad_request("Scale body must be an object")
    else:
        new = _patched(request, copy.deepcopy(cur))
    _precondition(cur, new, "deployments", "apps")
    reps = (new.get("spec") or {}).get("replicas", 0)
    if not isinstance(reps, int) or isinstance(reps, bool):
        raise errors.bad_request('Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
                                 'into Go struct field ScaleSpec.spec.replicas of type int32')
    if reps < 0:
        raise errors.invalid("Scale", "autoscaling", info.name or "",
                             [("spec.replicas", f"Invalid value: {reps}: must be greater than or equal to 0",
                               "FieldValueInvalid")])
    if reps == cur["spec"]["replicas"]:
        return web.Response(body=dumps(cur), content_type=JSON)
    if dry:
        out = copy.deepcopy(cur)
        out["spec"]["replicas"] = reps
        return web.Response(body=dumps(out), content_type=JSON)
    cl = st.cluster
    dep = cl.deployment(info.namespace or "", info.name or "")
    assert dep is not None
    obj = copy.deepcopy(dep.obj)
    obj["spec"]["replicas"] = reps
    managed.record(obj["metadata"], manager=fm, operation="Update", api_version="apps/v1", when=st.clock.iso(now),
                   old=dep.obj, new=obj, subresource="scale")
    cl.update_deployment(dep, obj, now)
    return web.Response(body=dumps(_scale_obj(st, info)), content_type=JSON)


# -- ConfigMaps ------------------------------------------------------------------------------------
def _configmap(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    dry, fm = _options(request)
    store = st.cluster.store
    if info.verb == "create":
        new = _body(request)
        if not isinstance(new, dict) or not isinstance(new.get("metadata"), dict):
            raise errors.bad_request("ConfigMap body must be an object with metadata")
        name = new["metadata"].get("name")
        if not name:
            raise errors.invalid("ConfigMap", "", "", [("metadata.name", "Required value: name or generateName is "
                                                                         "required", "FieldValueRequired")])
        if store.get("configmaps", info.namespace, name) is not None:
            raise errors.already_exists("configmaps", "", name)
        if st.cluster.store.get("namespaces", None, info.namespace or "") is None:
            raise errors.not_found("namespaces", info.namespace or "")
        validation.validate_configmap(new)
        obj = manifests.configmap(name, info.namespace or "", st.cluster.names.uid(), new.get("data") or {}, now,
                                  st.clock, labels=new["metadata"].get("labels"))
        obj["metadata"]["managedFields"] = []
        managed.record(obj["metadata"], manager=fm, operation="Update", api_version="v1", when=st.clock.iso(now),
                       old=None, new=obj)
        if dry:
            return web.Response(body=dumps(obj), status=201, content_type=JSON)
        stt = store.put("configmaps", obj)
        return web.Response(body=stt.raw, status=201, content_type=JSON)
    stored = store.get("configmaps", info.namespace, info.name or "")
    if stored is None:
        raise errors.not_found("configmaps", info.name or "")
    cur = copy.deepcopy(stored.obj)
    if info.verb == "update":
        new = _body(request)
        if not isinstance(new, dict) or (new.get("metadata") or {}).get("name") != info.name:
            raise errors.bad_request("the name of the object does not match the name on the URL")
        _precondition(cur, new, "configmaps", "")
        new = {**new, "kind": "ConfigMap", "apiVersion": "v1"}
        new["metadata"] = {**cur["metadata"], **{k: v for k, v in new["metadata"].items()
                                                 if k in ("labels", "annotations")}}
    else:
        new = _patched(request, cur)
        _precondition(cur, new, "configmaps", "")
    validation.check_metadata("ConfigMap", "", cur, new)
    validation.validate_configmap(new)
    if _strip_for_compare(new) == _strip_for_compare(cur):
        return web.Response(body=stored.raw, content_type=JSON)
    new["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"]
    managed.record(new["metadata"], manager=fm, operation=_operation(request), api_version="v1",
                   when=st.clock.iso(now), old=cur, new=new, applied=_applied(request))
    if dry:
        return web.Response(body=dumps(new), content_type=JSON)
    stt = store.put("configmaps", new)
    return web.Response(body=stt.raw, content_type=JSON)


# -- HorizontalPodAutoscalers ----------------------------------------------------------------------
def _autoscaler(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    """PATCH/PUT of an HPA's spec (``kubectl patch hpa``, ``kubectl apply``): its bounds and targets;
    the controller acts on the new spec at its next sync, as kube-controller-manager does."""
    dry, fm = _options(request)
    cl = st.cluster
    stored = cl.store.get("horizontalpodautoscalers", info.namespace, info.name or "")
    rec = next((r for r in cl.hpas.values() if (r.namespace, r.name) == (info.namespace, info.name)), None)
    if stored is None or rec is None:
        raise errors.not_found("horizontalpodautoscalers", info.name or "", "autoscaling")
    cur = copy.deepcopy(stored.obj)
    if info.verb == "update":
        new = _body(request)
        if not isinstance(new, dict) or (new.get("metadata") or {}).get("name") != info.name:
            raise errors.bad_request("the name of the object does not match the name on the URL")
        new = {**new, "metadata": {**cur["metadata"], **{k: v for k, v in (new.get("metadata") or {}).items()
                                                         if k in ("labels", "annotations", "resourceVersion")}}}
    else:
        new = _patched(request, cur)
    _precondition(cur, new, "horizontalpodautoscalers", "autoscaling")
    validation.check_metadata("HorizontalPodAutoscaler", "autoscaling", cur, new)
    spec = new.get("spec")
    if not isinstance(spec, dict):
        raise errors.bad_request("spec must be an object")
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
    causes = []
    if not isinstance(low, int) or isinstance(low, bool) or low < 1:
        causes.append(("spec.minReplicas", f"Invalid value: {low}: must be greater than or equal to 1", "FieldValueInvalid"))
    if not isinstance(high, int) or isinstance(high, bool) or (isinstance(low, int) and high < low):
        causes.append(("spec.maxReplicas", f"Invalid value: {high}: must be greater than or equal to `minReplicas`",
                       "FieldValueInvalid"))
    if causes:
        raise errors.invalid("HorizontalPodAutoscaler", "autoscaling", info.name or "", causes)
    if _strip_for_compare({**new, "status": None}) == _strip_for_compare({**cur, "status": None}):
        return web.Response(body=stored.raw, content_type=JSON)
    meta = {k: v for k, v in new["metadata"].items() if k != "resourceVersion"}
    if not meta.get("managedFields"):
        meta["managedFields"] = cur["metadata"].get("managedFields") or []
    managed.record(meta, manager=fm, operation=_operation(request), api_version="autoscaling/v2",
                   when=st.clock.iso(now), old=cur, new=new, applied=_applied(request))
    if dry:
        return web.Response(body=dumps({**new, "metadata": {**meta, "resourceVersion": cur["metadata"]["resourceVersion"]},
                                        "status": cur.get("status")}), content_type=JSON)
    rec.obj = {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2", "metadata": meta, "spec": spec}
    out = cl.store.put("horizontalpodautoscalers", {**rec.obj, "metadata": dict(meta), "status": cur.get("status")})
    return web.Response(body=out.raw, content_type=JSON)


# -- Pods ------------------------------------------------------------------------------------------
def _delete_pod(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    dry, _ = _options(request)
    cl = st.cluster
    rec = cl.pod_by_name(info.namespace or "", info.name or "")
    if rec is None:
        raise errors.not_found("pods", info.name or "")
    opts = request.get(BODY_KEY) or {}
    if isinstance(opts, dict):
        pre = opts.get("preconditions") or {}
        cur = cl.store.get("pods", rec.namespace, rec.name)
        if pre.get("uid") and pre["uid"] != rec.uid:
            raise errors.ApiError(409, "Conflict", f'Operation cannot be fulfilled on pods "{rec.name}": '
                                  f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: "
                                  f"{rec.uid}", {"name": rec.name, "kind": "pods"})
        if pre.get("resourceVersion") and cur is not None and pre["resourceVersion"] != cur.obj["metadata"][
                "resourceVersion"]:
            raise errors.conflict("pods", "", rec.name)
    if dry:
        obj = manifests.pod(rec, now, st.clock, deleting=True)
        cur = cl.store.get("pods", rec.namespace, rec.name)
        if cur is not None:
            obj["metadata"]["resourceVersion"] = cur.obj["metadata"]["resourceVersion"]
        return web.Response(body=dumps(obj), content_type=JSON)
    obj = cl.delete_pod(rec, now)
    cl.flush_dirty(now)
    return web.Response(body=dumps(obj), content_type=JSON)


# -- Events ----------------------------------------------------------------------------------------
def _create_event(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    dry, _ = _options(request)
    body = _body(request)
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise errors.bad_request("Event body must be an object with metadata")
    meta = dict(body["metadata"])
    if meta.get("namespace") and meta["namespace"] != info.namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                 "request")
    io = body.get("involvedObject") or {}
    if io.get("namespace") and io["namespace"] != info.namespace:
        raise errors.invalid("Event", "", meta.get("name", ""), [
            ("involvedObject.namespace", f'Invalid value: "{io["namespace"]}": does not match event.namespace',
             "FieldValueInvalid")])
    name = meta.get("name") or (meta.get("generateName", "") + st.cluster.names.suffix())
    if not name:
        raise errors.invalid("Event", "", "", [("metadata.name", "Required value: name or generateName is required",
                                                "FieldValueRequired")])
    if st.cluster.store.get("events", info.namespace, name) is not None:
        raise errors.already_exists("events", "", name)
    meta.update(name=name, namespace=info.namespace, uid=st.cluster.names.uid(),
                creationTimestamp=st.clock.iso(now), resourceVersion="0")
    obj = {**body, "kind": "Event", "apiVersion": "v1", "metadata": meta}
    obj.setdefault("firstTimestamp", st.clock.iso(now))
    obj.setdefault("lastTimestamp", obj["firstTimestamp"])
    obj.setdefault("count", 1)
    obj.setdefault("type", "Normal")
    if dry:
        return web.Response(body=dumps(obj), status=201, content_type=JSON)
    stored = st.cluster.store.put("events", obj)
    return web.Response(body=stored.raw, status=201, content_type=JSON)



# -- Evictions (pods/eviction) -----------------------------------------------------------------
def _evict(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    """POST .../pods/NAME/eviction: a delete that asks the pod's PodDisruptionBudget first."""
    dry, _ = _options(request)
    body = _body(request)
    if not isinstance(body, dict):
        raise errors.bad_request("Eviction body must be an object")
    meta = body.get("metadata") or {}
    if meta.get("name") and meta["name"] != info.name:
        raise errors.bad_request("name in URL does not match name in Eviction object")
    cl = st.cluster
    rec = cl.pod_by_name(info.namespace or "", info.name or "")
    if rec is None:
        raise errors.not_found("pods", info.name or "")
    opts = body.get("deleteOptions") or {}
    if opts.get("dryRun"):  # propagateDryRun: the query's dryRun or the DeleteOptions' (what client-go sends)
        if any(d != "All" for d in opts["dryRun"]):
            raise errors.bad_request(f"Invalid dry run value: {opts['dryRun']}; only 'All' is supported")
        dry = True
    pre = opts.get("preconditions") or {}
    if pre.get("uid") and pre["uid"] != rec.uid:
        raise errors.ApiError(409, "Conflict", f'Operation cannot be fulfilled on pods "{rec.name}": '
                              f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: "
                              f"{rec.uid}", {"name": rec.name, "kind": "pods"})
    refusal = cl.eviction_refusal(rec, now)
    if refusal is not None:
        code, message, causes = refusal
        if code == 500:
            raise errors.ApiError(500, "InternalError", f"Internal error occurred: {message}",
                                  {"causes": [{"message": message}]})
        raise errors.ApiError(code, "TooManyRequests", message, {"causes": causes})
    if not dry:
        cl.delete_pod(rec, now)
        cl.flush_dirty(now)
    return web.Response(body=dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                    "code": 201}), status=201, content_type=JSON)


# -- PodDisruptionBudgets ----------------------------------------------------------------------
def _int_or_percent(field: str, value: Any, causes: list[tuple[str, str, str]]) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise errors.bad_request(f'PodDisruptionBudget in version "v1" cannot be handled as a PodDisruptionBudget: '
                                 f"json: cannot unmarshal into Go struct field PodDisruptionBudgetSpec.{field} of "
                                 "type intstr.IntOrString")
    if isinstance(value, int):
        if value < 0:
            causes.append((f"spec.{field}", f"Invalid value: {value}: must be greater than or equal to 0",
                           "FieldValueInvalid"))
        return
    import re
    if not re.fullmatch(r"[0-9]+%", value):
        causes.append((f"spec.{field}", f'Invalid value: "{value}": a valid percent string must be a numeric string '
                                        "followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation "
                                        "is '[0-9]+%')", "FieldValueInvalid"))
    elif int(value[:-1]) > 100:
        causes.append((f"spec.{field}", f'Invalid value: "{value}": must not be greater than 100%',
                       "FieldValueInvalid"))


def _create_pdb(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    from ..policy import budget
    dry, fm = _options(request)
    body = _body(request)
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise errors.bad_request("PodDisruptionBudget body must be an object with metadata")
    meta = body["metadata"]
    name = meta.get("name") or (meta["generateName"] + st.cluster.names.suffix() if meta.get("generateName") else "")
    if not name:
        raise errors.invalid("PodDisruptionBudget", "policy", "", [
            ("metadata.name", "Required value: name or generateName is required", "FieldValueRequired")])
    if meta.get("namespace") and meta["namespace"] != info.namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                 "request")
    spec = body.get("spec") or {}
    if not isinstance(spec, dict):
        raise errors.bad_request("spec must be an object")
    causes: list[tuple[str, str, str]] = []
    for f in ("minAvailable", "maxUnavailable"):
        if spec.get(f) is not None:
            _int_or_percent(f, spec[f], causes)
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        causes.insert(0, ("spec", "Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and "
                                  "maxUnavailable cannot be both set", "FieldValueInvalid"))
    if causes:
        raise errors.invalid("PodDisruptionBudget", "policy", name, causes)
    store = st.cluster.store
    if store.get("namespaces", None, info.namespace or "") is None:
        raise errors.not_found("namespaces", info.namespace or "")
    if store.get("poddisruptionbudgets", info.namespace, name) is not None:
        raise errors.already_exists("poddisruptionbudgets", "policy", name)
    clean = {k: v for k, v in spec.items() if v is not None}
    obj = budget(info.namespace or "", name, clean, labels=meta.get("labels"), manager=fm, when=st.clock.iso(now))
    if meta.get("annotations"):
        obj["metadata"]["annotations"] = dict(meta["annotations"])
    if dry:
        from ..policy import stable_uid
        obj["metadata"].update(uid=stable_uid("dry-run", name, now), resourceVersion="", generation=1,
                               creationTimestamp=st.clock.iso(now))
        obj["status"] = {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}
        return web.Response(body=dumps(obj), status=201, content_type=JSON)
    st.cluster.add_pdb(obj, now)
    created = store.get("poddisruptionbudgets", info.namespace, name)
    assert created is not None
    raw = created.raw
    st.cluster.refresh_pdbs(now)  # the disruption controller picks it up right after
    return web.Response(body=raw, status=201, content_type=JSON)


def _delete_pdb(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.Response:
    dry, _ = _options(request)
    stored = st.cluster.store.get("poddisruptionbudgets", info.namespace, info.name or "")
    if stored is None:
        raise errors.not_found("poddisruptionbudgets", info.name or "", "policy")
    if dry:
        return web.Response(body=stored.raw, content_type=JSON)
    st.cluster.remove_pdb(info.namespace or "", info.name or "")
    gone = dict(stored.obj)
    return web.Response(body=dumps(gone), content_type=JSON)
