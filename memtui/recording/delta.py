"""What changed between two frames of a chain, by identity: the patch a delta row stores.

Works on *trees*, what ``msgspec.to_builtins`` makes of a snapshot (a dataclass is a mapping of its
fields; tuples and lists are sequences; scalars and datetimes are leaves), so one diff serves every
snapshot type the cockpit folds, today's and a new source's.

Keyed collections are diffed by identity, not by position: a mapping by its keys (``usage``: pod →
PodUsage), a sequence of mappings by an identity field its items share (``uid`` for pods and events,
``name`` for containers, ``pod`` for evidence...).  A pod added in the middle of 5,000 costs that
pod, not a shifted tail; an unchanged pod costs nothing; a changed one costs only its changed
fields.  A sequence without such a field (a tuple of pairs, of strings) is replaced whole when it
changed: those are small.

A patch of a mapping (or of a keyed sequence, with ``"k"`` its identity field) is a mapping::

    {"s": {key: value}        set: new keys, or values replaced whole
     "p": {key: patch}        values patched (both sides mappings or keyed sequences)
     "d": [key, ...]          deleted keys
     "i": [[index, key], ...] where new keys go, when not simply at the end
     "o": [key, ...]          the whole key order, when surviving keys were reordered
     "k": field}              a sequence's identity field

An empty patch means no change.  ``patch`` never mutates the tree it is given (the reader keeps
the previous tree of each chain and hands out decoded copies), so unchanged subtrees are shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

IDENTITY_FIELDS = ("uid", "key", "fingerprint", "name", "pod", "container", "db")
"""Fields that name an item of a sequence, tried in this order; one is used when every item of
both sides has it, non-empty, and no two items of a side share it."""

Patch = dict[str, Any]


def diff(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> Patch:
    """The patch that turns mapping ``old`` into mapping ``new`` (``{}`` when they are equal)."""
    return _diff_map(old, new)


def patch(old: Mapping[Any, Any], change: Patch) -> dict[Any, Any]:
    """``new`` again from ``old`` and ``diff(old, new)``; ``old`` is left as it was."""
    return _patch_map(old, change)


def _is_seq(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _identity(old: Sequence[Any], new: Sequence[Any]) -> str | None:
    if not old or not new:
        return None
    for name in IDENTITY_FIELDS:
        if all(_names(side, name) for side in (old, new)):
            return name
    return None


def _names(items: Sequence[Any], name: str) -> bool:
    ids = []
    for item in items:
        if not isinstance(item, Mapping):
            return False
        value = item.get(name)
        if not value or not isinstance(value, (str, int)):
            return False
        ids.append(value)
    return len(set(ids)) == len(ids)


def _diff_value(old: Any, new: Any) -> tuple[str, Any]:
    """``("p", patch)`` when ``new`` is best said as a patch of ``old``, else ``("s", new)``."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return "p", _diff_map(old, new)
    if _is_seq(old) and _is_seq(new):
        field = _identity(old, new)
        if field is not None:
            change = _diff_map({item[field]: item for item in old}, {item[field]: item for item in new})
            change["k"] = field
            return "p", change
    return "s", new


def _diff_map(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> Patch:
    sets: dict[Any, Any] = {}
    patches: dict[Any, Any] = {}
    for key, value in new.items():
        if key not in old:
            sets[key] = value
            continue
        before = old[key]
        if before is value or (type(before) is type(value) and before == value):
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


def _patch_value(old: Any, change: Patch) -> Any:
    if isinstance(old, Mapping):
        return _patch_map(old, change)
    field = change["k"]
    return list(_patch_map({item[field]: item for item in old}, change).values())


def _patch_map(old: Mapping[Any, Any], change: Patch) -> dict[Any, Any]:
    if not change:
        return dict(old)
    new = dict(old)
    for key in change.get("d", ()):
        del new[key]
    for key, value in change.get("s", {}).items():
        new[key] = value
    for key, sub in change.get("p", {}).items():
        new[key] = _patch_value(old[key], sub)
    if "o" in change:
        return {key: new[key] for key in change["o"]}
    if "i" in change:
        inserted = {key for _index, key in change["i"]}
        order = [key for key in new if key not in inserted]
        for index, key in change["i"]:
            order.insert(index, key)
        return {key: new[key] for key in order}
    return new
