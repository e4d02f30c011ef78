"""LIST once, then WATCH: a namespace's pods (or events) kept current at the cost of the changes.

Re-listing 5,000 pods every refresh moves ~30 MB of JSON and burns over a second of CPU in
json decoding alone; after the first LIST a WATCH delivers only what changed (client-go's
informer pattern).  The watch runs in a daemon thread of its own, so it can never keep the
process alive after quit (textual#3966), restarts itself with the last resourceVersion when the
server ends it (``timeoutSeconds``), re-lists on ``410 Gone``, and backs off on errors (a refresh
that finds the server answering again cuts the backoff short: ``retry_now``); the refresh worker
reads an immutable snapshot of the cache under a lock.

A watch that stays open but silent looks exactly like a quiet namespace, and exactly like a hung
API server.  So the informer records when the server last *proved* it is alive (a LIST answered,
a watch opened, any watch line, bookmarks included) and ``prove()`` does a cheap read (a LIST of
one item) when that is too long ago: the source is healthy only while the proof is recent.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kubernetes.client.rest import ApiException
from kubernetes.watch.watch import iter_resp_lines

from memtui.clients.errors import describe_failure

T = TypeVar("T")

WATCH_TIMEOUT_SECONDS = 60
PAGE_SIZE = 500
MAX_BACKOFF_SECONDS = 30.0


@contextmanager
def gc_paused():
    """Decoding a big LIST allocates millions of small objects; the cyclic GC would walk them all
    several times over (half the decode time at 5,000 pods).  Nothing decoded here is cyclic."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class InformerSnapshot(Generic[T]):
    items: tuple[T, ...]
    synced: bool
    """True once the first LIST completed."""
    error: str | None
    """Set while the watch is failing (the items are then the last known state)."""
    lists: int
    """How many full LISTs were needed so far (1 in steady state; more after 410 Gone or errors)."""
    events: int
    """Watch events applied so far."""
    proved_at: float | None = None
    """``time.monotonic()`` when the server last answered for this resource (None: never)."""


