"""Drawn lines kept by row, for the panes drawn with the Line API (pods, events).

A refresh hands an unchanged row over as the same object; its line is drawn again only when the
row or what else the line shows (width, cursor, focus, an age) changed.  A theme or focus change
clears it (``notify_style_update``): every line in its new colours."""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip


class RowLineCache:
    """Row object → (the row, what else the line shows, the line); bounded by the screen's height."""

    def __init__(self) -> None:
        self._lines: dict[int, tuple[object, Hashable, Strip]] = {}

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

    def __len__(self) -> int:
        return len(self._lines)
