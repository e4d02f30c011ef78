"""The incident as the on-call engineer finds it at t=0.

Builds namespaces, ConfigMaps, Deployments with their ReplicaSet history and
pods whose past container lives are consistent with the memory model: the
OOMKilled pod really OOMed at its model's crossing times, so the past that
``openmetrics_history`` reconstructs matches restartCount and Events.

Among sap-llm pods (replica i): i % 3 == 0 is OOMKilled with restarts,
1 is near its limit and growing, 2 is healthy; the first three are placed
canonically, the rest spread deterministically around those states.
"""

from __future__ import annotations

import copy
from functools import partial
from collections.abc import Callable
from typing import Any

from . import managed, manifests, templates
from .clock import SimClock
from .cluster import Cluster
from .config import SimConfig
from .events import oom_message, pod_ref
from .models import ContainerModel, Life
from .noise import unit
from .records import DeploymentRecord, PodRecord, ReplicaSetRecord
from .scenario_data import SCENARIO_DATA, config_for, redis_bloating

DAY = 86400.0
EVENT_TTL = 3600.0  # the API server's default --event-ttl
BACKOFF = 10.0


def build_cluster(config: SimConfig, clock: SimClock) -> Cluster:
    """The scenario's cluster at simulated time 0: its namespaces, Deployments, pods with their past."""
    cluster = Cluster(config, clock)
    build(cluster)
    return cluster


def build(cl: Cluster) -> None:
    cl.bootstrapping = True
    seed = cl.config.seed
    ns_created = {"default": -90 * DAY, "kube-system": -90 * DAY, "kube-public": -90 * DAY,
                  "kube-node-lease": -90 * DAY, "sap-llm": -60 * DAY, "ml-batch": -30 * DAY}
    for ns, created in ns_created.items():
        cl.store.put("namespaces", manifests.namespace(ns, cl.names.uid(), created, cl.clock))
        cl.store.put("configmaps", manifests.configmap(
            "kube-root-ca.crt", ns, cl.names.uid(), {"ca.crt": "-----BEGIN CERTIFICATE-----\n"
                                                     "MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhr\n"
                                                     "-----END CERTIFICATE-----\n"},
            created, cl.clock))
    for n in (1, 2):  # a spare GPU node: somewhere a pod that does not fit could go
        cl.node_named(True, n)
    for n in range(1, 5):
        cl.node_named(False, n)
    data = config_for(cl.config.scenario)
    cm_labels, cm_annotations = gitops_metadata(cl.config.gitops, "", "ConfigMap", "sap-llm", "sap-llm-config")
    config = manifests.configmap("sap-llm-config", "sap-llm", cl.names.uid(), data, -2 * DAY, cl.clock,
                                 labels={"app": "sap-llm", **cm_labels}, annotations=cm_annotations)
    manager, operation = creator(cl.config.gitops)
    config["metadata"]["managedFields"] = []
    managed.initial(config["metadata"], config, manager=manager, operation=operation, api_version="v1",
                    when=cl.clock.iso(-2 * DAY))
    cl.store.put("configmaps", config)
    cl.store.put("configmaps", manifests.configmap(
        "redis-config", "sap-llm", cl.names.uid(),
        {"redis.conf": "bind 0.0.0.0\nport 6379\nsave \"\"\nappendonly no\nmaxmemory 0\n"
                       "maxmemory-policy noeviction\n"}, -60 * DAY, cl.clock, labels={"app": "redis"}))
    cl.store.put("configmaps", manifests.configmap("eval-config", "ml-batch", cl.names.uid(),
                                                   {"suite": "nightly", "max_samples": "5000"}, -30 * DAY,
                                                   cl.clock))

    _sap_llm(cl, data)
    api = _deployment(cl, "sap-llm", "sap-llm-api", "api", templates.sap_llm_api(), 4, -60 * DAY)
    rs = cl.new_replicaset(api, api.obj["spec"]["template"], -20 * DAY, 4, revision=1)
    for i in range(4):
        _steady_pod(cl, api, rs, -20 * DAY + 3600 * unit(seed, i, "api"))
    red = _deployment(cl, "sap-llm", "redis", "redis", templates.redis(), 1, -60 * DAY)
    rs = cl.new_replicaset(red, red.obj["spec"]["template"], -60 * DAY, 1, revision=1)
    _steady_pod(cl, red, rs, -4 * 3600.0 if redis_bloating(cl.config.scenario) else -9 * DAY)
    ev = _deployment(cl, "ml-batch", "sap-llm-eval", "eval", templates.sap_llm_eval(), 2, -30 * DAY)
    rs = cl.new_replicaset(ev, ev.obj["spec"]["template"], -2 * DAY, 2, revision=1)
    for i in range(2):
        _steady_pod(cl, ev, rs, -2 * DAY + 120 * i)
    etl = _deployment(cl, "ml-batch", "feature-etl", "etl", templates.feature_etl(), 1, -30 * DAY)
    rs = cl.new_replicaset(etl, etl.obj["spec"]["template"], -6 * 3600.0, 1, revision=1)
    _steady_pod(cl, etl, rs, -6 * 3600.0)
    cl.add_quota_and_limits(-60 * DAY)
    cl.bootstrapping = False
    for dep in cl.deployments.values():
        cl.publish_deployment(dep, 0.0)
    if cl.config.pdb:
        from .policy import budget
        cl.add_pdb(budget("sap-llm", "sap-llm", {"minAvailable": 2, "selector": {"matchLabels": {"app": "sap-llm"}}},
                          labels={"app": "sap-llm"}, when=cl.clock.iso(-40 * DAY)), 0.0, created=-40 * DAY)
        cl.refresh_pdbs(0.0)
    if cl.config.hpa:
        from .autoscaling import autoscaler
        cl.add_hpa(autoscaler("sap-llm", "sap-llm-api", "sap-llm-api", 3, 8, 90), -20 * DAY, 0.0)


