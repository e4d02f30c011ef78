"""``AuditLog``: what the executor calls around every runbook action.

Order for a mutating action::

    intent_id = log.intent(...)   # durable before the call; raises AuditError if it is not
    ... the API call ...
    log.result(intent_id, ...)    # outcome, duration, response summary, previous values
    ... some refreshes later ...
    log.effect(intent_id, ...)    # did memory actually drop?

If memtui dies between ``intent`` and ``result`` the intent stays in the file and the export marks
the action "outcome unknown": the change may have been applied, and nobody can claim otherwise.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import threading
import uuid
from contextlib import suppress
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from memtui.audit import writer
from memtui.audit.canonical import entry_hash, to_jsonable
from memtui.audit.entry import FIELD_ORDER, RESULT_OUTCOMES, AuditEntry
from memtui.audit.errors import AuditError
from memtui.audit.head import ChainPosition
from memtui.audit.reader import load_entries
from memtui.audit.redact import redact
from memtui.audit.times import format_time, utc_now

_STRUCTURAL = frozenset({"seq", "id", "time", "kind", "refers_to", "prev_hash", "hash"})
"""Keys memtui itself fills in; everything else came from the caller and is redacted."""


def local_identity() -> str:
    """``alice@laptop``: who ran memtui on which machine, next to the kube identity it used."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container uid with no passwd entry and no $USER
        user = f"uid{os.getuid()}"
    return f"{user}@{socket.gethostname()}"


