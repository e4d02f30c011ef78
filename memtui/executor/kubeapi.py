"""Raw Kubernetes REST calls with the content type chosen on purpose, inside one namespace.

The typed client picks a patch type for us (``patch_namespaced_config_map(body=dict)`` sends a
strategic merge patch, the runbook's ``kubectl patch --type merge`` a JSON merge patch), and a
patch type is part of what the operator confirms.  So every call here is built from an
``HttpCall`` (method, path, query, content type, body) and sent as is, through the connection's
``ApiClient`` (its TLS, token and ``memtui/<version>`` User-Agent).  Every write gets
``fieldManager=memtui`` so the API server's own audit log lines up with memtui's; every call has
a timeout; ``guard.check_path`` runs on each one.  Blocking: call from a worker thread.
"""

from __future__ import annotations

import json
from typing import Any

import urllib3
from kubernetes import client
from kubernetes.client.rest import ApiException

from memtui.executor.guard import check_path
from memtui.executor.model import HttpCall
from memtui.clients.errors import describe_failure
from memtui.clients.kube import rest

FIELD_MANAGER = "memtui"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_TIMEOUT_S = 10.0

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
JSON = "application/json"


class ApiFailure(Exception):
    """A call that did not succeed; ``str()`` is one line (``403 Forbidden: …``)."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


def write_call(method: str, path: str, *, content_type: str | None, body: Any) -> HttpCall:
    """An ``HttpCall`` for a write, with ``fieldManager=memtui`` in its query."""
    return HttpCall(method, path, (("fieldManager", FIELD_MANAGER),), content_type, body)


def _status_message(status: int, reason: str | None, raw: bytes) -> str:
    message = ""
    try:
        message = json.loads(raw or b"{}").get("message", "")
    except (ValueError, AttributeError):
        message = raw.decode("utf-8", "replace").strip()[:200] if raw else ""
    head = f"{status} {reason}" if reason else str(status)
    return f"{head}: {message}" if message else head


class KubeApi:
    """Send ``HttpCall``s in one namespace; answers are parsed JSON (or text for logs)."""

    def __init__(self, api_client: client.ApiClient, namespace: str, *, timeout: float = API_TIMEOUT_S) -> None:
        self.api_client = api_client
        self.namespace = namespace
        self.timeout = timeout

    def path(self, resource: str, name: str | None = None, sub: str | None = None, *, group: str = "",
             version: str = "v1") -> str:
        return rest.ns_path(self.namespace, resource, name, sub, group=group, version=version)

    def get(self, path: str, query: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
        return self.send(HttpCall("GET", path, query))

    def text(self, path: str, query: tuple[tuple[str, str], ...] = ()) -> str:
        """A plain-text answer (``pods/log``)."""
        raw = self._request(HttpCall("GET", path, query), accept="*/*")
        return raw.decode("utf-8", "replace")

    def send(self, call: HttpCall, *, dry_run: bool = False) -> dict[str, Any]:
        """Send ``call`` (with ``dryRun=All`` added when asked); raise ``ApiFailure`` unless 2xx."""
        if dry_run:
            call = HttpCall(call.method, call.path, (*call.query, ("dryRun", "All")), call.content_type, call.body)
        raw = self._request(call, accept=JSON)
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            raise ApiFailure(f"{call.method} {call.path}: the answer is not JSON") from None

    def _request(self, call: HttpCall, *, accept: str) -> bytes:
        check_path(call.method, call.path, self.namespace)
        if call.method in WRITE_METHODS and ("fieldManager", FIELD_MANAGER) not in call.query:
            raise ApiFailure(f"refused: {call.method} {call.path} lacks fieldManager={FIELD_MANAGER}")
        headers: dict[str, str] = {"Accept": accept}
        if call.content_type:
            headers["Content-Type"] = call.content_type
        api = self.api_client
        try:
            response = rest.send(api, call.method, call.path, list(call.query), headers, body=call.body,
                                 timeout=self.timeout)
            response.read()
        except ApiException as exc:  # the REST layer raises some statuses itself
            raise ApiFailure(_status_message(exc.status or 0, exc.reason, (exc.body or "").encode()
                                             if isinstance(exc.body, str) else exc.body or b""),
                             exc.status) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ApiFailure(f"{call.method} {call.path}: {describe_failure(exc)}") from None
        status = response.status
        data = response.data or b""
        if not 200 <= status <= 299:
            body_obj: Any = None
            try:
                body_obj = json.loads(data)
            except ValueError:
                pass
            raise ApiFailure(_status_message(status, response.reason, data), status, body_obj)
        return data
