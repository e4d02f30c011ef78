"""Pod kinds: ``pod-delete`` (one pod, with a uid precondition), and the reads ``pods-oom``,
``pods-limits``, ``metrics-top`` and ``logs-grep``.

Planned, checked and read here, and nowhere else.  Which pods an action reaches, and why those,
is ``memtui.executor.pods``'s job (the runbook's commands pick the wrong pod); the kinds here say
what is done to them.  Logs are read from every pod with a bounded tail and grepped here with
Python's ``re`` (``kubectl logs deployment/X`` reads one pod); OOM kills come from every
container's ``lastState`` and memtui's OOM ledger, which still knows after a rollout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from memtui.clients.kube.parse import parse_pod, parse_time
from memtui.executor import cautions, pods
from memtui.executor.access import LIST_PODS, Access
from memtui.executor.kinds.base import (
    Drafting,
    EffectProfile,
    MarkScope,
    Reading,
    response_facts,
)
from memtui.executor.kubeapi import JSON, ApiFailure, write_call
from memtui.executor.model import (
    ActionContext,
    Change,
    HttpCall,
    Plan,
    PlanError,
    Target,
)
from memtui.executor.planning import Draft, Planner, read_deployment
from memtui.executor.reading import Reader, ReadResult, cut
from memtui.executor.tables import cpu_millicores, text_table
from memtui.runbook import Action
from memtui.runbook.operations import (
    LogsGrep,
    MetricsTop,
    PodDelete,
    PodsLimits,
    PodsOom,
)
from memtui.state.units import QuantityError, format_age, format_bytes, parse_bytes

DELETE_PODS = Access("delete", "", "pods")


class PodDeleteHandler(Drafting[PodDelete]):
    operation = PodDelete
    PERMISSIONS = (DELETE_PODS,)
    EFFECT = EffectProfile(expects_new_pods=True)

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: PodDelete,
              ctx: ActionContext) -> Draft:
        """A plain DELETE with a uid precondition: the pod shown is the pod deleted, not a namesake.

        Not the Eviction API: evictions are refused (429) whenever a PodDisruptionBudget has no
        disruption left, which is exactly the state of a deployment whose pods are being
        OOM-killed; the modal shows the budgets and ready replicas instead, and the operator
        decides.
        """
        reach = pods.resolve(op.pod, ctx, planner.api, op.deployment, threshold_bytes=planner.threshold_bytes)
        pod = reach.pods[0]
        try:
            live = planner.api.get(planner.api.path("pods", pod.name))
        except ApiFailure as exc:
            if exc.status == 404:
                raise PlanError(f"pod {pod.name} no longer exists (replaced?); refresh and try again") from None
            raise PlanError(f"cannot read pod {pod.name}: {exc}") from None
        state = parse_pod(live)
        if state.namespace != planner.namespace or state.owner != op.deployment:
            raise PlanError(f"pod {pod.name} is not a pod of deployment/{op.deployment} in {planner.namespace}")
        uid = (live.get("metadata") or {}).get("uid")
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": uid}}
        call = write_call("DELETE", planner.api.path("pods", pod.name), content_type=JSON, body=body)
        deployment = read_deployment(planner.api, op.deployment)
        draft = Draft(op, effect_after_s=90.0)
        draft.targets.append(Target("Pod", pod.name, planner.namespace,
                                    f"{reach.why[pod.name]}; deployment/{op.deployment}: {cautions.ready_text(deployment)}",
                                    uid))
        draft.changes.append(Change(f"pod/{pod.name}", f"{state.status_text} (uid {uid})",
                                    "deleted; its ReplicaSet starts a replacement"))
        draft.requests.append(call)
        draft.confirm_name = pod.name
        draft.alternative_pod = reach.alternative
        if state.status_text == "Terminating":
            draft.warnings.append(f"pod {pod.name} is already terminating")
        line = cautions.readiness(deployment)
        if line:
            draft.warnings.append(line)
        labels = (live.get("metadata") or {}).get("labels") or {}
        # the budgets are listed beside the dry run
        draft.warn_meanwhile(planner.meanwhile(lambda: cautions.disruption_budgets(planner.api, labels, deleting=True)))
        draft.dry_run = planner.dry_run(draft, call)
        draft.equivalent = action.render_equivalent(typed, namespace=planner.namespace, pods=[pod.name])
        draft.before = planner.workload_before(ctx, op.deployment)
        return draft

    def mark_scope(self, plan: Plan) -> MarkScope:
        """The deleted pod, and its deployment (whose other actions it meets)."""
        deployment = (plan.before or {}).get("deployment")
        return MarkScope(pods=frozenset(t.name for t in plan.targets if t.kind == "Pod"),
                         owners=frozenset({f"deployment/{deployment}"}) if deployment else frozenset())

    def summarise(self, call: HttpCall, answer: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        facts = response_facts(call, answer)
        if call.method != "DELETE":
            return super().summarise(call, answer)
        return f"pod/{facts['name']} deleted (its ReplicaSet starts a replacement)", facts


class MetricsTopHandler(Reading[MetricsTop]):
    operation = MetricsTop
    PERMISSIONS = (Access("list", "metrics.k8s.io", "pods"),)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: MetricsTop,
             ctx: ActionContext) -> ReadResult:
        """``kubectl top pods``: working set (and CPU) from metrics.k8s.io, plus snapshot facts."""
        note = ""
        memory: dict[str, int] = {}
        cpu: dict[str, float | None] = {}
        now = reader.clock()
        try:
            listed = reader.api.get(reader.api.path("pods", group="metrics.k8s.io", version="v1beta1"))
            stamps = []
            for item in listed.get("items") or []:
                name = (item.get("metadata") or {}).get("name")
                if not name:
                    continue
                containers = item.get("containers") or []
                memory[name] = sum(parse_bytes((c.get("usage") or {}).get("memory", "0")) for c in containers)
                cores = [cpu_millicores((c.get("usage") or {}).get("cpu")) for c in containers]
                cpu[name] = sum(c for c in cores if c is not None) if any(c is not None for c in cores) else None
                stamp = parse_time(item.get("timestamp"))
                if stamp:
                    stamps.append(stamp)
            if stamps:
                now = max(stamps)  # ages measured at the metrics' own time
        except (ApiFailure, QuantityError) as exc:
            memory = {k: int(v) for k, v in ctx.usage.items()}
            note = f"metrics API unavailable ({exc}); working set from memtui's last refresh, no CPU"
        by_name = {p.name: p for p in ctx.pods if p.namespace == reader.namespace}
        names = sorted(set(memory) | set(by_name))
        headers = ["NAME"]
        labels = {"memory": "WORKING SET", "cpu": "CPU", "limit": "LIMIT", "age": "AGE", "restarts": "RESTARTS"}
        headers += [labels[c] for c in op.columns]

        def sort_key(name: str) -> tuple:
            pod = by_name.get(name)
            if op.sort_by == "memory":
                return (-(memory.get(name) or 0), name)
            if op.sort_by == "cpu":
                return (-(cpu.get(name) or 0.0), name)
            if op.sort_by == "age":
                created = pod.created_at if pod and pod.created_at else now
                return (created, name)
            return (-(pod.restarts if pod else 0), name)

        rows = []
        for name in sorted(names, key=sort_key):
            pod = by_name.get(name)
            cells = [name]
            for column in op.columns:
                if column == "memory":
                    cells.append(format_bytes(memory.get(name)))
                elif column == "cpu":
                    value = cpu.get(name)
                    cells.append("—" if value is None else f"{value:.0f}m")
                elif column == "limit":
                    cells.append(format_bytes(pod.memory_limit_bytes) if pod else "—")
                elif column == "age":
                    age = (now - pod.created_at).total_seconds() if pod and pod.created_at else None
                    cells.append(format_age(age))
                else:
                    cells.append(str(pod.restarts) if pod else "—")
            rows.append(cells)
        text = text_table(headers, rows) + "\n\nWORKING SET is container_memory_working_set_bytes (what eviction " \
            "and the OOM decision go by), in binary units (GiB = 2^30 bytes)."
        if note:
            text += "\n" + note
        top = rows[0] if rows else None
        summary = f"{len(rows)} pods" + (f"; top {top[0]} {top[1]}" if top and op.sort_by == "memory" else "")
        return ReadResult(True, text, summary, {"kind": "Namespace", "name": reader.namespace})


class PodsOomHandler(Reading[PodsOom]):
    operation = PodsOom
    PERMISSIONS = (LIST_PODS,)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: PodsOom,
             ctx: ActionContext) -> ReadResult:
        """Every container's lastState (not ``containerStatuses[0]``) plus memtui's OOM ledger."""
        rows = []
        seen: set[tuple[str, str]] = set()
        for pod in sorted((p for p in ctx.pods if p.namespace == reader.namespace), key=lambda p: p.name):
            for c in pod.containers:
                if c.last_termination_reason == "OOMKilled":
                    when = c.last_terminated_at.strftime("%H:%M:%SZ") if c.last_terminated_at else "—"
                    rows.append([pod.name, c.name, when, str(c.restarts), "pod status (lastState)"])
                    seen.add((pod.name, when))
        for kill in ctx.oom_kills:
            when = kill.finished_at.strftime("%H:%M:%SZ") if kill.finished_at else "—"
            if (kill.pod, when) in seen:
                continue
            seen.add((kill.pod, when))
            gone = "" if any(p.name == kill.pod for p in ctx.pods) else " (pod gone)"
            rows.append([kill.pod, kill.container or "—", when, "—", f"memtui ledger: {kill.source}{gone}"])
        if not rows:
            return ReadResult(True, "No OOMKilled containers in pod status or in memtui's OOM ledger.", "no OOM kills",
                              {"kind": "Namespace", "name": reader.namespace})
        text = text_table(["POD", "CONTAINER", "FINISHED (UTC)", "RESTARTS", "SOURCE"], rows)
        pods_hit = len({r[0] for r in rows})
        return ReadResult(True, text, f"{len(rows)} OOM kills in {pods_hit} pods", {"kind": "Namespace", "name": reader.namespace})


class PodsLimitsHandler(Reading[PodsLimits]):
    operation = PodsLimits
    PERMISSIONS = (LIST_PODS,)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: PodsLimits,
             ctx: ActionContext) -> ReadResult:
        rows = []
        for pod in sorted((p for p in ctx.pods if p.namespace == reader.namespace), key=lambda p: p.name):
            for c in pod.containers:
                rows.append([pod.name, c.name, format_bytes(c.memory_request_bytes), format_bytes(c.memory_limit_bytes),
                             format_bytes(ctx.usage.get(pod.name)) if len(pod.containers) == 1 else "—"])
        text = text_table(["POD", "CONTAINER", "MEM REQUEST", "MEM LIMIT", "WORKING SET"], rows)
        unlimited = sum(1 for r in rows if r[3] == "—")
        summary = f"{len(rows)} containers" + (f", {unlimited} without a memory limit" if unlimited else "")
        return ReadResult(True, text, summary, {"kind": "Namespace", "name": reader.namespace})


class LogsGrepHandler(Reading[LogsGrep]):
    operation = LogsGrep
    PERMISSIONS = (Access("get", "", "pods", "log"),)

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: LogsGrep,
             ctx: ActionContext) -> ReadResult:
        """``pods/log`` with ``tailLines`` (and ``previous``) per pod, searched line by line here."""
        reach = pods.resolve(op.pods, ctx, reader.api, op.deployment, threshold_bytes=reader.planner.threshold_bytes)
        regex = re.compile(op.pattern, re.IGNORECASE if op.ignore_case else 0)
        lines: list[str] = []
        counts: dict[str, int] = {}
        failures: list[str] = []
        for pod in reach.pods:
            container = pods.container_of(pod, op.container)
            query: tuple[tuple[str, str], ...] = (("container", container), ("tailLines", str(op.tail_lines)))
            if op.previous:
                query += (("previous", "true"),)
            try:
                log = reader.api.text(reader.api.path("pods", pod.name, "log"), query)
            except ApiFailure as exc:
                failures.append(f"{pod.name}: {exc}")
                continue
            matched = [line for line in log.splitlines() if regex.search(line)]
            counts[pod.name] = len(matched)
            if not op.count_only:
                lines += [f"{pod.name}  {line}" for line in matched]
        which = "previous container" if op.previous else "current container"
        head = (f"/{op.pattern}/{'i' if op.ignore_case else ''} in the last {op.tail_lines} lines of the {which}'s log "
                f"of {len(reach.pods)} pod{'s' if len(reach.pods) != 1 else ''} ({reach.how})")
        body = [head]
        if op.count_only:
            body += [text_table(["POD", "COUNT"], [[k, str(v)] for k, v in counts.items()])]
        else:
            body += lines or ["(no matching lines)"]
        body += [f"not read: {f}" for f in failures]
        total = sum(counts.values())
        summary = (f"{total} matching line{'s' if total != 1 else ''} in {len(counts)} pod{'s' if len(counts) != 1 else ''}"
                   + (f"; {len(failures)} not read" if failures else ""))
        ok = bool(counts) or not failures
        return ReadResult(ok, cut(body), summary, {"kind": "Deployment", "name": op.deployment,
                                                    "pods": [p.name for p in reach.pods]},
                          error=None if ok else "; ".join(failures))


HANDLERS = (PodDeleteHandler(), PodsOomHandler(), PodsLimitsHandler(), MetricsTopHandler(), LogsGrepHandler())
