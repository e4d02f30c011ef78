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


MAX_REASON_CHARS = 160


def first_text_line(text: str) -> str:
    """The first line of ``text`` that is not blank, stripped; empty when there is none.

    Exception messages, a credential plugin's stderr and API reasons often open with a blank
    line or end in a dump: a one-line message wants their first real line."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _one_line(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """The first line of ``text``, without websocket-client's ``-+-+-`` dump of headers and body
    (a failed handshake carried a whole PodList into the reason), cut at ``limit`` characters."""
    text = text.split(" -+-+- ", 1)[0]
    first = first_text_line(text)
    return first if len(first) <= limit else first[: limit - 1] + "…"


def describe_failure(exc: BaseException) -> str:
    """One line for any exception a client library raises, without its wrapping noise."""
    from kubernetes.client.rest import ApiException

    if isinstance(exc, ApiException):
        message = ""
        try:
            message = json.loads(exc.body or "{}").get("message", "")
        except (ValueError, TypeError, AttributeError):
            pass
        reason = _one_line(str(exc.reason or ""))
        head = f"HTTP {exc.status}" + (f" {reason}" if reason else "")
        message = _one_line(str(message or ""))
        return f"{head}: {message}" if message else head
    # urllib3 wraps the cause (MaxRetryError → ProtocolError → RemoteDisconnected …): unwrap it
    cause: BaseException = exc
    while True:
        inner = getattr(cause, "reason", None)
        if isinstance(cause, urllib3.exceptions.ProtocolError) and len(cause.args) > 1:
            inner = cause.args[1]
        elif inner is None and isinstance(cause, urllib3.exceptions.HTTPError) and cause.args:
            inner = cause.args[0]
        if not isinstance(inner, BaseException) or inner is cause:
            break
        cause = inner
    text = str(cause)
    # refused before timed out: urllib3's NewConnectionError subclasses ConnectTimeoutError
    if isinstance(cause, ConnectionRefusedError) or "Connection refused" in text:
        return "connection refused"
    if isinstance(cause, (socket.timeout, TimeoutError, urllib3.exceptions.TimeoutError)) or "timed out" in text.lower():
        return "timed out"
    if isinstance(cause, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(cause, (ConnectionAbortedError, urllib3.exceptions.ProtocolError)) or "RemoteDisconnected" in repr(cause):
        return "connection closed by the server without a response"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {cause.verify_message or text}"
    if isinstance(cause, ssl.SSLError):
        reason = (cause.reason or text).replace("_", " ").lower()
        return f"TLS failed ({reason}): is this an HTTPS endpoint?"
    if isinstance(cause, socket.gaierror) or "Name or service not known" in text:
        return "host name does not resolve"
    if isinstance(cause, ValueError):
        return f"unreadable response: {text[:120]}"
    if isinstance(cause, urllib3.exceptions.HTTPError) or isinstance(cause, OSError):
        return text.split(": ", 1)[-1][:160] if "object at 0x" in text else text[:160]
    return f"{type(cause).__name__}: {text[:160]}"
