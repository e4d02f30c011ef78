"""authorization.k8s.io/v1: SelfSubjectAccessReview (memtui's RBAC preflight) and SelfSubjectRulesReview."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..store import dumps
from . import errors
from .auth import User
from .context import BODY_KEY, USER_KEY
from .paths import RequestInfo
from .reads import JSON

if TYPE_CHECKING:
    from .context import SimState


def handle(st: "SimState", request: web.Request, info: RequestInfo) -> web.Response:
    if info.verb != "create":
        raise errors.method_not_allowed()
    body = request.get(BODY_KEY)
    if not isinstance(body, dict) or not isinstance(body.get("spec"), dict):
        raise errors.bad_request("SelfSubjectAccessReview body must have a spec")
    user: User = request[USER_KEY]  # type: ignore[assignment]
    if info.resource == "selfsubjectaccessreviews":
        return _ssar(st, user, body)
    return _ssrr(st, user, body)


def _ssar(st: "SimState", user: User, body: dict[str, Any]) -> web.Response:
    spec = body["spec"]
    ra = spec.get("resourceAttributes")
    status: dict[str, Any]
    if isinstance(ra, dict):
        ok, reason = st.authz.allowed(user, ra.get("verb", ""), ra.get("group", ""), ra.get("resource", ""),
                                      ra.get("subresource") or None, ra.get("namespace") or None)
        status = {"allowed": ok}
        if ok:
            status["reason"] = reason
    elif isinstance(spec.get("nonResourceAttributes"), dict):
        ok = spec["nonResourceAttributes"].get("verb") == "get"
        status = {"allowed": ok}
        if ok:
            status["reason"] = 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery"'
    else:
        raise errors.invalid("SelfSubjectAccessReview", "authorization.k8s.io", "", [
            ("spec.resourceAttributes", "Invalid value: \"null\": exactly one of nonResourceAttributes or "
                                        "resourceAttributes must be specified", "FieldValueInvalid")])
    out = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
           "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}
    return web.Response(body=dumps(out), status=201, content_type=JSON)


def _denied(name: str, group: str, denied: frozenset[str]) -> bool:
    """Whether ``name`` (``pods`` or ``pods/log``) of ``group`` is among the denied resources."""
    base, _, sub = name.partition("/")
    plural = f"{base}.{group}" if group else base
    return plural in denied or bool(sub) and f"{plural}/{sub}" in denied


def _ssrr(st: "SimState", user: User, body: dict[str, Any]) -> web.Response:
    ns = (body["spec"] or {}).get("namespace", "")
    full = user.token_name == "operator" and ns == "sap-llm"
    rules = [{"verbs": ["get", "list", "watch"], "apiGroups": ["*"], "resources": ["*"]}]
    if full:
        rules = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
    denied = st.authz.operator_denied if user.token_name == "operator" else frozenset()
    if denied:  # RBAC has no "all but": list what the roles grant, group by group
        from .discovery import RESOURCES
        verbs = ["*"] if full else ["get", "list", "watch"]
        rules = []
        for gv, resources in RESOURCES.items():
            group = gv.rpartition("/")[0]
            names = [r["name"] for r in resources if not _denied(r["name"], group, denied)]
            if names:
                rules.append({"verbs": verbs, "apiGroups": [group], "resources": names})
    rules.append({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                  "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]})
    out = {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
           "metadata": {"creationTimestamp": None}, "spec": body["spec"],
           "status": {"resourceRules": rules, "nonResourceRules": [
               {"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/version"]}],
               "incomplete": False}}
    return web.Response(body=dumps(out), status=201, content_type=JSON)
