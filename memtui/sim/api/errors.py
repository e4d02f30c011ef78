"""metav1.Status errors with the codes, reasons and message formats of a real API server."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        b: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": self.message, "reason": self.reason}
        if self.details is not None:
            b["details"] = self.details
        b["code"] = self.code
        return b


def qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, name: str, group: str = "") -> ApiError:
    return ApiError(404, "NotFound", f'{qualified(resource, group)} "{name}" not found',
                    {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource})


def path_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(user: str, verb: str, resource: str, group: str, namespace: str | None, name: str | None,
              subresource: str | None = None) -> ApiError:
    res = f"{resource}/{subresource}" if subresource else resource
    subject = qualified(resource, group) + (f' "{name}"' if name else "")
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    msg = f'{subject} is forbidden: User "{user}" cannot {verb} resource "{res}" in API group "{group}" {scope}'
    details: dict[str, Any] = {"group": group, "kind": resource} if group else {"kind": resource}
    if name:
        details = {"name": name, **details}
    return ApiError(403, "Forbidden", msg, details)


def invalid(kind: str, group: str, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """causes: (field, human message, reason such as FieldValueInvalid)."""
    q = f"{kind}.{group}" if group else kind
    parts = [f"{f}: {m}" for f, m, _ in causes]
    msg = f'{q} "{name}" is invalid: ' + (parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]")
    return ApiError(422, "Invalid", msg, {
        "name": name, "group": group, "kind": kind,
        "causes": [{"reason": r, "message": m, "field": f} for f, m, r in causes]})


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def conflict(resource: str, group: str, name: str) -> ApiError:
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": '
                    "the object has been modified; please apply your changes to the latest version and try again",
                    {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource})


def already_exists(resource: str, group: str, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists',
                    {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource})


def unsupported_media(accepted: list[str]) -> ApiError:
    return ApiError(415, "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - accepted media types include: "
                    f"{', '.join(accepted)}")


def method_not_allowed() -> ApiError:
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)
