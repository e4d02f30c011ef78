"""The replay's time bar: where in the recording the screen is, and where the actions were.

Two lines under the header.  The first is the track: the recording's start and end times, the
runbook actions as numbered marks at their recorded times, the cursor (●), and at the left whether
it plays (▶ 10×) or is paused (❚❚ 10×).  The second says where the cursor stands ("refresh 37/120")
and what the last action at or before it was, with its result and effect as far as they were
recorded by then; while following a live recording, whether the screen is at the live end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from memtui.widgets.roles import role


@dataclass(frozen=True, slots=True)
class Mark:
    """One action on the track: its number (as the detail line names it) and recorded time."""

    number: int
    at: datetime


def clock(at: datetime | None) -> str:
    return at.astimezone(timezone.utc).strftime("%H:%M:%S") if at is not None else "--:--:--"


class TimeBar(Widget):
    """Start–end, the cursor, the actions as numbered marks, playing or paused, and the speed."""

    DEFAULT_CSS = """
    TimeBar {
        height: 2;
        background: $boost;
        padding: 0 1;
    }
    """

    start: reactive[datetime | None] = reactive(None)
    """The recording's first refresh."""
    end: reactive[datetime | None] = reactive(None)
    """Its last position (grows while following)."""
    cursor: reactive[datetime | None] = reactive(None)
    """The recorded time shown on screen."""
    marks: reactive[tuple[Mark, ...]] = reactive(())
    """The actions, numbered from 1."""
    playing: reactive[bool] = reactive(False)
    speed: reactive[float] = reactive(1.0)
    """Recorded seconds per second of playback."""
    following: reactive[bool | None] = reactive(None)
    """None: not following a live recording; True: at its live end; False: stepped back from it."""
    folding: reactive[int | None] = reactive(None)
    """Percent of the fold to the cursor done in the background; None: the screen is the cursor's."""
    detail: reactive[Text] = reactive(Text)
    """Where the cursor stands and the last action before it (plain text from the recording)."""

    def render(self) -> Text:
        width = max(30, self.size.width - 2)
        return Text("\n").join([self._track(width), self._second(width)])

    def _track(self, width: int) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        speed = f"{self.speed:g}×"
        if self.playing:
            line.append(f"▶ {speed:>4} ", style=role("bold ok"))
        else:
            line.append(f"❚❚ {speed:>4}", style=role("bold warn"))
        line.append(" ")
        start, end = clock(self.start), clock(self.end)
        line.append(start, style=role("muted")).append(" ")
        track = width - line.cell_len - len(end) - 1
        if track < 5:
            return line
        cells = [("─", role("muted"))] * track
        span = (self.end - self.start).total_seconds() if self.start and self.end else 0.0

        def column(at: datetime) -> int:
            if span <= 0 or self.start is None:
                return track - 1
            return min(track - 1, max(0, round((at - self.start).total_seconds() / span * (track - 1))))

        for mark in self.marks:
            label = str(mark.number)
            col = min(column(mark.at), track - len(label))
            for i, char in enumerate(label):
                cells[col + i] = (char, role("bold accent"))
        if self.cursor is not None:
            col = column(self.cursor)
            char, _ = cells[col]
            cells[col] = (char if char.isdigit() else "●", role("bold reverse accent") if char.isdigit() else role("bold"))
        for char, style in cells:
            line.append(char, style=style)
        line.append(" ").append(end, style=role("muted"))
        return line

    def _second(self, width: int) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.following is True:
            line.append("● live", style=role("bold ok")).append(" (following) ", style=role("muted"))
        elif self.following is False:
            line.append("following paused · End to go live", style=role("bold warn")).append(" ")
        if self.folding is not None:
            line.append(f"folding… {self.folding}%", style=role("bold warn")).append(" ")
        line.append_text(self.detail)
        line.truncate(width, overflow="ellipsis")
        return line
