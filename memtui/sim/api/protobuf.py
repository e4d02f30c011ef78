"""Just enough Kubernetes protobuf to read what kubectl sends that way.

kubectl's typed clientset POSTs SelfSubjectAccessReview / SelfSubjectRulesReview
(`kubectl auth can-i`), PodDisruptionBudgets (`kubectl create pdb`) and Evictions
(client-go's Evict) as application/vnd.kubernetes.protobuf (while accepting JSON
back), so the simulator decodes those messages: the "k8s\\0" envelope,
runtime.Unknown, and the fields the simulator reads. Everything else kubectl
writes is JSON.
"""

from __future__ import annotations

from typing import Any

MAGIC = b"k8s\x00"


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf: bytes) -> dict[int, list[Any]]:
    """field number -> values (ints for varints, bytes for length-delimited)."""
    out: dict[int, list[Any]] = {}
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        v: int | bytes
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 2:
            ln, i = _varint(buf, i)
            v = buf[i:i + ln]
            i += ln
        elif wt == 1:
            v = buf[i:i + 8]
            i += 8
        elif wt == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        out.setdefault(num, []).append(v)
    return out


def _s(f: dict[int, list[Any]], n: int) -> str:
    v = f.get(n)
    return v[0].decode() if v else ""


def _resource_attributes(b: bytes) -> dict[str, Any]:
    f = fields(b)
    names = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
    return {k: _s(f, n) for n, k in names.items() if f.get(n)}


def _map(f: dict[int, list[Any]], n: int) -> dict[str, str]:
    out = {}
    for entry in f.get(n, []):
        e = fields(entry)
        out[_s(e, 1)] = _s(e, 2)
    return out


def _object_meta(b: bytes) -> dict[str, Any]:
    f = fields(b)
    meta: dict[str, Any] = {k: _s(f, n) for n, k in ((1, "name"), (2, "generateName"), (3, "namespace"))
                            if f.get(n)}
    for n, k in ((11, "labels"), (12, "annotations")):
        if f.get(n):
            meta[k] = _map(f, n)
    return meta


def _int_or_string(b: bytes) -> int | str:
    f = fields(b)
    if (f.get(1) or [0])[0] == 1:
        return _s(f, 3)
    v = (f.get(2) or [0])[0]
    return v - (1 << 64) if v >= 1 << 63 else v


def _label_selector(b: bytes) -> dict[str, Any]:
    f = fields(b)
    sel: dict[str, Any] = {}
    if f.get(1):
        sel["matchLabels"] = _map(f, 1)
    if f.get(2):
        exprs = []
        for raw in f[2]:
            e = fields(raw)
            expr: dict[str, Any] = {"key": _s(e, 1), "operator": _s(e, 2)}
            if e.get(3):
                expr["values"] = [v.decode() for v in e[3]]
            exprs.append(expr)
        sel["matchExpressions"] = exprs
    return sel


def _pdb(raw: dict[int, list[Any]]) -> dict[str, Any]:
    spec_f = fields(raw.get(2, [b""])[0])
    spec: dict[str, Any] = {}
    if spec_f.get(1):
        spec["minAvailable"] = _int_or_string(spec_f[1][0])
    if spec_f.get(2):
        spec["selector"] = _label_selector(spec_f[2][0])
    if spec_f.get(3):
        spec["maxUnavailable"] = _int_or_string(spec_f[3][0])
    if spec_f.get(4):
        spec["unhealthyPodEvictionPolicy"] = _s(spec_f, 4)
    return spec


def _delete_options(b: bytes) -> dict[str, Any]:
    f = fields(b)
    opts: dict[str, Any] = {}
    if f.get(1):
        opts["gracePeriodSeconds"] = f[1][0]
    if f.get(2):
        pre = fields(f[2][0])
        opts["preconditions"] = {k: _s(pre, n) for n, k in ((1, "uid"), (2, "resourceVersion")) if pre.get(n)}
    if f.get(5):
        opts["dryRun"] = [v.decode() for v in f[5]]
    return opts


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf-encoded review as the JSON dict the API would have received."""
    if not body.startswith(MAGIC):
        raise ValueError("not a Kubernetes protobuf envelope")
    unknown = fields(body[len(MAGIC):])
    tm = fields(unknown.get(1, [b""])[0])
    kind = _s(tm, 2)
    raw = fields(unknown.get(2, [b""])[0])
    spec_f = fields(raw.get(2, [b""])[0])
    spec: dict[str, Any] = {}
    if kind == "SelfSubjectAccessReview":
        if spec_f.get(1):
            spec["resourceAttributes"] = _resource_attributes(spec_f[1][0])
        if spec_f.get(2):
            nr = fields(spec_f[2][0])
            spec["nonResourceAttributes"] = {"path": _s(nr, 1), "verb": _s(nr, 2)}
    elif kind == "SelfSubjectRulesReview":
        spec["namespace"] = _s(spec_f, 1)
    elif kind == "PodDisruptionBudget":
        return {"kind": kind, "apiVersion": _s(tm, 1), "metadata": _object_meta(raw.get(1, [b""])[0]),
                "spec": _pdb(raw)}
    elif kind == "Eviction":
        out: dict[str, Any] = {"kind": kind, "apiVersion": _s(tm, 1),
                               "metadata": _object_meta(raw.get(1, [b""])[0])}
        if raw.get(2):
            out["deleteOptions"] = _delete_options(raw[2][0])
        return out
    return {"kind": kind, "apiVersion": _s(tm, 1), "metadata": {}, "spec": spec}
