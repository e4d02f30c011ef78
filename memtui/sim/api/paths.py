"""Turn a request path into (group, version, resource, namespace, name, subresource, verb),
as the API server's RequestInfoFactory does."""

from __future__ import annotations

from dataclasses import dataclass

_NS_SUBRESOURCES = {"status", "finalize"}


@dataclass(frozen=True)
class RequestInfo:
    group: str
    version: str
    resource: str | None
    namespace: str | None
    name: str | None
    subresource: str | None
    verb: str

    @property
    def group_version(self) -> str:
        return self.version if not self.group else f"{self.group}/{self.version}"


def parse(path: str, method: str, watch: bool) -> RequestInfo | None:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[0] == "api" and len(parts) >= 2:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[0] == "apis" and len(parts) >= 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return RequestInfo(group, version, None, None, None, None, "discover")
    ns = name = sub = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in _NS_SUBRESOURCES:
        ns = rest[1]
        resource = rest[2]
        name = rest[3] if len(rest) > 3 else None
        sub = rest[4] if len(rest) > 4 else None
        if len(rest) > 5:
            return None
    else:
        resource = rest[0]
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if len(rest) > 3:
            return None
    m = method.upper()
    if m in ("GET", "HEAD"):
        if sub == "exec":
            verb = "create"  # websocket exec needs create on pods/exec (KEP-4006)
        elif name:
            verb = "watch" if watch else "get"
        else:
            verb = "watch" if watch else "list"
    elif m == "POST":
        verb = "create"
    elif m == "PUT":
        verb = "update"
    elif m == "PATCH":
        verb = "patch"
    elif m == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = m.lower()
    return RequestInfo(group, version, resource, ns, name, sub, verb)
