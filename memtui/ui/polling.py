"""Polling without overlap: a one-shot thread worker per poll, re-armed by a timer when done.

An endless loop in a thread worker keeps the process alive after quit (textual#3966) and lets
polls pile up behind a slow backend; a one-shot worker re-armed after it finished does neither:
a backend slower than the interval stretches the interval instead.  A failed poll is retried at
the same interval, without backoff: since polls never overlap, a failing backend never gets more
requests than a healthy one (a hung one gets fewer: each poll waits out its timeout), and the pane
is fresh again at the next refresh after the fault clears.  Exponential backoff (up to 30 s) kept
a Redis pane stale for many refreshes after a ``DEBUG SLEEP`` had ended.
A spec with ``after`` holds its first poll until that source's first full answer (or failure),
``FIRST_POLL_WAIT_AT_MOST`` at most: the first pods LIST gets the CPU first.
A snapshot that says it is ``partial`` (the first LIST of pods still under way: its progress) is
followed by the next poll at once (``PARTIAL_AGAIN``) rather than after the interval; that poll's
own wait paces it.
Each source has its own worker group, since ``exclusive`` only cancels within a group.
What a poll needs from the cockpit's state is computed on the main thread when it starts (the
spec's ``inputs``) and handed to the worker: a worker never reads main-thread state.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.app import App
from textual.timer import Timer

from memtui.clients.errors import SourceError, describe_failure
from memtui.sources.spec import SourceSpec
from memtui.ui.messages import SourceRefreshed

FIRST_POLL_WAIT_AT_MOST = 10.0
"""Seconds a spec with ``after`` waits at most for that source's first answer before its own first poll."""
PARTIAL_AGAIN = 0.05
"""Seconds before the poll after a partial snapshot (a Textual timer needs a delay above 0)."""


class Poller:
    def __init__(self, app: App, spec: SourceSpec, *, inputs: Callable[[], Any] | None = None,
                 origin: object = None) -> None:
        """``inputs`` runs on the main thread at each start; its result is ``spec.fetch``'s argument
        (None: skip this poll).  Without it, ``spec.fetch()`` takes no argument.  ``origin`` goes
        with every result (the cluster it was polled from, when the app watches several)."""
        assert spec.fetch is not None, f"{spec.name} is off: nothing to poll"
        self.app = app
        self.spec = spec
        self.source = spec.name
        self.fetch = spec.fetch
        self.inputs = inputs
        self.origin = origin
        self.interval = spec.interval
        self.retry_interval = spec.interval if spec.retry_interval is None else min(spec.interval, spec.retry_interval)
        self.failures = 0
        """Failed polls in a row (0 once one succeeds)."""
        self.in_flight = False
        self.partial = False
        """The last poll gave a partial snapshot: the next one starts at once."""
        self._timer: Timer | None = None
        self._stopped = False
        self.started = False
        """Its first poll has started (``hold`` delays it; ``release`` or the timer starts it)."""

    def start(self) -> None:
        """Poll now (unless a poll is already running)."""
        if self.in_flight or self._stopped:
            return
        self.started = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.inputs is None:
            work = self._work
        else:
            given = self.inputs()
            if given is None:  # nothing to ask yet: look again after the retry interval
                self._arm(self.retry_interval)
                return
            work = partial(self._work, given)  # the worker gets its inputs, never the state
        self.in_flight = True
        group = f"poll:{self.source}" if self.origin is None else f"poll:{id(self.origin)}:{self.source}"
        self.app.run_worker(work, name=f"poll:{self.source}", group=group, thread=True, exclusive=True, exit_on_error=False)

    def hold(self) -> None:
        """Delay the first poll until ``release`` (the source named by the spec's ``after``
        answered), or ``FIRST_POLL_WAIT_AT_MOST`` seconds, whichever comes first."""
        self._arm(FIRST_POLL_WAIT_AT_MOST)

    def release(self) -> None:
        """The source this one waits for answered: the first poll starts now, if it has not yet."""
        if not self.started:
            self.start()

    def _work(self, *given: Any) -> None:
        spec = self.spec
        self.partial = False
        try:
            data = self.fetch(*given)
        except SourceError as exc:
            self.app.post_message(SourceRefreshed(spec, error=exc.reason, origin=self.origin))
        except Exception as exc:  # noqa: BLE001 - a poll must never kill the app
            self.app.post_message(SourceRefreshed(spec, error=describe_failure(exc), origin=self.origin))
        else:
            if not isinstance(data, spec.snapshot):  # a programming error, shown where it happens
                error = f"internal: {spec.name} poll gave {type(data).__name__}, not {spec.snapshot.__name__}"
                self.app.post_message(SourceRefreshed(spec, error=error, origin=self.origin))
                return
            self.partial = bool(getattr(data, "partial", False))
            self.app.post_message(SourceRefreshed(spec, snapshot=data, origin=self.origin))

    def done(self, ok: bool) -> None:
        """Called by the app after it handled the result: arm the next poll (a one-shot spec stops
        after its first success)."""
        self.in_flight = False
        self.failures = 0 if ok else self.failures + 1
        if ok and self.spec.one_shot:
            self.stop()
        if self._stopped:
            return
        self._arm(PARTIAL_AGAIN if ok and self.partial else self.interval if ok else self.retry_interval)

    def _arm(self, delay: float) -> None:
        self._timer = self.app.set_timer(delay, self.start, name=f"poll:{self.source}")

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