GITOPS_APP = "sap-llm-prod"
"""The Argo CD Application / Flux Kustomization / Helm release said to own sap-llm (SimConfig.gitops)."""


def gitops_metadata(tool: str | None, group: str, kind: str, namespace: str, name: str
                    ) -> tuple[dict[str, str], dict[str, str]]:
    """(labels, annotations) that Argo CD, Flux or Helm leave on an object they manage."""
    if tool == "argocd":  # annotation tracking, Argo CD 3's default
        return {}, {"argocd.argoproj.io/tracking-id": f"{GITOPS_APP}:{group}/{kind}:{namespace}/{name}"}
    if tool == "flux":
        return {"kustomize.toolkit.fluxcd.io/name": GITOPS_APP, "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}, {}
    if tool == "helm":
        return ({"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "sap-llm",
                 "helm.sh/chart": "sap-llm-2.14.1"},
                {"meta.helm.sh/release-name": "sap-llm", "meta.helm.sh/release-namespace": namespace})
    return {}, {}


def creator(tool: str | None) -> tuple[str, str]:
    """The field manager and operation of whoever created an object: what its managedFields' first
    entry says (Argo CD and Flux apply server-side; Helm 3 and ``kubectl apply`` update)."""
    return {"argocd": ("argocd-controller", "Apply"), "flux": ("kustomize-controller", "Apply"),
            "helm": ("helm", "Update")}.get(tool or "", ("kubectl-client-side-apply", "Update"))


def _deployment(cl: Cluster, ns: str, name: str, kind: str, template: dict[str, Any], replicas: int,
                created: float, annotations: dict[str, str] | None = None, generation: int = 1
                ) -> DeploymentRecord:
    template = copy.deepcopy(template)
    template["metadata"]["creationTimestamp"] = None
    app = template["metadata"]["labels"]["app"]
    ann = {"deployment.kubernetes.io/revision": "1"}
    ann.update(annotations or {})
    uid = cl.names.uid()
    obj: dict[str, Any] = {
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": name, "namespace": ns, "uid": uid, "resourceVersion": "0", "generation": generation,
                     "creationTimestamp": cl.clock.iso(created), "labels": {"app": app},
                     "annotations": ann},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}}, "template": template,
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                 "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
    }
    manager, operation = creator(cl.config.gitops if ns == "sap-llm" else None)
    managed.initial(obj["metadata"], obj, manager=manager, operation=operation, api_version="apps/v1",
                    when=cl.clock.iso(created))
    dep = DeploymentRecord(namespace=ns, name=name, uid=uid, created=created, obj=obj, kind=kind,
                           generation=generation)
    cl.deployments[(ns, name)] = dep
    return dep


