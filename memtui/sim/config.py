"""Simulator configuration: the knobs a test, the demo or a benchmark turns."""

from __future__ import annotations

from dataclasses import dataclass

#: One scenario per root cause in the runbook ("Common Root Causes" 1-4).
SCENARIOS: tuple[str, ...] = ("leak", "model-duplication", "batch-spike", "cache-bloat")

#: Who owns the sap-llm Deployment and ConfigMap, by the labels/annotations each tool leaves.
GITOPS: tuple[str, ...] = ("argocd", "flux", "helm")


@dataclass(frozen=True)
class SimConfig:
    """How to build and run one simulated incident.

    ``speed`` is simulated seconds per wall second: 1 keeps timestamps real for
    the demo, 0 freezes the clock so tests move time only with ``advance``.
    """

    scenario: str = "leak"
    seed: int = 42
    speed: float = 1.0
    replicas: int = 3
    host: str = "127.0.0.1"
    port: int = 0
    pdb: bool = True
    """A PodDisruptionBudget ``sap-llm`` (``minAvailable: 2``, selector ``app=sap-llm``), status kept by a
    disruption controller; evictions honour it."""
    hpa: bool = False
    """A HorizontalPodAutoscaler ``sap-llm-api`` (3 to 8 replicas, CPU 90% of request) that acts every 15 s:
    a manual scale outside its range is put back."""
    gitops: str | None = None
    """``argocd``, ``flux`` or ``helm``: that tool's tracking labels/annotations on the sap-llm Deployment
    and ConfigMap ``sap-llm-config``; None leaves them unmanaged."""
    operator_denied: tuple[str, ...] = ()
    """Resources (``plural.group``, e.g. ``poddisruptionbudgets.policy``) the operator's RBAC leaves
    out entirely: every verb on them answers 403, as on a cluster whose on-call Role misses them."""

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {self.scenario!r}; choose one of {', '.join(SCENARIOS)}")
        if self.speed < 0:
            raise ValueError("speed must be >= 0")
        if self.replicas < 0:
            raise ValueError("replicas must be >= 0")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be 0..65535")
        if self.gitops is not None and self.gitops not in GITOPS:
            raise ValueError(f"unknown gitops owner {self.gitops!r}; choose one of {', '.join(GITOPS)} (or None)")
        if isinstance(self.operator_denied, str) or not all(isinstance(r, str) for r in self.operator_denied):
            raise ValueError("operator_denied must be a tuple of resource names such as 'poddisruptionbudgets.policy'")
        object.__setattr__(self, "operator_denied", tuple(self.operator_denied))