class Informer(Generic[T]):
    """A cache of one resource in one namespace, fed by LIST + WATCH in a daemon thread."""

    def __init__(
        self,
        *,
        name: str,
        list_call: Callable[..., Any],
        namespace: str,
        parse: Callable[[dict], T],
        key: Callable[[dict], str],
        timeout: float,
        on_change: Callable[[str, T], None] | None = None,
    ) -> None:
        """``on_change(type, item)``: called in the watch thread for each ADDED/MODIFIED/DELETED
        event, in order, with the parsed item (a consumer that needs every version, not only the
        latest: the team timeline; it must be quick and must not block)."""
        self.name = name
        self._on_change = on_change
        self._list_call = list_call
        self._namespace = namespace
        self._parse = parse
        self._key = key
        self._timeout = timeout
        self._lock = threading.Lock()
        self._items: dict[str, T] = {}
        self._resource_version: str | None = None
        self._synced = threading.Event()
        self._error: str | None = None
        self._lists = 0
        self._events = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        """Cuts the watch thread's backoff short: set by ``retry_now`` (and ``stop``)."""
        self._recovered = threading.Event()
        """Set while the informer has no error (a LIST or a WATCH succeeded since the last failure)."""
        self._thread: threading.Thread | None = None
        self._response = None
        self._proved_at: float | None = None

    # -- public -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"informer:{self.name}", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        response = self._response
        if response is not None:
            try:
                response.shutdown()  # unblocks the watch thread's read (urllib3 >= 2.3)
            except Exception:  # noqa: BLE001 - best effort, the thread is a daemon anyway
                pass

    def wait_synced(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    def snapshot(self) -> InformerSnapshot[T]:
        with self._lock:
            return InformerSnapshot(
                tuple(self._items.values()), self._synced.is_set(), self._error, self._lists, self._events, self._proved_at
            )

    def seconds_since_proof(self) -> float | None:
        """How long ago the server last answered for this resource (None: never)."""
        proved = self._proved_at
        return None if proved is None else time.monotonic() - proved

    def prove(self) -> None:
        """A cheap read (LIST of one item, not decoded) that proves the API server answers now.

        Blocking, with the informer's timeout; raises what the client raises.  Called by the
        refresh worker when the watch has been silent too long to tell quiet from hung."""
        response = self._list_call(
            self._namespace, limit=1, _preload_content=False, _request_timeout=(min(3.0, self._timeout), self._timeout)
        )
        response.release_conn()
        self._mark_proved()

    def retry_now(self) -> None:
        """The server answers again (a ``prove`` succeeded): end the watch thread's backoff now,
        rather than leave the pane stale for up to ``MAX_BACKOFF_SECONDS`` after it came back."""
        self._wake.set()

    def wait_recovered(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until the informer has no error; True if it has none."""
        return self._recovered.wait(timeout)

    def _mark_proved(self) -> None:
        self._proved_at = time.monotonic()

    # -- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                if self._resource_version is None:
                    self._relist()
                self._watch()
                failures = 0
            except _Gone:
                self._resource_version = None  # too old: the server compacted it away; re-list
            except Exception as exc:  # noqa: BLE001 - report and retry, never die
                failures += 1
                with self._lock:
                    self._error = describe_failure(exc)
                    self._recovered.clear()
                self._resource_version = None if failures > 2 else self._resource_version
                self._wake.wait(min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** min(failures, 6)))
                self._wake.clear()

    def _relist(self) -> None:
        """LIST in pages of ``PAGE_SIZE`` (as client-go's reflector does): a 5,000-pod namespace
        is never held as one 30 MB document, which keeps memtui's peak memory down."""
        items: dict[str, T] = {}
        token: str | None = None
        version = None
        while True:
            kwargs: dict[str, Any] = {"limit": PAGE_SIZE}
            if token:
                kwargs["_continue"] = token
            response = self._list_call(
                self._namespace,
                _preload_content=False,
                _request_timeout=(min(3.0, self._timeout), self._timeout * 4),
                **kwargs,
            )
            try:
                with gc_paused():
                    payload = json.loads(response.data)
                    for item in payload.get("items") or []:
                        items[self._key(item)] = self._parse(item)
            finally:
                response.release_conn()
            metadata = payload.get("metadata") or {}
            version = metadata.get("resourceVersion") or version
            token = metadata.get("continue")
            del payload
            if not token:
                break
        with self._lock:
            self._items = items
            self._resource_version = version
            self._error = None
            self._recovered.set()
            self._lists += 1
        self._mark_proved()
        self._synced.set()

    def _watch(self) -> None:
        response = self._list_call(
            self._namespace,
            watch=True,
            resource_version=self._resource_version,
            timeout_seconds=WATCH_TIMEOUT_SECONDS,
            allow_watch_bookmarks=True,
            _preload_content=False,
            _request_timeout=(min(3.0, self._timeout), WATCH_TIMEOUT_SECONDS + 15),
        )
        self._response = response
        self._mark_proved()  # the server answered the WATCH (its headers are in)
        try:
            with self._lock:
                self._error = None
                self._recovered.set()
            for line in iter_resp_lines(response):
                if self._stop.is_set():
                    return
                self._mark_proved()
                if line:
                    self._apply(json.loads(line))
        finally:
            self._response = None
            response.release_conn()

    def _apply(self, event: dict) -> None:
        kind = event.get("type")
        obj = event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == 410:
                raise _Gone()
            raise ApiException(status=obj.get("code") or 500, reason=obj.get("message") or "watch error")
        version = (obj.get("metadata") or {}).get("resourceVersion")
        with self._lock:
            if kind in ("ADDED", "MODIFIED"):
                item = self._items[self._key(obj)] = self._parse(obj)
                if self._on_change is not None:
                    self._on_change(kind, item)
            elif kind == "DELETED":
                self._items.pop(self._key(obj), None)
                if self._on_change is not None:
                    self._on_change(kind, self._parse(obj))
            if version:
                self._resource_version = version
            if kind != "BOOKMARK":
                self._events += 1


class _Gone(Exception):
    """The watch's resourceVersion is too old (410): re-list."""
