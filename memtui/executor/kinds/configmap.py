"""ConfigMap kinds: ``configmap-patch`` (a JSON merge patch of ``data``, undoable) and
``configmap-get`` (the keys whose *name* matches a pattern).

Planned, checked, undone and read here, and nowhere else.  A merge patch, as the runbook's
``kubectl patch --type merge`` does: ``null`` removes a key, so undo can take away a key that
did not exist before.  Pods read a ConfigMap when they (re)start, so the plan says which keys
the workload reads only at start ("restart pending" until its pods are replaced).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from memtui.executor import cautions
from memtui.executor.access import Access
from memtui.executor.config_readers import start_read_keys
from memtui.executor.kinds.base import (
    Drafting,
    Previous,
    Reading,
    Restoring,
    describe_values,
)
from memtui.executor.kubeapi import MERGE_PATCH, ApiFailure, KubeApi, write_call
from memtui.executor.model import (
    ActionContext,
    Change,
    HttpCall,
    PlanError,
    Request,
    Target,
)
from memtui.executor.planning import Draft, Planner, read_deployment, uid_of
from memtui.executor.reading import Reader, ReadResult
from memtui.runbook import Action
from memtui.runbook.operations import ConfigMapGet, ConfigMapPatch

PATCH_CONFIGMAPS = Access("patch", "", "configmaps")
GET_CONFIGMAPS = Access("get", "", "configmaps")


def merge_patch(op: ConfigMapPatch) -> dict[str, Any]:
    """The body of the merge patch, for a bound operation."""
    return {"data": dict(op.data)}


def undo_patch(op: ConfigMapPatch, previous: Mapping[str, str | None]) -> dict[str, Any]:
    """The merge patch that restores ``previous`` (the ConfigMap's data before the change): keys
    that did not exist are removed (``null``)."""
    return {"data": {key: previous.get(key) for key in op.data}}


def read_configmap(api: KubeApi, name: str) -> dict[str, Any]:
    try:
        return api.get(api.path("configmaps", name))
    except ApiFailure as exc:
        if exc.status == 404:
            raise PlanError(f"no configmap/{name} in namespace {api.namespace}") from None
        raise PlanError(f"cannot read configmap/{name}: {exc}") from None


def configmap_call(api: KubeApi, name: str, body: dict[str, Any]) -> HttpCall:
    """JSON merge patch, as ``kubectl patch --type merge``: null removes a key."""
    return write_call("PATCH", api.path("configmaps", name), content_type=MERGE_PATCH, body=body)


def start_read(planner: Planner, configmap: str, keys: list[str]) -> dict[str, Any] | None:
    """Which of ``keys`` the workload's pods read only at start (env from the ConfigMap): the
    effect check and the header say "restart pending" for them until the pods are replaced."""
    if not keys:
        return None
    try:
        deployment = read_deployment(planner.api, planner.workload)
    except PlanError:
        return None  # no workload to name: nothing to say about its pods
    spec = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    found = start_read_keys(spec, configmap, keys)
    return {"deployment": planner.workload, "configmap": configmap, "keys": list(found)} if found else None


@dataclass(frozen=True)
class ConfigMapPrevious(Previous):
    """The patched keys' values before the change; None: the key did not exist (undo removes it)."""

    TAG: ClassVar[str] = "configmap"
    name: str
    data: Mapping[str, str | None]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.TAG, "name": self.name, "data": dict(self.data)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConfigMapPrevious:
        return cls(str(data.get("name", "")), dict(data["data"]))

    def describe(self) -> str:
        return describe_values(self.data)

    def as_values(self) -> Mapping[str, Any]:
        return self.data


class ConfigMapPatchHandler(Drafting[ConfigMapPatch], Restoring[ConfigMapPatch, ConfigMapPrevious]):
    operation = ConfigMapPatch
    PERMISSIONS = (PATCH_CONFIGMAPS,)
    previous_type = ConfigMapPrevious

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: ConfigMapPatch,
              ctx: ActionContext) -> Draft:
        return self.patch_draft(planner, op, ctx, merge_patch(op))

    def patch_draft(self, planner: Planner, op: ConfigMapPatch, ctx: ActionContext, body: dict[str, Any]) -> Draft:
        current = read_configmap(planner.api, op.name)
        data = current.get("data") or {}
        draft = Draft(op, effect_after_s=120.0)
        for key, value in body["data"].items():
            draft.changes.append(Change(f"data.{key}", data.get(key), value))
        if not any(c.changes_anything for c in draft.changes):
            draft.warnings.append(f"configmap/{op.name} already holds these values: the patch changes nothing")
        call = configmap_call(planner.api, op.name, body)
        draft.requests.append(call)
        draft.targets.append(Target("ConfigMap", op.name, planner.namespace,
                                    f"named by the runbook entry; pods read it when they (re)start, so deployment/"
                                    f"{planner.workload} sees the change after a rollout restart", uid_of(current)))
        warning = cautions.gitops(current, f"configmap/{op.name}")
        if warning:
            draft.warnings.append(warning)
        draft.dry_run = planner.dry_run(draft, call)
        draft.before = planner.workload_before(ctx, start_read=start_read(planner, op.name, [
            c.path.removeprefix("data.") for c in draft.changes if c.changes_anything]))
        return draft

    def capture_previous(self, planner: Planner, op: ConfigMapPatch,
                         requests: tuple[Request, ...]) -> ConfigMapPrevious | None:
        first = requests[0] if requests else None
        if not isinstance(first, HttpCall):
            return None
        data = read_configmap(planner.api, op.name).get("data") or {}
        return ConfigMapPrevious(op.name, {k: data.get(k) for k in first.body["data"]})

    def undo_draft(self, planner: Planner, op: ConfigMapPatch, previous: ConfigMapPrevious,
                   ctx: ActionContext) -> Draft:
        body = undo_patch(op, previous.data)  # the keys recorded are the keys the patch set
        draft = self.patch_draft(planner, op, ctx, body)
        draft.equivalent = (f"kubectl patch configmap {op.name} -n {planner.namespace} --type merge -p "
                            f"{shlex.quote(json.dumps(body, separators=(',', ':')))}")
        return draft


class ConfigMapGetHandler(Reading[ConfigMapGet]):
    operation = ConfigMapGet
    PERMISSIONS = (GET_CONFIGMAPS,)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: ConfigMapGet,
             ctx: ActionContext) -> ReadResult:
        """Keys whose *name* matches ``key_pattern`` (``re.search``), with their values."""
        cm = read_configmap(reader.api, op.name)
        data = cm.get("data") or {}
        pattern = re.compile(op.key_pattern)
        hits = [(k, v) for k, v in sorted(data.items()) if pattern.search(k)]
        lines = [f"configmap/{op.name} keys matching /{op.key_pattern}/ ({len(hits)} of {len(data)}):"]
        lines += [f"{k}: {v}" for k, v in hits]
        return ReadResult(True, "\n".join(lines), f"{len(hits)} of {len(data)} keys match",
                          {"kind": "ConfigMap", "name": op.name})


HANDLERS = (ConfigMapPatchHandler(), ConfigMapGetHandler())
