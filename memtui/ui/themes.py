"""memtui's themes, the ``--theme`` setting applied, and ``NO_COLOR`` honoured.

Every colour memtui draws is a theme variable (``$error``, ``$text-warning``, the block cursor…):
widgets name roles (``widgets/roles.py``) or CSS component classes, never colours.  So a theme
is all it takes to recolour the cockpit, and the high-contrast one below exists for bright
rooms, projectors and eyes that need it: white on black, saturated signal colours, and a
selected row drawn black on white.

``NO_COLOR`` (https://no-color.org): set and not empty, memtui draws no colour at all, only
bold, reverse and underline.  Textual alone greys colours out (its Monochrome filter) and also
does so for an empty ``NO_COLOR``, which the convention says to ignore.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from textual.app import App
from textual.filter import LineFilter, Monochrome, NoColor
from textual.theme import Theme

from memtui.config.settings import THEMES

HIGH_CONTRAST = Theme(
    name="memtui-high-contrast",
    primary="#5FAFFF",
    secondary="#FFFFFF",
    accent="#00FFFF",
    warning="#FFFF00",
    error="#FF5F5F",
    success="#00FF5F",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#262626",
    boost="#FFFFFF20",
    dark=True,
    variables={
        "block-cursor-background": "#FFFFFF",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#808080",
        "block-cursor-blurred-foreground": "#000000",
        "memtui-muted": "#D0D0D0",
        "memtui-banner-text": "#000000",
        "footer-key-foreground": "#FFFF00",
        "footer-description-foreground": "#FFFFFF",
        "border": "#FFFFFF",
        "input-selection-background": "#5FAFFF 50%",
    },
)
"""White on black; signal colours at full saturation; the selected row black on white."""

MEMTUI_THEMES: Sequence[Theme] = (HIGH_CONTRAST,)
"""Themes memtui registers on top of Textual's own."""

DEFAULT_THEME = "textual-dark"

_NO_COLOR = NoColor()


def no_color_requested(environ: Mapping[str, str] | None = None) -> bool:
    """``NO_COLOR`` set to anything but the empty string (the no-color.org rule)."""
    env = os.environ if environ is None else environ
    return bool(env.get("NO_COLOR"))


class ThemedApp(App[None]):
    """An App that registers memtui's themes, selects the configured one, and draws no colour
    at all when ``NO_COLOR`` asks for that."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for theme in MEMTUI_THEMES:
            self.register_theme(theme)
        # Textual read NO_COLOR itself, presence only; the convention ignores an empty value
        self.no_color = no_color_requested()

    def use_theme(self, name: str) -> None:
        """Select a theme by name (settings validated it against ``THEMES``)."""
        if name not in self.available_themes:
            raise ValueError(f"unknown theme {name!r}; available: {', '.join(sorted(self.available_themes))}")
        self.theme = name

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, with its greyscale stand-in for NO_COLOR replaced by no colour."""
        filters = [f for f in super().get_line_filters() if not isinstance(f, (Monochrome, NoColor))]
        return [*filters, _NO_COLOR] if self.no_color else filters


__all__ = ["DEFAULT_THEME", "HIGH_CONTRAST", "MEMTUI_THEMES", "THEMES", "ThemedApp", "no_color_requested"]
