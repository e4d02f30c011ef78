"""The three patch formats the API server accepts for built-in types.

- JSON merge patch (RFC 7386): maps merge, null deletes, lists replace.
- Strategic merge patch: like merge, but lists with a patchMergeKey (containers
  and env by name, ports by containerPort, volumeMounts by mountPath ...) merge
  element-wise, honouring the $patch, $setElementOrder, $retainKeys and
  $deleteFromPrimitiveList directives kubectl generates (e.g. `kubectl set env`).
- JSON patch (RFC 6902) with JSON pointers (RFC 6901).
"""

from __future__ import annotations

import copy
from typing import Any

MERGE_KEYS: dict[str, str] = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "ports": "containerPort", "volumeMounts": "mountPath", "volumes": "name", "imagePullSecrets": "name",
    "volumeDevices": "devicePath", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "conditions": "type", "ownerReferences": "uid", "resourceClaims": "name",
}
# lists whose strategy is merge but whose elements are primitives
PRIMITIVE_MERGE = {"finalizers"}


class PatchError(ValueError):
    """Malformed patch (400) or a failed test/missing path in a JSON patch (422)."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


# -- merge patch ------------------------------------------------------------------------------------
def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# -- strategic merge patch ---------------------------------------------------------------------------
def strategic_merge(target: Any, patch: Any, field: str | None = None) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    out = dict(target)
    retain = patch.get("$retainKeys")
    orders: dict[str, list[Any]] = {}
    deletes: dict[str, list[Any]] = {}
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys"):
            continue
        if k.startswith("$setElementOrder/"):
            orders[k.split("/", 1)[1]] = v
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            deletes[k.split("/", 1)[1]] = v
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, k)
        elif isinstance(v, dict):
            r = strategic_merge(out.get(k), v, k)
            if r is None:
                out.pop(k, None)
            else:
                out[k] = r
        else:
            out[k] = copy.deepcopy(v)
    for k, vals in deletes.items():
        if isinstance(out.get(k), list):
            out[k] = [x for x in out[k] if x not in vals]
    for k, order in orders.items():
        if isinstance(out.get(k), list):
            out[k] = _reorder(out[k], order, MERGE_KEYS.get(k))
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _merge_list(cur: Any, patch: list[Any], field: str) -> list[Any]:
    cur = list(cur) if isinstance(cur, list) else []
    key = MERGE_KEYS.get(field)
    if field in PRIMITIVE_MERGE:
        out = list(cur)
        for x in patch:
            if x not in out:
                out.append(x)
        return out
    if key is None:
        if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
            return [copy.deepcopy(x) for x in patch if not (isinstance(x, dict) and "$patch" in x)]
        return copy.deepcopy(patch)
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [copy.deepcopy(x) for x in patch if not (isinstance(x, dict) and "$patch" in x)]
    out = [copy.deepcopy(x) for x in cur]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {key}")
        idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(strategic_merge({}, item, field))
        else:
            out[idx] = strategic_merge(out[idx], item, field)
    return out


def _reorder(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    def ident(x: Any) -> Any:
        return x.get(key) if key and isinstance(x, dict) else x

    wanted = [ident(o) for o in order]
    pos = {w: i for i, w in enumerate(wanted)}
    listed = sorted((x for x in items if ident(x) in pos), key=lambda x: pos[ident(x)])
    rest = [x for x in items if ident(x) not in pos]
    return listed + rest


# -- JSON patch -------------------------------------------------------------------------------------
def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid JSON pointer {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _walk(doc: Any, toks: list[str], path: str) -> Any:
    cur = doc
    for t in toks:
        if isinstance(cur, dict):
            if t not in cur:
                raise PatchError(f"jsonpatch: path {path!r} not found", 422)
            cur = cur[t]
        elif isinstance(cur, list):
            try:
                cur = cur[int(t)]
            except (ValueError, IndexError):
                raise PatchError(f"jsonpatch: path {path!r} not found", 422) from None
        else:
            raise PatchError(f"jsonpatch: path {path!r} not found", 422)
    return cur


def _add(doc: Any, path: str, value: Any, replace: bool) -> Any:
    toks = _tokens(path)
    if not toks:
        return copy.deepcopy(value)
    parent = _walk(doc, toks[:-1], path)
    last = toks[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError(f"jsonpatch replace operation does not apply: doc is missing key: {path}", 422)
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent, list):
        if last == "-":
            if replace:
                raise PatchError(f"jsonpatch: invalid index '-' for replace at {path}", 422)
            parent.append(copy.deepcopy(value))
        else:
            try:
                i = int(last)
            except ValueError:
                raise PatchError(f"jsonpatch: invalid index {last!r}", 422) from None
            if replace:
                if not 0 <= i < len(parent):
                    raise PatchError(f"jsonpatch replace operation does not apply: doc is missing key: {path}", 422)
                parent[i] = copy.deepcopy(value)
            else:
                if not 0 <= i <= len(parent):
                    raise PatchError(f"jsonpatch add operation does not apply: index out of bounds: {path}", 422)
                parent.insert(i, copy.deepcopy(value))
    else:
        raise PatchError(f"jsonpatch: path {path!r} not found", 422)
    return doc


def _remove(doc: Any, path: str) -> Any:
    toks = _tokens(path)
    if not toks:
        raise PatchError("jsonpatch: cannot remove the whole document", 422)
    parent = _walk(doc, toks[:-1], path)
    last = toks[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"jsonpatch remove operation does not apply: doc is missing path: {path}", 422)
        return parent.pop(last)
    if isinstance(parent, list):
        try:
            return parent.pop(int(last))
        except (ValueError, IndexError):
            raise PatchError(f"jsonpatch remove operation does not apply: doc is missing path: {path}", 422) from None
    raise PatchError(f"jsonpatch: path {path!r} not found", 422)


def json_patch(target: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(target)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError(f"invalid JSON patch operation: {op!r}")
        kind, path = op["op"], op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"jsonpatch: missing value for {kind} at {path}", 422)
        if kind == "add":
            doc = _add(doc, path, op["value"], replace=False)
        elif kind == "replace":
            doc = _add(doc, path, op["value"], replace=True)
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "move":
            val = _remove(doc, op["from"])
            doc = _add(doc, path, val, replace=False)
        elif kind == "copy":
            val = copy.deepcopy(_walk(doc, _tokens(op["from"]), op["from"]))
            doc = _add(doc, path, val, replace=False)
        elif kind == "test":
            if _walk(doc, _tokens(path), path) != op["value"]:
                raise PatchError(f"testing value {path} failed", 422)
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
}


def apply_patch(kind: str, target: dict[str, Any], patch: Any) -> dict[str, Any]:
    if kind == "json":
        out = json_patch(target, patch)
    elif kind == "merge":
        if not isinstance(patch, dict):
            raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}")
        out = merge_patch(target, patch)
    else:
        if not isinstance(patch, dict):
            raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}")
        out = strategic_merge(copy.deepcopy(target), patch)
    if not isinstance(out, dict):
        raise PatchError("patch produced a non-object document", 422)
    return out
