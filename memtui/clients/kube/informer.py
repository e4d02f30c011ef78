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
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import msgspec
from kubernetes.client.rest import ApiException
from kubernetes.watch.watch import iter_resp_lines

from memtui.clients.errors import describe_failure
from memtui.state.snapshots import ListProgress

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


@dataclass(frozen=True, slots=True)
class ListPage(Generic[T]):
    """One LIST page, decoded: each item with its key (``object_key``), and where the next starts."""

    items: list[tuple[str, T]]
    resource_version: str | None
    continue_token: str | None


@dataclass(frozen=True, slots=True)
class WatchEvent(Generic[T]):
    """One WATCH line, decoded.  ``item`` for ADDED/MODIFIED/DELETED; ``code``/``message`` for ERROR."""

    type: str
    key: str = ""
    item: T | None = None
    resource_version: str | None = None
    code: int | None = None
    message: str | None = None


class Decoder(Protocol[T]):
    """Bytes of one resource's LIST pages and WATCH lines to the records the informer keeps."""

    def page(self, data: bytes) -> ListPage[T]: ...

    def event(self, line: str | bytes) -> WatchEvent[T]: ...


class DictDecoder(Generic[T]):
    """For a resource read through generic dicts (``parse(dict)``, ``key(dict)``): the team's
    Deployments and ConfigMaps, whose diff walks any field.  Pods and events have typed decoders
    (``kube.parse.POD_DECODER``) that never build the dicts."""

    def __init__(self, parse: Callable[[dict], T], key: Callable[[dict], str]) -> None:
        self._parse = parse
        self._key = key

    def page(self, data: bytes) -> ListPage[T]:
        payload = msgspec.json.decode(data)
        metadata = payload.get("metadata") or {}
        items = [(self._key(item), self._parse(item)) for item in payload.get("items") or []]
        return ListPage(items, metadata.get("resourceVersion"), metadata.get("continue"))

    def event(self, line: str | bytes) -> WatchEvent[T]:
        event = msgspec.json.decode(line)
        kind = event.get("type") or ""
        obj = event.get("object") or {}
        if kind == "ERROR":
            return WatchEvent(kind, code=obj.get("code"), message=obj.get("message"))
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            return WatchEvent(kind, resource_version=version)
        return WatchEvent(kind, self._key(obj), self._parse(obj), version)


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
    progress: ListProgress | None = None
    """The LIST under way or last done: pages and items so far (the pods pane's "loading…")."""


class Informer(Generic[T]):
    """A cache of one resource in one namespace, fed by LIST + WATCH in a daemon thread."""

    def __init__(
        self,
        *,
        name: str,
        list_call: Callable[..., Any],
        namespace: str,
        timeout: float,
        decoder: Decoder[T] | None = None,
        parse: Callable[[dict], T] | None = None,
        key: Callable[[dict], str] | None = None,
        on_change: Callable[[str, T], None] | None = None,
    ) -> None:
        """``decoder`` reads the bytes; or ``parse``/``key`` on generic dicts (``DictDecoder``).
        ``on_change(type, item)``: called in the watch thread for each ADDED/MODIFIED/DELETED
        event, in order, with the parsed item (a consumer that needs every version, not only the
        latest: the team timeline; it must be quick and must not block)."""
        if decoder is None:
            assert parse is not None and key is not None, "an Informer needs a decoder, or parse and key"
            decoder = DictDecoder(parse, key)
        self.name = name
        self._on_change = on_change
        self._list_call = list_call
        self._namespace = namespace
        self._decoder = decoder
        self._timeout = timeout
        self._lock = threading.Lock()
        self._items: dict[str, T] = {}
        self._items_tuple: tuple[T, ...] | None = ()
        """``_items`` as handed out, until the next change (None: changed since): a quiet refresh
        hands over the very same tuple, and what is folded from it is skipped at a glance."""
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
        self._progress: ListProgress | None = None

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
            if self._items_tuple is None:
                self._items_tuple = tuple(self._items.values())
            return InformerSnapshot(
                self._items_tuple, self._synced.is_set(), self._error, self._lists, self._events,
                self._proved_at, self._progress,
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
        is never held as one 30 MB document, which keeps memtui's peak memory down.  Each page's
        bytes are decoded straight into records and dropped; ``progress`` counts pages and items
        as they come, for the pane that waits on them."""
        items: dict[str, T] = {}
        token: str | None = None
        version = None
        started = time.monotonic()
        pages = 0
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
                    page = self._decoder.page(response.data)
                    items.update(page.items)
            finally:
                response.release_conn()
            pages += 1
            version = page.resource_version or version
            token = page.continue_token
            del page
            with self._lock:
                self._progress = ListProgress(self.name, pages, len(items), time.monotonic() - started, done=not token)
            self._mark_proved()
            if not token:
                break
        with self._lock:
            self._items = items
            self._items_tuple = None
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
                    self._apply(self._decoder.event(line))
        finally:
            self._response = None
            response.release_conn()

    def _apply(self, event: WatchEvent[T]) -> None:
        kind = event.type
        if kind == "ERROR":
            if event.code == 410:
                raise _Gone()
            raise ApiException(status=event.code or 500, reason=event.message or "watch error")
        with self._lock:
            if kind in ("ADDED", "MODIFIED") and event.item is not None:
                self._items[event.key] = event.item
                self._items_tuple = None
                if self._on_change is not None:
                    self._on_change(kind, event.item)
            elif kind == "DELETED":
                if self._items.pop(event.key, None) is not None:
                    self._items_tuple = None
                if self._on_change is not None and event.item is not None:
                    self._on_change(kind, event.item)
            if event.resource_version:
                self._resource_version = event.resource_version
            if kind != "BOOKMARK":
                self._events += 1


class _Gone(Exception):
    """The watch's resourceVersion is too old (410): re-list."""
