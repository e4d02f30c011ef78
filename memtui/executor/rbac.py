"""RBAC preflight: the API permissions an operation needs (declared by its kind's handler in
``memtui.executor.kinds``), checked with SelfSubjectAccessReview, batched and cached.

The side panel asks about every action at start; many actions need the same permission (every
ConfigMap fix needs ``patch configmaps``), so the checks are collected as distinct
``(verb, group, resource, subresource)`` tuples and each tuple costs one SSAR, not each action.
Answers are cached for a few minutes: RBAC rarely changes mid-incident, and ``execute`` checks
again through the same cache before anything is sent.  A check that fails (network) is not
cached and does not disable an action: the API server enforces RBAC anyway, and a flaky preflight
must not hide the fix the operator needs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from memtui.executor.access import Access
from memtui.executor.guard import SSAR_PATH
from memtui.executor.kinds.registry import handler_for
from memtui.executor.kubeapi import JSON, ApiFailure, KubeApi, write_call
from memtui.runbook.operations import Operation

CACHE_TTL_S = 300.0


def requirements(op: Operation, *, redis_via_url: bool) -> tuple[Access, ...]:
    """The permissions an operation needs in the namespace (reads it makes to plan included), as
    its kind's handler declares them; a kind without a handler is an error, never "nothing"."""
    return handler_for(op).permissions(op, redis_via_url=redis_via_url)


class PermissionChecker:
    """SelfSubjectAccessReview answers per ``Access``, cached; thread-safe."""

    def __init__(self, api: KubeApi, *, who: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.api = api
        self.who = who
        self._clock = clock
        self._cache: dict[Access, tuple[float, bool, str]] = {}
        self._lock = threading.Lock()

    def check(self, accesses: Iterable[Access], *, refresh: bool = False) -> dict[Access, tuple[bool | None, str]]:
        """``{access: (allowed, reason)}``; allowed is None when the check itself failed."""
        wanted = sorted(set(accesses))
        now = self._clock()
        out: dict[Access, tuple[bool | None, str]] = {}
        with self._lock:
            for access in wanted:
                hit = self._cache.get(access)
                if hit and not refresh and now - hit[0] < CACHE_TTL_S:
                    out[access] = (hit[1], hit[2])
        for access in wanted:
            if access in out:
                continue
            try:
                allowed, reason = self._review(access)
            except ApiFailure as exc:
                out[access] = (None, f"RBAC not checked ({exc})")
                continue
            with self._lock:
                self._cache[access] = (self._clock(), allowed, reason)
            out[access] = (allowed, reason)
        return out

    def _review(self, access: Access) -> tuple[bool, str]:
        attrs = {"namespace": self.api.namespace, "verb": access.verb, "group": access.group,
                 "resource": access.resource}
        if access.subresource:
            attrs["subresource"] = access.subresource
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": attrs}}
        answer = self.api.send(write_call("POST", SSAR_PATH, content_type=JSON, body=body))
        status = answer.get("status") or {}
        allowed = bool(status.get("allowed"))
        if allowed:
            return True, status.get("reason") or ""
        detail = status.get("reason") or status.get("evaluationError") or ""
        reason = f"RBAC: {self.who or 'you'} may not {access.text} in namespace {self.api.namespace}"
        return False, reason + (f" ({detail})" if detail else "")
