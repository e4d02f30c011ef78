"""Exec kinds: ``exec`` (a fixed argv), ``exec-script`` (the catalogue's fixed ``sh -c`` script)
and ``pod-http`` (``curl`` exec'd in the pod, to reach the serving process itself).

Planned, checked and run here, and nowhere else.  All three run a process in a container, so
they need ``create pods/exec`` (even to read) and ``--read-only`` refuses them whatever risk the
entry declares: memtui cannot tell what a command does.  Each can be a fix (a modal, an audit
intent) or a diagnose step (output for the pane; a download such as a heap profile is kept as
bytes, without a TTY that would rewrite line endings, in a file under the artifacts directory).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from memtui.clients.kube.exec import exec_in_pod
from memtui.executor import pods
from memtui.executor.access import EXEC
from memtui.executor.before import before_figures
from memtui.executor.guard import check_subdomain
from memtui.executor.kinds.base import Drafting, Reading
from memtui.executor.model import ActionContext, ExecCall, Target
from memtui.executor.planning import Draft, Planner
from memtui.executor.reading import Reader, ReadResult, cut
from memtui.runbook import Action
from memtui.runbook.operations import Exec, ExecScript, PodHttp

X = TypeVar("X", Exec, ExecScript, PodHttp)


def exec_calls(planner: Planner, action: Action, typed: Mapping[str, Any], op: Exec | ExecScript | PodHttp,
               ctx: ActionContext) -> tuple[pods.Reach, list[ExecCall]]:
    """One ``ExecCall`` per pod reached; ``bind`` once per pod (for ``{pod}`` in argv/file names)."""
    reach = pods.resolve(op.pods, ctx, planner.api, op.deployment, threshold_bytes=planner.threshold_bytes)
    calls = []
    now = planner.clock()
    for pod in reach.pods:
        bound = action.bind(typed, namespace=planner.namespace, pod=pod.name, now=now)
        save = getattr(bound, "save_output_to", "") or None
        calls.append(ExecCall(pod.name, pods.container_of(pod, op.container), tuple(bound.argv),  # type: ignore[attr-defined]
                              float(op.timeout_s) + 5.0, binary=save is not None, save_to=save))
    return reach, calls


class InContainer(Drafting[X], Reading[X]):
    """A process in a container, as a fix or as a diagnose step."""

    PERMISSIONS = (EXEC,)
    RUNS_IN_CONTAINER = True
    PLAN_WARNING: ClassVar[str] = ""
    """Said in every plan of the kind."""

    def draft(self, planner: Planner, action: Action, typed: Mapping[str, Any], op: X, ctx: ActionContext) -> Draft:
        reach, calls = exec_calls(planner, action, typed, op, ctx)
        draft = Draft(op, effect_after_s=20.0, alternative_pod=reach.alternative)
        draft.requests.extend(calls)
        for pod in reach.pods:
            draft.targets.append(Target("Pod", pod.name, planner.namespace, reach.why[pod.name], pod.uid or None))
            if not pods.is_live(pod):
                draft.warnings.append(f"pod {pod.name} is {pod.status_text}: exec needs a running container")
        if self.PLAN_WARNING:
            draft.warnings.append(self.PLAN_WARNING)
        draft.equivalent = action.render_equivalent(typed, namespace=planner.namespace, pods=[p.name for p in reach.pods])
        draft.before = before_figures(ctx, planner.namespace, scope="pods", pods=[p.name for p in reach.pods])
        return draft

    def read(self, reader: Reader, action: Action, typed: Mapping[str, Any], op: X, ctx: ActionContext) -> ReadResult:
        reach, calls = exec_calls(reader.planner, action, typed, op, ctx)
        sections, failures, artifact, sizes = [], [], None, []
        for call, pod in zip(calls, reach.pods):
            sections.append(f"── {call.text}\n   ({reach.why[pod.name]})")
            result = exec_in_pod(reader.exec_client, reader.namespace, check_subdomain(call.pod, "pod"), list(call.argv),
                                 container=call.container, timeout=call.timeout_s, binary=call.binary)
            if not result.ok:
                reason = result.error or (result.stderr.strip() or f"exit code {result.exit_code}")
                failures.append(f"{pod.name}: {reason}")
                sections.append(f"failed: {reason}")
                continue
            if call.save_to:
                data = result.stdout if isinstance(result.stdout, bytes) else result.stdout.encode()
                artifact = reader.save(call.save_to, data)
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
        return ReadResult(ok, cut("\n".join(sections).splitlines()), summary,
                          {"kind": "Pod", "name": calls[0].pod if len(calls) == 1 else op.deployment,
                           "pods": [c.pod for c in calls]},
                          artifact=artifact, error="; ".join(failures) or None)


class ExecHandler(InContainer[Exec]):
    operation = Exec


class ExecScriptHandler(InContainer[ExecScript]):
    operation = ExecScript
    PLAN_WARNING = ("runs the catalogue's fixed script with the container's sh -c (for its glob); "
                    "no typed text is part of it")


class PodHttpHandler(InContainer[PodHttp]):
    operation = PodHttp


HANDLERS = (ExecHandler(), ExecScriptHandler(), PodHttpHandler())
