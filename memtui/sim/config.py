"""Simulator configuration: the knobs a test, the demo or a benchmark turns."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

#: One scenario per root cause in the runbook ("Common Root Causes" 1-4), then one with two causes
#: at once and two where the obvious signal misleads (``models/mixed.py`` says what is true in each).
SCENARIOS: tuple[str, ...] = ("leak", "model-duplication", "batch-spike", "cache-bloat",
                              "leak-cache", "leak-batch-spike", "stable-model-cache")

#: Who owns the sap-llm Deployment and ConfigMap, by the labels/annotations each tool leaves.
GITOPS: tuple[str, ...] = ("argocd", "flux", "helm")


MAX_SPEED = 3600.0
"""Simulated seconds per wall second at most: an hour a second already outruns every poll."""
MAX_REPLICAS = 20_000
"""Issue 11 measures the cockpit at 20,000 pods in one namespace (bench/app.py)."""
MAX_SEED = 2**32 - 1


class SimConfigError(ValueError):
    """A knob out of range; ``field`` names it so the command line can say ``--speed``."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


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
    out entirely: every verb on them answers 403, as on a cluster whose on-call Role misses them.
    A subresource alone (``pods/log``, ``pods/exec``) denies just that: logs forbidden, pods readable."""
    gpu_node_memory: str = "2Ti"
    """Memory capacity of each ``gpu-node-NN`` Node (allocatable is 6Gi + 100Mi less); a small value
    makes the nodes too full for a raised limit or request."""
    quota_limits_memory: str | None = "160Gi"
    """``limits.memory`` of the ResourceQuota ``sap-llm-quota`` in sap-llm (None: not in the quota)."""
    quota_requests_memory: str | None = "96Gi"
    """``requests.memory`` of that ResourceQuota; with both None there is no ResourceQuota."""
    container_max_memory: str | None = "32Gi"
    """``max.memory`` per container of the LimitRange ``sap-llm-limits`` (min 64Mi); None: no LimitRange."""
    sidecar: bool = False
    """A ``log-shipper`` sidecar (fluent-bit, 256Mi limit) in each sap-llm pod; ``sidecar_oom`` OOMs it at its own limit."""
    epoch: datetime | None = None
    """The simulated clock's start (UTC); None is the wall clock at start. With ``speed=0`` a fixed
    epoch makes every timestamp, age and "since" reproducible (the screenshot tests use both)."""

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {self.scenario!r}; choose one of {', '.join(SCENARIOS)}")
        if not (math.isfinite(self.speed) and 0 <= self.speed <= MAX_SPEED):  # nan passes `< 0`
            raise SimConfigError("speed", f"must be a number between 0 and {MAX_SPEED:g} (got {self.speed})")
        for name, high in (("replicas", MAX_REPLICAS), ("seed", MAX_SEED), ("port", 65535)):
            value = getattr(self, name)
            if not 0 <= value <= high:
                raise SimConfigError(name, f"must be between 0 and {high} (got {value})")
        if self.gitops is not None and self.gitops not in GITOPS:
            raise ValueError(f"unknown gitops owner {self.gitops!r}; choose one of {', '.join(GITOPS)} (or None)")
        if isinstance(self.operator_denied, str) or not all(isinstance(r, str) for r in self.operator_denied):
            raise ValueError("operator_denied must be a tuple of resource names such as 'poddisruptionbudgets.policy'")
        object.__setattr__(self, "operator_denied", tuple(self.operator_denied))
        from .quantity import QuantityError, parse_bytes
        for name in ("gpu_node_memory", "quota_limits_memory", "quota_requests_memory", "container_max_memory"):
            value = getattr(self, name)
            if value is None and name != "gpu_node_memory":
                continue
            try:
                ok = isinstance(value, str) and parse_bytes(value) > 0
            except QuantityError:
                ok = False
            if not ok:
                raise SimConfigError(name, f"must be a positive memory quantity such as 32Gi (got {value!r})")
