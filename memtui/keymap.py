"""Key maps: TOML files of ``binding id = "keys"``, applied with ``App.set_keymap``.

Every binding in memtui has an id, so a user remaps keys without touching code (as in Posting).
The packaged ``keymaps/default.toml`` documents every id; a user file overrides it.  Mistakes
are reported with the file and line: an unknown id, a key bound to two ids in the same scope.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


class KeymapError(ValueError):
    """A keymap file could not be used; the message names the file and line."""


@dataclass(frozen=True)
class Keymap:
    bindings: dict[str, str]
    sources: dict[str, str]
    """Where each binding id's keys came from (``file:line``)."""


def default_keymap_text() -> str:
    return files("memtui.keymaps").joinpath("default.toml").read_text(encoding="utf-8")


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((f'"{key}"', f"'{key}'", f"{key} ", f"{key}=")):
            return number
    return 0


def _parse(text: str, origin: str) -> tuple[dict[str, str], dict[str, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(f"{origin}: {exc}") from None
    table = data.get("bindings", {})
    unknown_tables = set(data) - {"bindings"}
    if unknown_tables:
        raise KeymapError(f"{origin}: unknown table(s) {', '.join(sorted(unknown_tables))}; put keys under [bindings]")
    if not isinstance(table, dict):
        raise KeymapError(f"{origin}: [bindings] must be a table")
    bindings, sources = {}, {}
    for binding_id, keys in table.items():
        where = f"{origin}:{_line_of(text, binding_id)}"
        if not isinstance(keys, str) or not keys.strip():
            raise KeymapError(f"{where}: {binding_id!r} must be a string of keys such as \"x\" or \"f5,x\"")
        bindings[binding_id] = ",".join(k.strip() for k in keys.split(","))
        sources[binding_id] = where
    return bindings, sources


def load_keymap(user_path: str | Path | None, known_ids: set[str]) -> Keymap:
    """The default keymap with a user file laid over it; raises KeymapError on mistakes."""
    bindings, sources = _parse(default_keymap_text(), "keymaps/default.toml")
    if user_path is not None:
        path = Path(user_path).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KeymapError(f"keymap {path}: {exc.strerror}") from None
        user_bindings, user_sources = _parse(text, str(path))
        for binding_id, where in user_sources.items():
            if binding_id not in known_ids:
                raise KeymapError(f"{where}: unknown binding id {binding_id!r}")
        bindings.update(user_bindings)
        sources.update(user_sources)
    _check_conflicts(bindings, sources)
    return Keymap(bindings, sources)


def _scope(binding_id: str) -> str:
    return binding_id.split(".", 1)[0]


def _check_conflicts(bindings: dict[str, str], sources: dict[str, str]) -> None:
    """A key bound to two ids active at once (same scope, or one app-wide) is an error."""
    owners: dict[str, list[str]] = {}
    for binding_id, keys in bindings.items():
        for key in keys.split(","):
            for other in owners.get(key, []):
                scopes = (_scope(other), _scope(binding_id))
                if scopes[0] == scopes[1] or "app" in scopes:
                    raise KeymapError(
                        f"{sources[binding_id]}: key {key!r} of {binding_id!r} is already bound to "
                        f"{other!r} ({sources[other]})"
                    )
            owners.setdefault(key, []).append(binding_id)
