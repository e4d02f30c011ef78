"""The app's side of the flight recorder: what the main thread folded, handed to the recorder.

Every change to the cockpit's state goes through the app in one order (``expect``/``disable`` at
start, then ``apply`` or ``fail`` per poll); this mixin records each as a frame at the moment it
is folded, with the app's clock, so folding the frames into a fresh ``CockpitState`` gives the
state the operator saw.  The ranking is recorded when it changes, and every audit entry this
memtui writes (from the executor's worker threads, through the audit log's listener) as an
``audit`` frame, already redacted.

Recording never stops the cockpit: a file that cannot be written is one toast, "rec failed" in
the header, and the reason on the reasons screen.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from memtui import __version__
from memtui.audit.entry import AuditEntry
from memtui.audit.log import local_identity
from memtui.audit.redact import MASK, is_secret_key, redact_text
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.paths import new_recording_path, prune
from memtui.recording.recorder import Recorder
from memtui.state.records import replaced
from memtui.state.same_objects import LastListing
from memtui.state.snapshots import EvidenceSnapshot, KubeEvent, KubeSnapshot, LogEvidence, NodeSnapshot, PodEvidence
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.outside_text import plain, toast
from memtui.widgets.roles import role

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App

    from memtui.clients.kube.connection import KubeConnection
    from memtui.config.settings import Settings
    from memtui.reasoning.model import CauseRanking

    _AppBase = App[None]
else:
    _AppBase = object


class RecordingMasks:
    """What goes into the recording: secrets masked as the audit log masks them.  One per
    recorder, called on its writer thread (``Recorder(prepare=...)``), never on the main thread.

    A reason (``fail``, ``disable``) is free text that may quote a URL or a command line; the
    evidence quotes log lines and the app's boot config (``api_key=…``); an Event's message is
    whatever a controller or a teammate wrote (a failed probe's command line, a webhook's URL).
    The other snapshots hold figures and names, and the sources already mask what they build from
    credentials (a Redis URL's password).  The evidence is gathered once a minute for a few pods:
    masking it costs nothing next to a refresh; events are masked once each (``_EventMasks``),
    per recorder: with several clusters, one shared cache kept only the last cluster's events and
    masked the other's all over again at every refresh.
    """

    def __init__(self) -> None:
        self._events = _EventMasks()
        self._system_ooms = _EventMasks()

    def __call__(self, frame: Frame) -> Frame:
        payload = self.payload(frame.payload)
        return frame if payload is frame.payload else replace(frame, payload=payload)

    def payload(self, payload: Any) -> Any:
        if isinstance(payload, str):
            return redact_text(payload)
        if isinstance(payload, EvidenceSnapshot):
            return replace(payload, pods=tuple(_pod_evidence(p) for p in payload.pods))
        if isinstance(payload, KubeSnapshot) and payload.events:
            return replace(payload, events=self._events.masked(payload.events))
        if isinstance(payload, NodeSnapshot) and payload.system_ooms:
            return replace(payload, system_ooms=self._system_ooms.masked(payload.system_ooms))
        return payload


class _EventMasks:
    """Each distinct event is masked once: a refresh hands over the same events again and again
    (thousands in a big namespace), and the recorder's deltas skip an event that is the same
    object as last time, so an unchanged event must come back as the same object, and an event
    with nothing to mask as itself.  Bounded by the listing: only the last call's events are
    kept (a fixed bound below a big namespace's event count, 25,000 at 5,000 pods, cleared the
    cache at every refresh and masked every event again: 1.3 s of the main thread per refresh)."""

    def __init__(self) -> None:
        self._listing: LastListing[KubeEvent] = LastListing()
        """The last listing (held: its ids stay unique), what it gave in ``_masked``."""
        self._changed: dict[int, KubeEvent] = {}
        """id(event) → it masked, only for the events of the last listing that had something to
        mask (a few): the others come back as themselves, with no map entry each (a map of every
        event held 8 MiB at 20,000 pods)."""
        self._masked: tuple[KubeEvent, ...] = ()

    def masked(self, events: tuple[KubeEvent, ...]) -> tuple[KubeEvent, ...]:
        seen = self._listing.swap(events)
        if seen.same_tuple:
            return self._masked  # the informer's very same tuple: a quiet refresh costs no walk of 25,000 events
        changed_before = self._changed
        changed: dict[int, KubeEvent] = {}
        out = []
        for event in events:
            if event in seen:
                one = changed_before.get(id(event), event)
            else:
                message = redact_text(event.message)
                one = event if message == event.message else replaced(event, message=message)
            if one is not event:
                changed[id(event)] = one
            out.append(one)
        self._changed = changed
        masked = self._masked = tuple(out)
        return masked


def _pod_evidence(pod: PodEvidence) -> PodEvidence:
    return replace(pod, logs=tuple(_log_evidence(log) for log in pod.logs),
                   logs_error=redact_text(pod.logs_error) if pod.logs_error else pod.logs_error,
                   disk_error=redact_text(pod.disk_error) if pod.disk_error else pod.disk_error)


def _log_evidence(log: LogEvidence) -> LogEvidence:
    config = tuple((key, MASK if is_secret_key(key) else redact_text(value)) for key, value in log.config)
    return replace(log, config=config, matches=tuple(redact_text(line) for line in log.matches))


class RecordingMixin(_AppBase):
    """Start, feed and close the session's recorder (``MemtuiApp`` mixes it in)."""

    settings: Settings
    connection: KubeConnection
    clock: Callable[[], datetime]
    ranking: CauseRanking
    executor: Any
    session: Any
    displayed: Any

    if TYPE_CHECKING:  # MemtuiApp's own
        @property
        def multi_context(self) -> bool: ...
        def in_this_session(self, fn: Callable[..., Any]) -> Callable[..., Any]: ...

    recorder: Recorder | None = None
    recording_status: str = ""
    recording_error: str | None = None
    """Why this session's recording stopped (kept for the reasons screen once the toast is gone)."""
    _last_ranking: dict[str, Any] | None = None
    recording_line: str | None = None
    """What the command line prints once the terminal is back: the recording failed or was cut short."""
    records: bool = False
    """This cockpit is one that records (a live one); a replay, which never does, says nothing about it."""

    def _start_recording(self) -> None:
        """After the runbook's setup (the audit log is known), before the first poll's frames."""
        self.records = True
        settings = self.settings
        if not settings.record:
            return
        connection = self.connection
        wall = datetime.now(timezone.utc)  # file names and retention go by this machine's clock
        if settings.record_path:
            path = Path(settings.record_path).expanduser()
        else:
            path = new_recording_path(connection.context, connection.namespace, wall, os.getpid(), demo=settings.demo)
        audit_path = getattr(self, "audit_path", None)
        identity = local_identity()
        meta = RecordingMeta(
            context=connection.context,
            namespace=connection.namespace,
            server=connection.server,
            started_at=self.clock(),
            user=f"{connection.user} ({identity})" if connection.user else identity,
            memtui_version=__version__,
            refresh_s=settings.refresh,
            threshold_bytes=settings.threshold_bytes,
            read_only=settings.read_only,
            demo_scenario=settings.scenario if settings.demo else None,
            audit_log=str(audit_path) if audit_path is not None else None,
            pid=os.getpid(),
        )
        self.recorder = Recorder(path, meta, before_open=partial(prune, settings.record_retention_days, now=wall),
                                 prepare=RecordingMasks()).start()
        self._show_recording("on")
        if self.executor is not None:  # the listener is bound to this cluster's recorder (it runs in workers)
            self.executor.audit.add_listener(partial(self._record_audit, self.recorder))
        self.set_interval(1.0, self.in_this_session(self.check_recording))  # shown even between slow refreshes

    def record_frame(self, kind: str, source: str = "", payload: Any = None) -> None:
        """One fold, as it happens (main thread); the writer thread masks what may hold a secret
        (``RecordingMasks``)."""
        recorder = self.recorder
        if recorder is not None:
            recorder.record(Frame(0, self.clock(), kind, source, payload))
            self.check_recording()

    def record_ranking(self) -> None:
        """A ``ranking`` frame when the ranking says something new (its computed time aside)."""
        if self.recorder is None:
            return
        record = self.ranking.to_record()
        compared = {k: v for k, v in record.items() if k != "computed_at"}
        if compared != self._last_ranking:
            self._last_ranking = compared
            self.record_frame("ranking", "", record)

    def _record_audit(self, recorder: Recorder, entry: AuditEntry) -> None:
        """The audit log's listener: runs on the worker thread that wrote ``entry`` (the queue is thread-safe)."""
        recorder.record(Frame(0, self.clock(), "audit", entry.kind, entry.to_json()))

    def check_recording(self) -> None:
        """Main thread: say once, loudly, that recording stopped; the header and reasons keep saying it."""
        recorder = self.recorder
        if recorder is None or self.recording_error is not None:
            return
        error = recorder.error
        if error is not None:
            self.recording_error = error
            self._show_recording("failed")
            where = f" ({self.connection.context})" if self.multi_context else ""
            toast(self, f"recording{where} stopped, the cockpit goes on: {error}", title="flight recorder",
                  severity="error", timeout=15)

    def _show_recording(self, status: str) -> None:
        self.recording_status = status
        if self.session is self.displayed:  # another cluster's shows when its tab is on screen
            self.query_one(IncidentHeader).recording = status

    def recording_text(self) -> Text | None:
        """For the reasons screen: where this session is recorded, or why not (None: a cockpit
        that never records, e.g. a replay)."""
        text = Text("recording\n", style="bold")
        recorder = self.recorder
        if not self.records:
            return None
        if recorder is None:
            text.append("  off (--no-record / record = false)", style=role("muted"))
        elif self.recording_error is not None:
            text.append("  stopped: ", style=role("bold warn")).append_text(plain(self.recording_error, role("warn")))
        else:
            text.append("  ● recording to ", style=role("ok")).append_text(plain(str(recorder.path)))
        return text

    def close_recording(self) -> None:
        """At quit: flush what is queued and join the writer (bounded: never hangs the exit)."""
        recorder = self.recorder
        if recorder is None:
            return
        finished = recorder.close(timeout=5.0)
        error = recorder.error
        line = None
        if error is not None:
            line = f"memtui: the session was not fully recorded: {error}"
        elif not finished:
            line = (f"memtui: recording {recorder.path}: the last frames were not written within "
                    "5 s of quitting (the file holds everything before them)")
        if line is not None:  # one line per cluster whose recording fell short
            self.recording_line = line if self.recording_line is None else f"{self.recording_line}\n{line}"
