"""The cockpit's footer: Textual's, rebuilt only when the keys it shows change.

Textual's ``Footer`` recomposes (every key unmounted and mounted again) at each change of the
screen's bindings, which is every focus change: ``/`` and its Esc, a modal opening and closing.
At 20,000 pods that rebuild was a tenth of the main thread's time while keys were typed (py-spy:
``FooterKey._watch_compact`` in 106 of 1,016 samples), the same row of keys each time, and
``/`` hides the footer anyway (its prompt takes the footer's row).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class CockpitFooter(Footer):
    """A ``Footer`` that keeps its keys while the ones it would show are the same, and leaves
    them be while it is hidden (it looks again when it is shown)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._composed: tuple[Hashable, ...] | None = None
        """What the keys on screen were composed from (None: not composed yet)."""
        self._changed_while_hidden = False

    def _keys_shown(self) -> tuple[Hashable, ...]:
        """Everything of the screen's active bindings that ``Footer.compose`` draws."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple((key, binding.key_display, binding.description, binding.action, enabled, tooltip,
                      binding.tooltip, id(binding.group))
                     for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                     if binding.show or key == palette)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._keys_shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen:
            if not self.display:
                self._changed_while_hidden = True
                return
            if self._keys_shown() == self._composed:
                return
        super().bindings_changed(screen)

    def on_show(self) -> None:
        if self._changed_while_hidden:
            self._changed_while_hidden = False
            self.bindings_changed(self.screen)
