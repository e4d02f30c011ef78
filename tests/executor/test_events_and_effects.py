"""The ``MemtuiAction`` Event teammates see in ``kubectl get events``, and the effect check."""

from __future__ import annotations

import json
from dataclasses import replace


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
    assert "fix.reduce-batch-size" in message and "oncall-operator" in message and "INC-1234 batch spike" in message
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
    assert effect.summary.startswith(f"{pod}: ") and "−" in effect.summary
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
