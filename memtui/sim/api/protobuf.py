"""Just enough Kubernetes protobuf to read what kubectl sends that way.

kubectl's typed clientset POSTs SelfSubjectAccessReview / SelfSubjectRulesReview
(`kubectl auth can-i`) as application/vnd.kubernetes.protobuf (while accepting
JSON back), so the simulator decodes those two messages: the "k8s\\0" envelope,
runtime.Unknown, and the review specs. Everything else kubectl writes is JSON.
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
    return {"kind": kind, "apiVersion": _s(tm, 1), "metadata": {}, "spec": spec}
