"""What changed in a Deployment, ConfigMap or HPA, field by field, and who the API says did it.

Pure: a watched object is reduced (``watched``) to the fields the incident cares about, each
with its ``managedFields`` path (FieldsV1, ``("f:data", "f:batch_size")``) and its value as text,
already redacted; two versions give ``FieldChange``s (``diff``); the ``managedFields`` entry that
owns the changed paths and is newest names the manager (``attribute``), since objects never
record their author.  ``team_change`` puts it together into the team timeline's one line.

Fields followed: Deployment ``spec.replicas`` (``scale``), its pod template (image, args, command,
env, the ``kubectl.kubernetes.io/restartedAt`` annotation: ``rollout``; resources:
``resources``), other spec changes through ``metadata.generation`` (``spec``); ConfigMap data
keys (``config``: a key that looks secret, as the audit log's redaction decides, shows ``***``);
HPA min/max replicas and metric targets (``scale``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memtui.audit.redact import MASK, is_secret_key, redact_text
from memtui.state.snapshots import FieldChange, TeamChange

FieldsPath = tuple[str, ...]
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
VALUE_MAX = 60
SUMMARY_FIELDS = 3
ABSENT = "∅"


@dataclass(frozen=True, slots=True)
class ManagedEntry:
    """One ``managedFields`` entry: who wrote which fields, last at ``time``."""

    manager: str
    operation: str
    subresource: str | None
    time: datetime | None
    paths: frozenset[FieldsPath]


@dataclass(frozen=True, slots=True)
class Watched:
    """One version of a watched object, reduced to what the team timeline compares."""

    kind: str
    name: str
    uid: str
    resource_version: str
    generation: int
    fields: Mapping[str, tuple[FieldsPath, str]] = field(default_factory=dict)
    """Display path (``data.batch_size``) → (FieldsV1 path, value as text, redacted)."""
    managed: tuple[ManagedEntry, ...] = ()
    digests: Mapping[str, str] = field(default_factory=dict)
    """Digests of the raw ConfigMap and env values, compared instead of the shown text: a change
    of a secret (``***→***``) or past a long value's first line shows, while the value never
    leaves the worker."""


# -- reading an object ---------------------------------------------------------------------------

def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _paths(fields: Any, prefix: FieldsPath = ()) -> set[FieldsPath]:
    """Nested FieldsV1 → its leaf paths (a map marked ``"."`` with children is walked)."""
    out: set[FieldsPath] = set()
    if not isinstance(fields, dict):
        return out
    for key, child in fields.items():
        if key == ".":
            continue
        if isinstance(child, dict) and any(k != "." for k in child):
            out |= _paths(child, prefix + (key,))
        else:
            out.add(prefix + (key,))
    return out


def managed_entries(metadata: Mapping[str, Any]) -> tuple[ManagedEntry, ...]:
    out = []
    for entry in metadata.get("managedFields") or []:
        if not isinstance(entry, dict):
            continue
        out.append(ManagedEntry(str(entry.get("manager") or "?"), str(entry.get("operation") or "?"),
                                entry.get("subresource") or None, _time(entry.get("time")),
                                frozenset(_paths(entry.get("fieldsV1")))))
    return tuple(out)


def short_value(value: Any) -> str:
    """A value as one short line: multi-line text keeps its first line and says how many."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    lines = text.splitlines() or [""]
    head = lines[0]
    more = f" ({len(lines)} lines)" if len(lines) > 1 else ""
    if len(head) > VALUE_MAX:
        head = head[:VALUE_MAX - 1] + "…"
    elif more:
        head += "…"
    return head + more


def _secret_safe(name: str, value: Any) -> str:
    """As the audit log redacts: a secret-looking name hides its value, free text its credentials."""
    if is_secret_key(name):
        return MASK
    return short_value(redact_text(value) if isinstance(value, str) else value)


def _digest(value: Any) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]


def _key(name: str) -> str:
    return "k:" + json.dumps({"name": name}, separators=(",", ":"))


