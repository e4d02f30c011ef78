"""Key names a keymap may use: the ones Textual can deliver, spelt the way Textual spells them.

``App.set_keymap`` takes any string and binds it: a misspelt ``pgup``, a ``ctrl+enter`` that
terminals never send, or a literal ``/`` (Textual delivers ``slash``) gives a key that silently
never fires.  The names come from Textual itself (``textual.keys.Keys`` and the way
``Binding.make_bindings`` names single characters), so they follow the installed version.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from functools import lru_cache

from textual.binding import Binding, BindingType
from textual.keys import KEY_ALIASES, Keys

KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "Esc", "enter": "Enter", "pageup": "PgUp",
             "pagedown": "PgDn", "home": "Home", "end": "End", "up": "↑", "down": "↓", "left": "←", "right": "→",
             "space": "space"}
"""How a named key is shown to the operator (help screen, actions panel, hints)."""

PSEUDO_KEYS = {"<any>", "<scroll-up>", "<scroll-down>", "<ignore>", "ctrl-at"}
"""Members of ``Keys`` that are not keys a user presses."""


def canonical(key: str) -> str:
    """A single character as Textual names it (``/`` → ``slash``, ``?`` → ``question_mark``); other keys as given."""
    if len(key) != 1:
        return key
    return next(iter(Binding.make_bindings([Binding(key, "noop")]))).key


@lru_cache(maxsize=1)
def typed_characters() -> dict[str, str]:
    """Keys that type a character, by Textual's name: letters, digits, punctuation and space."""
    typed = string.ascii_letters + string.digits + string.punctuation.replace(",", "")
    names = {canonical(ch): ch for ch in typed}
    return names | {"space": " ", "comma": ","}  # "," separates a keymap's keys: no literal one


def character_keys() -> frozenset[str]:
    return frozenset(typed_characters())


@lru_cache(maxsize=1)
def deliverable_keys() -> frozenset[str]:
    """Every key name Textual can deliver from a terminal (modifier combinations included)."""
    named = {key.value for key in Keys if key.value not in PSEUDO_KEYS}
    aliases = {alias for names in KEY_ALIASES.values() for alias in names}
    return frozenset(named | aliases | character_keys())


def unknown_key_hint(key: str) -> str:
    """What to write instead of ``key``, for the message that refuses it."""
    lowered = key.lower()
    if lowered.startswith("shift+") and len(key) == 7 and key[6].isalpha():
        return f"an upper-case letter is written {key[6].upper()!r}"
    if lowered != key and lowered in deliverable_keys():
        return f"did you mean {lowered!r}?"
    return ("Textual key names: letters, digits, f1…f24, escape, enter, tab, space, backspace, up, down, "
            "pageup, pagedown, home, end, ctrl+a…ctrl+z, slash, question_mark…; stick to letters, digits "
            "and F-keys, some terminals never deliver ctrl+enter or alt+…")


@lru_cache(maxsize=1)
def text_field_keys() -> dict[str, str]:
    """Keys a focused ``Input`` takes for itself, and what each does there.

    A screen binding on one of these never fires while a text field has focus (the field handles
    the key first): Enter submits the field, a printable key types itself.
    """
    from textual.widgets import Input

    taken = {key: f"types {character!r}" for key, character in typed_characters().items()}
    for binding in Binding.make_bindings(Input.BINDINGS):
        taken.setdefault(binding.key, f"already means {binding.description!r}")
    return taken


def key_text(keys: str) -> str:
    """How a keymap entry is shown: ``question_mark,f1`` → ``? f1``; ``ctrl+f`` → ``^f``."""
    shown = []
    for key in keys.split(","):
        key = key.strip()
        # a named punctuation key is shown as the character it types (``left_square_bracket`` → ``[``)
        shown.append("^" + key[5:] if key.startswith("ctrl+") else KEY_NAMES.get(key) or typed_characters().get(key, key))
    return " ".join(shown)


def key_label(keys: str | None) -> str:
    """The first key of a keymap entry, shown as ``key_text`` shows it (``ctrl+f`` → ``^f``)."""
    if not keys:
        return ""
    return key_text(keys.split(",")[0])


def bound_key_label(keymap: Mapping[str, str], binding_id: str, defaults: Iterable[BindingType]) -> str:
    """The key the operator presses for ``binding_id``: the keymap's, else the default binding's
    (``defaults``: a class's ``BINDINGS``), shown as ``key_label`` shows it; the id if neither has it."""
    keys = keymap.get(binding_id)
    if keys:
        return key_label(keys)
    return next((key_label(b.key) for b in defaults if isinstance(b, Binding) and b.id == binding_id), binding_id)
