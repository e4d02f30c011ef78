"""How a source declares itself to the cockpit: one ``SourceSpec`` per poll.

The app loops over the specs ``build_sources`` returns and creates one poller for each; the
state folds each snapshot by its type.  So adding a source is the source, its snapshot type (with
the ``CockpitState`` method that folds it) and one spec: no name-string branches in the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memtui.state.cockpit import CockpitState


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One poll: what it reads, how often, what it yields, and which pane's health it is.

    ``fetch`` runs in a worker thread.  It never reads the cockpit's state (that belongs to the
    main thread): what it needs from it, ``inputs`` computes on the main thread when the poll
    starts and the worker passes it to ``fetch``.  ``inputs`` returning None skips that poll
    (nothing to ask: the next one is armed as after a success).
    A spec with ``off`` set polls nothing: its pane says why it is off and how to turn it on.
    """

    name: str
    """The poll's name (its worker group, ``app.pollers`` key)."""
    snapshot: type
    """The snapshot type ``fetch`` yields; ``CockpitState.apply`` dispatches on it."""
    fetch: Callable[..., Any] | None = None
    """``fetch()``, or ``fetch(inputs)`` when ``inputs`` is set; raises ``SourceError`` on failure."""
    interval: float = 0.0
    """Seconds between polls (after one finishes: polls never overlap)."""
    retry_interval: float | None = None
    """Seconds before a retry after a failure (default ``interval``), for a rare poll that should retry soon."""
    one_shot: bool = False
    """Stops after its first success (the hourly backfill); ``r`` does not re-run it."""
    health: str = ""
    """The health entry its failures mark (default ``name``): the backfill's are Prometheus's."""
    inputs: Callable[[CockpitState], Any] | None = None
    """What ``fetch`` needs from the state, computed on the main thread when a poll starts."""
    after: str = ""
    """A source whose first answer this one's first poll waits for (its first full snapshot, or
    its failure), but never longer than ``ui.polling.FIRST_POLL_WAIT_AT_MOST``: the hour's backfill and the
    evidence would otherwise take the CPU (and the GIL) the first pods LIST needs, and delay the
    screen the operator opened memtui for; a hung API server delays them by that bound only."""
    off: str | None = None
    """Why the source is off (not configured, or not allowed): shown in its pane instead of figures."""

    @property
    def health_name(self) -> str:
        return self.health or self.name

    @classmethod
    def turned_off(cls, name: str, snapshot: type, why: str) -> SourceSpec:
        """A source that is not read this session, and the reason its pane gives."""
        return cls(name=name, snapshot=snapshot, off=why)
