"""PodDisruptionBudgets (policy/v1) and the disruption controller that keeps their status.

Status follows kube-controller-manager's disruption controller: ``currentHealthy`` counts the
selected pods that are Ready and not being deleted; ``expectedPods`` is the number of selected pods
for an integer ``minAvailable``, else the summed ``spec.replicas`` of their controllers;
``desiredHealthy`` comes from ``minAvailable`` (percentages round up) or ``expectedPods`` minus
``maxUnavailable`` (rounded up); ``disruptionsAllowed`` is ``currentHealthy - desiredHealthy``, never
below 0.  The status is recomputed whenever a pod changes, so an eviction sees the budget as it is.

``eviction_refusal`` is the API server's eviction check (``pods/eviction``, what ``kubectl drain``
calls): a pod covered by a budget that allows no disruption is refused with 429.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from typing import Any

from .cluster_core import ClusterCore
from .records import PodRecord
from .store import WatchEvent

API_VERSION = "policy/v1"


def stable_uid(*parts: object) -> str:
    """A uid that does not draw from the seeded NameSource (so adding an object moves no pod name)."""
    digest = hashlib.blake2b("/".join(map(str, parts)).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def scaled(value: int | str, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if isinstance(value, int):
        return value
    pct = int(value.rstrip("%"))
    exact = pct * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """metav1.LabelSelector: nil selects nothing, {} selects everything (policy/v1 semantics)."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


@dataclass
class PdbRecord:
    namespace: str
    name: str
    uid: str
    created: float
    obj: dict[str, Any]  # metadata + spec as written; status is derived
    allowed: bool | None = None
    transition: float = 0.0

    @property
    def spec(self) -> dict[str, Any]:
        return self.obj["spec"]