class AuditLog:
    """The audit file of one kube context and namespace.

    Thread-safe (Textual thread workers may audit concurrently) and process-safe (the file lock).
    Every method returns only after the entry is on disk.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        context: str,
        namespace: str,
        user: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        lock_timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self.context = context
        self.namespace = namespace
        identity: dict[str, str] = {"os": local_identity()}
        if user:
            identity = {"kube": user, **identity}
        self._user = identity
        self._clock = clock
        self._lock_timeout = lock_timeout
        self._thread_lock = threading.Lock()
        self._warnings: list[str] = []
        self._intents: dict[str, str | None] = {}
        """intent id -> action, for results/effects written by this process."""
        self._resulted: set[str] = set()
        self._positions: dict[str, ChainPosition] = {}
        """intent id -> where it sits in the chain, for the Event that names it."""
        self._listeners: list[Callable[[AuditEntry], None]] = []
        try:
            writer.ensure_private_dir(self.path.parent)
        except OSError as exc:
            raise AuditError(f"cannot create audit log {self.path}: {exc.strerror or exc}") from None
        writer.initialise(self.path, warnings=self._warnings, lock_timeout=lock_timeout)  # 0600, never truncated

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things the operator should know (a log that was readable by others, and was tightened)."""
        return tuple(self._warnings)

    def add_listener(self, listener: Callable[[AuditEntry], None]) -> None:
        """Call ``listener`` with each entry this process writes, once it is on disk (the flight
        recorder's ``audit`` frames).  It runs on the writing thread, a worker's, under the log's
        thread lock (so listeners see entries in file order): it must be quick and must not
        write to this log.  An exception in it is dropped: the entry is written, the action goes on."""
        with self._thread_lock:
            self._listeners.append(listener)

    # -- the entries ---------------------------------------------------------------------------

    def intent(
        self,
        *,
        action: str,
        target: Mapping[str, Any],
        parameters: Mapping[str, Any] | None = None,
        request: Mapping[str, Any] | None = None,
        dry_run: Mapping[str, Any] | None = None,
        reason: str | None = None,
        before: Mapping[str, Any] | None = None,
        kubectl: str | None = None,
        ranking: Mapping[str, Any] | None = None,
    ) -> str:
        """Record what is about to be done; returns the id that ``result``/``effect`` refer to.

        ``ranking`` is the cause ranking the action was chosen under (causes, confidences, the
        facts with their sources, gaps); redacted like every other field (facts quote logs).

        Raises ``AuditError`` if the entry could not be written: do not make the call then.
        """
        _require_action(action)
        entry = self._append(
            "intent",
            action=action,
            target=target,
            parameters=parameters,
            request=request,
            kubectl=kubectl,
            dry_run=dry_run,
            reason=reason,
            ranking=ranking,
            before=before,
        )
        with self._thread_lock:
            self._intents[entry.id] = action
        return entry.id

    def position(self, intent_id: str) -> ChainPosition | None:
        """Where an intent written by this process sits in the chain (for its ``MemtuiAction`` Event)."""
        with self._thread_lock:
            return self._positions.get(intent_id)

    def result(
        self,
        intent_id: str,
        *,
        outcome: str,
        duration_s: float | None = None,
        response: Mapping[str, Any] | None = None,
        error: str | None = None,
        previous: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record how the call went: ``success``, ``failure`` (with ``error``) or ``refused``."""
        if outcome not in RESULT_OUTCOMES:
            raise AuditError(f"result outcome must be one of {', '.join(RESULT_OUTCOMES)}, not {outcome!r}")
        _require_id(intent_id)
        _require_duration(duration_s)
        with self._thread_lock:
            if intent_id in self._resulted:
                raise AuditError(f"a result for intent {intent_id} was already recorded")
            action = self._intents.get(intent_id)
        entry = self._append(
            "result",
            refers_to=intent_id,
            action=action,
            outcome=outcome,
            duration_s=duration_s,
            error=error,
            response=response,
            previous=previous,
        )
        with self._thread_lock:
            self._resulted.add(intent_id)
        return entry

    def effect(
        self,
        intent_id: str,
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        summary: str | None = None,
    ) -> AuditEntry:
        """Record what the action did to the system, measured some refreshes after it."""
        _require_id(intent_id)
        with self._thread_lock:
            action = self._intents.get(intent_id)
        return self._append(
            "effect",
            refers_to=intent_id,
            action=action,
            before=before,
            after=after,
            summary=summary,
        )

    def read(
        self,
        *,
        action: str,
        target: Mapping[str, Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        outcome: str = "success",
        duration_s: float | None = None,
        output_summary: str | None = None,
        artifact: str | Path | None = None,
        error: str | None = None,
        ranking: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record a read-only diagnose step: one entry, after it ran (nothing to be unsure about);
        ``ranking`` as for ``intent`` (what the step was meant to settle)."""
        _require_action(action)
        if outcome not in RESULT_OUTCOMES:
            raise AuditError(f"read outcome must be one of {', '.join(RESULT_OUTCOMES)}, not {outcome!r}")
        _require_duration(duration_s)
        return self._append(
            "read",
            action=action,
            target=target,
            parameters=parameters,
            outcome=outcome,
            duration_s=duration_s,
            error=error,
            summary=output_summary,
            artifact=str(artifact) if artifact is not None else None,
            ranking=ranking,
        )

    def note(self, text: str) -> AuditEntry:
        """Free text from the operator ("INC-1234: paged DB team"), in the timeline at its time."""
        if not isinstance(text, str) or not text.strip():
            raise AuditError("a note needs some text")
        return self._append("note", text=text)

    def entries(self) -> list[AuditEntry]:
        """Every complete entry in the file, in file order (other processes' included)."""
        return list(load_entries(self.path).entries)

    # -- writing ---------------------------------------------------------------------------------

    def _append(self, kind: str, **fields: Any) -> AuditEntry:
        payload = {k: v for k, v in fields.items() if v is not None}
        clean = redact(to_jsonable(payload))
        entry_id = uuid.uuid4().hex
        built: list[dict[str, Any]] = []

        def build_line(tip: writer.ChainTip) -> bytes:
            obj: dict[str, Any] = {
                "seq": tip.seq + 1,
                "id": entry_id,
                "time": format_time(self._clock()),
                "kind": kind,
                "user": redact(to_jsonable(self._user)),
                "context": self.context,
                "namespace": self.namespace,
                **{k: v for k, v in clean.items() if k not in _STRUCTURAL},
                "refers_to": fields.get("refers_to"),
                "prev_hash": tip.hash,
            }
            obj = {k: obj[k] for k in FIELD_ORDER if obj.get(k) is not None}
            obj["hash"] = entry_hash(obj)
            built.append(obj)
            text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            return text.encode("utf-8") + b"\n"

        with self._thread_lock:
            position = writer.append(self.path, build_line, warnings=self._warnings, lock_timeout=self._lock_timeout)
            if kind == "intent":
                self._positions[entry_id] = position
            entry = AuditEntry.from_json(built[-1])
            for listener in self._listeners:
                with suppress(Exception):  # the audit contract holds whatever a listener does
                    listener(entry)
        return entry


def _require_action(action: object) -> None:
    if not isinstance(action, str) or not action.strip():
        raise AuditError("an audited action needs a non-empty action id")


def _require_id(intent_id: object) -> None:
    if not isinstance(intent_id, str) or not intent_id:
        raise AuditError("result and effect entries need the id that intent() returned")


def _require_duration(duration_s: object) -> None:
    if duration_s is None:
        return
    if isinstance(duration_s, bool) or not isinstance(duration_s, int | float) or duration_s < 0:
        raise AuditError(f"duration_s must be a non-negative number of seconds, not {duration_s!r}")
