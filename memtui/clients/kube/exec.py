"""Run a command in a container, as ``kubectl exec POD -- argv`` does, and return its output.

The command is always an argument list: memtui never builds a shell command line on the
operator's machine, and in the container there is no shell unless the argv is
``["sh", "-c", fixed_script]`` (a ``*`` in a plain argv reaches the program unexpanded).
Goes through the connection's dedicated exec client (``kube_stream.ExecApiClient``, WebSocket
channel.k8s.io v5/v4), never the client the pollers share.  Blocking: call from a worker.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kubernetes.client.rest import ApiException

from memtui.clients.errors import describe_failure
from memtui.clients.kube import rest
from memtui.clients.kube.stream import ExecApiClient, ExecChannels, ExecStreamClosed, ExecStreamTimeout, text_decoder

STDOUT, STDERR, ERROR = 1, 2, 3
MAX_OUTPUT_BYTES = 4 * 1024 * 1024
"""Output beyond this is cut (and says so): a runaway ``cat`` must not eat memtui's memory."""
CONNECT_TIMEOUT_S = 5.0
"""The WebSocket handshake's own limit: a hung API server fails the exec, it never hangs it."""


@dataclass(frozen=True, slots=True)
class ExecResult:
    pod: str
    container: str | None
    argv: tuple[str, ...]
    stdout: str | bytes
    stderr: str
    exit_code: int | None
    """None when the command never ran or did not finish (see ``error``)."""
    error: str | None
    duration_s: float
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.error is None

    @property
    def text(self) -> str:
        """stdout as text: as received from a text exec, decoded (bad bytes replaced) from a binary one."""
        return self.stdout if isinstance(self.stdout, str) else self.stdout.decode("utf-8", "replace")


def _status_from_error_channel(text: str) -> tuple[int | None, str | None]:
    """The v4/v5 status object on channel 3: Success, NonZeroExitCode, or a runtime failure."""
    if not text.strip():
        return None, "the exec stream closed without a status"
    try:
        status = json.loads(text)
    except ValueError:
        return None, text.strip()
    if status.get("status") == "Success":
        return 0, None
    if status.get("reason") == "NonZeroExitCode":
        for cause in (status.get("details") or {}).get("causes") or []:
            if cause.get("reason") == "ExitCode":
                try:
                    return int(cause.get("message")), None
                except (TypeError, ValueError):
                    break
    return None, status.get("message") or text.strip()


def exec_in_pod(
    exec_client: ExecApiClient,
    namespace: str,
    pod: str,
    argv: Sequence[str],
    *,
    container: str | None = None,
    timeout: float = 30.0,
    binary: bool = False,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> ExecResult:
    """Run ``argv`` in ``pod`` and wait (at most ``timeout`` s) for it to finish.

    ``exec_client`` is the connection's dedicated ``exec_api_client``, never the pollers' client
    (see ``kube_stream``): anything else is refused before a byte is sent.
    """
    if not isinstance(exec_client, ExecApiClient):
        raise TypeError("exec_in_pod needs the connection's exec_api_client, not the pollers' ApiClient")
    if not argv or any(not isinstance(part, str) for part in argv):
        raise ValueError("argv must be a non-empty list of strings")
    started = time.monotonic()
    empty: str | bytes = b"" if binary else ""
    query: list[tuple[str, Any]] = [("command", part) for part in argv]
    query += [("container", container)] if container else []
    query += [("stderr", "true"), ("stdin", "false"), ("stdout", "true"), ("tty", "false")]
    path = rest.ns_path(namespace, "pods", pod, "exec")
    try:
        # by path, as the reads (clients.kube.rest): ExecApiClient.call_api opens the WebSocket
        opened: Any = rest.send(exec_client, "GET", path, query, {"Accept": "*/*"},
                                timeout=(min(timeout, CONNECT_TIMEOUT_S), timeout))
        channels: ExecChannels = opened.response
    except ApiException as exc:
        reason = "exec refused: " + describe_failure(exc)
        return ExecResult(pod, container, tuple(argv), empty, "", None, reason, time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - unreachable server, TLS, timeouts: one line, never a raise
        return ExecResult(pod, container, tuple(argv), empty, "", None, describe_failure(exc), time.monotonic() - started)
    out: list[bytes] = []
    err: list[bytes] = []
    status = bytearray()
    size = 0
    truncated = False
    timed_out = True
    deadline = started + timeout
    try:
        while time.monotonic() < deadline:
            try:
                channel, payload = channels.receive(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
            except ExecStreamTimeout:
                continue
            except ExecStreamClosed:
                timed_out = False
                break
            if channel == STDOUT and not truncated:
                if size + len(payload) > max_bytes:
                    payload = payload[: max(0, max_bytes - size)]
                    truncated = True
                size += len(payload)
                out.append(payload)
            elif channel == STDERR:
                err.append(payload)
            elif channel == ERROR:
                status += payload
    finally:
        channels.close()
    raw = b"".join(out)
    stdout: str | bytes = raw if binary else text_decoder().decode(raw, final=True)
    stderr = text_decoder().decode(b"".join(err), final=True)
    elapsed = time.monotonic() - started
    if timed_out:
        return ExecResult(pod, container, tuple(argv), stdout, stderr, None, f"timed out after {timeout:.0f} s", elapsed, truncated)
    exit_code, error = _status_from_error_channel(text_decoder().decode(bytes(status), final=True))
    return ExecResult(pod, container, tuple(argv), stdout, stderr, exit_code, error, elapsed, truncated)
