"""Drawn lines kept by row, for the panes drawn with the Line API (pods, events).

A refresh hands an unchanged row over as the same object; its line is drawn again only when the
row or what else the line shows (width, cursor, focus, an age) changed.  A change of the styles
every line is drawn with (a theme) clears it: every line in its new colours.  The events pane
clears it at every restyle (``notify_style_update``); the pods table only when those styles
changed (``drawn_with``), so a focus change draws its cursor's line again, not all 40."""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip


class RowLineCache:
    """Row object → (the row, what else the line shows, the line); bounded by the screen's height."""

    def __init__(self) -> None:
        self._lines: dict[int, tuple[object, Hashable, Strip]] = {}
        self._drawn_with: Hashable = None

    def get(self, row: object, key: Hashable) -> Strip | None:
        cached = self._lines.get(id(row))
        if cached is not None and cached[0] is row and cached[1] == key:
            return cached[2]
        return None

    def put(self, row: object, key: Hashable, strip: Strip, *, screen_height: int) -> None:
        if len(self._lines) > 4 * screen_height + 64:  # rows that left the screen
            self._lines.clear()
        self._lines[id(row)] = (row, key, strip)

    def clear(self) -> None:
        self._lines.clear()

    def drawn_with(self, styles: Hashable) -> None:
        """The styles every line is drawn with, told before lines are taken: when they changed,
        no line drawn with the last ones is handed out again."""
        if styles != self._drawn_with:
            self._drawn_with = styles
            self._lines.clear()

    def __len__(self) -> int:
        return len(self._lines)
