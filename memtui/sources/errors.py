"""A source's failure as data: the pane shows the reason, the app keeps running."""

from __future__ import annotations

import json
import socket
import ssl

import urllib3


class SourceError(Exception):
    """A backend could not be read this time; ``reason`` is one short line for the pane."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


def describe_failure(exc: BaseException) -> str:
    """One line for any exception a client library raises, without its wrapping noise."""
    from kubernetes.client.rest import ApiException

    if isinstance(exc, ApiException):
        message = ""
        try:
            message = json.loads(exc.body or "{}").get("message", "")
        except (ValueError, TypeError, AttributeError):
            pass
        head = f"HTTP {exc.status}" + (f" {exc.reason}" if exc.reason else "")
        return f"{head}: {message}" if message else head
    if isinstance(exc, (socket.timeout, TimeoutError, urllib3.exceptions.TimeoutError)):
        return "timed out"
    if isinstance(exc, urllib3.exceptions.HTTPError):
        reason = getattr(exc, "reason", None)
        while getattr(reason, "reason", None) is not None:
            reason = reason.reason
        text = str(reason or exc)
        if isinstance(reason, ssl.SSLError):
            return f"TLS error: {text}"
        if "Connection refused" in text:
            return "connection refused"
        if "timed out" in text.lower():
            return "timed out"
        return text
    if isinstance(exc, ValueError):
        return f"unreadable response: {exc}"
    return f"{type(exc).__name__}: {exc}"
