"""The recorder: the main thread hands frames over without waiting, a writer thread stores them.

The cockpit folds a snapshot on the main thread (Textual's event loop); encoding it (5,000 pods)
and committing it to SQLite is file I/O and CPU that must not delay the next key press.  So
``record`` only puts the frame on a queue (the snapshots are frozen dataclasses: handing the same
object to another thread is safe) and a daemon writer thread does the rest.  ``record`` is
thread-safe: audit entries come from the executor's worker threads.

Batching: the writer takes the first frame, then whatever else arrives within ``max_delay``
(0.5 s), and writes them in one transaction.  One refresh's frames (a snapshot per source, the
ranking) land in one commit instead of six, and a frame is on disk (readable by a
``memtui replay --follow`` in another process, safe from a SIGKILL) at most about a second after
the main thread folded it while frames keep coming.  A transaction holds at most ``max_batch``
frames, so one commit stays short.

Failure: a recording that cannot be created or written (disk full, a path that is not writable)
stops recording and keeps the first error, one line; the cockpit goes on.  The queue is bounded:
a writer that falls ``max_backlog`` frames behind stops too, rather than hold the whole incident
in memory or write a recording with a hole in it (frames fold in order: a gap would replay a state
nobody saw).  ``close`` flushes what is queued and joins the thread, waiting at most ``timeout``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingError, RecordingWriter

_STOP = object()


@dataclass(frozen=True)
class RecorderStats:
    """What the writer thread did so far (read from any thread; figures for the bench and tests)."""

    frames_queued: int
    """Frames handed to ``record`` and accepted (the file holds these once the queue is written)."""
    frames_written: int
    commits: int
    writer_cpu_s: float
    """CPU time of the writer thread (``time.thread_time``): encoding, SQLite, the queue."""


class Recorder:
    """Frames in, on the main thread or any other; a recording file out, on a thread of its own."""

    def __init__(
        self,
        path: Path | str,
        meta: RecordingMeta,
        *,
        before_open: Callable[[], object] | None = None,
        prepare: Callable[[Frame], Frame] | None = None,
        max_delay: float = 0.5,
        max_batch: int = 2000,
        max_backlog: int = 20000,
    ) -> None:
        """``before_open`` runs first on the writer thread (the retention prune: file I/O too).
        ``prepare`` runs on the writer thread on each frame before it is stored: the cockpit's
        masking of secrets in free text, which on the main thread cost a second at start (25,000
        events' messages at 5,000 pods) while the operator waited for the pods."""
        self.path = Path(path)
        self._prepare = prepare
        self.meta = meta
        self._before_open = before_open
        self._max_delay = max_delay
        self._max_batch = max_batch
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_backlog)
        self._lock = threading.Lock()
        self._error: str | None = None
        self._stopped = False
        self._frames_queued = 0
        self._frames_written = 0
        self._commits = 0
        self._cpu = 0.0
        self._thread = threading.Thread(target=self._run, name="memtui-recorder", daemon=True)

    def start(self) -> Recorder:
        self._thread.start()
        return self

    # -- any thread -------------------------------------------------------------------------------

    @property
    def error(self) -> str | None:
        """Why recording stopped (one line), or None while it works."""
        with self._lock:
            return self._error

    @property
    def recording(self) -> bool:
        return self.error is None and not self._stopped

    def stats(self) -> RecorderStats:
        with self._lock:
            return RecorderStats(self._frames_queued, self._frames_written, self._commits, self._cpu)

    def record(self, frame: Frame) -> None:
        """Queue ``frame`` (its ``seq`` is assigned when written); never blocks, never raises."""
        if self._stopped or self._error is not None:
            return
        with self._lock:  # counted and queued together: frames_queued is a prefix of the file
            try:
                self._queue.put_nowait(frame)
            except queue.Full:
                if self._error is None:
                    self._error = f"recording {self.path} stopped: the writer fell {self._queue.maxsize} frames behind"
                return
            self._frames_queued += 1

    def close(self, timeout: float = 5.0) -> bool:
        """Write what is queued, close the file and join the thread; False if it did not finish
        within ``timeout`` (the daemon thread then dies with the process, the file stays valid
        up to its last commit)."""
        if self._stopped:
            return not self._thread.is_alive()
        self._stopped = True
        if not self._thread.is_alive():
            return True
        deadline = time.monotonic() + timeout
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            return False
        self._thread.join(max(0.0, deadline - time.monotonic()))
        return not self._thread.is_alive()

    def _fail(self, message: str) -> None:
        with self._lock:
            if self._error is None:
                self._error = message

    # -- the writer thread --------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            if self._before_open is not None:
                self._before_open()
            writer = RecordingWriter(self.path, self.meta)
        except RecordingError as exc:
            self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - the cockpit goes on; the reason is shown to the operator
            self._fail(f"recording {self.path} not started: {exc}")
        else:
            try:
                self._write_until_stopped(writer)
            finally:
                writer.close()
        self._discard_queued()
        self._account(0, commits=0)

    def _write_until_stopped(self, writer: RecordingWriter) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                return
            batch: list[Frame] = [first]  # type: ignore[list-item]
            deadline = time.monotonic() + self._max_delay
            while len(batch) < self._max_batch:
                wait = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True  # write what came before it, then stop
                    break
                batch.append(item)  # type: ignore[arg-type]
            try:
                if self._prepare is not None:
                    batch = [self._prepare(frame) for frame in batch]
                writer.write(batch)
            except RecordingError as exc:
                self._fail(str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - e.g. a payload the codec cannot encode, or prepare failed
                self._fail(f"recording {self.path} stopped: {exc}")
                return
            self._account(len(batch), commits=1)

    def _account(self, frames: int, *, commits: int) -> None:
        cpu = time.thread_time()
        with self._lock:
            self._frames_written += frames
            self._commits += commits
            self._cpu = cpu

    def _discard_queued(self) -> None:
        """After a failure: drop what is queued (no one will write it) so it frees its memory."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return
