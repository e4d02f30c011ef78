"""Polling without overlap: a one-shot thread worker per poll, re-armed by a timer when done.

An endless loop in a thread worker keeps the process alive after quit (textual#3966) and lets
polls pile up behind a slow backend; a one-shot worker re-armed after it finished does neither:
a backend slower than the interval stretches the interval instead.  Failures back off
(interval × 2ⁿ, capped) and the source recovers by itself when the backend comes back.
Each source has its own worker group, since ``exclusive`` only cancels within a group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.timer import Timer

from memtui.messages import SourceRefreshed
from memtui.sources.errors import SourceError, describe_failure


class Poller:
    def __init__(
        self,
        app: App,
        source: str,
        fetch: Callable[[], Any],
        interval: float,
        *,
        max_backoff: float = 30.0,
    ) -> None:
        self.app = app
        self.source = source
        self.fetch = fetch
        self.interval = interval
        self.max_backoff = max_backoff
        self.failures = 0
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
        self._timer = self.app.set_timer(self.next_delay, self.start, name=f"poll:{self.source}")

    @property
    def next_delay(self) -> float:
        """The interval, or after failures interval × 2ⁿ⁻¹ capped at ``max_backoff``."""
        if not self.failures:
            return self.interval
        return min(self.max_backoff, self.interval * 2 ** min(self.failures - 1, 5))

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