def _env_value(env: Mapping[str, Any]) -> str:
    name = str(env.get("name") or "")
    if "value" in env:
        return _secret_safe(name, env.get("value") or "")
    source = env.get("valueFrom") or {}
    for kind, label in (("configMapKeyRef", "configmap"), ("secretKeyRef", "secret")):
        ref = source.get(kind)
        if isinstance(ref, dict):
            return f"from {label} {ref.get('name', '?')}/{ref.get('key', '?')}"
    return "from " + ",".join(sorted(source)) if source else ""


def _deployment_fields(obj: Mapping[str, Any]) -> dict[str, tuple[FieldsPath, str]]:
    spec = obj.get("spec") or {}
    out: dict[str, tuple[FieldsPath, str]] = {}
    if "replicas" in spec:
        out["spec.replicas"] = (("f:spec", "f:replicas"), str(spec.get("replicas")))
    template = spec.get("template") or {}
    restarted = ((template.get("metadata") or {}).get("annotations") or {}).get(RESTARTED_AT)
    if restarted:
        out[f"spec.template.metadata.annotations[{RESTARTED_AT}]"] = (
            ("f:spec", "f:template", "f:metadata", "f:annotations", f"f:{RESTARTED_AT}"), str(restarted))
    for container in (template.get("spec") or {}).get("containers") or []:
        cname = str(container.get("name") or "?")
        base = f"spec.template.spec.containers[{cname}]"
        fbase: FieldsPath = ("f:spec", "f:template", "f:spec", "f:containers", _key(cname))
        for name in ("image", "command", "args"):
            if name in container:
                value = container[name]
                text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
                out[f"{base}.{name}"] = (fbase + (f"f:{name}",), short_value(redact_text(text)))
        for env in container.get("env") or []:
            if isinstance(env, dict) and env.get("name"):
                ename = str(env["name"])
                out[f"{base}.env[{ename}]"] = (fbase + ("f:env", _key(ename)), _env_value(env))
        resources = container.get("resources") or {}
        for section in ("limits", "requests"):
            for name, value in (resources.get(section) or {}).items():
                out[f"{base}.resources.{section}.{name}"] = (fbase + ("f:resources", f"f:{section}", f"f:{name}"),
                                                            str(value))
    return out


def _configmap_fields(obj: Mapping[str, Any]) -> dict[str, tuple[FieldsPath, str]]:
    out: dict[str, tuple[FieldsPath, str]] = {}
    for key, value in sorted((obj.get("data") or {}).items()):
        out[f"data.{key}"] = (("f:data", f"f:{key}"), _secret_safe(key, value if isinstance(value, str) else str(value)))
    for key, value in sorted((obj.get("binaryData") or {}).items()):
        out[f"binaryData.{key}"] = (("f:binaryData", f"f:{key}"), f"<{len(str(value)) * 3 // 4} bytes>")
    return out


def _metric_name(metric: Mapping[str, Any]) -> str:
    kind = str(metric.get("type") or "?")
    body = metric.get(kind[:1].lower() + kind[1:]) or {}
    name = body.get("name") or (body.get("metric") or {}).get("name") or kind
    return str(name)


def _hpa_fields(obj: Mapping[str, Any]) -> dict[str, tuple[FieldsPath, str]]:
    spec = obj.get("spec") or {}
    out: dict[str, tuple[FieldsPath, str]] = {}
    for name in ("minReplicas", "maxReplicas"):
        if name in spec:
            out[f"spec.{name}"] = (("f:spec", f"f:{name}"), str(spec[name]))
    for metric in spec.get("metrics") or []:
        if not isinstance(metric, dict):
            continue
        kind = str(metric.get("type") or "?")
        target = (metric.get(kind[:1].lower() + kind[1:]) or {}).get("target") or {}
        if "averageUtilization" in target:
            text = f"{target['averageUtilization']}%"
        else:
            text = str(target.get("averageValue") or target.get("value") or short_value(target))
        out[f"spec.metrics[{_metric_name(metric)}].target"] = (("f:spec", "f:metrics"), text)  # an atomic list
    return out


