"""Lay the screen out again only when a pane's content changed shape, not at every refresh.

A ``height: auto`` pane whose data is set at every refresh with ``layout=True`` makes Textual lay
out and repaint the whole screen each time: at 5,000 pods that full repaint was ~160 ms of the
main thread per refresh, for figures that changed in place.  The number of lines and their widths
are what the layout depends on (the pane's width is the container's); while they stay, a repaint
of the pane alone is enough.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget


class FitsContent(Widget):
    """A widget that calls ``refit()`` when its data changed, instead of ``layout=True`` reactives."""

    _content_shape: tuple[int, ...] | None = None

    def refit(self) -> None:
        """Repaint; lay out again only when the lines (their count or a width) changed."""
        rendered = self.render()
        shape = tuple(cell_len(line) for line in rendered.plain.split("\n")) if isinstance(rendered, Text) else None
        if shape is None or shape != self._content_shape:
            self._content_shape = shape
            self.refresh(layout=True)
        else:
            self.refresh()
