"""Reads by path through the official client's ``ApiClient``, without its generated API classes.

The ``ApiClient`` is the one kubectl's kubeconfig gave (``connection.load_api_client``): its
server, credentials, exec plugins, TLS and proxy, and ``call_api`` sends the request.  What is
left out is the generated layer above it: in kubernetes 37 the API classes are pydantic-validated,
and importing ``CoreV1Api`` builds some 300 models (0.9 s, most of memtui's launch before its
first request), with every call validated again.  memtui's reads at start and every refresh (the
namespace check, the pods, events and PodMetrics LISTs and WATCHes, the nodes, the team's
objects) ask for bytes and decode them with msgspec: they need neither.  A non-2xx answer raises
the client's own ``ApiException``, as the generated calls do with ``_preload_content=False``.
Writes (the runbook's actions) keep the generated classes: they are few, and typed.
Blocking: call from worker threads (``connect`` runs before the app starts).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTResponse

QUERY_NAMES = {
    "limit": "limit",
    "_continue": "continue",
    "watch": "watch",
    "resource_version": "resourceVersion",
    "resource_version_match": "resourceVersionMatch",
    "timeout_seconds": "timeoutSeconds",
    "allow_watch_bookmarks": "allowWatchBookmarks",
    "field_selector": "fieldSelector",
    "label_selector": "labelSelector",
    "send_initial_events": "sendInitialEvents",
    "container": "container",
    "tail_lines": "tailLines",
    "since_seconds": "sinceSeconds",
    "limit_bytes": "limitBytes",
}
"""The generated calls' keyword arguments, as the API's query parameters."""


def ns_path(namespace: str, resource: str, name: str | None = None, sub: str | None = None, *,
            group: str = "", version: str = "v1") -> str:
    """``/api/v1/namespaces/NS/pods/NAME/log`` or ``/apis/apps/v1/namespaces/NS/deployments/...``
    (the namespace and the name quoted: a valid one is unchanged, anything else stays one segment)."""
    base = f"/api/{version}" if not group else f"/apis/{group}/{version}"
    path = f"{base}/namespaces/{quote(namespace, safe='')}/{resource}"
    if name:
        path += f"/{quote(name, safe='')}"
    if sub:
        path += f"/{sub}"
    return path


def send(api: ApiClient, method: str, path: str, query: list[tuple[str, Any]] | None, headers: dict[str, str], *,
         body: Any = None, timeout: float | tuple[float, float] | None = None) -> RESTResponse:
    """The one way memtui sends a request by path (reads here, the executor's writes): the
    ``ApiClient``'s default headers (``memtui/<version>`` User-Agent) and credentials added; the
    answer whatever its status, its body not read yet."""
    method, url, header_params, serialized, _ = api.param_serialize(
        method, path, query_params=query or None, header_params=headers, body=body, auth_settings=["BearerToken"],
    )
    return api.call_api(method, url, header_params, serialized, _request_timeout=timeout)


def get(api: ApiClient, path: str, query: dict[str, Any] | None = None, *,
        timeout: float | tuple[float, float] | None = None, accept: str = "application/json") -> urllib3.BaseHTTPResponse:
    """GET ``path`` (already quoted) with ``query`` (the generated calls' keyword names); the raw
    response, its body not read yet (call ``release_conn`` when done)."""
    params = []
    for name, value in (query or {}).items():
        if value is None:
            continue
        if name not in QUERY_NAMES:
            raise TypeError(f"unknown query argument {name!r}")
        params.append((QUERY_NAMES[name], ("true" if value else "false") if isinstance(value, bool) else value))
    response = send(api, "GET", path, params, {"Accept": accept}, timeout=timeout)
    if not 200 <= response.status <= 299:
        response.read()
        raise ApiException.from_response(http_resp=response, body=None, data=None)
    return response.response


def pod_log(api: ApiClient, namespace: str, pod: str, *, timeout: float | tuple[float, float] | None = None,
            **query: Any) -> bytes:
    """A container's log (``container``, ``tail_lines``, ``since_seconds``, ``limit_bytes``), as bytes."""
    response = get(api, ns_path(namespace, "pods", pod, "log"), query,
                   timeout=timeout, accept="text/plain, */*")
    try:
        return response.data
    finally:
        response.release_conn()


class Lister:
    """A ``list_namespaced_*`` (or cluster-wide ``list_*``) call by path, with the generated
    call's arguments, always unpreloaded: an ``Informer``'s ``list_call``.

    ``Lister(api, "/api/v1/namespaces/{namespace}/pods")("sap-llm", limit=500, _preload_content=False)``."""

    def __init__(self, api: ApiClient, path: str, **fixed: Any) -> None:
        """``fixed``: query arguments every call adds (a field selector)."""
        self._api = api
        self._path = path
        self._fixed = fixed

    def __call__(self, namespace: str | None = None, *, _preload_content: bool = False,
                 _request_timeout: float | tuple[float, float] | None = None, **query: Any) -> urllib3.BaseHTTPResponse:
        if _preload_content:
            raise TypeError("a Lister hands over the raw response: pass _preload_content=False")
        path = self._path
        if "{namespace}" in path:
            if not namespace:
                raise TypeError(f"{path} needs a namespace")
            path = path.replace("{namespace}", quote(namespace, safe=""))
        return get(self._api, path, {**self._fixed, **query}, timeout=_request_timeout)
