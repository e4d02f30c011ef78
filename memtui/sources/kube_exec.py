"""Run a command in a container, as ``kubectl exec POD -- argv`` does, and return its output.

The command is always an argument list: memtui never builds a shell command line on the
operator's machine, and in the container there is no shell unless the argv is
``["sh", "-c", fixed_script]`` (a ``*`` in a plain argv reaches the program unexpanded).
Uses the official client's WebSocket exec (channel.k8s.io v5/v4).  Blocking: call from a worker.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

STDOUT, STDERR, ERROR = 1, 2, 3
MAX_OUTPUT_BYTES = 4 * 1024 * 1024
"""Output beyond this is cut (and says so): a runaway ``cat`` must not eat memtui's memory."""


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


def _handshake_error(exc: ApiException) -> str:
    """websocket-client's "Handshake status 403 Forbidden -+-+- {headers} -+-+- {body}" as one line."""
    reason = str(exc.reason or exc)
    match = re.search(r"Handshake status (\d+)\s*([^-]*)", reason)
    if not match:
        return reason.splitlines()[0] if reason else "exec failed"
    head = f"{match.group(1)} {match.group(2).strip()}".strip()
    body = reason.rsplit("-+-+-", 1)[-1].strip()
    try:
        message = json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return f"exec refused: {head}" + (f": {message}" if message else "")


def exec_in_pod(
    api_client: client.ApiClient,
    namespace: str,
    pod: str,
    argv: Sequence[str],
    *,
    container: str | None = None,
    timeout: float = 30.0,
    binary: bool = False,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> ExecResult:
    """Run ``argv`` in ``pod`` and wait (at most ``timeout`` s) for it to finish."""
    if not argv or any(not isinstance(part, str) for part in argv):
        raise ValueError("argv must be a non-empty list of strings")
    started = time.monotonic()
    core = client.CoreV1Api(api_client)
    kwargs = {"container": container} if container else {}
    try:
        ws = stream(
            core.connect_get_namespaced_pod_exec,
            pod,
            namespace,
            command=list(argv),
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
            _preload_content=False,
            _request_timeout=timeout,
            binary=binary,
            **kwargs,
        )
    except ApiException as exc:
        return ExecResult(pod, container, tuple(argv), b"" if binary else "", "", None, _handshake_error(exc), time.monotonic() - started)
    out: list = []
    err: list[str] = []
    size = 0
    truncated = False
    error_text = ""
    deadline = started + timeout
    try:
        while ws.is_open() and time.monotonic() < deadline:
            ws.update(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
            chunk = ws.read_channel(STDOUT)
            if chunk:
                if size + len(chunk) > max_bytes:
                    chunk = chunk[: max(0, max_bytes - size)]
                    truncated = True
                size += len(chunk)
                out.append(chunk)
            e = ws.read_channel(STDERR)
            if e:
                err.append(e if isinstance(e, str) else e.decode("utf-8", "replace"))
            status = ws.read_channel(ERROR)
            if status:
                error_text += status if isinstance(status, str) else status.decode("utf-8", "replace")
        timed_out = ws.is_open()
        for channel, sink in ((STDOUT, out), (STDERR, err)):
            rest = ws.read_channel(channel)
            if rest and not (channel == STDOUT and truncated):
                sink.append(rest if channel == STDOUT or isinstance(rest, str) else rest.decode("utf-8", "replace"))
        rest = ws.read_channel(ERROR)
        if rest:
            error_text += rest if isinstance(rest, str) else rest.decode("utf-8", "replace")
    finally:
        ws.close()
    joiner = b"" if binary else ""
    stdout = joiner.join(out)
    if timed_out:
        return ExecResult(pod, container, tuple(argv), stdout, "".join(err), None, f"timed out after {timeout:.0f} s", time.monotonic() - started, truncated)
    exit_code, error = _status_from_error_channel(error_text)
    return ExecResult(pod, container, tuple(argv), stdout, "".join(err), exit_code, error, time.monotonic() - started, truncated)
