"""The silence action through the real app and a real Alertmanager that a real Prometheus feeds:
key → modal (the exact POST) → confirm → the silence exists with the alert's matchers → the
alert is silenced → undo expires it; the audit log has both; a bad duration sends nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from textual.widgets import Input

from memtui.audit import load_entries
from memtui.clients.alertmanager import parse_time
from memtui.executor.executor import NO_ALERTMANAGER_REASON
from memtui.widgets.confirm_screen import ConfirmActionScreen
from tests.alerts.conftest import NAMESPACE, am_alerts, poll
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal

ACTION = "fix.silence-alert"


def _ours(alertmanager) -> list[dict]:
    return [a for a in am_alerts(alertmanager) if a["labels"].get("namespace") == NAMESPACE]


def _silences(alertmanager) -> list[dict]:
    return [s for s in alertmanager.get("/api/v2/silences") if s["status"]["state"] == "active"]


async def test_silence_through_the_modal_then_undo_expires_it(sim, make_app, alertmanager, alerting_prometheus, tmp_path):
    poll(lambda: _ours(alertmanager))
    audit = tmp_path / "audit.jsonl"
    app = make_app(alertmanager_url=alertmanager.url, prometheus_url=alerting_prometheus.url, audit_log=str(audit))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "Z")
        plan = modal.plan
        assert plan.action.id == ACTION
        body = plan.requests[0].body
        # what the modal shows is what is POSTed
        shown = "".join(str(modal.query_one("#plan").render()).split())
        assert "".join(f"POST {alertmanager.url}/api/v2/silences".split()) in shown
        assert "".join(json.dumps(body, separators=(",", ":")).split()) in shown
        assert {(m["name"], m["value"]) for m in body["matchers"]} >= {("alertname", "MemoryUsageHigh"),
                                                                       ("namespace", NAMESPACE)}
        assert all(m["isEqual"] and not m["isRegex"] for m in body["matchers"])
        assert "pod" not in {m["name"] for m in body["matchers"]}
        assert body["createdBy"] == app.connection.user and "kube context" in " ".join(plan.notes)
        assert not _silences(alertmanager)  # planning sent nothing
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        silences = _silences(alertmanager)
        assert len(silences) == 1
        silence = silences[0]
        assert silence["matchers"] == body["matchers"] and silence["createdBy"] == body["createdBy"]
        # the default 1h from when the modal planned it (Alertmanager moves a past startsAt to now)
        assert parse_time(silence["endsAt"]) == parse_time(body["endsAt"]) == plan.created_at.replace(
            microsecond=plan.created_at.microsecond // 1000 * 1000) + timedelta(hours=1)
        poll(lambda: all(a["status"]["silencedBy"] == [silence["id"]] for a in _ours(alertmanager)))
        # the other namespace's alerts still page
        assert all(not a["status"]["silencedBy"] for a in am_alerts(alertmanager) if a["labels"]["namespace"] != NAMESPACE)
        await wait_for(pilot, lambda: app.state.incident.alerts and all(a.silenced for a in app.state.incident.alerts),
                       timeout=15)

        modal = await open_modal(pilot, app, "u")
        assert modal.plan.undo_of and modal.plan.requests[0].method == "DELETE"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 2, timeout=15)
        assert not _silences(alertmanager)
        expired = [s for s in alertmanager.get("/api/v2/silences") if s["id"] == silence["id"]]
        assert expired[0]["status"]["state"] == "expired"
    intents = [e for e in load_entries(audit) if e.kind == "intent"]
    assert [e.action for e in intents] == [ACTION, f"{ACTION}.undo"]
    results = [e for e in load_entries(audit) if e.kind == "result"]
    assert [r.outcome for r in results] == ["success", "success"]
    assert "api/v2/silences" in json.dumps(intents[0].request) and silence["id"] in json.dumps(intents[1].request)


async def test_a_bad_duration_is_refused_before_anything_is_sent(sim, make_app, alertmanager, alerting_prometheus, tmp_path):
    poll(lambda: _ours(alertmanager))
    app = make_app(alertmanager_url=alertmanager.url, prometheus_url=alerting_prometheus.url,
                   audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "Z")
        plan_text = lambda: str(modal.query_one("#plan").render())  # noqa: E731
        for bad in ("3d", "1x", "0s"):
            modal.query_one("#param-duration", Input).value = bad
            await wait_for(pilot, lambda: "nothing can be sent" in plan_text(), timeout=15)
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        assert isinstance(app.screen, ConfirmActionScreen)  # still open: nothing to confirm
        assert not any(o.ok for o in app.outcomes)
    assert not _silences(alertmanager)
    audit = tmp_path / "audit.jsonl"
    assert not audit.exists() or not [e for e in load_entries(audit) if e.kind == "intent"]


async def test_without_alertmanager_the_action_is_disabled_with_the_reason(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        action = next(a for a in app.catalogue.actions if a.id == ACTION)
        assert app.executor.permissions([action])[ACTION].reason == NO_ALERTMANAGER_REASON


async def test_read_only_refuses_the_silence(sim, make_app, alertmanager):
    app = make_app(alertmanager_url=alertmanager.url, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        action = next(a for a in app.catalogue.actions if a.id == ACTION)
        permission = app.executor.permissions([action])[ACTION]
        assert not permission.allowed and "read-only" in (permission.reason or "")
