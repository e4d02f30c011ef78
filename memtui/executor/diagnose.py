"""Diagnose steps: read-only operations turned into text for the output pane.

Each one does what the runbook *means*, not what its command does: logs are read from every pod
(``kubectl logs deployment/X`` reads one) with a bounded tail and grepped here with Python's
``re``; ConfigMap keys are filtered by key name (not ``grep -A 5`` over YAML); rollout history
comes from the ReplicaSets' revision and change-cause annotations, as kubectl shows it; a heap
profile is kept as bytes (no TTY, which would rewrite line endings) in a file under the
artifacts directory.  Figures carry their unit.  Nothing here changes the cluster.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from memtui.executor import pods
from memtui.executor.guard import DNS1123_SUBDOMAIN, check_subdomain
from memtui.executor.kubeapi import ApiFailure, KubeApi
from memtui.executor.model import ActionContext, PlanError
from memtui.executor.planning import Planner, read_deployment, template_containers
from memtui.executor.tables import cpu_millicores, text_table
from memtui.runbook import Action
from memtui.runbook.operations import (
    ConfigMapGet,
    DeploymentResources,
    Exec,
    ExecScript,
    LogsGrep,
    MetricsTop,
    Operation,
    PodHttp,
    PodsLimits,
    PodsOom,
    PromQL,
    Redis,
    RolloutHistory,
)
from memtui.runbook.params import parse_duration
from memtui.clients.kube.exec import exec_in_pod
from memtui.clients.kube.stream import ExecApiClient
from memtui.clients.kube.parse import parse_time
from memtui.state.units import QuantityError, format_age, format_bytes, parse_bytes

MAX_OUTPUT_LINES = 2000
"""The output pane is for reading; more than this is cut (and says so)."""
PROMETHEUS_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class ReadResult:
    ok: bool
    text: str
    summary: str
    target: Mapping[str, Any] = field(default_factory=dict)
    artifact: Path | None = None
    error: str | None = None


def _cut(lines: list[str]) -> str:
    if len(lines) > MAX_OUTPUT_LINES:
        dropped = len(lines) - MAX_OUTPUT_LINES
        lines = lines[:MAX_OUTPUT_LINES] + [f"… {dropped} more lines not shown"]
    return "\n".join(lines)


def _quantity_text(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return f"{value} ({format_bytes(parse_bytes(value))})"
    except QuantityError:
        return value


class Reader:
    """Runs read-only operations in one namespace."""

    def __init__(self, api: KubeApi, planner: Planner, *, exec_client: ExecApiClient, prometheus_url: str | None,
                 artifacts_dir: Path, clock: Callable[[], datetime]) -> None:
        self.api = api
        self.exec_client = exec_client
        self.planner = planner
        self.namespace = api.namespace
        self.prometheus_url = prometheus_url
        self.artifacts_dir = Path(artifacts_dir)
        self.clock = clock

    def run(self, action: Action, typed: Mapping[str, Any], ctx: ActionContext) -> ReadResult:
        """Run one diagnose step; ``PlanError`` for a target that cannot be chosen (nothing read)."""
        pod = ctx.selected_pod
        if pod is not None and not DNS1123_SUBDOMAIN.fullmatch(pod):
            pod = None  # pod-reaching kinds check the selection themselves and say what is wrong with it
        op = action.bind(typed, namespace=self.namespace, pod=pod, now=self.clock())
        handlers: dict[type[Operation], Callable[..., ReadResult]] = {
            MetricsTop: self.metrics_top, PodsOom: self.pods_oom, PodsLimits: self.pods_limits,
            DeploymentResources: self.deployment_resources, RolloutHistory: self.rollout_history,
            ConfigMapGet: self.configmap_get, LogsGrep: self.logs_grep, Redis: self.redis,
        }
        if isinstance(op, (Exec, ExecScript, PodHttp)):
            return self.exec(action, typed, op, ctx)
        if isinstance(op, PromQL):
            return self.promql(op)
        handler = handlers.get(type(op))
        if handler is None:
            raise PlanError(f"{action.id}: operation kind {op.kind!r} is not a read")
        return handler(op, ctx)

    # -- from the snapshot and the metrics API --------------------------------------------------

    def metrics_top(self, op: MetricsTop, ctx: ActionContext) -> ReadResult:
        """``kubectl top pods``: working set (and CPU) from metrics.k8s.io, plus snapshot facts."""
        note = ""
        memory: dict[str, int] = {}
        cpu: dict[str, float | None] = {}
        now = self.clock()
        try:
            listed = self.api.get(self.api.path("pods", group="metrics.k8s.io", version="v1beta1"))
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
        by_name = {p.name: p for p in ctx.pods if p.namespace == self.namespace}
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
        return ReadResult(True, text, summary, {"kind": "Namespace", "name": self.namespace})

    def pods_oom(self, op: PodsOom, ctx: ActionContext) -> ReadResult:
        """Every container's lastState (not ``containerStatuses[0]``) plus memtui's OOM ledger."""
        rows = []
        seen: set[tuple[str, str]] = set()
        for pod in sorted((p for p in ctx.pods if p.namespace == self.namespace), key=lambda p: p.name):
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
                              {"kind": "Namespace", "name": self.namespace})
        text = text_table(["POD", "CONTAINER", "FINISHED (UTC)", "RESTARTS", "SOURCE"], rows)
        pods_hit = len({r[0] for r in rows})
        return ReadResult(True, text, f"{len(rows)} OOM kills in {pods_hit} pods", {"kind": "Namespace", "name": self.namespace})

    def pods_limits(self, op: PodsLimits, ctx: ActionContext) -> ReadResult:
        rows = []
        for pod in sorted((p for p in ctx.pods if p.namespace == self.namespace), key=lambda p: p.name):
            for c in pod.containers:
                rows.append([pod.name, c.name, format_bytes(c.memory_request_bytes), format_bytes(c.memory_limit_bytes),
                             format_bytes(ctx.usage.get(pod.name)) if len(pod.containers) == 1 else "—"])
        text = text_table(["POD", "CONTAINER", "MEM REQUEST", "MEM LIMIT", "WORKING SET"], rows)
        unlimited = sum(1 for r in rows if r[3] == "—")
        summary = f"{len(rows)} containers" + (f", {unlimited} without a memory limit" if unlimited else "")
        return ReadResult(True, text, summary, {"kind": "Namespace", "name": self.namespace})

    # -- from the API ---------------------------------------------------------------------------

    def deployment_resources(self, op: DeploymentResources, ctx: ActionContext) -> ReadResult:
        deployment = read_deployment(self.api, op.deployment)
        rows = []
        for c in template_containers(deployment):
            res = c.get("resources") or {}
            req, lim = res.get("requests") or {}, res.get("limits") or {}
            rows.append([c.get("name", "?"), _quantity_text(req.get("memory")), _quantity_text(lim.get("memory")),
                         req.get("cpu", "—"), lim.get("cpu", "—")])
        text = (f"deployment/{op.deployment} pod template (what new pods get; running pods keep what they started with)\n"
                + text_table(["CONTAINER", "MEM REQUEST", "MEM LIMIT", "CPU REQUEST", "CPU LIMIT"], rows))
        limits = ", ".join(f"{r[0]} {r[2].split(' ')[0]}" for r in rows)
        return ReadResult(True, text, f"limits: {limits}", {"kind": "Deployment", "name": op.deployment})

    def rollout_history(self, op: RolloutHistory, ctx: ActionContext) -> ReadResult:
        """As ``kubectl rollout history``: the deployment's ReplicaSets by revision, with change-cause."""
        deployment = read_deployment(self.api, op.deployment)
        meta = deployment.get("metadata") or {}
        labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        try:
            listed = self.api.get(self.api.path("replicasets", group="apps"), (("labelSelector", selector),))
        except ApiFailure as exc:
            raise PlanError(f"cannot list the ReplicaSets of deployment/{op.deployment}: {exc}") from None
        rows = []
        for rs in listed.get("items") or []:
            rs_meta = rs.get("metadata") or {}
            owners = rs_meta.get("ownerReferences") or []
            if not any(o.get("kind") == "Deployment" and (o.get("uid") == meta.get("uid") or o.get("name") == op.deployment)
                       for o in owners):
                continue
            annotations = rs_meta.get("annotations") or {}
            try:
                revision = int(annotations.get("deployment.kubernetes.io/revision", "0"))
            except ValueError:
                revision = 0
            replicas = int((rs.get("spec") or {}).get("replicas", 0) or 0)
            rows.append((revision, rs_meta.get("creationTimestamp", "—"), str(replicas), rs_meta.get("name", "?"),
                         annotations.get("kubernetes.io/change-cause", "<none>")))
        rows.sort()
        table = text_table(["REVISION", "CREATED", "PODS", "REPLICASET", "CHANGE-CAUSE"],
                           [[str(r[0]), *r[1:]] for r in rows])
        text = f"deployment.apps/{op.deployment}\n{table}"
        latest = rows[-1] if rows else None
        summary = f"{len(rows)} revisions" + (f"; current {latest[0]} created {latest[1]}" if latest else "")
        return ReadResult(True, text, summary, {"kind": "Deployment", "name": op.deployment})

    def configmap_get(self, op: ConfigMapGet, ctx: ActionContext) -> ReadResult:
        """Keys whose *name* matches ``key_pattern`` (``re.search``), with their values."""
        cm = self.planner.read_configmap(op.name)
        data = cm.get("data") or {}
        pattern = re.compile(op.key_pattern)
        hits = [(k, v) for k, v in sorted(data.items()) if pattern.search(k)]
        lines = [f"configmap/{op.name} keys matching /{op.key_pattern}/ ({len(hits)} of {len(data)}):"]
        lines += [f"{k}: {v}" for k, v in hits]
        return ReadResult(True, "\n".join(lines), f"{len(hits)} of {len(data)} keys match",
                          {"kind": "ConfigMap", "name": op.name})

    def logs_grep(self, op: LogsGrep, ctx: ActionContext) -> ReadResult:
        """``pods/log`` with ``tailLines`` (and ``previous``) per pod, searched line by line here."""
        reach = pods.resolve(op.pods, ctx, self.api, op.deployment, threshold_bytes=self.planner.threshold_bytes)
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
                log = self.api.text(self.api.path("pods", pod.name, "log"), query)
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
        return ReadResult(ok, _cut(body), summary, {"kind": "Deployment", "name": op.deployment,
                                                    "pods": [p.name for p in reach.pods]},
                          error=None if ok else "; ".join(failures))

    # -- exec --------------------------------------------------------------------------------------

    def exec(self, action: Action, typed: Mapping[str, Any], op: Exec | ExecScript | PodHttp,
             ctx: ActionContext) -> ReadResult:
        reach, calls = self.planner.exec_calls(action, typed, op, ctx)
        sections, failures, artifact, sizes = [], [], None, []
        for call, pod in zip(calls, reach.pods):
            sections.append(f"── {call.text}\n   ({reach.why[pod.name]})")
            result = exec_in_pod(self.exec_client, self.namespace, check_subdomain(call.pod, "pod"), list(call.argv),
                                 container=call.container, timeout=call.timeout_s, binary=call.binary)
            if not result.ok:
                reason = result.error or (result.stderr.strip() or f"exit code {result.exit_code}")
                failures.append(f"{pod.name}: {reason}")
                sections.append(f"failed: {reason}")
                continue
            if call.save_to:
                data = result.stdout if isinstance(result.stdout, bytes) else result.stdout.encode()
                artifact = self._save(call.save_to, data)
                sizes.append(len(data))
                sections.append(f"saved {len(data):,} bytes to {artifact}" + (" (cut at the size limit)" if result.truncated else ""))
            else:
                out = result.stdout if isinstance(result.stdout, str) else result.stdout.decode("utf-8", "replace")
                sections.append(out.rstrip("\n") or "(no output)")
                if result.stderr.strip():
                    sections.append("stderr: " + result.stderr.strip())
        ok = not failures
        if artifact is not None:
            summary = f"saved {sizes[-1]:,} bytes to {artifact.name}"
        else:
            summary = f"ran in {len(calls) - len(failures)} of {len(calls)} pods"
        return ReadResult(ok, _cut("\n".join(sections).splitlines()), summary,
                          {"kind": "Pod", "name": calls[0].pod if len(calls) == 1 else op.deployment,
                           "pods": [c.pod for c in calls]},
                          artifact=artifact, error="; ".join(failures) or None)

    def _save(self, name: str, data: bytes) -> Path:
        """Write atomically, 0600 (a heap profile can hold request data), never overwrite."""
        if "/" in name or name.startswith("."):
            raise PlanError(f"refused to save to {name!r}: not a plain file name")
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        target = self.artifacts_dir / name
        stem, suffix = os.path.splitext(name)
        n = 1
        while target.exists():
            target = self.artifacts_dir / f"{stem}-{n}{suffix}"
            n += 1
        fd, tmp = tempfile.mkstemp(dir=self.artifacts_dir, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    # -- Redis and Prometheus ----------------------------------------------------------------------

    def redis(self, op: Redis, ctx: ActionContext) -> ReadResult:
        where, target, via = self.planner.redis_where(ctx)
        reply = self.planner.redis.call(op.command, **where)
        words = " ".join(op.command)
        if not reply.ok:
            return ReadResult(False, f"{words} ({via})\nfailed: {reply.error}", f"{words} failed",
                              {"kind": "Redis", "name": target.name, "via": via}, error=reply.error)
        summary = words
        if op.command and op.command[0].upper() == "INFO":
            info = reply.value if isinstance(reply.value, dict) else None
            if info is None:
                from memtui.clients.redis_info import parse_info_text
                info = parse_info_text(reply.text)
            if "used_memory" in info:
                summary = (f"used_memory {format_bytes(int(info['used_memory']))}, maxmemory "
                           f"{format_bytes(int(info.get('maxmemory', 0))) if int(info.get('maxmemory', 0)) else '0 (no limit)'}"
                           f", policy {info.get('maxmemory_policy', '?')}")
        return ReadResult(True, f"{words} ({via})\n{reply.text}", summary, {"kind": "Redis", "name": target.name, "via": via})

    def promql(self, op: PromQL) -> ReadResult:
        """Instant query, or a range query with ``end`` = now and ``start`` = now − range (timestamps)."""
        if not self.prometheus_url:
            return ReadResult(False, "no Prometheus URL configured (--prometheus-url)", "no Prometheus",
                              error="no Prometheus URL configured (--prometheus-url)")
        import requests
        from prometheus_api_client import PrometheusApiClientException

        from memtui.clients import prometheus

        prom = prometheus.connect(self.prometheus_url, timeout=PROMETHEUS_TIMEOUT_S)
        is_bytes = "bytes" in op.query or "FB_USED" in op.query
        target = {"kind": "Prometheus", "name": self.prometheus_url, "query": op.query}
        try:
            if op.range:
                end = self.clock().astimezone(UTC)
                start = end - timedelta(seconds=parse_duration(op.range).seconds)
                step = f"{int(parse_duration(op.step).seconds)}s"
                result = prom.custom_query_range(op.query, start_time=start, end_time=end, step=step)
            else:
                result = prom.custom_query(op.query)
        except PrometheusApiClientException as exc:
            error = f"query refused: {str(exc)[:300]}"
            return ReadResult(False, f"{op.query}\n{error}", "query refused", target, error=error)
        except (requests.exceptions.RequestException, ValueError) as exc:
            error = f"{self.prometheus_url}: {type(exc).__name__}"
            return ReadResult(False, f"{op.query}\n{error}", "Prometheus unreachable", target, error=error)

        def shown(value: float) -> str:
            if "FB_USED" in op.query:
                return f"{value:.0f} MiB"
            return f"{value:.6g}" + (f" ({format_bytes(value)})" if is_bytes and "deriv" not in op.query else "")

        rows = []
        for series in result:
            labels = series.get("metric") or {}
            name = labels.get("pod") or ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "{}"
            if op.range:
                values = [float(v) for _, v in series.get("values") or []]
                if not values:
                    continue
                rows.append([name, str(len(values)), shown(values[0]), shown(values[-1]), shown(min(values)), shown(max(values))])
            else:
                value = series.get("value") or [0, "nan"]
                rows.append([name, shown(float(value[1]))])
        rows.sort()
        headers = ["SERIES", "POINTS", "FIRST", "LAST", "MIN", "MAX"] if op.range else ["SERIES", "VALUE"]
        window = f"range {op.range}, step {op.step}, end=now\n" if op.range else ""
        text = f"{op.query}\n{window}{text_table(headers, rows) if rows else '(no series)'}"
        return ReadResult(True, _cut(text.splitlines()), f"{len(rows)} series", target)
