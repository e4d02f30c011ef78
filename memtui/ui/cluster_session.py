"""One cluster the cockpit watches: its connection, sources, state, ranking, pollers, runbook and recorder.

``memtui --context a,b`` watches several clusters at once; each is a ``ClusterSession`` and the
app shows one of them at a time.  What belongs to a cluster lives here, so nothing of cluster b
can reach cluster a by accident: its pollers fold into its own state, its executor talks to its
own API server and writes its own audit log, its recorder records only it.  The app reads and
writes the session it works for through ``SessionAttribute`` (``app.state`` is the session's),
which is how the mixins written for one cluster keep working unchanged for several.

A session is a plain object of the main thread: workers get what they need from it as
arguments (the executor, a recorder), never the session itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from memtui.localfiles import sanitise
from memtui.reasoning.model import CauseRanking
from memtui.state.cockpit import CockpitState

if TYPE_CHECKING:
    from memtui.clients.kube.connection import KubeConnection
    from memtui.config.settings import Settings
    from memtui.executor import Effect, Executor, Outcome
    from memtui.executor.effects import ActionMark
    from memtui.recording.recorder import Recorder
    from memtui.sources.bundle import SourceBundle
    from memtui.sources.pod_logs import PodLogReader
    from memtui.ui.polling import Poller

T = TypeVar("T")


class ClusterSession:
    """Everything the cockpit keeps for one kube context (and its namespace)."""

    def __init__(self, settings: Settings, connection: KubeConnection, sources: SourceBundle,
                 clock: Callable[[], datetime]) -> None:
        self.settings = settings
        """The settings for this context (``context`` is its name)."""
        self.connection = connection
        self.sources = sources
        self.state = CockpitState(threshold_bytes=settings.threshold_bytes, clock=clock)
        self.ranking: CauseRanking = CauseRanking.priors_only()
        self.pollers: dict[str, Poller] = {}
        # the runbook's side (ui/runbook_actions.py sets these up)
        self.executor: Executor | None = None
        self.audit_path: Path | None = None
        self.permissions: dict[str, Any] = {}
        self.outcomes: list[Outcome] = []
        self.effects: list[Effect] = []
        self._effects_pending: dict[str, Outcome] = {}
        self._effects_started: dict[str, Outcome] = {}
        self._samples_before: dict[str, dict[str, tuple[tuple[float, float], ...]]] = {}
        self.action_marks: list[ActionMark] = []
        self.forecast_watch: Any = None
        self._log_reader: PodLogReader | None = None
        # the flight recorder's (ui/recording.py)
        self.recorder: Recorder | None = None
        self.recording_error: str | None = None
        self.recording_status = ""
        """What the header's recording mark says for this cluster ("on", "failed")."""
        self._last_ranking: dict[str, Any] | None = None
        # the view, kept while another cluster is on screen
        self.cursor_pod: str | None = None
        self.filter_text = ""

    @property
    def name(self) -> str:
        """The kube context, as the operator named it."""
        return self.connection.context

    def over_threshold(self) -> int:
        """Pods over the alert threshold now (the tab's badge)."""
        return sum(1 for row in self.state.rows if row.over_threshold)

    def stale(self) -> bool:
        """The cluster's own API does not answer (the Kubernetes source failed last)."""
        health = self.state.health.get("kubernetes")
        return health is not None and health.stale


def per_context_path(path: str | None, context: str) -> str | None:
    """``--audit-log x/audit.jsonl`` with several contexts: ``x/audit.prod-eu.jsonl`` for
    ``prod-eu``, one file each (an audit log is locked by the memtui writing it, and each file
    names one context in its entries)."""
    if not path:
        return path
    given = Path(path)
    return str(given.with_name(f"{given.stem}.{sanitise(context)}{given.suffix}"))


class SessionAttribute(Generic[T]):
    """An app attribute that is the current session's (``app.state`` is ``app.session.state``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, app: None, owner: type) -> SessionAttribute[T]: ...
    @overload
    def __get__(self, app: object, owner: type) -> T: ...

    def __get__(self, app: object | None, owner: type) -> SessionAttribute[T] | T:
        if app is None:
            return self
        return getattr(app.session, self.name)  # type: ignore[attr-defined]

    def __set__(self, app: object, value: T) -> None:
        setattr(app.session, self.name, value)  # type: ignore[attr-defined]
