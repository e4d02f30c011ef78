"""Admission-style validation of Deployments, ConfigMaps and Scales (what returns 400/422)."""

from __future__ import annotations

import re
from typing import Any

from ..quantity import QuantityError, parse_quantity
from . import errors

_CM_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_QTY_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def _decode_error(kind: str, group_version: str, msg: str) -> errors.ApiError:
    return errors.bad_request(f'{kind} in version "{group_version}" cannot be handled as a {kind}: {msg}')


def check_metadata(kind: str, group: str, cur: dict[str, Any], new: dict[str, Any]) -> None:
    cm, nm = cur["metadata"], new.get("metadata")
    if not isinstance(nm, dict):
        raise errors.bad_request("metadata must be an object")
    name = cm["name"]
    for f in ("name", "namespace", "uid"):
        if f in nm and nm[f] != cm.get(f):
            raise errors.invalid(kind, group, name, [(f"metadata.{f}", f'Invalid value: "{nm[f]}": field is immutable',
                                                      "FieldValueInvalid")])
    for f in ("labels", "annotations"):
        v = nm.get(f)
        if v is not None and (not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values())):
            gv = f"{group}/v1" if group else "v1"
            raise _decode_error(kind, gv, f"json: cannot unmarshal into Go struct field ObjectMeta.metadata.{f} "
                                          "of type string")


def validate_configmap(obj: dict[str, Any]) -> None:
    name = obj["metadata"]["name"]
    data = obj.get("data")
    if data is None:
        return
    if not isinstance(data, dict):
        raise _decode_error("ConfigMap", "v1", "json: cannot unmarshal into Go struct field ConfigMap.data of type "
                                               "map[string]string")
    causes = []
    for k, v in data.items():
        if not isinstance(v, str):
            t = "number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
            t = {"bool": "bool", "dict": "object", "list": "array"}.get(t, t)
            raise _decode_error("ConfigMap", "v1", f"json: cannot unmarshal {t} into Go struct field "
                                                   "ConfigMap.data of type string")
        if not _CM_KEY.match(k):
            causes.append((f"data[{k}]", f'Invalid value: "{k}": a valid config key must consist of alphanumeric '
                                         "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                                         "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                           "FieldValueInvalid"))
    if causes:
        raise errors.invalid("ConfigMap", "", name, causes)


def _qty(v: Any) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return parse_quantity(v)
    if not isinstance(v, str):
        raise QuantityError(_QTY_MSG)
    return parse_quantity(v)


def validate_deployment(cur: dict[str, Any], new: dict[str, Any]) -> None:
    name = cur["metadata"]["name"]
    spec = new.get("spec")
    if not isinstance(spec, dict):
        raise errors.invalid("Deployment", "apps", name, [("spec", "Required value", "FieldValueRequired")])
    reps = spec.get("replicas", 1)
    if not isinstance(reps, int) or isinstance(reps, bool):
        raise _decode_error("Deployment", "apps/v1", "json: cannot unmarshal into Go struct field "
                                                     "DeploymentSpec.spec.replicas of type int32")
    causes: list[tuple[str, str, str]] = []
    if reps < 0:
        causes.append(("spec.replicas", f"Invalid value: {reps}: must be greater than or equal to 0",
                       "FieldValueInvalid"))
    if spec.get("selector") != cur["spec"]["selector"]:
        causes.append(("spec.selector", "Invalid value: v1.LabelSelector{...}: field is immutable",
                       "FieldValueInvalid"))
    tmpl = spec.get("template") or {}
    labels = (tmpl.get("metadata") or {}).get("labels") or {}
    sel = (cur["spec"]["selector"] or {}).get("matchLabels", {})
    if any(labels.get(k) != v for k, v in sel.items()):
        causes.append(("spec.template.metadata.labels",
                       f"Invalid value: {labels!r}: `selector` does not match template `labels`", "FieldValueInvalid"))
    containers = (tmpl.get("spec") or {}).get("containers")
    if not isinstance(containers, list) or not containers:
        causes.append(("spec.template.spec.containers", "Required value", "FieldValueRequired"))
        containers = []
    for i, c in enumerate(containers):
        p = f"spec.template.spec.containers[{i}]"
        if not isinstance(c, dict):
            raise _decode_error("Deployment", "apps/v1", "json: cannot unmarshal into Go struct field "
                                                         "PodSpec.spec.template.spec.containers of type v1.Container")
        if not c.get("name"):
            causes.append((f"{p}.name", "Required value", "FieldValueRequired"))
        if not c.get("image"):
            causes.append((f"{p}.image", "Required value", "FieldValueRequired"))
        res = c.get("resources") or {}
        try:
            lim = {k: _qty(v) for k, v in (res.get("limits") or {}).items()}
            req = {k: _qty(v) for k, v in (res.get("requests") or {}).items()}
        except QuantityError:
            raise _decode_error("Deployment", "apps/v1", _QTY_MSG) from None
        for k, v in list(lim.items()) + list(req.items()):
            if v < 0:
                causes.append((f"{p}.resources.limits[{k}]", f'Invalid value: "{v}": must be greater than or equal '
                                                             "to 0", "FieldValueInvalid"))
        for k, rv in req.items():
            if k in lim and rv > lim[k]:
                causes.append((f"{p}.resources.requests", f'Invalid value: "{res["requests"][k]}": must be less than '
                                                          f"or equal to {k} limit of {res['limits'][k]}",
                               "FieldValueInvalid"))
        for e in c.get("env") or []:
            if not isinstance(e, dict) or not e.get("name"):
                causes.append((f"{p}.env[].name", "Required value", "FieldValueRequired"))
    if causes:
        raise errors.invalid("Deployment", "apps", name, causes)


def validate_field_manager(fm: str | None) -> None:
    if fm is not None and len(fm) > 128:
        raise errors.invalid("PatchOptions", "meta.k8s.io", "", [("fieldManager", "Too long: may not be longer than 128",
                                           "FieldValueTooLong")])