class DisruptionController(ClusterCore):
    """Mixin for Cluster: budgets, their status, and the eviction check."""

    pdbs: dict[tuple[str, str], PdbRecord]

    def _pdb_watch(self, ev: WatchEvent) -> None:
        if ev.resource == "pods" and self.pdbs:
            self._pdb_dirty = True

    def add_pdb(self, obj: dict[str, Any], t: float, created: float | None = None) -> PdbRecord:
        given = obj["metadata"]
        created = t if created is None else created
        uid = stable_uid(self.config.seed, "pdb", given["namespace"], given["name"], t)
        meta: dict[str, Any] = {"name": given["name"], "namespace": given["namespace"], "uid": uid,
                                "resourceVersion": "0", "generation": 1,
                                "creationTimestamp": self.clock.iso(created)}
        meta.update({k: v for k, v in given.items() if k in ("labels", "annotations", "managedFields")})
        obj = {**obj, "metadata": meta}
        rec = PdbRecord(meta["namespace"], meta["name"], uid, created, obj)
        self.pdbs[(rec.namespace, rec.name)] = rec
        # what a client gets back from the create: the controller has not looked at it yet
        obj = dict(obj, status={"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0})
        self.store.put("poddisruptionbudgets", obj)
        self._pdb_dirty = True
        return rec

    def remove_pdb(self, namespace: str, name: str) -> None:
        self.pdbs.pop((namespace, name), None)
        self.store.delete("poddisruptionbudgets", namespace, name)

    def pdb_pods(self, pdb: PdbRecord) -> list[PodRecord]:
        sel = pdb.spec.get("selector")
        return [p for p in self.pods.values()
                if p.namespace == pdb.namespace and p.deleted_at is None and selector_matches(sel, p.labels)]

    def pdbs_for_pod(self, rec: PodRecord) -> list[PdbRecord]:
        return [b for b in self.pdbs.values()
                if b.namespace == rec.namespace and selector_matches(b.spec.get("selector"), rec.labels)]

    def pdb_status(self, pdb: PdbRecord, t: float) -> dict[str, Any]:
        pods = self.pdb_pods(pdb)
        healthy = sum(1 for p in pods if p.ready(t))
        spec = pdb.spec
        if "maxUnavailable" in spec or isinstance(spec.get("minAvailable"), str):
            owners = {id(d): d for d in (self._owner_deployment(p) for p in pods) if d is not None}
            expected = sum(d.replicas for d in owners.values()) + sum(1 for p in pods if p.rs_name is None)
        else:
            expected = len(pods)
        if "maxUnavailable" in spec:
            desired = max(0, expected - scaled(spec["maxUnavailable"], expected, True))
        else:
            desired = scaled(spec.get("minAvailable", 1), expected, True)
        allowed = healthy - desired
        if expected <= 0 or allowed <= 0:
            allowed = 0
        ok = allowed > 0
        if pdb.allowed is None:  # first look: the condition last changed when a pod last did
            pdb.transition = min(t, max((p.status_changed for p in pods), default=pdb.created))
        elif pdb.allowed != ok:
            pdb.transition = t
        pdb.allowed = ok
        gen = int(pdb.obj["metadata"].get("generation", 1))
        return {"observedGeneration": gen, "disruptionsAllowed": allowed, "currentHealthy": healthy,
                "desiredHealthy": desired, "expectedPods": expected,
                "conditions": [{"type": "DisruptionAllowed", "status": "True" if ok else "False",
                                "observedGeneration": gen, "lastTransitionTime": self.clock.iso(pdb.transition),
                                "reason": "SufficientPods" if ok else "InsufficientPods", "message": ""}]}

    def refresh_pdbs(self, t: float) -> None:
        """Publish each budget whose status changed (the disruption controller's sync)."""
        self._pdb_dirty = False
        for pdb in self.pdbs.values():
            stored = self.store.get("poddisruptionbudgets", pdb.namespace, pdb.name)
            status = self.pdb_status(pdb, t)
            if stored is not None and stored.obj.get("status") == status:
                continue
            meta = dict(pdb.obj["metadata"])
            if stored is not None:
                meta["managedFields"] = _with_status_manager(meta.get("managedFields") or [], self.clock.iso(t))
            self.store.put("poddisruptionbudgets", {**pdb.obj, "metadata": meta, "status": status})

    def eviction_refusal(self, rec: PodRecord, t: float) -> tuple[int, str, list[dict[str, str]]] | None:
        """None when the API server would evict ``rec`` now; else (code, message, causes)."""
        budgets = self.pdbs_for_pod(rec)
        if not budgets:
            return None
        if len(budgets) > 1:
            return 500, "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", []
        if self._pdb_dirty:
            self.refresh_pdbs(t)
        pdb = budgets[0]
        stored = self.store.get("poddisruptionbudgets", pdb.namespace, pdb.name)
        status = (stored.obj.get("status") if stored else None) or self.pdb_status(pdb, t)
        # unhealthyPodEvictionPolicy IfHealthyBudget (the default): an unready pod may go while the
        # budget is met, since evicting it takes nothing healthy away
        if not rec.ready(t) and status["desiredHealthy"] > 0 and status["currentHealthy"] >= status["desiredHealthy"]:
            return None
        if pdb.spec.get("unhealthyPodEvictionPolicy") == "AlwaysAllow" and not rec.ready(t):
            return None
        if status["disruptionsAllowed"] <= 0:
            return 429, "Cannot evict pod as it would violate the pod's disruption budget.", [
                {"reason": "DisruptionBudget",
                 "message": f"The disruption budget {pdb.name} needs {status['desiredHealthy']} healthy pods and "
                            f"has {status['currentHealthy']} currently"}]
        return None


def _with_status_manager(managed: list[dict[str, Any]], when: str) -> list[dict[str, Any]]:
    out = [dict(e) for e in managed if not (e.get("manager") == "kube-controller-manager"
                                            and e.get("subresource") == "status")]
    out.append({"manager": "kube-controller-manager", "operation": "Update", "apiVersion": API_VERSION,
                "time": when, "fieldsType": "FieldsV1", "subresource": "status",
                "fieldsV1": {"f:status": {"f:conditions": {".": {}, 'k:{"type":"DisruptionAllowed"}': {
                    ".": {}, "f:lastTransitionTime": {}, "f:message": {}, "f:observedGeneration": {},
                    "f:reason": {}, "f:status": {}, "f:type": {}}}, "f:currentHealthy": {}, "f:desiredHealthy": {},
                    "f:disruptionsAllowed": {}, "f:expectedPods": {}, "f:observedGeneration": {}}}})
    return out


def budget(namespace: str, name: str, spec: dict[str, Any], labels: dict[str, str] | None = None,
           manager: str = "kubectl-client-side-apply", when: str = "") -> dict[str, Any]:
    """A PodDisruptionBudget as a client writes it (metadata filled in by ``add_pdb``)."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = dict(labels)
    fields: dict[str, Any] = {"f:spec": {**{f"f:{k}": {} for k in spec if k != "selector"}}}
    if "selector" in spec:
        fields["f:spec"]["f:selector"] = {}
    meta["managedFields"] = [{"manager": manager, "operation": "Update", "apiVersion": API_VERSION, "time": when,
                              "fieldsType": "FieldsV1", "fieldsV1": fields}]
    return {"kind": "PodDisruptionBudget", "apiVersion": API_VERSION, "metadata": meta, "spec": spec}
