"""``metadata.managedFields`` as the API server keeps it: who owns which field, since when.

memtui's team timeline reads who changed a field from here (the newest entry that owns it), so
the simulator must keep the entries the way a real API server does, whatever the request's shape
(a merge, strategic or JSON patch, a PUT, a scale, a server-side apply):

- an ``Update`` gives the writing manager the fields whose value the request *changed* (computed
  from the object before and after, not from the body: a JSON patch names no fields) and takes
  them away from every other manager; fields the request removed are nobody's any more;
- an ``Apply`` makes the manager own exactly the fields of its applied configuration (and takes
  them from the others: the simulator does not raise apply conflicts, as if ``--force-conflicts``);
- only the writer's entry gets the request's time; an entry left owning nothing is dropped;
- entries are per (manager, operation, subresource): ``kubectl scale`` and the HPA controller
  write through ``/scale`` and get ``subresource: scale``.

FieldsV1 is the nested form (``{"f:spec": {".": {}, "f:replicas": {}}}``); list elements with a
``name`` are keyed (``k:{"name":"llm"}``), other lists are atomic, as the built-in types' merge
keys make them for the fields memtui reads.
"""

from __future__ import annotations

import json
from typing import Any

Path = tuple[str, ...]
_MERGE_KEYS = ("name", "containerPort", "mountPath")
_SCOPE = ("spec", "data", "binaryData")
_META_SCOPE = ("labels", "annotations")
_CONTROLLER_ANNOTATIONS = frozenset({"deployment.kubernetes.io/revision"})
"""Written by a controller into the served object, never by a client."""


def _element_key(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    for key in _MERGE_KEYS:
        if key in item:
            return "k:" + json.dumps({key: item[key]}, separators=(",", ":"))
    return None


def _flatten(value: Any, prefix: Path, out: dict[Path, Any]) -> None:
    """Leaf path → value; maps and keyed lists are walked, anything else is one leaf."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, prefix + (f"f:{key}",), out)
        return
    if isinstance(value, list) and value:
        keys = [_element_key(item) for item in value]
        if all(keys) and len(set(keys)) == len(keys):
            for key, item in zip(keys, value):
                _flatten({k: v for k, v in item.items()}, prefix + (str(key),), out)
            return
    out[prefix] = value


def _scoped(obj: dict[str, Any] | None) -> dict[str, Any]:
    """The part of an object clients write: labels, annotations, spec, data (not status)."""
    if not isinstance(obj, dict):
        return {}
    meta = obj.get("metadata") or {}
    scoped: dict[str, Any] = {k: obj[k] for k in _SCOPE if k in obj}
    kept = {}
    for key in _META_SCOPE:
        values = {k: v for k, v in (meta.get(key) or {}).items() if k not in _CONTROLLER_ANNOTATIONS}
        if values:
            kept[key] = values
    if kept:
        scoped["metadata"] = kept
    return scoped


def leaves(obj: dict[str, Any] | None) -> dict[Path, Any]:
    out: dict[Path, Any] = {}
    _flatten(_scoped(obj), (), out)
    out.pop((), None)
    return out


def changed(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[set[Path], set[Path]]:
    """(leaves set or changed by the write, leaves it removed)."""
    before, after = leaves(old), leaves(new)
    missing = object()
    set_now = {p for p, v in after.items() if before.get(p, missing) != v}
    removed = {p for p in before if p not in after and not any(q[:len(p)] == p for q in after)}
    return set_now, removed


def to_fields(paths: set[Path]) -> dict[str, Any]:
    """Leaf paths → nested FieldsV1 (each map on the way marked ``"."``, as the API server writes)."""
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        node = tree
        for depth, key in enumerate(path):
            last = depth == len(path) - 1
            child = node.setdefault(key, {})
            if not last:
                child.setdefault(".", {})
            node = child
    return tree


def from_fields(fields: Any, prefix: Path = ()) -> set[Path]:
    """Nested FieldsV1 → its leaf paths."""
    out: set[Path] = set()
    if not isinstance(fields, dict):
        return out
    for key, child in fields.items():
        if key == ".":
            continue
        if isinstance(child, dict) and any(k != "." for k in child):
            out |= from_fields(child, prefix + (key,))
        else:
            out.add(prefix + (key,))
    return out


def _covers(owned: Path, path: Path) -> bool:
    """``owned`` is ``path`` or an atomic leaf above it (``f:metrics`` owns all the metrics)."""
    return path[:len(owned)] == owned


def record(meta: dict[str, Any], *, manager: str, operation: str, api_version: str, when: str,
           old: dict[str, Any] | None, new: dict[str, Any] | None, applied: dict[str, Any] | None = None,
           subresource: str | None = None) -> None:
    """Update ``meta["managedFields"]`` for one accepted write of ``old`` into ``new``.

    ``applied``: the configuration of an ``Apply`` (its fields are what the manager owns after)."""
    set_now, removed = changed(old, new)
    mine: set[Path] = set(leaves(applied)) if operation == "Apply" else set_now
    taken = mine if operation == "Apply" else set_now
    entries: list[dict[str, Any]] = []
    own_entry: dict[str, Any] | None = None
    for entry in meta.get("managedFields") or []:
        entry = dict(entry)
        paths = from_fields(entry.get("fieldsV1"))
        same = (entry.get("manager") == manager and entry.get("operation") == operation
                and entry.get("subresource") == subresource)
        if same:
            own_entry = entry
            paths = mine if operation == "Apply" else (paths | mine)
        else:
            paths = {p for p in paths if not any(_covers(p, t) or _covers(t, p) for t in taken)}
        paths = {p for p in paths if not any(_covers(r, p) for r in removed)}
        if not paths:
            continue
        entry["fieldsV1"] = to_fields(paths)
        if same:
            entry["time"] = when
            entry["apiVersion"] = api_version
        entries.append(entry)
    if own_entry is None and mine:
        entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": when,
                 "fieldsType": "FieldsV1", "fieldsV1": to_fields(mine)}
        if subresource:
            entry["subresource"] = subresource
        entries.append(entry)
    meta["managedFields"] = entries


def initial(meta: dict[str, Any], obj: dict[str, Any], *, manager: str, operation: str, api_version: str,
            when: str) -> None:
    """The entry of whoever created ``obj`` (helm, kubectl apply, argocd): owner of all its fields."""
    record(meta, manager=manager, operation=operation, api_version=api_version, when=when,
           old=None, new=obj, applied=obj)
