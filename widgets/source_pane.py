"""A source pane's frame: its title, and on its border how fresh its figures are.

Every pane of the cockpit shows the same chrome for the source that feeds it: ``updated
12:03:41``, ``stale since 12:03:41: <reason>`` (with the ``-stale`` class, which app.tcss styles),
``off`` or ``connecting…``.  One widget, composed around each pane's content, so that the texts
and the rules (the reason cut to the border's one line with the key that shows it whole) have
one home.
"""

from __future__ import annotations

from datetime import datetime

from memtui.widgets.outside_text import first_line, plain, visible
from rich.text import Text
from textual.containers import Vertical

from memtui.state.cockpit import SourceHealth

SUBTITLE_MARGIN = 6
"""Border corners and padding around a pane's subtitle."""
REASON_WIDTH_UNKNOWN = 100
"""Where a reason is cut before the pane has a size."""


def clock_text(when: datetime | None) -> str:
    """A source's last good poll as the panes show it (local time), or ``start`` if none yet."""
    return when.astimezone().strftime("%H:%M:%S") if when else "start"


def empty_text(health: SourceHealth, waiting: str) -> str:
    """What a pane without figures says: why its source is off, why it fails, or ``waiting``."""
    if not health.enabled:
        return health.detail
    return health.error or waiting


class SourcePane(Vertical):
    """A pane (class ``pane``) whose border says what its source is and how fresh it is."""

    def __init__(self, *children, title: str = "", reasons_key: str = "H", show_detail: bool = False,
                 id: str | None = None, classes: str = "pane") -> None:
        """``reasons_key``: the key that shows a reason whole (named when one is cut);
        ``show_detail``: an up-to-date source's detail (requests, duration) follows ``updated``."""
        super().__init__(*children, id=id, classes=classes)
        self.pane_title = title
        self.reasons_key = reasons_key
        self.show_detail = show_detail
        if title:
            self.border_title = title

    def show_source(self, source: str | None) -> None:
        """The title, with where the figures come from (outside text: a Redis URL, a label)."""
        title = Text(self.pane_title)
        if source:
            title.append(" · ").append_text(plain(source, one_line=True))
        self.border_title = title

    def show_title(self, title: Text | str) -> None:
        """A title the pane's content composes itself (the pods pane's filter and sort)."""
        self.border_title = title

    def show_health(self, health: SourceHealth, also: SourceHealth | None = None) -> None:
        """Border subtitle: when it was updated, since when it is stale and why, or that it is off.

        ``also``: a second source some of the pane's figures come from; it makes the pane stale
        too.  The reason is outside text (an API error body, a Redis reply): drawn literally, and
        cut to the one line the border has; the ``reasons_key`` shows it in full.
        """
        problem = health if health.stale else (also if also is not None and also.stale else None)
        if problem is not None:
            self.border_subtitle = self._one_line(f"stale since {clock_text(problem.last_ok)}: ", problem.error or "")
            self.add_class("-stale")
            return
        self.remove_class("-stale")
        if not health.enabled:
            self.border_subtitle = "off"
        elif health.last_ok is None:
            self.border_subtitle = "connecting…"
        else:
            detail = f" · {health.detail}" if health.detail and self.show_detail else ""
            self.border_subtitle = self._one_line(f"updated {clock_text(health.last_ok)}", detail)

    def _one_line(self, head: str, reason: str) -> Text:
        """``head`` and the outside-text ``reason``, literal, cut to the border's one line with a
        pointer to the key that shows the whole of it."""
        room = (self.size.width - SUBTITLE_MARGIN if self.size.width else REASON_WIDTH_UNKNOWN) - len(head)
        reason = visible(reason, one_line=True)
        subtitle = Text(head)
        if Text(reason).cell_len <= room:
            return subtitle.append(reason)
        hint = f" · {self.reasons_key}: full reason"
        return subtitle.append(first_line(reason, max(10, room - len(hint)))).append(hint, style="dim")
