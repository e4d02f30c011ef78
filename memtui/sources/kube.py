"""The Kubernetes source: pods, their memory, and the namespace's events.

Requests per refresh do not grow with the pod count.  Pods and events are kept by informers
(one LIST at start, then a WATCH that carries only the changes); each refresh adds one LIST of
PodMetrics (the metrics API cannot be watched).  Responses are read as raw bytes and decoded
by msgspec into slim records (``clients/kube/parse``), with timeouts, so a slow API server
delays a refresh but never hangs it.

A silent watch is not proof of health (a hung API server keeps it open and says nothing): when
an informer has heard nothing from the server for ``proof_window`` seconds, the refresh makes one
cheap read (a LIST of one item) and fails with the reason if the server does not answer it.  A
quiet namespace costs one such read per window; a busy one none.

At 20,000 pods the first LIST takes seconds.  With ``progress_every`` set (the cockpit sets it), a
refresh that finds it still under way after that long hands over a ``loading`` snapshot (pages
and pods so far, nothing else) instead of blocking, so the pods pane counts the pages in while
the other panes fill from their own sources; it fails as before when the LIST errs or makes no
progress for four request timeouts.
Blocking: runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future
from datetime import datetime, timezone

from memtui.state.snapshots import KubeSnapshot, ListProgress, PodState, PodUsage
from memtui.clients.errors import SourceError, describe_failure
from memtui.clients.kube import rest
from memtui.clients.kube.informer import Informer, InformerSnapshot, gc_paused
from memtui.clients.kube.connection import KubeConnection
from memtui.clients.kube.parse import EVENT_DECODER, POD_DECODER, decode_pod_metrics_list

METRICS_GROUP = "metrics.k8s.io"
METRICS_VERSION = "v1beta1"
PROOF_WINDOW_SECONDS = 10.0
"""An informer that heard nothing from the server for longer than this must prove it answers."""
PROGRESS_SECONDS = 0.5
"""How long the cockpit's refresh waits for the first LIST before it shows its progress instead."""