def _steady_pod(cl: Cluster, dep: DeploymentRecord, rs: ReplicaSetRecord, created: float) -> PodRecord:
    rec = cl.create_pod(dep, rs, created, weight=1.0, publish=False)
    life = cl.new_life(rec, created + rec.start_delay)
    life.oom_at = rec.model.next_oom(life, 0.0)
    rec.lives.append(life)
    rec.ready_at = life.start + rec.model.ready_delay
    rec.status_changed = rec.ready_at
    cl._publish_pod(rec, 0.0)
    cl._schedule(rec)
    return rec


def _sap_llm(cl: Cluster, data: dict[str, str]) -> None:
    sd = SCENARIO_DATA[cl.config.scenario]
    seed = cl.config.seed
    t1 = templates.sap_llm(image="registry.example.com/sap-llm:2.13.0")
    t2 = templates.sap_llm(image="registry.example.com/sap-llm:2.14.0")
    t3 = templates.sap_llm(image=sd.image, model=sd.model, extra_env=sd.extra_env,
                           annotations={"checksum/config": f"{hash_config(data)}"})
    if cl.config.sidecar:
        from .sidecar import sidecar_container
        t3["spec"]["containers"].append(sidecar_container())
    for t in (t1, t2, t3):
        t["metadata"]["creationTimestamp"] = None
    dep = _deployment(cl, "sap-llm", "sap-llm", "sap-llm", t3, cl.config.replicas, -40 * DAY,
                      annotations={"deployment.kubernetes.io/revision": "3", "kubernetes.io/change-cause":
                                   sd.change_cause}, generation=5)
    labels, annotations = gitops_metadata(cl.config.gitops, "apps", "Deployment", "sap-llm", "sap-llm")
    dep.obj["metadata"]["labels"].update(labels)
    dep.obj["metadata"]["annotations"].update(annotations)
    cl.new_replicaset(dep, t1, -40 * DAY, 0, revision=1, change_cause="initial deploy: sap-llm 2.13.0")
    cl.new_replicaset(dep, t2, -12 * DAY, 0, revision=2,
                      change_cause="upgrade sap-llm to 2.14.0 (vLLM 0.6 runtime)")
    rs3 = cl.new_replicaset(dep, t3, 0.0, cl.config.replicas, revision=3, change_cause=sd.change_cause)
    model = cl.model_for("sap-llm")
    first_created = 0.0
    for i in range(cl.config.replicas):
        rec = cl.create_pod(dep, rs3, 0.0, weight=1.0, publish=False)
        spans, weight = _plan(model, rec, i, seed, cl)
        rec.weight = weight
        _adopt(cl, rec, spans)
        first_created = min(first_created, rec.created)
    rs3.created = first_created - 300.0 if cl.config.replicas else -3 * 3600.0


def hash_config(data: dict[str, str]) -> str:
    from .names import fnv32a
    return f"{fnv32a(repr(sorted(data.items())).encode()):08x}"


def _probe_factory(rec: PodRecord, cl: Cluster, weight: float) -> Callable[[float], Life]:
    cfg = cl._config_for(rec)

    def probe(s: float) -> Life:
        return Life(index=0, start=s, limit=rec.limit, config=cfg, weight=weight, key=rec.key, container_id="")
    return probe


