"""Polling without overlap: a one-shot thread worker per poll, re-armed by a timer when done.

An endless loop in a thread worker keeps the process alive after quit (textual#3966) and lets
polls pile up behind a slow backend; a one-shot worker re-armed after it finished does neither:
a backend slower than the interval stretches the interval instead.  A failed poll is retried at
the same interval, without backoff: since polls never overlap, a failing backend never gets more
requests than a healthy one (a hung one gets fewer: each poll waits out its timeout), and the pane
is fresh again at the next refresh after the fault clears.  Exponential backoff (up to 30 s) kept
a Redis pane stale for many refreshes after a ``DEBUG SLEEP`` had ended.
Each source has its own worker group, since ``exclusive`` only cancels within a group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.timer import Timer

from memtui.ui.messages import SourceRefreshed
from memtui.clients.errors import SourceError, describe_failure


class Poller:
    def __init__(
        self,
        app: App,
        source: str,
        fetch: Callable[[], Any],
        interval: float,
        *,
        retry_interval: float | None = None,
    ) -> None:
        """``retry_interval`` (default: ``interval``) is the wait after a failed poll, for a source
        polled rarely (the hourly backfill) that should still retry soon."""
        self.app = app
        self.source = source
        self.fetch = fetch
        self.interval = interval
        self.retry_interval = interval if retry_interval is None else min(interval, retry_interval)
        self.failures = 0
        """Failed polls in a row (0 once one succeeds)."""
        self.in_flight = False
        self._timer: Timer | None = None
        self._stopped = False

    def start(self) -> None:
        """Poll now (unless a poll is already running)."""
        if self.in_flight or self._stopped:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.in_flight = True
        self.app.run_worker(
            self._work, name=f"poll:{self.source}", group=f"poll:{self.source}", thread=True, exclusive=True, exit_on_error=False
        )

    def _work(self) -> None:
        try:
            data = self.fetch()
        except SourceError as exc:
            self.app.post_message(SourceRefreshed(self.source, error=exc.reason))
        except Exception as exc:  # noqa: BLE001 - a poll must never kill the app
            self.app.post_message(SourceRefreshed(self.source, error=describe_failure(exc)))
        else:
            self.app.post_message(SourceRefreshed(self.source, data=data))

    def done(self, ok: bool) -> None:
        """Called by the app after it handled the result: arm the next poll."""
        self.in_flight = False
        self.failures = 0 if ok else self.failures + 1
        if self._stopped:
            return
        delay = self.interval if ok else self.retry_interval
        self._timer = self.app.set_timer(delay, self.start, name=f"poll:{self.source}")

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
