"""Redis commands as word lists: through redis-py with ``--redis-url``, else ``redis-cli`` exec'd
in a pod of the Redis deployment (an argv, never a shell line).

Both paths return the same ``RedisReply`` so plans, undo and effect checks do not care which one
ran.  The connection comes from ``memtui.clients.redis``; the URL's password never leaves this
module: what is shown and audited is ``redact_url``'s form, and error texts have the URL replaced by it.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from memtui.executor.guard import check_label, check_subdomain
from memtui.clients.kube.exec import exec_in_pod
from memtui.clients.kube.stream import ExecApiClient
from memtui.clients.redis import clean, connect, redact_url
from memtui.clients.redis_info import parse_info_text

REDIS_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RedisReply:
    ok: bool
    text: str
    """The reply as redis-cli would print it without a TTY (one element per line)."""
    value: Any = None
    """The parsed reply (redis-py's, or the text for redis-cli)."""
    error: str | None = None


def _as_text(value: Any) -> str:
    if value is True:
        return "OK"
    if isinstance(value, dict):
        return "\n".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "\n".join(_as_text(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


class RedisRunner:
    """Run Redis words one way or the other; blocking, with timeouts."""

    def __init__(self, *, url: str | None, exec_client: ExecApiClient, namespace: str,
                 timeout: float = REDIS_TIMEOUT_S) -> None:
        self.url = url
        self.display = redact_url(url) if url else None
        self.exec_client = exec_client
        self.namespace = namespace
        self.timeout = timeout
        self._client: redis.Redis | None = None

    @property
    def via_url(self) -> bool:
        return self.url is not None

    def _redis(self) -> redis.Redis:
        if self._client is None:
            assert self.url is not None
            try:
                self._client = connect(self.url, timeout=self.timeout, decode_responses=True)
            except ValueError as exc:
                raise RuntimeError(f"bad Redis URL {self.display}: {self._clean(str(exc))}") from None
        return self._client

    def _clean(self, text: str) -> str:
        return clean(text, self.url) if self.url else text

    def call(self, words: Sequence[str], *, pod: str | None = None, container: str | None = None) -> RedisReply:
        if self.url is not None:
            try:
                value = self._redis().execute_command(*words)
            except redis.RedisError as exc:
                return RedisReply(False, "", None, f"{self.display}: {self._clean(str(exc)) or type(exc).__name__}")
            except RuntimeError as exc:
                return RedisReply(False, "", None, str(exc))
            return RedisReply(True, _as_text(value), value)
        if pod is None:
            return RedisReply(False, "", None, "no Redis pod to run redis-cli in")
        check_subdomain(pod, "pod")
        if container:
            check_label(container, "container")
        result = exec_in_pod(self.exec_client, self.namespace, pod, ["redis-cli", *words], container=container,
                             timeout=self.timeout)
        out = result.stdout if isinstance(result.stdout, str) else result.stdout.decode("utf-8", "replace")
        out = out.replace("\r\n", "\n").rstrip("\n")
        where = f"redis-cli {shlex.join(words)} in pod/{pod}"
        if result.error and result.exit_code is None:
            return RedisReply(False, out, None, f"{where}: {result.error}")
        first = out.split("\n", 1)[0]
        if result.exit_code != 0 or first.startswith(("ERR ", "WRONGTYPE", "NOAUTH", "(error)")):
            reason = first or result.stderr.strip() or f"exit code {result.exit_code}"
            return RedisReply(False, out, None, f"{where}: {reason}")
        return RedisReply(True, out, out)

    # -- typed helpers --------------------------------------------------------------------------

    def config_get(self, parameter: str, **where: Any) -> str | None:
        reply = self.call(("CONFIG", "GET", parameter), **where)
        if not reply.ok:
            raise RuntimeError(reply.error)
        if isinstance(reply.value, dict):
            value = reply.value.get(parameter)
            return None if value is None else str(value)
        lines = reply.text.split("\n")
        pairs = dict(zip(lines[::2], lines[1::2]))
        return pairs.get(parameter)

    def dbsize(self, **where: Any) -> int:
        reply = self.call(("DBSIZE",), **where)
        if not reply.ok:
            raise RuntimeError(reply.error)
        return int(reply.value if isinstance(reply.value, int) else reply.text.strip().split()[-1])

    def used_memory(self, **where: Any) -> int:
        reply = self.call(("INFO", "memory"), **where)
        if not reply.ok:
            raise RuntimeError(reply.error)
        info = reply.value if isinstance(reply.value, dict) else parse_info_text(reply.text)
        return int(info["used_memory"])

    def database(self) -> int:
        """The database FLUSHDB empties: the URL's ``/N``, else redis-cli's default 0."""
        if self.url is None:
            return 0
        return int(self._redis().connection_pool.connection_kwargs.get("db", 0) or 0)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
