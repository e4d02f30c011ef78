"""Bearer-token authentication and an RBAC-like authoriser.

operator: everything in sap-llm, read-only elsewhere (so memtui can see but
never touch ml-batch). readonly: get/list/watch everywhere, pods/log included
(a read), pods/exec not (it is a "create" since KEP-4006, even over GET).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

READ_VERBS = frozenset({"get", "list", "watch"})


@dataclass(frozen=True)
class User:
    token_name: str
    username: str
    groups: tuple[str, ...] = ("system:authenticated",)


class Authenticator:
    def __init__(self) -> None:
        self.operator_token = "op-" + secrets.token_hex(24)
        self.readonly_token = "ro-" + secrets.token_hex(24)
        self._users = {
            self.operator_token: User("operator", "oncall-operator", ("oncall", "system:authenticated")),
            self.readonly_token: User("readonly", "oncall-readonly", ("viewers", "system:authenticated")),
        }

    def authenticate(self, header: str | None) -> User | None:
        if not header or not header.lower().startswith("bearer "):
            return None
        return self._users.get(header[7:].strip())


class Authorizer:
    def __init__(self, operator_denied: tuple[str, ...] = ()) -> None:
        self.operator_denied = frozenset(operator_denied)
        """``plural.group`` (``pods`` for the core group), or one subresource (``pods/log``), the
        operator's roles leave out (SimConfig)."""

    def allowed(self, user: User, verb: str, group: str, resource: str, subresource: str | None,
                namespace: str | None) -> tuple[bool, str]:
        if group == "authorization.k8s.io" and resource.startswith("self") and verb == "create":
            return True, 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user"'
        plural = f"{resource}.{group}" if group else resource
        denied = self.operator_denied
        if user.token_name == "operator" and (plural in denied or (subresource and f"{plural}/{subresource}" in denied)):
            return False, ""
        if user.token_name == "operator":
            if namespace == "sap-llm":
                return True, (f'RBAC: allowed by RoleBinding "oncall-operator/sap-llm" of Role "sap-llm-operator" '
                              f'to User "{user.username}"')
            if verb in READ_VERBS:
                return True, f'RBAC: allowed by ClusterRoleBinding "oncall-view" of ClusterRole "view" to User "{user.username}"'
            return False, ""
        if user.token_name == "readonly":
            if verb in READ_VERBS:
                return True, (f'RBAC: allowed by ClusterRoleBinding "oncall-readonly-view" of ClusterRole "view" '
                              f'to User "{user.username}"')
            return False, ""
        return False, ""
