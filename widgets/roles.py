"""Text roles (``ok``, ``warn``, ``bad``, ``muted``…) as Rich styles taken from the running theme.

Widgets that build Rich ``Text`` (panes, modals, the header) say *what* a fragment is, never
which colour it has: ``role("bold bad")``.  The colour comes from the active app's theme
variables when the text is built, so ``--theme memtui-high-contrast`` (or any Textual theme)
recolours every pane, and no colour name lives in ``widgets/``.  The pods table does the same
through its CSS component classes (``pod-table--crit`` → ``$error``), which suits a widget that
renders its own lines.

Outside an app (a unit test formatting a plan) a role resolves to its text attributes only.
"""

from __future__ import annotations

from rich.style import Style
from textual._context import active_app
from textual.color import Color
from textual.markup import parse_style

ROLES = {
    "ok": "$text-success",
    "warn": "$text-warning",
    "bad": "$text-error",
    "accent": "$text-accent",
    "code": "$text-primary",
    "muted": "$memtui-muted",
    "alarm": "reverse $text-error",
    "banner": "$memtui-banner-text on $error",
}
"""Each role and the theme variables it is drawn with (Textual style syntax)."""

ATTRIBUTES = frozenset({"bold", "underline", "strike", "reverse", "italic"})
"""Words a role spec may add to roles: typography only, so no colour can be spelled here."""

MUTED_STRENGTH = 0.6
"""Muted text is the foreground at 60% over the surface (what ``$text-muted`` means in CSS)."""


class RoleError(ValueError):
    """A role spec named something that is neither a role nor a text attribute (a colour, say)."""


def theme_variables() -> dict[str, str] | None:
    """The running app's theme variables plus memtui's derived ones; None outside an app."""
    try:
        app = active_app.get()
    except LookupError:
        return None
    return _derived(app.theme_variables)


_DERIVED: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
"""Derived variables per theme-variables dict (Textual builds a new dict on each theme change);
the source dict is kept alongside so its id cannot be reused while cached."""


def _derived(source: dict[str, str]) -> dict[str, str]:
    cached = _DERIVED.get(id(source))
    if cached is not None and cached[0] is source:
        return cached[1]
    variables = dict(source)
    surface = Color.parse(variables.get("surface", "#000000"))
    foreground = Color.parse(variables.get("foreground", "#ffffff"))
    # a theme may set these itself (the high-contrast theme does); otherwise they are derived
    variables.setdefault("memtui-muted", surface.blend(foreground.with_alpha(1.0), MUTED_STRENGTH).hex)
    error = Color.parse(variables.get("error", "#ff0000"))
    variables.setdefault("memtui-banner-text", error.get_contrast_text(1.0).hex)
    if len(_DERIVED) > 16:
        _DERIVED.clear()
        _STYLES.clear()  # keyed by the ids of the dicts just dropped
    _DERIVED[id(source)] = (source, variables)
    return variables


def role(spec: str) -> Style:
    """``"bold warn"`` → a Rich style: role words take the theme's colours, attribute words add
    typography.  An unknown word raises RoleError (``role("red")`` is a bug, not a style)."""
    return _resolve(spec, theme_variables())


def _resolve(spec: str, variables: dict[str, str] | None) -> Style:
    words = spec.split()
    parts: list[str] = []
    for word in words:
        if word in ROLES:
            if variables is not None:
                parts.append(ROLES[word])
            elif word == "alarm":
                parts.append("reverse")
        elif word in ATTRIBUTES:
            parts.append(word)
        else:
            raise RoleError(f"{word!r} in style {spec!r} is not a role ({', '.join(ROLES)}) or {', '.join(sorted(ATTRIBUTES))}")
    if not parts:
        return Style()
    key = (id(variables), " ".join(parts))
    style = _STYLES.get(key)
    if style is None:
        if len(_STYLES) > 1024:
            _STYLES.clear()
        style = _STYLES[key] = parse_style(key[1], variables).rich_style
    return style


_STYLES: dict[tuple[int, str], Style] = {}
"""Parsed styles per (variables dict, spec): a pane asks for the same dozen on every render.
The variables dicts are the ones kept alive by ``_DERIVED`` (or None), so ids are stable."""
