"""The ``MemtuiAction`` Event teammates see in ``kubectl get events``, and the effect check."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

from memtui.audit import export_timeline
from memtui.executor.effects import mark_of
from memtui.state.oom_ledger import OomLedger
from memtui.clients.kube.parse import parse_pod_list, parse_pod_metrics_list


def memtui_events(kubectl) -> list[dict]:
    shown = kubectl("get", "events", "-n", "sap-llm", "-o", "json", check=True).stdout
    return [e for e in json.loads(shown)["items"] if e.get("reason") == "MemtuiAction"]


def test_an_action_is_recorded_as_a_kubernetes_event_on_its_target(rig, catalogue, kubectl):
    outcome = rig.executor.execute(rig.executor.plan(catalogue.get("fix.reduce-batch-size"), {},
                                                     rig.ctx(reason="INC-1234 batch spike")))
    assert outcome.ok and any(n.startswith("recorded as Event sap-llm-config.memtui-") for n in outcome.notes)
    (event,) = memtui_events(kubectl)
    assert event["type"] == "Normal" and event["source"]["component"] == "memtui"
    uid = rig.reader.get(rig.reader.path("configmaps", "sap-llm-config"))["metadata"]["uid"]
    assert event["involvedObject"] == {"kind": "ConfigMap", "name": "sap-llm-config", "namespace": "sap-llm",
                                       "apiVersion": "v1", "uid": uid}
    message = event["message"]
    assert message.startswith(f"{catalogue.get('fix.reduce-batch-size').title} [fix.reduce-batch-size] by ")
    assert "oncall-operator" in message and "INC-1234 batch spike" in message
    (created,) = [e for e in rig.sim.journal() if e.path.endswith("/events") and e.method == "POST"]
    assert created.query == {"fieldManager": "memtui"} and created.user_agent.startswith("memtui/")
    (result,) = [e for e in rig.entries() if e.kind == "result"]
    assert result.response["event"].startswith("recorded as Event")
    described = kubectl("describe", "configmap", "sap-llm-config", "-n", "sap-llm", check=True).stdout
    assert "MemtuiAction" in described


def test_an_exec_on_one_pod_records_the_event_on_that_pod(rig, catalogue, kubectl):
    ctx = rig.ctx()
    pod = next(p.name for p in ctx.pods if p.owner == "sap-llm")
    assert rig.executor.execute(rig.executor.plan(catalogue.get("fix.force-gc"), {}, replace(ctx, selected_pod=pod))).ok
    (event,) = memtui_events(kubectl)
    assert event["involvedObject"]["kind"] == "Pod" and event["involvedObject"]["name"] == pod


def test_a_failed_event_never_fails_the_action(sim_factory, make_rig, catalogue):
    # an on-call Role without "create events" (a real RBAC gap): the API server refuses the Event,
    # not the fix
    rig = make_rig(sim_factory(operator_denied=("events",), seed=7))
    outcome = rig.executor.execute(rig.executor.plan(catalogue.get("fix.limit-concurrency"), {}, rig.ctx()))
    assert outcome.ok and rig.configmap()["max_concurrent_requests"] == "50"
    assert any(n.startswith("not recorded as a Kubernetes Event (403 Forbidden: events is forbidden")
               for n in outcome.notes), outcome.notes
    (result,) = [e for e in rig.entries() if e.kind == "result"]
    assert result.outcome == "success" and result.response["event"].startswith("not recorded")
    assert [e.status for e in rig.sim.journal() if e.path.endswith("/events")] == [403]


def test_effect_of_clearing_a_cache_compares_the_pods_working_set(sim_factory, make_rig, catalogue):
    rig = make_rig(sim_factory(scenario="cache-bloat", seed=7))
    ctx = rig.ctx()
    pod = max((p for p in ctx.pods if p.owner == "sap-llm"), key=lambda p: ctx.usage[p.name]).name
    outcome = rig.executor.execute(rig.executor.plan(catalogue.get("fix.clear-app-cache"), {},
                                                     replace(ctx, selected_pod=pod)))
    assert outcome.ok and outcome.plan.effect_after_s > 0
    rig.sim.advance(15)
    effect = rig.executor.check_effect(outcome, rig.ctx())
    assert effect.intent_id == outcome.intent_id and effect.improved is True
    assert effect.before["pods"][pod] > effect.after["pods"][pod] + 256 * 2**20
    assert effect.summary.startswith(f"pod/{pod}: ") and "−" in effect.summary
    entry = rig.entries()[-1]
    assert entry.kind == "effect" and entry.refers_to == outcome.intent_id and entry.summary == effect.summary
    assert entry.before["pods"] == {pod: effect.before["pods"][pod]}


def test_no_effect_check_for_what_did_not_happen(rig, catalogue):
    plan = rig.executor.plan(catalogue.get("fix.delete-worst-pod"), {}, rig.ctx())
    refused = rig.executor.execute(plan, confirmation="nope")
    assert rig.executor.check_effect(refused, rig.ctx()) is None
    read = rig.executor.run_read(catalogue.get("diagnose.top-pods"), {}, rig.ctx())
    assert rig.executor.check_effect(read, rig.ctx()) is None
    assert [e.kind for e in rig.entries()] == ["intent", "result", "read"]


# -- effects that are true: the action's own window, overlaps, rollouts ---------------------------


class Watch:
    """memtui's history of the pods, as the cockpit keeps it: the metrics API's samples (15 s
    resolution) with their own timestamps, collected while simulated time moves on."""

    def __init__(self, rig) -> None:
        self.rig = rig
        self.samples: dict[str, list[tuple[float, float]]] = {}
        self.ledger = OomLedger()
        self.tick()

    def ctx(self):
        """The cockpit's context now: the snapshot and the OOM kills memtui has seen."""
        return self.rig.ctx(oom_kills=self.ledger.kills())

    def tick(self) -> None:
        self.ledger.observe(parse_pod_list(self.rig.reader.get(self.rig.reader.path("pods"))), ())
        payload = self.rig.reader.get(self.rig.reader.path("pods", group="metrics.k8s.io", version="v1beta1"))
        for name, usage in parse_pod_metrics_list(payload).items():
            points = self.samples.setdefault(name, [])
            t = usage.timestamp.timestamp()
            if not points or points[-1][0] < t:
                points.append((t, float(usage.working_set_bytes)))

    def run(self, seconds: float, step: float = 15.0) -> None:
        for _ in range(int(seconds // step)):
            self.rig.sim.advance(step)
            self.tick()


def numbered(outcomes) -> list:
    return [mark_of(o.plan, intent_id=o.intent_id, number=n, at=o.finished_at) for n, o in enumerate(outcomes, 1)]


def test_a_second_action_on_the_same_pod_cuts_the_first_window_and_is_marked_overlapping(sim_factory, make_rig,
                                                                                        catalogue):
    handle = sim_factory(scenario="cache-bloat", seed=7)
    rig = make_rig(handle)
    watch = Watch(rig)
    watch.run(60)
    ctx = rig.ctx()
    assert rig.executor.run_read(catalogue.get("diagnose.top-pods"), {}, ctx).ok  # row 1 of the timeline
    pod = max((p for p in ctx.pods if p.owner == "sap-llm"), key=lambda p: ctx.usage[p.name]).name
    first = rig.executor.execute(rig.executor.plan(catalogue.get("fix.force-gc"), {}, replace(ctx, selected_pod=pod)))
    assert first.ok
    watch.run(15)  # inside force-gc's 20 s window
    second = rig.executor.execute(rig.executor.plan(catalogue.get("fix.clear-app-cache"), {},
                                                    replace(rig.ctx(), selected_pod=pod)))
    assert second.ok
    dropped_by_second = watch.samples[pod][-1][1]
    watch.run(60)
    marks = numbered([first, second])

    effect1 = rig.executor.check_effect(first, rig.ctx(), samples=watch.samples, marks=marks)
    (target,) = effect1.report.targets
    assert target.window.cut_by is not None and target.window.cut_by.number == 2
    assert target.window.end == second.finished_at
    # credited only until the second action: the cache cleared by action 2 is not in action 1's figures
    assert target.working_set_after is not None
    cleared = min(v for t, v in watch.samples[pod] if t > second.finished_at.timestamp())
    assert target.working_set_after > cleared + 256 * 2**20
    assert "until action 2 (fix.clear-app-cache" in effect1.summary and "overlaps" not in effect1.summary

    effect2 = rig.executor.check_effect(second, rig.ctx(), samples=watch.samples, marks=marks)
    assert [o.number for o in effect2.report.overlaps] == [1]
    assert "overlaps action 1 (fix.force-gc at" in effect2.summary
    assert effect2.report.targets[0].working_set_after < dropped_by_second
    entries = [e for e in rig.entries() if e.kind == "effect"]
    assert [e.refers_to for e in entries] == [first.intent_id, second.intent_id]
    assert entries[1].after["overlaps"][0]["intent"] == first.intent_id
    assert entries[0].after["window"]["until"]["intent"] == second.intent_id
    # the export numbers its rows (the diagnose step is #1): "action N" there is the row's number
    export = export_timeline(rig.entries(), fmt="md")
    assert "until action 3 (fix.clear-app-cache at" in export and "overlaps action 2 (fix.force-gc at" in export
    assert "action 1 (fix." not in export


def test_a_configmap_patch_then_a_rollout_restart_shows_growth_on_the_new_pods(sim_factory, make_rig, catalogue):
    # the leak grows with max_concurrent_requests as read at the container's start (envFrom)
    handle = sim_factory(scenario="leak", seed=7)
    rig = make_rig(handle)
    watch = Watch(rig)
    watch.run(300)
    old_pods = sorted(p.name for p in rig.ctx().pods if p.owner == "sap-llm")
    patch = rig.executor.execute(rig.executor.plan(catalogue.get("fix.limit-concurrency"), {}, rig.ctx()))
    assert patch.ok
    assert patch.plan.before["start_read"]["keys"] == ["max_concurrent_requests"]
    watch.run(30)
    restart = rig.executor.execute(rig.executor.plan(catalogue.get("fix.rollout-restart"), {}, rig.ctx()))
    assert restart.ok
    marks = numbered([patch, restart])
    watch.run(900)

    patched = rig.executor.check_effect(patch, watch.ctx(), samples=watch.samples, marks=marks)
    (target,) = patched.report.targets
    assert target.window.cut_by.number == 2 and target.replaced == ()
    assert target.restart_pending == ("max_concurrent_requests",)
    assert "restart pending for max_concurrent_requests" in patched.summary
    # a pod was OOM-killed in the patch's 30 s: its drop is not the patch's doing, and no verdict is drawn
    killed = {k.pod for k in watch.ledger.kills() if patch.finished_at < k.finished_at <= restart.finished_at}
    assert killed and target.restarted == tuple(sorted(killed)) and patched.improved is None
    assert f"OOMKilled in the window ({', '.join(sorted(killed))})" in patched.summary

    effect = rig.executor.check_effect(restart, watch.ctx(), samples=watch.samples, marks=marks)
    (target,) = effect.report.targets
    assert target.target == "deployment/sap-llm" and target.rollout == "complete"
    assert target.replaced == tuple(old_pods)
    assert set(target.pods_after).isdisjoint(old_pods) and len(target.pods_after) == len(old_pods)
    assert target.growth_before is not None and target.growth_after is not None
    assert target.growth_before > 2 * max(target.growth_after, 1.0)  # the new pods leak at the new concurrency
    assert effect.improved is True
    assert target.forecast_after is None or target.forecast_after > (target.forecast_before or 0)
    assert f"{len(old_pods)} of {len(old_pods)} pods replaced" in effect.summary
    assert "growth +" in effect.summary and "overlaps action 1 (fix.limit-concurrency" in effect.summary
    (entry,) = [e for e in rig.entries() if e.kind == "effect" and e.refers_to == restart.intent_id]
    assert entry.after["targets"][0]["replaced"] == old_pods


def test_a_limit_change_reports_the_new_limit_seen_on_the_new_pods(sim_factory, make_rig, catalogue):
    handle = sim_factory(scenario="leak", seed=7)
    rig = make_rig(handle)
    watch = Watch(rig)
    watch.run(120)
    outcome = rig.executor.execute(rig.executor.plan(catalogue.get("fix.raise-memory-limit"), {"limit": "20Gi"},
                                                     rig.ctx()))
    assert outcome.ok
    watch.run(600)
    effect = rig.executor.check_effect(outcome, rig.ctx(), samples=watch.samples, marks=numbered([outcome]))
    (target,) = effect.report.targets
    assert target.rollout == "complete" and target.limit_before == 12 * 2**30
    assert target.limit_expected == 20 * 2**30 and target.new_limit_seen is True
    assert target.limits_seen == (20 * 2**30,) * len(target.pods_after)
    assert f"new limit 20.0 GiB seen on {len(target.pods_after)}/{len(target.pods_after)} new pods" in effect.summary


def test_one_effect_entry_per_action_whether_measured_first_or_memtui_stopped_first(rig, catalogue):
    """At quit, a measurement in flight may finish (then nothing more is written) or be recorded as
    not measured (then its late result is not written): never both, never neither."""
    arrived, release = threading.Event(), threading.Event()

    def hold_exec(method, path, query):  # the Redis used_memory read of the effect check, via exec
        if path.endswith("/exec") and not release.is_set():
            arrived.set()
            release.wait(10)

    outcomes = [rig.executor.execute(rig.executor.plan(catalogue.get("fix.redis-eviction-policy"), {}, rig.ctx()))
                for _ in range(2)]
    assert all(o.ok for o in outcomes)
    remove = rig.sim.on_request(hold_exec)
    try:
        results = {}
        for n, (outcome, wait_s) in enumerate(zip(outcomes, (10.0, 0.2))):
            arrived.clear()
            release.clear()
            worker = threading.Thread(target=lambda o=outcome, k=n: results.__setitem__(k, rig.executor.check_effect(o, rig.ctx())))
            worker.start()
            assert arrived.wait(10)  # the measurement is in flight
            if n == 0:
                threading.Timer(0.3, release.set).start()  # it finishes while memtui waits for it
                assert rig.executor.effect_not_measured(outcome, wait_s=wait_s) is None
            else:
                assert rig.executor.effect_not_measured(outcome, wait_s=wait_s) is None  # gives up waiting
                release.set()
            worker.join(10)
    finally:
        release.set()
        remove()
    effects = {e.refers_to: e.summary for e in rig.entries() if e.kind == "effect"}
    assert len([e for e in rig.entries() if e.kind == "effect"]) == 2
    assert results[0] is not None and effects[outcomes[0].intent_id] == results[0].summary
    assert results[1] is None and effects[outcomes[1].intent_id] == "effect not measured (memtui stopped)"
