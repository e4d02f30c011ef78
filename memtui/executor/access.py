"""``Access``: one Kubernetes API permission, as a SelfSubjectAccessReview asks about it.

Its own module so that the operation-kind handlers (which *declare* what they need) and
``rbac`` (which *checks* it) both import it one way: ``rbac`` asks the kind registry, the
handlers never import ``rbac``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Access:
    """One permission: ``patch configmaps``, ``create pods/exec``, ``patch deployments/scale.apps``."""

    verb: str
    group: str
    resource: str
    subresource: str = ""

    @property
    def text(self) -> str:
        res = self.resource + (f"/{self.subresource}" if self.subresource else "")
        return f"{self.verb} {res}" + (f" (API group {self.group})" if self.group else "")


EXEC = Access("create", "", "pods", "exec")
GET_PODS = Access("get", "", "pods")
LIST_PODS = Access("list", "", "pods")
GET_DEPLOYMENT = Access("get", "apps", "deployments")
PATCH_DEPLOYMENT = Access("patch", "apps", "deployments")
CREATE_EVENTS = Access("create", "", "events")
