"""Key maps: TOML files of ``binding id = "keys"``, applied with ``App.set_keymap``.

Every binding in memtui has an id, so a user remaps keys without touching code (as in Posting).
The packaged ``keymaps/default.toml`` documents every id; a user file overrides it.  Mistakes
are reported with the file and line: an unknown id, a key Textual cannot deliver, a key bound to
two ids in the same scope, a modal key that the modal's text fields take for themselves.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from memtui.ui.key_names import canonical, deliverable_keys, text_field_keys, unknown_key_hint
from memtui.config.toml_lines import line_of


class KeymapError(ValueError):
    """A keymap file could not be used; the message names the file and line."""


ACTION_SCOPE = "runbook"
"""Runbook actions appear in conflict checks as binding ids ``runbook.<action id>``."""


@dataclass(frozen=True)
class Keymap:
    bindings: dict[str, str]
    """App and widget binding ids → keys (applied with ``App.set_keymap``)."""
    sources: dict[str, str]
    """Where each binding id's keys came from (``file:line``)."""
    actions: dict[str, str] = field(default_factory=dict)
    """Runbook action ids → keys (from the ``[actions]`` table)."""


def default_keymap_text() -> str:
    return files("memtui.keymaps").joinpath("default.toml").read_text(encoding="utf-8")


def _keys(value: object, where: str, name: str) -> str:
    """The keys of one entry, each a key Textual can deliver, named as Textual names it."""
    if not isinstance(value, str) or not value.strip():
        raise KeymapError(f"{where}: {name!r} must be a string of keys such as \"x\" or \"f5,x\"")
    keys = []
    for raw in value.split(","):
        key = raw.strip()
        if not key:
            raise KeymapError(f"{where}: {name!r} has an empty key in {value!r} (keys are separated by commas; "
                              "the comma key itself is \"comma\")")
        key = canonical(key)
        if key not in deliverable_keys():
            raise KeymapError(f"{where}: unknown key {key!r} for {name!r} ({unknown_key_hint(key)})")
        keys.append(key)
    return ",".join(keys)


def _parse(text: str, origin: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(bindings, actions, sources) of one keymap file; actions are keyed ``runbook.<id>`` in sources."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(f"{origin}: {exc}") from None
    unknown_tables = set(data) - {"bindings", "actions"}
    if unknown_tables:
        raise KeymapError(
            f"{origin}: unknown table(s) {', '.join(sorted(unknown_tables))}; use [bindings] and [actions]"
        )
    bindings: dict[str, str] = {}
    actions: dict[str, str] = {}
    sources: dict[str, str] = {}
    for table_name, target, prefix in (("bindings", bindings, ""), ("actions", actions, ACTION_SCOPE + ".")):
        table = data.get(table_name, {})
        if not isinstance(table, dict):
            raise KeymapError(f"{origin}: [{table_name}] must be a table")
        for name, keys in table.items():
            where = f"{origin}:{line_of(text, name)}"
            target[name] = _keys(keys, where, name)
            sources[prefix + name] = where
    return bindings, actions, sources


def load_keymap(
    user_path: str | Path | None, known_ids: set[str], action_ids: set[str] | None = None
) -> Keymap:
    """The default keymap with a user file laid over it; raises KeymapError on mistakes.

    ``action_ids`` are the runbook catalogue's ids: an ``[actions]`` entry naming another id is
    an error in a user file, and silently dropped from the default file (a user runbook may have
    removed or renamed the entry it bound).
    """
    bindings, actions, sources = _parse(default_keymap_text(), "keymaps/default.toml")
    if action_ids is not None:
        actions = {k: v for k, v in actions.items() if k in action_ids}
    if user_path is not None:
        path = Path(user_path).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise KeymapError(f"keymap {path}: is not UTF-8 text") from None
        except OSError as exc:
            raise KeymapError(f"keymap {path}: {exc.strerror}") from None
        user_bindings, user_actions, user_sources = _parse(text, str(path))
        for binding_id in user_bindings:
            if binding_id not in known_ids:
                raise KeymapError(f"{user_sources[binding_id]}: unknown binding id {binding_id!r}")
        for action_id in user_actions:
            if action_ids is not None and action_id not in action_ids:
                raise KeymapError(f"{user_sources[ACTION_SCOPE + '.' + action_id]}: unknown runbook action {action_id!r}")
        bindings.update(user_bindings)
        actions.update(user_actions)
        sources.update(user_sources)
    combined = dict(bindings)
    combined.update({f"{ACTION_SCOPE}.{k}": v for k, v in actions.items()})
    _check_conflicts(combined, sources)
    _check_text_field_screens(combined, sources)
    return Keymap(bindings, sources, actions)


def _scope(binding_id: str) -> str:
    return binding_id.split(".", 1)[0]


SCREENS = {"confirm": "confirm", "output": "output", "help": "help", "reasons": "reasons", "details": "details"}
"""Scopes that live on their own (modal) screen; every other scope is on the main screen."""
FOCUS_SCOPES = {"pods", "actions"}
"""Scopes of main-screen widgets whose keys are live only while that widget has focus: one of them at a
time (Enter opens a pod's details in the pods table and runs the action in the actions list)."""
REPLAY_SCOPE = "replay"
REPLAY_OVER_FOCUS = frozenset({"home", "end"})
"""Keys the replay cockpit's time cursor may take from the focused pods table or actions list:
there Home/End move in time (its bindings come first); any other shared key would be a mistake."""


def _clash(one: str, other: str, key: str = "") -> bool:
    a, b = _scope(one), _scope(other)
    if SCREENS.get(a, "main") != SCREENS.get(b, "main"):
        return False
    if key in REPLAY_OVER_FOCUS and {a, b} & {REPLAY_SCOPE} and {a, b} & FOCUS_SCOPES:
        return False
    return not (a in FOCUS_SCOPES and b in FOCUS_SCOPES and a != b)


def _check_conflicts(bindings: dict[str, str], sources: dict[str, str]) -> None:
    """A key bound to two ids active at once is an error: on the main screen app-wide keys, runbook
    action keys and the focused widget's keys are all live together; a modal has its own."""
    owners: dict[str, list[str]] = {}
    for binding_id, keys in bindings.items():
        for key in keys.split(","):
            for other in owners.get(key, []):
                if _clash(other, binding_id, key):
                    raise KeymapError(
                        f"{sources[binding_id]}: key {key!r} of {binding_id!r} is already bound to "
                        f"{other!r} ({sources[other]})"
                    )
            owners.setdefault(key, []).append(binding_id)


TEXT_FIELD_SCREENS = {"confirm": "the confirmation modal"}
"""Scopes whose screen holds text fields (the modal's parameters, Reason, the typed name)."""


def _check_text_field_screens(bindings: dict[str, str], sources: dict[str, str]) -> None:
    """A key that a focused text field takes for itself (Enter submits it, a letter types itself,
    ctrl+u deletes to the left) never reaches the screen's binding while a field has focus, and
    the modal opens with focus in a field: ``confirm.apply = "enter"`` could never apply."""
    taken = text_field_keys()
    for binding_id, keys in bindings.items():
        screen = TEXT_FIELD_SCREENS.get(_scope(binding_id))
        if screen is None:
            continue
        for key in keys.split(","):
            if key in taken:
                raise KeymapError(
                    f"{sources[binding_id]}: key {key!r} of {binding_id!r} cannot work in {screen}: in its text "
                    f"fields it {taken[key]}, so {binding_id!r} would never fire while a field has focus "
                    "(use a ctrl+ key the fields leave alone, such as ctrl+s, or an F-key)"
                )