class KubeSource:
    """Reads one namespace.  ``fetch`` is called by one worker at a time (polls never overlap)."""

    name = "kubernetes"

    def __init__(self, connection: KubeConnection, *, timeout: float = 5.0, proof_window: float = PROOF_WINDOW_SECONDS,
                 progress_every: float | None = None) -> None:
        """``progress_every``: hand over a ``loading`` snapshot when the first LIST is not done
        after that many seconds (None: wait for it, up to four request timeouts)."""
        self.connection = connection
        self.progress_every = progress_every
        self._stalled: tuple[int, float] | None = None
        """(pages, when that count was first seen) while the first LIST is under way."""
        self.namespace = connection.namespace
        self.timeout = timeout
        self.proof_window = proof_window
        api = connection.api_client
        self._metrics_list = rest.Lister(api, f"/apis/{METRICS_GROUP}/{METRICS_VERSION}/namespaces/{{namespace}}/pods")
        self.pods = Informer(
            name="pods", list_call=rest.Lister(api, "/api/v1/namespaces/{namespace}/pods"), namespace=self.namespace,
            decoder=POD_DECODER, timeout=timeout,
        )
        self.events = Informer(
            name="events", list_call=rest.Lister(api, "/api/v1/namespaces/{namespace}/events"),
            namespace=self.namespace, decoder=EVENT_DECODER, timeout=timeout,
        )
        self._lists_seen = 0
        self._usage: tuple[bytes, dict[str, PodUsage]] | None = None
        """The last PodMetrics list (its digest, its decoded usage): metrics-server changes its
        figures once per scrape (15-60 s), so most refreshes read the same list again and hand
        over the very same dict, which the state folds at a glance."""
        self._metrics_ahead: Future[tuple[dict[str, PodUsage], str | None]] | None = None
        """The first refresh's PodMetrics read, started beside the first pods LIST instead of
        after it (the LIST takes seconds at thousands of pods; the metrics read need not wait)."""
        self._sorted: tuple[tuple[PodState, ...], tuple[PodState, ...]] | None = None
        """The pods by name, with the informer's items tuple they were sorted from (the same
        tuple until a change): a quiet
        refresh hands over the very same tuple (no re-sort of 20,000 pods, and the recording's
        delta sees it unchanged at a glance)."""

    def stop(self) -> None:
        self.pods.stop()
        self.events.stop()

    def _prove(self, informer: Informer) -> str | None:
        """The cheap read; None when the server answered, else why not (one line)."""
        try:
            informer.prove()
        except Exception as exc:  # noqa: BLE001 - any failure is the reason shown
            return describe_failure(exc)
        return None

    def _revive(self, informer: Informer, failing: InformerSnapshot) -> InformerSnapshot:
        """``informer`` is failing: if the server answers a cheap read, wake its watch thread out
        of its backoff and wait (one request timeout) for it to catch up; else raise the reason."""
        if self._prove(informer) is None:
            informer.retry_now()
            if informer.wait_recovered(self.timeout):
                return informer.snapshot()
        raise SourceError(self.name, f"{informer.name}: " + (informer.snapshot().error or failing.error or "failing"))

    def _loading(self, started: float) -> KubeSnapshot | None:
        """The first LIST is not done: its progress as a snapshot, or the reason it failed; None
        when it finished meanwhile."""
        snapshot = self.pods.snapshot()
        if snapshot.synced:
            return None
        progress = snapshot.progress or ListProgress("pods", 0, 0, 0.0)
        now = time.monotonic()
        if self._stalled is None or self._stalled[0] != progress.pages:
            self._stalled = (progress.pages, now if self.progress_every is not None else now - self.timeout * 4)
        if snapshot.error or now - self._stalled[1] >= self.timeout * 4:
            raise SourceError(self.name, "pods: " + (snapshot.error or f"no answer within {self.timeout * 4:.0f} s"))
        return KubeSnapshot(
            taken_at=datetime.now(timezone.utc), pods=(), usage={}, events=(), loading=progress,
            duration_seconds=time.perf_counter() - started,
        )

    def _by_name(self, pods: InformerSnapshot[PodState]) -> tuple[PodState, ...]:
        if self._sorted is None or self._sorted[0] is not pods.items:
            self._sorted = (pods.items, tuple(sorted(pods.items, key=lambda p: p.name)))
        return self._sorted[1]

    def _decode_usage(self, data: bytes) -> dict[str, PodUsage]:
        """The list's usage; the previous dict itself when the figures are the same."""
        digest = hashlib.blake2b(data, digest_size=16).digest()
        previous = self._usage
        if previous is not None and previous[0] == digest:
            return previous[1]
        with gc_paused():
            usage = decode_pod_metrics_list(data)
        if previous is not None and usage == previous[1]:
            usage = previous[1]  # the same figures, listed in another order or at another time
        self._usage = (digest, usage)
        return usage

    def _read_metrics(self) -> tuple[dict[str, PodUsage], str | None]:
        """The PodMetrics list's usage, or {} and why it could not be read."""
        try:
            response = self._metrics_list(self.namespace, _request_timeout=(min(3.0, self.timeout), self.timeout))
            try:
                return self._decode_usage(response.data), None
            finally:
                response.release_conn()
        except Exception as exc:  # noqa: BLE001 - any failure becomes the pane's reason
            return {}, "metrics API: " + describe_failure(exc)

    def _read_metrics_ahead(self) -> None:
        """Before the first pods LIST is done: start the metrics read beside it, once."""
        if self._metrics_ahead is None and self._usage is None and not self.pods.snapshot().synced:
            ahead: Future[tuple[dict[str, PodUsage], str | None]] = Future()
            self._metrics_ahead = ahead
            # a daemon, as the informers' threads: a metrics API that hangs as memtui quits does not
            # hold the exit up for the read's timeout (a pool's threads are joined at exit)
            threading.Thread(target=lambda: ahead.set_result(self._read_metrics()), name="kube-metrics-ahead",
                             daemon=True).start()

    def _metrics(self) -> tuple[dict[str, PodUsage], str | None]:
        """This refresh's usage: the read started beside the first LIST, else a read now."""
        ahead, self._metrics_ahead = self._metrics_ahead, None
        if ahead is not None:
            return ahead.result()  # bounded: the read has its own request timeout
        return self._read_metrics()

    def fetch(self) -> KubeSnapshot:
        """One refresh.  Pods must be known; metrics and events may fail on their own."""
        started = time.perf_counter()
        self.pods.start()
        self.events.start()
        self._read_metrics_ahead()
        if not self.pods.wait_synced(self.timeout * 4 if self.progress_every is None else self.progress_every):
            loading = self._loading(started)
            if loading is not None:
                return loading
        pods = self.pods.snapshot()
        if pods.error:
            pods = self._revive(self.pods, pods)
        # both informers watch the same server: when either has been silent too long, prove both
        # (pods first, so the pods pane names the pods when the server hangs)
        due = self.pods.seconds_since_proof(), self.events.seconds_since_proof()
        proofs = 0
        events_unproven = None
        if max((s for s in due if s is not None), default=0.0) > self.proof_window:
            proofs += 1
            failed = self._prove(self.pods)
            if failed is not None:
                raise SourceError(self.name, f"pods: no answer from the API server for {due[0] or 0:.0f} s ({failed})")
            if self.events.snapshot().synced:
                proofs += 1
                failed = self._prove(self.events)
                if failed is not None:
                    events_unproven = f"events: no answer from the API server for {due[1] or 0:.0f} s ({failed})"

        usage, metrics_error = self._metrics()

        self.events.wait_synced(min(1.0, self.timeout))
        events = self.events.snapshot()
        if events.error:
            try:
                events = self._revive(self.events, events)
            except SourceError:
                pass  # events keep their own reason below
        events_error = "events: " + events.error if events.error else None
        if not events.synced and events_error is None:
            events_error = "events: still loading"
        events_error = events_error or events_unproven

        lists = pods.lists + events.lists
        new_lists, self._lists_seen = lists - self._lists_seen, lists
        return KubeSnapshot(
            taken_at=datetime.now(timezone.utc),
            pods=self._by_name(pods),
            usage=usage,
            events=events.items,
            metrics_error=metrics_error,
            events_error=events_error,
            request_count=1 + new_lists + proofs,
            duration_seconds=time.perf_counter() - started,
        )
