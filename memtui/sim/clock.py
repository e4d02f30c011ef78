"""Simulated time.

Internally every time is a float of seconds relative to the simulator's epoch
(the wall clock at start, truncated to the second). Keeping model arithmetic
relative to the epoch is what makes a seed reproducible: two runs started at
different wall times compute identical memory at identical relative times.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone


class SimClock:
    """now = epoch + wall elapsed x speed + everything ``advance`` added."""

    def __init__(self, speed: float, epoch: datetime | None = None) -> None:
        if epoch is None:
            epoch = datetime.now(timezone.utc).replace(microsecond=0)
        self.epoch: datetime = epoch
        self.epoch_ts: float = epoch.timestamp()
        self.speed = speed
        self._wall0 = time.monotonic()
        self._advanced = 0.0

    def now(self) -> float:
        """Simulated seconds since the epoch."""
        return (time.monotonic() - self._wall0) * self.speed + self._advanced

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._advanced += seconds

    def to_datetime(self, rel: float) -> datetime:
        return datetime.fromtimestamp(self.epoch_ts + rel, timezone.utc)

    def from_datetime(self, dt: datetime) -> float:
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.timestamp() - self.epoch_ts

    def unix(self, rel: float) -> float:
        return self.epoch_ts + rel

    def iso(self, rel: float) -> str:
        """RFC 3339 with second precision, as the API server writes metav1.Time."""
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(self.epoch_ts + rel)))

    def iso_micro(self, rel: float) -> str:
        """metav1.MicroTime, used by Event.eventTime and managedFields."""
        dt = self.to_datetime(rel)
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration, so AGE columns read as kubectl's."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rem = s % 60
        return f"{minutes}m" if rem == 0 else f"{minutes}m{rem}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def short_duration(seconds: float) -> str:
    """Go's time.Duration.String() rounded to whole seconds ("1m30s"), used in logs and messages."""
    s = int(round(seconds))
    return str(timedelta(seconds=s)) if s >= 86400 else _go_dur(s)


def _go_dur(s: int) -> str:
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h}h{m}m{sec}s"
    if m:
        return f"{m}m{sec}s"
    return f"{sec}s"
