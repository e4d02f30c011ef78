"""Warnings the modal shows before a change: capacity, disruption budgets, GitOps ownership.

These are the facts that turn a good fix into a second incident: replacing pods while few are
ready, deleting a pod a PodDisruptionBudget protects (a plain delete ignores it), or patching an
object that Argo CD or Flux will put back at the next sync.  Each check reads what it needs and
returns lines of text; a check that cannot run says so instead of staying silent, except where
the API is simply not served (no policy/v1 means no PodDisruptionBudgets can exist).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memtui.executor.kubeapi import ApiFailure, KubeApi

ARGO_LABEL = "argocd.argoproj.io/instance"
ARGO_TRACKING = "argocd.argoproj.io/tracking-id"
FLUX_KEYS = ("kustomize.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/name")


def readiness(deployment: Mapping[str, Any]) -> str | None:
    """A warning when fewer replicas are ready than desired (replacing pods lowers capacity more)."""
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    desired = int(spec.get("replicas", 1) or 0)
    ready = int(status.get("readyReplicas", 0) or 0)
    name = (deployment.get("metadata") or {}).get("name", "?")
    if ready < desired:
        return (f"deployment/{name}: only {ready} of {desired} replicas ready; replacing pods now lowers "
                "serving capacity further")
    return None


def ready_text(deployment: Mapping[str, Any]) -> str:
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    return f"{int(status.get('readyReplicas', 0) or 0)}/{int(spec.get('replicas', 1) or 0)} replicas ready"


def gitops(obj: Mapping[str, Any], what: str) -> str | None:
    """Argo CD / Flux ownership from labels and annotations: a manual patch will be reverted."""
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    if ARGO_LABEL in labels or ARGO_TRACKING in annotations or ARGO_LABEL in annotations:
        app = labels.get(ARGO_LABEL) or annotations.get(ARGO_TRACKING, "").split(":", 1)[0] or "?"
        return (f"{what} is managed by Argo CD (application {app}): a patch will be reverted by the next sync "
                "unless auto-sync is paused; make the lasting change in Git")
    for key in FLUX_KEYS:
        if key in labels or key in annotations:
            owner = labels.get(key) or annotations.get(key)
            kind = "Kustomization" if key.startswith("kustomize") else "HelmRelease"
            return (f"{what} is managed by Flux ({kind} {owner}): a patch will be reverted by the next "
                    "reconciliation unless it is suspended; make the lasting change in Git")
    if labels.get("app.kubernetes.io/managed-by") == "Helm":
        return f"{what} is managed by Helm: the next helm upgrade puts the chart's values back"
    return None


def _selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def disruption_budgets(api: KubeApi, pod_labels: Mapping[str, str], *, deleting: bool) -> list[str]:
    """PodDisruptionBudgets (policy/v1) whose selector covers pods with ``pod_labels``."""
    try:
        listed = api.get(api.path("poddisruptionbudgets", group="policy", version="v1"))
    except ApiFailure as exc:
        if exc.status == 404:
            return []  # policy/v1 not served: no budget can exist
        return [f"PodDisruptionBudgets could not be checked: {exc}"]
    out = []
    for pdb in listed.get("items") or []:
        selector = (pdb.get("spec") or {}).get("selector")
        if not selector or not _selector_matches(selector, pod_labels):
            continue
        name = (pdb.get("metadata") or {}).get("name", "?")
        status = pdb.get("status") or {}
        allowed = int(status.get("disruptionsAllowed", 0) or 0)
        healthy = status.get("currentHealthy", "?")
        desired = status.get("desiredHealthy", "?")
        line = (f"PodDisruptionBudget {name} covers these pods: {allowed} disruption"
                f"{'s' if allowed != 1 else ''} allowed ({healthy} healthy, {desired} required)")
        if deleting:
            line += "; a pod delete does not ask it (only evictions do)"
            if allowed == 0:
                line += " and this delete goes below what it requires"
        else:
            line += "; a rollout honours the deployment's maxUnavailable, not the budget"
        out.append(line)
    return out


def autoscalers(api: KubeApi, deployment: str) -> list[str]:
    """A HorizontalPodAutoscaler on the deployment overrides a manual scale within minutes."""
    try:
        listed = api.get(api.path("horizontalpodautoscalers", group="autoscaling", version="v2"))
    except ApiFailure as exc:
        if exc.status == 404:
            return []
        return [f"HorizontalPodAutoscalers could not be checked: {exc}"]
    out = []
    for hpa in listed.get("items") or []:
        ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
        if ref.get("kind") == "Deployment" and ref.get("name") == deployment:
            spec = hpa.get("spec") or {}
            out.append(f"HorizontalPodAutoscaler {(hpa.get('metadata') or {}).get('name', '?')} scales "
                       f"deployment/{deployment} between {spec.get('minReplicas', 1)} and "
                       f"{spec.get('maxReplicas', '?')}: it will override this manual scale")
    return out
