"""The namespace guard and name checks: the last look at every request before it leaves.

memtui is started for one namespace and must never change or exec into anything outside it,
whatever a snapshot, a runbook file or a typed value says.  Plans are built from names that
pass here, and ``check_path`` runs again on every request at send time, so even a bug upstream
cannot aim a write at ``ml-batch``.  Names are checked against Kubernetes' own rules (DNS-1123)
before they go into a URL path: a name with ``/`` or ``..`` could otherwise walk the path.
"""

from __future__ import annotations

from memtui.clients.kube import names
from memtui.executor.model import PlanError

SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
"""The one cluster-scoped path memtui writes to: asking what it may do, which changes nothing."""


CLUSTER_READS = ("/api/v1/nodes", "/api/v1/pods")
"""The cluster-scoped paths memtui reads (GET only), for the memory-limit checks: a Node's
allocatable memory, and the pods on that node (``fieldSelector=spec.nodeName=…``), which is what
the scheduler weighs a new pod against.  Nothing outside the namespace is ever written."""


class GuardError(PlanError):
    """A request or name that would leave the namespace (or is not a valid name at all)."""


def check_subdomain(name: str, what: str) -> str:
    """Pods, ConfigMaps, Deployments (``names.check_subdomain``), refused as a plan error."""
    try:
        return names.check_subdomain(name, what)
    except names.InvalidName as exc:
        raise GuardError(str(exc)) from None


def check_label(name: str, what: str) -> str:
    """Namespaces and container names (``names.check_label``), refused as a plan error."""
    try:
        return names.check_label(name, what)
    except names.InvalidName as exc:
        raise GuardError(str(exc)) from None


def check_path(method: str, path: str, namespace: str) -> None:
    """Refuse any request outside ``/…/namespaces/<namespace>/…`` (SelfSubjectAccessReview aside).

    Reads are held to the same rule: memtui has no business reading other teams' objects either,
    and a read of the wrong namespace would feed a wrong plan.
    """
    if method == "POST" and path == SSAR_PATH:
        return
    if method == "GET" and _cluster_read(path):
        return
    parts = path.split("/")
    # /api/v1/namespaces/NS/...  or  /apis/GROUP/VERSION/namespaces/NS/...
    if len(parts) >= 6 and parts[1] == "api" and parts[3] == "namespaces":
        ns, rest = parts[4], parts[5:]
    elif len(parts) >= 7 and parts[1] == "apis" and parts[4] == "namespaces":
        ns, rest = parts[5], parts[6:]
    else:
        raise GuardError(f"refused: {method} {path} is not inside namespace {namespace}")
    if ns != namespace:
        raise GuardError(f"refused: {method} {path} is in namespace {ns!r}; memtui was started for {namespace!r}")
    if any(part in ("", ".", "..") for part in rest):
        raise GuardError(f"refused: {method} {path} has an empty or relative path segment")


def _cluster_read(path: str) -> bool:
    """``/api/v1/nodes``, ``/api/v1/nodes/NAME`` (a valid name) or ``/api/v1/pods``."""
    if path in CLUSTER_READS:
        return True
    head, _, name = path.rpartition("/")
    if head != "/api/v1/nodes" or not name:
        return False
    try:
        names.check_subdomain(name, "node")
    except names.InvalidName:
        return False
    return True
