"""What the parts of the simulated cluster share: the state more than one part touches, and the few
operations one part asks of another.

``Cluster`` is composed of parts (``PodLifecycle``, ``DeploymentController``,
``DisruptionController``, ``AutoscalerController``), each a mixin in its own module.  They used to
type ``self`` as ``Cluster``, so each part imported the module that imports it: an import cycle
(TYPE_CHECKING imports count for the layering too).  Each part now subclasses ``ClusterCore``
instead, which imports none of them; ``cluster.py`` imports the parts, never the other way.  An
operation declared here is abstract: the comment names the part that implements it, and a
``Cluster`` lacking one cannot be instantiated.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .clock import SimClock
from .config import SimConfig
from .events import EventRecorder
from .models import MemSample
from .names import NameSource
from .records import DeploymentRecord, PodRecord, ReplicaSetRecord
from .store import Store


class ClusterCore(ABC):
    """The shared state (assigned in ``Cluster.__init__``) and the cross-part operations."""

    config: SimConfig
    clock: SimClock
    names: NameSource
    store: Store
    recorder: EventRecorder
    pods: dict[str, PodRecord]
    """Live pods by uid."""
    deployments: dict[tuple[str, str], DeploymentRecord]
    heap: list[tuple[float, int, str, str, int]]
    """Scheduled transitions: (time, sequence, "pod", "hpa" or "sidecar-kill"/"sidecar-start", uid, version)."""
    _seq: int
    """Tie-breaker of the heap: the order transitions were scheduled in."""
    _dirty: set[tuple[str, str]]
    """Deployments whose status must be republished at the next flush."""
    _pdb_dirty: bool
    """A pod changed: budgets' status must be recomputed at the next flush."""

    # -- Cluster (cluster.py) ---------------------------------------------------------------
    @abstractmethod
    def create_pod(self, dep: DeploymentRecord, rs: ReplicaSetRecord, t: float, weight: float | None = None,
                   publish: bool = True) -> PodRecord: ...

    @abstractmethod
    def deployment(self, namespace: str, name: str) -> DeploymentRecord | None: ...

    @abstractmethod
    def sample(self, rec: PodRecord, t: float) -> MemSample | None: ...

    @abstractmethod
    def _release_slot(self, rec: PodRecord) -> None: ...

    @abstractmethod
    def _on_deployment_scaled(self, dep: DeploymentRecord, t: float) -> None: ...

    @abstractmethod
    def _let_owner_replace(self, rec: PodRecord, t: float) -> None: ...

    # -- DeploymentController (controllers.py) ----------------------------------------------
    @abstractmethod
    def update_deployment(self, dep: DeploymentRecord, new_obj: dict[str, Any], t: float) -> None: ...

    @abstractmethod
    def _rs_pods(self, rs: ReplicaSetRecord) -> list[PodRecord]: ...

    @abstractmethod
    def _pod_ready_changed(self, rec: PodRecord, t: float) -> None: ...

    @abstractmethod
    def _owner_deployment(self, rec: PodRecord) -> DeploymentRecord | None: ...

    @abstractmethod
    def reconcile_rs(self, dep: DeploymentRecord, rs: ReplicaSetRecord, t: float) -> None: ...

    # -- NodeController (nodes.py) -------------------------------------------------------------
    @abstractmethod
    def set_node_condition(self, name: str, ctype: str, status: str, reason: str, message: str, t: float) -> None: ...

    # -- PodLifecycle (lifecycle.py) ---------------------------------------------------------
    @abstractmethod
    def _kill_pod(self, rec: PodRecord, t: float, reason: str = "Killing") -> dict: ...

    # -- DisruptionController (policy.py) ----------------------------------------------------
    @abstractmethod
    def refresh_pdbs(self, t: float) -> None: ...
