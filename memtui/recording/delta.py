"""What changed between two frames of a chain, by identity: the patch a delta row stores.

Works on the snapshot records themselves (dataclasses or Structs: ``state.records``) and on plain
data (a ranking's mapping), so one diff serves every snapshot type the cockpit folds, today's and
a new source's, and both sides are
cheap where nothing changed: a source hands over the same frozen objects for what did not change
(the informers' pods and events), ``is`` says so at once, and the reader gives each frame the
previous frame's objects for its unchanged parts (an hour of 5,000 pods shares them, too).

Keyed collections are diffed by identity, not by position: a mapping by its keys (``usage``: pod →
PodUsage), a sequence of records by an identity field its items share (``uid`` for pods and
events, ``name`` for containers, ``pod`` for evidence...).  A pod added in the middle of 5,000
costs that pod, not a shifted tail; an unchanged pod costs nothing; a changed one costs only its
changed fields.  A sequence without such a field (a tuple of pairs, of strings, of records written
as pairs: ``records.is_pair_like``) is replaced whole when it changed: those are small.

A patch of a record (by field name), of a mapping (by key) or of a keyed sequence (by identity,
``"k"`` naming the field) is a mapping of plain data (``msgspec.to_builtins``)::

    {"s": {key: value}        set: new keys, or values replaced whole
     "p": {key: patch}        values patched (records, mappings or keyed sequences on both sides)
     "d": [key, ...]          deleted keys
     "i": [[index, key], ...] where new keys go, when not simply at the end
     "o": [key, ...]          the whole key order, when surviving keys were reordered
     "k": field}              a sequence's identity field

An empty patch means no change.  ``patch`` never mutates what it is given.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

import msgspec

from memtui.state.records import field_names, is_pair_like, is_record, is_record_type, replaced, takes_every_field

IDENTITY_FIELDS = ("uid", "key", "fingerprint", "name", "pod", "container", "db", "cause", "id")
"""Fields that name an item of a sequence, tried in this order; one is used when every item of
both sides has it, non-empty, and no two items of a side share it."""

Patch = dict[str, Any]
_SCALARS = frozenset({int, float, str, bool, type(None), datetime})


def diff(old: Any, new: Any) -> Patch:
    """The patch that turns ``old`` into ``new`` (``{}`` when equal): two records of one type, or two mappings."""
    if is_record_type(type(new)):
        return _diff_record(old, new)
    return _diff_map(old, new)


def patch(old: Any, change: Patch) -> Any:
    """``new`` again from ``old`` and ``diff(old, new)``, of ``old``'s types; ``old`` is left as it was.

    A record's patched values are converted to its fields' types (``typing.get_type_hints``);
    plain data stays plain."""
    return _patch_value(old, change, type(old) if is_record_type(type(old)) else None)


def _plain(value: Any) -> Any:
    return msgspec.to_builtins(value, builtin_types=(datetime,))


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _same(a: Any, b: Any) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def _type(value: Any) -> type:
    return type(value)


def _ident(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None) if is_record_type(_type(item)) else None


def _identity(old: Any, new: Any) -> str | None:
    """The identity field of two sequences of records, or None (not records, or no such field)."""
    if not old or not new:
        return None
    first = old[0]
    if isinstance(first, dict):
        names = [name for name in IDENTITY_FIELDS if name in first]
    elif is_record_type(_type(first)) and not is_pair_like(_type(first)):
        names = [name for name in IDENTITY_FIELDS if name in field_names(_type(first))]
    else:
        return None  # a tuple of pairs, of strings, of records written as pairs: replaced whole
    for name in names:
        if _unique(old, name) and _unique(new, name):
            return name
    return None


def _unique(items: Any, name: str) -> bool:
    ids = set()
    for item in items:
        value = _ident(item, name)
        if not value or not isinstance(value, (str, int)):
            return False
        ids.add(value)
    return len(ids) == len(items)


def _diff_value(old: Any, new: Any) -> tuple[str, Any]:
    """``("p", patch)`` when ``new`` is best said as a patch of ``old``, else ``("s", new)`` as plain data."""
    kind = _type(new)
    if kind in _SCALARS:
        return "s", new
    if is_record_type(kind) and kind is type(old):
        return "p", _diff_record(old, new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return "p", _diff_map(old, new)
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        field = _identity(old, new)
        if field is not None:
            change = _diff_map({_ident(i, field): i for i in old}, {_ident(i, field): i for i in new})
            change["k"] = field
            return "p", change
    return "s", _plain(new)


def _diff_record(old: Any, new: Any) -> Patch:
    sets: dict[str, Any] = {}
    patches: dict[str, Any] = {}
    kind: type = type(new)
    for name in field_names(kind):
        before, after = getattr(old, name), getattr(new, name)
        if _same(before, after):
            continue
        how, what = _diff_value(before, after)
        (patches if how == "p" else sets)[name] = what
    change: Patch = {}
    if sets:
        change["s"] = sets
    if patches:
        change["p"] = patches
    return change


def _diff_map(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> Patch:
    sets: dict[Any, Any] = {}
    patches: dict[Any, Any] = {}
    for key, value in new.items():
        if key not in old:
            sets[key] = _plain(value)
            continue
        before = old[key]
        if _same(before, value):
            continue
        how, what = _diff_value(before, value)
        (patches if how == "p" else sets)[key] = what
    deleted = [key for key in old if key not in new]
    change: Patch = {}
    if sets:
        change["s"] = sets
    if patches:
        change["p"] = patches
    if deleted:
        change["d"] = deleted
    new_keys = list(new)
    old_keys = list(old)
    if new_keys != old_keys:
        gone = set(deleted)
        survivors = [key for key in old_keys if key not in gone]
        added = [key for key in new_keys if key not in old]
        if survivors + added != new_keys:  # the plain result of set/delete would be out of order
            if [key for key in new_keys if key in old] == survivors:
                change["i"] = [[index, key] for index, key in enumerate(new_keys) if key not in old]
            else:
                change["o"] = new_keys
    return change


@cache
def _as_is(hint: Any) -> frozenset[type]:
    """The runtime types a decoded value of a field typed ``hint`` already has when it needs no
    conversion (``int``, ``str | None``, ``datetime | None``...): most changed figures are such."""
    args = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    return frozenset(args) if all(a in _SCALARS for a in args) else frozenset()


def _convert(value: Any, hint: Any) -> Any:
    if hint is None or type(value) in _as_is(hint):
        return value
    return msgspec.convert(value, type=hint)


def _rebuilt(old: Any, values: dict[str, Any]) -> Any:
    kind: type = type(old)
    if not takes_every_field(kind):
        return replaced(old, **values)
    return kind(*[values[name] if name in values else getattr(old, name) for name in field_names(kind)])


def _arm(hint: Any, origin: type) -> Any:
    """The ``dict[...]``/``tuple[...]`` arm of ``hint`` (``X | None`` → ``X``), or None when untyped."""
    if hint is None:
        return None
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return next((a for a in typing.get_args(hint) if typing.get_origin(a) is origin), None)
    return hint if typing.get_origin(hint) is origin else None


def _patch_value(old: Any, change: Patch, hint: Any) -> Any:
    if is_record(old):
        hints = _hints(_type(old))
        values = {name: _convert(value, hints[name]) for name, value in change.get("s", {}).items()}
        for name, sub in change.get("p", {}).items():
            values[name] = _patch_value(getattr(old, name), sub, hints[name])
        return _rebuilt(old, values) if values else old
    if isinstance(old, Mapping):
        typed = _arm(hint, dict)
        return _patch_map(old, change, typing.get_args(typed)[1] if typed is not None else None)
    typed = _arm(hint, tuple)
    item_hint = typing.get_args(typed)[0] if typed is not None else None
    field = change["k"]
    items = _patch_map({_ident(item, field): item for item in old}, change, item_hint).values()
    return tuple(items) if typed is not None else list(items)


def _patch_map(old: Mapping[Any, Any], change: Patch, hint: Any) -> dict[Any, Any]:
    new = dict(old)
    for key in change.get("d", ()):
        del new[key]
    for key, value in change.get("s", {}).items():
        new[key] = _convert(value, hint)
    for key, sub in change.get("p", {}).items():
        new[key] = _patch_value(old[key], sub, hint)
    if "o" in change:
        return {key: new[key] for key in change["o"]}
    if "i" in change:
        inserted = {key for _index, key in change["i"]}
        order = [key for key in new if key not in inserted]
        for index, key in change["i"]:
            order.insert(index, key)
        return {key: new[key] for key in order}
    return new