_READERS = {"Deployment": _deployment_fields, "ConfigMap": _configmap_fields,
            "HorizontalPodAutoscaler": _hpa_fields}


def _digests(kind: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """Digests of the raw values that are shown redacted or shortened (ConfigMap keys, env)."""
    out: dict[str, str] = {}
    if kind == "ConfigMap":
        for key, value in (obj.get("data") or {}).items():
            out[f"data.{key}"] = _digest(value)
        for key, value in (obj.get("binaryData") or {}).items():
            out[f"binaryData.{key}"] = _digest(value)
    elif kind == "Deployment":
        template = (obj.get("spec") or {}).get("template") or {}
        for container in (template.get("spec") or {}).get("containers") or []:
            for env in container.get("env") or []:
                if isinstance(env, dict) and env.get("name") and "value" in env:
                    out[f"spec.template.spec.containers[{container.get('name') or '?'}].env[{env['name']}]"] = (
                        _digest(env.get("value")))
    return out


def watched(kind: str, obj: Mapping[str, Any]) -> Watched:
    """One watched object (as the API serves it) reduced to what the timeline compares."""
    meta = obj.get("metadata") or {}
    return Watched(kind, str(meta.get("name") or "?"), str(meta.get("uid") or meta.get("name") or ""),
                   str(meta.get("resourceVersion") or ""), int(meta.get("generation") or 0),
                   _READERS[kind](obj), managed_entries(meta), _digests(kind, obj))


# -- comparing two versions -----------------------------------------------------------------------

def diff(old: Watched, new: Watched) -> tuple[FieldChange, ...]:
    """The followed fields whose value differs, in the new version's order, then those removed;
    a spec change in none of them shows as ``metadata.generation``."""
    def differs(path: str, value: str) -> bool:
        if path not in old.fields:
            return True
        if path in new.digests or path in old.digests:
            return new.digests.get(path) != old.digests.get(path)
        return old.fields[path][1] != value

    out = [FieldChange(path, old.fields[path][1] if path in old.fields else None, value)
           for path, (_, value) in new.fields.items() if differs(path, value)]
    out += [FieldChange(path, value, None) for path, (_, value) in old.fields.items() if path not in new.fields]
    if not out and new.generation != old.generation and old.generation:
        out.append(FieldChange("metadata.generation", str(old.generation), str(new.generation)))
    return tuple(out)


def fields_path(change: FieldChange, old: Watched, new: Watched) -> FieldsPath | None:
    got = new.fields.get(change.path) or old.fields.get(change.path)
    return got[0] if got else None


def _covers(owned: FieldsPath, path: FieldsPath) -> bool:
    """``owned`` is ``path``, below it (an element of a list the change replaced) or an atomic leaf above it."""
    n = min(len(owned), len(path))
    return owned[:n] == path[:n]


def attribute(entries: Iterable[ManagedEntry], paths: Iterable[FieldsPath]) -> ManagedEntry | None:
    """The newest entry that owns one of ``paths``; for a change nobody owns any more (a removed
    field, a spec change outside the followed fields) the newest entry that is not a status write."""
    wanted = [p for p in paths if p]
    candidates = [e for e in entries if e.subresource != "status"]
    owners = [e for e in candidates if any(_covers(o, p) for o in e.paths for p in wanted)]
    pool = owners or candidates
    if not pool:
        return None
    floor = datetime.min.replace(tzinfo=None)
    return max(pool, key=lambda e: (e.time.replace(tzinfo=None) if e.time else floor,
                                    sum(1 for o in e.paths for p in wanted if _covers(o, p))))


# -- one line for the timeline ---------------------------------------------------------------------

def label(path: str) -> str:
    """``data.batch_size`` → ``batch_size``; ``…containers[llm].env[X]`` → ``env X``;
    ``…resources.limits.memory`` → ``limits.memory``; ``spec.replicas`` → ``replicas``."""
    if path.endswith(f"[{RESTARTED_AT}]"):
        return "restartedAt"
    if path.startswith("data.") or path.startswith("binaryData."):
        return path.split(".", 1)[1]
    if ".resources." in path:
        return path.split(".resources.", 1)[1]
    if "].env[" in path:
        return "env " + path.rsplit(".env[", 1)[1].rstrip("]")
    if path.startswith("spec.metrics["):
        return "target " + path[len("spec.metrics["):].split("]", 1)[0]
    return path.rsplit(".", 1)[-1]


def summarize(changes: tuple[FieldChange, ...]) -> str:
    """``batch_size 64→32, max_batch_size 128→64 (+2 more)``; a restart reads ``rollout restart``."""
    parts = []
    for change in changes[:SUMMARY_FIELDS]:
        name = label(change.path)
        if name == "restartedAt":
            parts.append("rollout restart")
        elif change.path == "metadata.generation":
            parts.append(f"spec changed (generation {change.before}→{change.after})")
        else:
            parts.append(f"{name} {change.before if change.before is not None else ABSENT}→"
                         f"{change.after if change.after is not None else ABSENT}")
    more = len(changes) - SUMMARY_FIELDS
    return ", ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def what(kind: str, changes: tuple[FieldChange, ...]) -> str:
    if kind == "ConfigMap":
        return "config"
    if kind == "HorizontalPodAutoscaler":
        return "scale"
    paths = [c.path for c in changes]
    if any(".containers[" in p and ".resources." not in p or p.endswith(f"[{RESTARTED_AT}]") for p in paths):
        return "rollout"
    if any(".resources." in p for p in paths):
        return "resources"
    if "spec.replicas" in paths:
        return "scale"
    return "spec"


def team_change(old: Watched, new: Watched, seen_at: datetime) -> tuple[TeamChange | None, ManagedEntry | None]:
    """The change from ``old`` to ``new`` (None when no followed field changed) and its owner."""
    changes = diff(old, new)
    if not changes:
        return None, None
    paths = [fields_path(c, old, new) or ("f:spec",) for c in changes]
    owner = attribute(new.managed, [p for p in paths if p])
    return TeamChange(
        at=owner.time if owner is not None and owner.time is not None else seen_at,
        kind=new.kind, name=new.name, what=what(new.kind, changes), summary=summarize(changes), changes=changes,
        manager=owner.manager if owner else None, operation=owner.operation if owner else None,
        subresource=owner.subresource if owner else None, key=f"{new.uid}/{new.resource_version}",
    ), owner


def before_start(obj: Watched, started: datetime, window_s: float) -> tuple[TeamChange, ...]:
    """What ``managedFields`` times say was written in the ``window_s`` before memtui started:
    which followed fields each manager owns, without values (the old ones are not known)."""
    out = []
    for entry in obj.managed:
        if entry.subresource == "status" or entry.time is None:
            continue
        age = (started - entry.time).total_seconds()
        if not 0 <= age <= window_s:
            continue
        names = [label(path) for path, (fpath, _) in obj.fields.items() if any(_covers(o, fpath) for o in entry.paths)]
        if not names:
            continue
        shown = ", ".join(names[:SUMMARY_FIELDS]) + (f" (+{len(names) - SUMMARY_FIELDS} more)"
                                                     if len(names) > SUMMARY_FIELDS else "")
        out.append(TeamChange(
            at=entry.time, kind=obj.kind, name=obj.name, what="spec" if obj.kind == "Deployment" else what(obj.kind, ()),
            summary=f"{shown} written before memtui started (values not known)",
            manager=entry.manager, operation=entry.operation, subresource=entry.subresource,
            key=f"{obj.uid}/before/{entry.manager}/{entry.operation}/{entry.subresource or ''}/{entry.time.isoformat()}"))
    return tuple(out)
