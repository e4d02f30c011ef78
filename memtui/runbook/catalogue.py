"""Loading the catalogue: the packaged ``catalogue.toml``, then the user's ``--runbook FILE``.

The user's file has the same format.  An entry whose id is new is added after the packaged
entries of its phase.  An entry whose id exists overrides it *field by field*: top-level fields
replace the packaged ones; ``params.NAME`` tables merge per field (so
``params.batch_size.default = "16"`` changes only that default) and new parameters are added;
``operation`` merges per field when its ``kind`` is absent or unchanged, and is replaced whole
when the kind changes; lists (``argv``, ``command``, ``gentler_first``) and tables inside the
operation (``data``, ``env``) are replaced whole.  The merged entry is then checked like any
other, and a problem is reported against the user's file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from memtui.runbook.action import PHASES, Action, action_from_table
from memtui.runbook.errors import CatalogueError, FieldError
from memtui.runbook.operations import RISKS

PACKAGED_NAME = "catalogue.toml"


@dataclass(frozen=True)
class Catalogue:
    """The runbook's actions, diagnose then fix, each phase in the runbook's order."""

    actions: tuple[Action, ...]

    def get(self, action_id: str) -> Action:
        for action in self.actions:
            if action.id == action_id:
                return action
        raise KeyError(f"no runbook action {action_id!r}")

    def by_phase(self, phase: str) -> tuple[Action, ...]:
        if phase not in PHASES:
            raise ValueError(f"phase {phase!r} is not one of {', '.join(PHASES)}")
        return tuple(a for a in self.actions if a.phase == phase)

    def by_root_cause(self, cause: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.root_cause == cause)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actions)

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)

    def __len__(self) -> int:
        return len(self.actions)

    def __contains__(self, action_id: object) -> bool:
        return any(a.id == action_id for a in self.actions)


def packaged_text() -> str:
    return files("memtui.runbook").joinpath(PACKAGED_NAME).read_text(encoding="utf-8")


def load_catalogue(user_file: str | Path | None = None) -> Catalogue:
    """The packaged catalogue with ``user_file`` laid over it; ``CatalogueError`` on mistakes."""
    packaged = _entries(packaged_text(), PACKAGED_NAME)
    raw: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    order: list[str] = []
    for index, entry in enumerate(packaged, start=1):
        action_id = _entry_id(entry, index, PACKAGED_NAME)
        if action_id in raw:
            raise CatalogueError(f"{PACKAGED_NAME}: action {action_id!r}: id is used twice", source=PACKAGED_NAME,
                                 entry=action_id, field="id")
        raw[action_id], origin[action_id] = entry, PACKAGED_NAME
        order.append(action_id)
    built = {action_id: _build(raw[action_id], action_id, PACKAGED_NAME) for action_id in order}

    if user_file is not None:
        path = Path(user_file).expanduser()
        source = str(user_file)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CatalogueError(f"{source}: is not UTF-8 text (a runbook file is TOML)", source=source) from None
        except OSError as exc:
            raise CatalogueError(f"{source}: cannot read the runbook file: {exc.strerror}", source=source) from None
        seen: set[str] = set()
        for index, entry in enumerate(_entries(text, source), start=1):
            action_id = _entry_id(entry, index, source)
            if action_id in seen:
                raise CatalogueError(f"{source}: action {action_id!r}: id is used twice in this file", source=source,
                                     entry=action_id, field="id")
            seen.add(action_id)
            if action_id in raw:
                raw[action_id] = merge_entry(raw[action_id], entry)
            else:
                raw[action_id] = dict(entry)
                order.append(action_id)
            origin[action_id] = source
            built[action_id] = _build(raw[action_id], action_id, source)

    actions = [built[i] for phase in PHASES for i in order if built[i].phase == phase]
    _check_references(actions, origin)
    return Catalogue(tuple(actions))


def merge_entry(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it field by field (see the module docstring)."""
    merged = dict(base)
    for key, value in override.items():
        if key == "params" and isinstance(value, Mapping) and isinstance(base.get("params"), Mapping):
            params = {name: dict(body) for name, body in base["params"].items()}
            for name, body in value.items():
                if isinstance(body, Mapping) and name in params:
                    params[name].update(body)
                else:
                    params[name] = body
            merged["params"] = params
        elif key == "operation" and isinstance(value, Mapping) and isinstance(base.get("operation"), Mapping):
            if "kind" in value and value["kind"] != base["operation"].get("kind"):
                merged["operation"] = dict(value)
            else:
                merged["operation"] = {**base["operation"], **value}
        else:
            merged[key] = value
    return merged


def _entries(text: str, source: str) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML: {exc}", source=source) from None
    for key in data:
        if key != "action":
            raise CatalogueError(f"{source}: unknown top-level key {key!r}; entries go in [[action]] tables",
                                 source=source, field=key)
    entries = data.get("action", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CatalogueError(f"{source}: 'action' must be an array of tables ([[action]])", source=source, field="action")
    return entries


def _entry_id(entry: Mapping[str, Any], index: int, source: str) -> str:
    action_id = entry.get("id")
    if not isinstance(action_id, str) or not action_id.strip():
        what = "is missing" if action_id is None else f"must be a non-empty string, not {action_id!r}"
        raise CatalogueError(f"{source}: action #{index} (no id): id {what}", source=source,
                             entry=f"#{index}", field="id")
    return action_id


def _build(entry: Mapping[str, Any], action_id: str, source: str) -> Action:
    try:
        return action_from_table(entry, source=source)
    except FieldError as exc:
        raise CatalogueError(f"{source}: action {action_id!r}: {exc}", source=source, entry=action_id,
                             field=exc.field) from None


def _check_references(actions: list[Action], origin: Mapping[str, str]) -> None:
    by_id = {a.id: a for a in actions}
    for action in actions:
        for index, other in enumerate(action.gentler_first):
            source = origin[action.id]
            problem = None
            if other == action.id:
                problem = "refers to the action itself"
            elif other not in by_id:
                problem = f"{other!r} is not an action id"
            elif not by_id[other].is_mutating:
                problem = f"{other!r} is read-only; gentler_first lists fixes to try first"
            elif _risk_rank(by_id[other]) > _risk_rank(action):
                problem = f"{other!r} is riskier ({by_id[other].risk}) than this action ({action.risk})"
            if problem:
                field = f"gentler_first[{index}]"
                raise CatalogueError(f"{source}: action {action.id!r}: {field} {problem}", source=source,
                                     entry=action.id, field=field)


def _risk_rank(action: Action) -> int:
    return RISKS.index(action.risk)
