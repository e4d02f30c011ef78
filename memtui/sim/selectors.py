"""Label and field selectors, parsed the way the API server parses them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable


class SelectorError(ValueError):
    """A selector the API server would answer with 400 BadRequest."""


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        has = self.key in labels
        v = labels.get(self.key)
        if self.op == "=":
            return has and v == self.values[0]
        if self.op == "!=":
            return not has or v != self.values[0]
        if self.op == "in":
            return has and v in self.values
        if self.op == "notin":
            return not has or v not in self.values
        if self.op == "exists":
            return has
        if self.op == "!":
            return not has
        return False


_SET_RE = re.compile(r"^\s*(!?)([A-Za-z0-9_./-]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")
_EQ_RE = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_./-]*)\s*$")


def _split_top(s: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def parse_labels(s: str | None) -> list[Requirement]:
    if not s:
        return []
    reqs: list[Requirement] = []
    for part in _split_top(s):
        m = _EQ_RE.match(part)
        if m:
            op = "!=" if m.group(2) == "!=" else "="
            reqs.append(Requirement(m.group(1), op, (m.group(3),)))
            continue
        m = _SET_RE.match(part)
        if m and m.group(3):
            vals = tuple(v.strip() for v in m.group(4).split(",") if v.strip())
            reqs.append(Requirement(m.group(2), m.group(3), vals))
            continue
        if m:
            reqs.append(Requirement(m.group(2), "!" if m.group(1) else "exists"))
            continue
        raise SelectorError(f"unable to parse requirement: {part.strip()!r}")
    return reqs


def match_labels(reqs: list[Requirement], labels: dict[str, str] | None) -> bool:
    lb = labels or {}
    return all(r.matches(lb) for r in reqs)


@dataclass(frozen=True)
class FieldReq:
    path: str
    neg: bool
    value: str


def parse_fields(s: str | None) -> list[FieldReq]:
    if not s:
        return []
    out = []
    for part in s.split(","):
        part = part.strip()
        if not part:
            continue
        if "!=" in part:
            k, v = part.split("!=", 1)
            out.append(FieldReq(k.strip(), True, v.strip()))
        elif "==" in part:
            k, v = part.split("==", 1)
            out.append(FieldReq(k.strip(), False, v.strip()))
        elif "=" in part:
            k, v = part.split("=", 1)
            out.append(FieldReq(k.strip(), False, v.strip()))
        else:
            raise SelectorError(f"invalid selector: '{s}'; can't understand '{part}'")
    return out


def _dig(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


# fields each resource supports in field selectors (others: 400, as the API server does)
FIELDS: dict[str, set[str]] = {
    "pods": {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
             "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
             "status.nominatedNodeName"},
    "events": {"metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace",
               "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
               "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent",
               "source", "type"},
    "replicasets": {"metadata.name", "metadata.namespace", "status.replicas"},
}


def field_getter(resource: str) -> Callable[[dict[str, Any], str], str]:
    def get(obj: dict[str, Any], path: str) -> str:
        if resource == "events" and path == "source":
            return _dig(obj, "source.component") or _dig(obj, "reportingComponent")
        if resource == "pods" and path == "spec.hostNetwork":
            return _dig(obj, path) or "false"
        if resource == "replicasets" and path == "status.replicas":
            return _dig(obj, path) or "0"
        return _dig(obj, path)
    return get


def validate_fields(resource: str, reqs: list[FieldReq]) -> None:
    allowed = FIELDS.get(resource, {"metadata.name", "metadata.namespace"})
    for r in reqs:
        if r.path not in allowed:
            raise SelectorError(f'field label not supported: {r.path}')


def match_fields(resource: str, reqs: list[FieldReq], obj: dict[str, Any]) -> bool:
    if not reqs:
        return True
    get = field_getter(resource)
    for r in reqs:
        v = get(obj, r.path)
        if (v == r.value) == r.neg:
            return False
    return True
