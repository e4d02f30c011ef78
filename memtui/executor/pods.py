"""Which pods an action reaches, and why those: the runbook's commands get this wrong.

``kubectl exec deployment/X`` reaches one arbitrary pod; the runbook's "restart high-memory
pods" command picks the pod with the *fewest* restarts.  Here every pod an action reaches is
named with the reason it was chosen: the selected pod, one pod of the deployment (and which), all
of its pods, or the worst pod by working set against its limit.  A selected pod must be in the
namespace memtui runs in and belong to the operation's deployment; anything else is a
``PlanError`` before a modal is even shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from memtui.executor.guard import GuardError, check_subdomain
from memtui.executor.kubeapi import ApiFailure, KubeApi
from memtui.executor.model import ActionContext, PlanError
from memtui.runbook import worst_pod
from memtui.state.snapshots import PodState
from memtui.clients.kube.parse import parse_pod
from memtui.state.units import format_bytes


@dataclass(frozen=True)
class PodFacts:
    """What ``worst_pod`` and the modal need about one pod."""

    name: str
    working_set: int | None
    limit: int | None
    restarts: int
    seconds_to_oom: float | None = None


@dataclass(frozen=True)
class Reach:
    """The pods an action reaches and one line saying how they were chosen."""

    pods: tuple[PodState, ...]
    how: str
    """``selected``, ``one``, ``all``, ``worst`` or ``pinned`` (the operator's choice in the modal)."""
    why: dict[str, str]
    """Per pod: why this pod (with its memory figures)."""
    alternative: str | None = None
    """For ``worst``: the selected pod of the same deployment, when it is a different pod."""


def describe(pod: PodState, usage: int | None) -> str:
    """``11.8 GiB of 12 GiB limit (98%), 3 restarts``: the figures that justify a choice."""
    limit = pod.memory_limit_bytes
    restarts = f"{pod.restarts} restart{'s' if pod.restarts != 1 else ''}"
    if usage is None:
        return f"working set unknown, {restarts}"
    if limit:
        return f"{format_bytes(usage)} of {format_bytes(limit)} limit ({usage / limit:.0%}), {restarts}"
    return f"{format_bytes(usage)}, no memory limit, {restarts}"


def is_live(pod: PodState) -> bool:
    """Running and not being deleted: what exec can reach and what a delete is worth."""
    return pod.phase == "Running" and pod.status_text != "Terminating"


def pods_of(ctx: ActionContext, namespace: str, deployment: str) -> list[PodState]:
    """The deployment's pods in the snapshot, by name (other namespaces never count)."""
    return sorted((p for p in ctx.pods if p.namespace == namespace and p.owner == deployment), key=lambda p: p.name)


def selected_pod(ctx: ActionContext, api: KubeApi, deployment: str | None) -> PodState | None:
    """The selected pod, checked: a valid name, in this namespace, of ``deployment``.

    The pod is looked up in the snapshot first; a name the snapshot does not know is read from
    the API in *this* namespace only, so a name from another namespace is never found there.
    """
    return checked_pod(ctx.selected_pod, ctx, api, deployment)


def checked_pod(name: str | None, ctx: ActionContext, api: KubeApi, deployment: str | None) -> PodState | None:
    """The pod ``name``, checked as ``selected_pod`` explains (None when no name is given)."""
    if not name:
        return None
    try:
        check_subdomain(name, "pod")
    except GuardError as exc:
        raise PlanError(exc.message) from None
    namespace = api.namespace
    known = [p for p in ctx.pods if p.name == name]
    here = [p for p in known if p.namespace == namespace]
    if not here and known:
        raise PlanError(f"pod {name} is in namespace {known[0].namespace}; memtui acts only in {namespace}")
    pod = here[0] if here else None
    if pod is None:
        try:
            pod = parse_pod(api.get(api.path("pods", name)))
        except ApiFailure as exc:
            if exc.status == 404:
                raise PlanError(f"no pod {name} in namespace {namespace}") from None
            raise PlanError(f"cannot read pod {name}: {exc}") from None
        if pod.namespace != namespace:  # a server that answers for another namespace: refuse all the same
            raise PlanError(f"pod {name} is in namespace {pod.namespace}; memtui acts only in {namespace}")
    if deployment is not None and pod.owner != deployment:
        owner = f"deployment/{pod.owner}" if pod.owner else "no deployment"
        raise PlanError(f"pod {name} belongs to {owner}, not deployment/{deployment}")
    return pod


def facts(pods: Sequence[PodState], usage: Mapping[str, int],
          seconds_to_oom: Mapping[str, float] | None = None) -> list[PodFacts]:
    forecast = seconds_to_oom or {}
    return [PodFacts(p.name, usage.get(p.name), p.memory_limit_bytes, p.restarts, forecast.get(p.name)) for p in pods]


def resolve(how: str, ctx: ActionContext, api: KubeApi, deployment: str, *, threshold_bytes: int) -> Reach:
    """The pods for ``selected`` / ``one`` / ``all`` / ``worst`` (pod-delete's own choice).

    ``selected`` with nothing selected falls back to the worst pod and says so: it is the pod
    the alert is about, and the modal shows the choice before anything is sent.  ``worst`` is
    the worst pod whatever the cursor is on (a title that says "worst pod" must not delete the
    selected one); a different selected pod of the deployment is offered as ``alternative``,
    and ``ctx.pinned_pod`` (the operator switched to it in the modal) is then the target.
    """
    usage = dict(ctx.usage)
    live = [p for p in pods_of(ctx, api.namespace, deployment) if is_live(p)]
    if how == "worst":
        return _worst(ctx, api, deployment, live, usage, threshold_bytes)
    chosen = selected_pod(ctx, api, deployment)
    if how == "selected" and chosen is not None:
        return Reach((chosen,), "selected", {chosen.name: f"the selected pod: {describe(chosen, usage.get(chosen.name))}"})
    if how == "selected":
        worst = _worst_of(live, ctx, usage, deployment, threshold_bytes)
        pod = next(p for p in live if p.name == worst.name)
        return Reach((pod,), "worst", {pod.name: f"no pod selected; the worst pod: {worst.reason}"})
    if not live:
        raise PlanError(f"no running pod of deployment/{deployment} in namespace {api.namespace}")
    if how == "one":
        ready = [p for p in live if p.ready_count == len(p.containers)] or live
        pod = ready[0]
        return Reach((pod,), "one", {pod.name: (
            f"one pod of deployment/{deployment} (the first ready pod by name; kubectl exec deployment/{deployment} "
            f"also reaches just one): {describe(pod, usage.get(pod.name))}")})
    if how == "all":
        n = len(live)
        return Reach(tuple(live), "all", {p.name: f"all {n} running pods of deployment/{deployment}: "
                                                  f"{describe(p, usage.get(p.name))}" for p in live})
    raise PlanError(f"unknown pod choice {how!r}")


def _worst_of(live: list[PodState], ctx: ActionContext, usage: Mapping[str, int], deployment: str,
              threshold_bytes: int):
    worst = worst_pod(facts(live, usage, ctx.seconds_to_oom), threshold_bytes=threshold_bytes)
    if worst is None:
        raise PlanError(f"no running pod of deployment/{deployment} with a memory figure; select a pod")
    return worst


def _worst(ctx: ActionContext, api: KubeApi, deployment: str, live: list[PodState], usage: Mapping[str, int],
           threshold_bytes: int) -> Reach:
    worst = _worst_of(live, ctx, usage, deployment, threshold_bytes)
    pod = next(p for p in live if p.name == worst.name)
    pinned = checked_pod(ctx.pinned_pod, ctx, api, deployment)
    if pinned is not None and pinned.name != pod.name:
        return Reach((pinned,), "pinned", {pinned.name: (
            f"chosen in the modal instead of the worst pod {pod.name}: {describe(pinned, usage.get(pinned.name))}")})
    # the selected row is only a hint here: a pod of another deployment is simply not offered
    # (a name that is invalid or from another namespace is still refused by the guard)
    chosen = selected_pod(ctx, api, None)
    alternative = chosen.name if chosen is not None and chosen.owner == deployment and chosen.name != pod.name else None
    return Reach((pod,), "worst", {pod.name: f"worst pod: {worst.reason}"}, alternative)


def container_of(pod: PodState, wanted: str | None) -> str:
    """The container to exec into: the one named ``wanted``, or the pod's only/first one."""
    names = [c.name for c in pod.containers]
    if wanted and wanted in names:
        return wanted
    if wanted and names:
        raise PlanError(f"pod {pod.name} has no container {wanted!r} (it has {', '.join(names)})")
    if not names:
        raise PlanError(f"pod {pod.name} has no containers")
    return names[0]