def _oom(model: ContainerModel, probe: Callable[[float], Life], s: float) -> float | None:
    return model.next_oom(probe(s), s)


def _plan(model: ContainerModel, rec: PodRecord, i: int, seed: int, cl: Cluster
          ) -> tuple[list[tuple[float, float | None]], float]:
    """Container lives (start, end) for replica i, ending in its archetype's state at t=0."""
    kind = ("oom", "near", "healthy")[i % 3]
    u1, u2 = unit(seed, i, "a1"), unit(seed, i, "a2")
    canonical = i < 3
    if kind == "oom":
        weight = 1.15
        probe = _probe_factory(rec, cl, weight)
        restarts = 2 + int(u1 * 3)
        d = _duration(model, probe, 0.0) or 6 * 3600.0
        age = (240 + u2 * 480) if canonical else 60 + u2 * 0.7 * d
        age = min(age, 0.6 * d)
        cur = -age
    elif kind == "near":
        weight = 1.0
        probe = _probe_factory(rec, cl, weight)
        restarts = int(u1 * 2)
        lo, hi = model.near_ttl
        if not canonical:
            hi = hi + (i // 3 % 10) * 90.0
        ttl = lo + u2 * (hi - lo)
        cur = _start_for_ttl(model, probe, ttl, lo, hi)
    else:
        weight = 0.85
        probe = _probe_factory(rec, cl, weight)
        restarts = 0
        d = _duration(model, probe, 0.0) or 6 * 3600.0
        age = (360 + u2 * 900) if canonical else 60 + u2 * 0.35 * d
        cur = -min(age, 0.35 * d)
    if model.period is not None:
        # many replicas share (archetype, weight, jitter class): plan each combination once
        memo_key = (kind, restarts, canonical, i // 3 % 10, i % 2, model.memo_key(probe(0.0)), rec.limit)
        cache = cl.__dict__.setdefault("_plan_memo", {})
        if memo_key not in cache:
            cache[memo_key] = _plan_forward(model, probe, kind, restarts, canonical, i)
        return list(cache[memo_key]), weight
    spans: list[tuple[float, float | None]] = [(cur, None)]
    nxt = cur
    for _ in range(restarts):
        prev = _previous_life(model, probe, nxt - BACKOFF)
        if prev is None:
            break
        spans.insert(0, prev)
        nxt = prev[0]
    return spans, weight


def _simulate(model: ContainerModel, probe: Callable[[float], Life], s0: float
              ) -> list[tuple[float, float | None]]:
    """Lives from s0 forward, each ending at its OOM and restarting after the back-off, up to t=0."""
    spans: list[tuple[float, float | None]] = []
    s = s0
    while True:
        o = _oom(model, probe, s)
        if o is None or o > 0.0:
            spans.append((s, None))
            return spans
        spans.append((s, o))
        s = o + BACKOFF
        if s > 0.0 or len(spans) > 50:
            return spans


def _plan_forward(model: ContainerModel, probe: Callable[[float], Life], kind: str, restarts: int,
                  canonical: bool, i: int) -> list[tuple[float, float | None]]:
    """For load-curve models: try first-start times until the pod ends up in its archetype."""
    lo, hi = model.near_ttl
    if not canonical:
        hi += (i // 3 % 10) * 90.0
    fallback: list[tuple[float, float | None]] | None = None
    for j in range(1, 4 * 24 * 60):
        spans = _simulate(model, probe, -15.0 * j - 7.0 * (i % 2))
        cur, end = spans[-1]
        if end is not None or cur > -60.0:
            continue
        o = _oom(model, probe, cur)
        ttl = None if o is None else o
        n = len(spans) - 1
        if kind == "oom" and n >= 2 and (ttl is None or ttl > 300.0):
            if n >= restarts or fallback is not None:
                return spans
            fallback = spans
        elif kind == "near" and n <= 1 and ttl is not None and lo <= ttl <= hi:
            return spans
        elif kind == "healthy" and n == 0 and (ttl is None or ttl > 1800.0) and -cur >= 300.0:
            return spans
    return fallback or [(-600.0, None)]


def _duration(model: ContainerModel, probe: Callable[[float], Life], s: float) -> float | None:
    o = _oom(model, probe, s)
    return None if o is None else o - s


def _start_for_ttl(model: ContainerModel, probe: Callable[[float], Life], ttl: float, lo: float, hi: float
                   ) -> float:
    if model.period is None:
        d = _duration(model, probe, 0.0)
        return -3600.0 if d is None else ttl - d
    for j in range(1, 4 * 24 * 60):
        s = -15.0 * j
        o = _oom(model, probe, s)
        if o is not None and lo <= o <= hi:
            return s
    return -3600.0


def _previous_life(model: ContainerModel, probe: Callable[[float], Life], target_end: float
                   ) -> tuple[float, float] | None:
    if model.period is None:
        d = _duration(model, probe, 0.0)
        return None if d is None else (target_end - d, target_end)
    for j in range(0, 4 * 24 * 60):
        s = target_end - 60.0 - 15.0 * j
        o = _oom(model, probe, s)
        if o is not None and target_end - 50.0 <= o <= target_end:
            return s, o
    return None


def _adopt(cl: Cluster, rec: PodRecord, spans: list[tuple[float, float | None]]) -> None:
    """Give a pod its planned past, with the Events a cluster would still hold."""
    rec.created = spans[0][0] - rec.start_delay
    timeline: list[tuple[float, Callable[[], object]]] = []  # emitted in time order
    ref_c = pod_ref(rec.namespace, rec.name, rec.uid, rec.container)
    ref = pod_ref(rec.namespace, rec.name, rec.uid)
    ooms = [e for _, e in spans if e is not None]
    keep_oom = set(ooms[-3:])
    for k, (s, e) in enumerate(spans):
        life = cl.new_life(rec, s)
        rec.lives.append(life)
        if e is not None:
            life.end, life.end_reason, life.exit_code = e, "OOMKilled", 137
            nxt = spans[k + 1][0]
            rec.last_backoff = nxt - e
            if e in keep_oom:
                msg = oom_message(rec, rec.model.sample(life, e - 0.001))
                timeline.append((e, partial(
                    cl.recorder.emit, rec.namespace, ref, "OOMKilling", msg, e, etype="Warning",
                    component="kernel-monitor", host=rec.node, aggregate=False)))
            if e + 1 > -EVENT_TTL:
                timeline.append((e + 1, partial(
                    cl.recorder.emit, rec.namespace, ref_c, "BackOff", f"Back-off restarting failed container {rec.container} in pod "
                    f"{rec.name}_{rec.namespace}({rec.uid})", e + 1, etype="Warning", host=rec.node)))
        else:
            life.oom_at = rec.model.next_oom(life, 0.0)
        if s > -EVENT_TTL:
            for reason, msg in (("Pulled", f'Container image "{rec.image}" already present on machine'),
                                ("Created", f"Created container {rec.container}"),
                                ("Started", f"Started container {rec.container}")):
                timeline.append((s, partial(cl.recorder.emit, rec.namespace, ref_c, reason, msg, s, host=rec.node)))
    if rec.created > -EVENT_TTL:
        timeline.insert(0, (rec.created, partial(
            cl.recorder.emit, rec.namespace, ref, "Scheduled", f"Successfully assigned {rec.namespace}/{rec.name} to {rec.node}",
            rec.created, component="default-scheduler")))
    for _, fn in sorted(timeline, key=lambda x: x[0]):
        fn()
    cur = rec.lives[-1]
    ready = cur.start + rec.model.ready_delay
    rec.ready_at = ready if ready <= 0.0 else None
    rec.status_changed = min(0.0, ready)
    cl._publish_pod(rec, 0.0)
    cl._schedule(rec)
