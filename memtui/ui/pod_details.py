"""Enter on a pod: its details screen, kept live, and back to the same pod on Esc.

A mixin of the app (as ``RunbookActionsMixin`` is), so the app module only wires it: the screen
gets the pod's details derived from the state (no request), the ranking's facts about the pod,
and a bound log read that the screen runs once in a thread worker.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from memtui.reasoning.model import CauseRanking, Fact
from memtui.sources.pod_logs import PodLogReader
from memtui.state.pod_details import pod_details
from memtui.widgets.pod_details_screen import PodDetailsScreen
from memtui.widgets.pod_table import PodTable

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from textual.app import App

    from memtui.clients.kube.connection import KubeConnection
    from memtui.config.settings import Settings
    from memtui.state.cockpit import CockpitState

    _AppBase = App[None]
else:
    _AppBase = object


class PodDetailsMixin(_AppBase):
    """For ``MemtuiApp``: open the details on ``PodTable.DetailsRequested``, refresh them while open."""

    settings: Settings
    connection: KubeConnection
    state: CockpitState
    clock: Callable[[], datetime]
    ranking: CauseRanking
    _log_reader: PodLogReader | None = None

    if TYPE_CHECKING:  # MemtuiApp's own, used here
        def _after_modal(self) -> None: ...

    def _facts_for(self, pod: str) -> tuple[Fact, ...]:
        ranking = getattr(self, "ranking", None)
        return tuple(ranking.facts_for_pod(pod)) if ranking is not None else ()

    def open_pod_details(self, pod: str) -> None:
        details = pod_details(self.state, pod)
        containers = tuple(c.name for c in details.containers)
        if self._log_reader is None:
            self._log_reader = PodLogReader(self.connection, timeout=self.settings.request_timeout)
        fetch = partial(self._log_reader.read, pod, containers) if containers else None
        self.push_screen(PodDetailsScreen(details, facts=self._facts_for(pod), fetch_logs=fetch, now=self.clock),
                         callback=self._pod_details_closed)

    def _pod_details_closed(self, pod: Any) -> None:
        self._after_modal()
        if isinstance(pod, str):
            self.query_one(PodTable).select_pod(pod)

    def push_pod_details(self) -> bool:
        """The latest figures to an open details screen; False when none is open."""
        screen = self.screen
        if not isinstance(screen, PodDetailsScreen):
            return False
        screen.show_live(pod_details(self.state, screen.pod), self._facts_for(screen.pod))
        return True
