"""Modals that cannot mis-target: what the operator types, where focus is, which pod is hit,
what undo restores, and what the modal shows while a parameter is invalid or the cluster moves."""

from __future__ import annotations

import pytest
import redis
from textual.widgets import Input

from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal, real_writes
from tests.servers import start_redis


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def deletes(handle) -> list[str]:
    return [e.path.rsplit("/", 1)[1] for e in real_writes(handle) if e.method == "DELETE" and "/pods/" in e.path]


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)


async def test_delete_pod_modal_takes_the_typed_name_first_thing_and_deletes(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "D")
        name = modal.plan.confirm_name
        assert name and name.startswith("sap-llm-")
        await pilot.pause()
        assert app.focused is modal.query_one("#confirm-name", Input)  # focus starts where the name goes
        fields = [w.id for w in modal.query(Input)]
        assert fields.index("confirm-name") < fields.index("reason")  # the Reason field is below it
        # the name field is a bordered input, not a bare line of text
        assert modal.query_one("#confirm-name", Input).styles.border_top[0] not in ("", "none", "hidden")
        await pilot.press("ctrl+s")  # nothing typed yet: it says why instead of doing nothing
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmActionScreen)
        assert any("not applied" in text and name in text for text in notifications(app)), notifications(app)
        await type_text(pilot, name)  # as the modal instructs, first thing, no tab or click
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(deletes(sim)), timeout=15)
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
    assert deletes(sim) == [name]


async def test_flushdb_takes_the_typed_name_first_thing_and_empties_real_redis(sim, make_app, tmp_path):
    server = start_redis(tmp_path / "redis")
    try:
        client = redis.Redis.from_url(server.url)
        client.mset({f"k{i}": "v" for i in range(50)})
        app = make_app(audit_log=str(tmp_path / "audit.jsonl"), redis_url=server.url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.executor is not None and bool(getattr(app, "permissions", None)))
            modal = await open_modal(pilot, app, "ctrl+f")
            await pilot.pause()
            await type_text(pilot, modal.plan.confirm_name)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: client.dbsize() == 0, timeout=15)
    finally:
        server.stop()


async def test_invalid_parameter_shows_that_nothing_can_be_sent(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "L")  # fix.raise-memory-limit, the limit advised from history
        plan_text = lambda: str(modal.query_one("#plan").render())  # noqa: E731
        opening = modal.query_one("#param-limit", Input).value
        assert opening in plan_text().split("Will send", 1)[1]
        modal.query_one("#param-limit", Input).value = "16Gx"
        await pilot.pause(0.3)
        sent = plan_text().split("Will send", 1)[1]
        will_send, equivalent = sent.split("Equivalent", 1)
        assert "nothing can be sent" in will_send and "memory limit" in will_send
        assert "nothing can be sent" in equivalent
        assert opening not in sent and "kubectl" not in equivalent  # not the last valid request
        assert modal.query_one("#copy").disabled
        modal.query_one("#param-limit", Input).value = "20Gi"
        await wait_for(pilot, lambda: "20Gi" in plan_text().split("Will send", 1)[1], timeout=15)
        assert "nothing can be sent" not in plan_text()
        assert not modal.query_one("#copy").disabled


def sap_llm_rows(app) -> list:
    """The rows of deployment/sap-llm's pods with a working set and a limit."""
    owned = {p.name for p in app.state.snapshot.pods if p.owner == "sap-llm"}
    return [r for r in app.state.rows if r.name in owned and r.working_set and r.limit]


def worst_sap_llm_pod(app) -> str:
    """By what the cockpit shows: highest working set against the limit."""
    return max(sap_llm_rows(app), key=lambda r: r.working_set / r.limit).name


async def test_delete_worst_pod_deletes_the_worst_pod_whatever_the_cursor_is_on(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        table = app.query_one(PodTable)
        worst = worst_sap_llm_pod(app)
        # the cursor on a pod of another deployment: still the worst sap-llm pod, no error
        assert table.select_pod(next(r.name for r in table.visible_rows if r.name.startswith("redis-")))
        modal = await open_modal(pilot, app, "D")
        assert modal.plan.targets[0].name == worst == modal.plan.confirm_name
        assert modal.plan.alternative_pod is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
        # the cursor on a healthier sap-llm pod: the worst pod all the same, and the modal says so
        healthy = min(sap_llm_rows(app), key=lambda r: r.working_set / r.limit).name
        assert healthy != worst and table.select_pod(healthy)
        modal = await open_modal(pilot, app, "D")
        assert modal.plan.targets[0].name == worst == modal.plan.confirm_name
        assert modal.plan.alternative_pod == healthy
        note = str(modal.query_one("#retarget-note").render())
        assert healthy in note and worst in note and "not the worst" in note
        await pilot.press("ctrl+t")  # switch target explicitly: re-planned for the selected pod
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen) and app.screen is not modal
                       and app.screen.plan.targets[0].name == healthy, timeout=15)
        modal = app.screen
        assert modal.plan.confirm_name == healthy
        assert "instead of the worst pod" in modal.plan.targets[0].why and worst in modal.plan.targets[0].why
        await pilot.pause()
        await type_text(pilot, healthy)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(deletes(sim)), timeout=15)
    assert deletes(sim) == [healthy]


async def test_actions_on_the_selected_pod_say_so_in_their_title(sim, make_app):
    app = make_app()
    for action in app.catalogue.actions:
        choice = getattr(action.operation, "pods", None) or getattr(action.operation, "pod", None)
        if choice == "selected":
            assert "selected pod" in action.title, action.title
        if choice == "worst":
            assert "worst pod" in action.title.lower(), action.title


async def test_undo_modal_names_the_undo_and_what_it_restores(sim, make_app, kubectl, tmp_path):
    from tests.app.test_actions import configmap_data

    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    original = configmap_data(kubectl)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await open_modal(pilot, app, "B")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        modal = await open_modal(pilot, app, "u")
        title = str(modal.query_one("#title").render())
        assert title.startswith("Undo: Reduce batch size"), title
        shown = str(modal.query_one("#plan").render())
        assert "Restores" in shown
        assert f"data.batch_size      32 → {original['batch_size']}" in shown, shown
        assert "changes nothing" not in str(modal.query_one("#why").render())
        seen = len(notifications(app))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([o for o in app.outcomes if o.ok]) == 2, timeout=15)
        def result_toasts() -> list[str]:
            return [t for t in notifications(app)[seen:] if t.startswith("Undo: ") and "applying" not in t]

        await wait_for(pilot, lambda: bool(result_toasts()))  # waited for: 0.2 s was short on a loaded machine
        toast = result_toasts()[0]
        assert f"restored data.batch_size={original['batch_size']}" in toast, toast
        assert "undo restores" not in toast  # not the undo of the undo
    assert configmap_data(kubectl) == original


def test_only_actions_that_undo_can_revert_are_marked_reversible(make_app):
    app = make_app()
    for action in app.catalogue.actions:
        if action.risk == "reversible":  # ↺ in the panel: u takes it back
            assert action.undo == "restore-previous", action.id
    for action_id in ("fix.force-gc", "fix.clear-app-cache", "fix.clear-model-cache", "fix.redis-flushdb",
                      "fix.delete-worst-pod", "fix.rollout-restart"):
        assert app.catalogue.get(action_id).risk != "reversible", action_id


def test_a_runbook_file_cannot_call_an_action_without_undo_reversible(tmp_path):
    from memtui.runbook import CatalogueError, load_catalogue

    path = tmp_path / "runbook.toml"
    path.write_text('''
[[action]]
id = "fix.my-gc"
title = "My GC"
phase = "fix"
risk = "reversible"
summary = "Ask the server to collect."
equivalent = "kubectl exec -n {namespace} {pod} -- {argv}"

[action.operation]
kind = "pod-http"
method = "POST"
port = 8080
path = "/admin/gc"
pods = "selected"
deployment = "sap-llm"
''')
    with pytest.raises(CatalogueError) as excinfo:
        load_catalogue(path)
    assert "'reversible' needs undo = 'restore-previous'" in str(excinfo.value)
    assert "runbook.toml" in str(excinfo.value)


async def test_header_and_the_modals_target_figures_stay_live_while_it_is_open(sim, make_app, tmp_path):
    from memtui.widgets import cells
    from memtui.widgets.incident_header import IncidentHeader

    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "D")
        target = modal.plan.targets[0].name
        header = app.query_one(IncidentHeader)

        def row():
            return next(r for r in app.state.rows if r.name == target)

        def live() -> str:
            return str(modal.query_one("#live").render())

        await wait_for(pilot, lambda: cells.memory_text(row().working_set, row().limit) in live())
        opened_with = row().working_set
        kube_ok = {h.name: h.last_ok for h in header.sources}["kubernetes"]
        sim.advance(600)  # ten minutes of the incident while the operator reads the modal
        await wait_for(pilot, lambda: row().working_set != opened_with, timeout=15)
        now = row()
        await wait_for(pilot, lambda: cells.memory_text(now.working_set, now.limit) in live(), timeout=5)
        assert target in live() and "now" in live()
        assert {h.name: h.last_ok for h in header.sources}["kubernetes"] != kube_ok  # the header moved too
        assert isinstance(app.screen, ConfirmActionScreen)


async def test_maxmemory_default_comes_from_the_redis_limit_and_more_than_the_limit_is_refused(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "Y")  # fix.redis-maxmemory; deployment/redis has a 16Gi limit
        box = modal.query_one("#param-maxmemory", Input)
        assert box.value == "12gb"  # 75 % of 16Gi, not the runbook's 8gb
        assert modal.plan.requests[0].words == ("CONFIG", "SET", "maxmemory", "12gb")
        shown = str(modal.query_one("#plan").render())
        assert "12gb = 75% of deployment/redis's memory limit 16Gi" in shown and "runbook: 8gb" in shown
        # exec is the path used: the equivalent is the kubectl exec that memtui's request amounts to
        pod = modal.plan.requests[0].pod
        assert pod and modal.plan.equivalent == f"kubectl exec -n sap-llm {pod} -c redis -- redis-cli CONFIG SET maxmemory 12gb"
        box.value = "20gb"
        await wait_for(pilot, lambda: "exceeds" in str(modal.query_one("#error-maxmemory").render()), timeout=15)
        error = str(modal.query_one("#error-maxmemory").render())
        assert "20gb" in error and "16Gi" in error
        assert modal.query_one("#apply").disabled
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmActionScreen)
    sent = [e.body.get("command") for e in real_writes(sim) if "exec" in e.path and isinstance(e.body, dict)]
    assert sent and not [c for c in sent if "SET" in c]  # planning reads (CONFIG GET, INFO), never a SET


async def test_redis_equivalent_matches_the_redis_url_path(sim, make_app, tmp_path):
    server = start_redis(tmp_path / "redis", password="eq-pw")
    try:
        app = make_app(audit_log=str(tmp_path / "audit.jsonl"), redis_url=server.url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.executor is not None and app.state.snapshot is not None)
            modal = await open_modal(pilot, app, "Y")
            equivalent = modal.plan.equivalent
            assert equivalent.startswith("redis-cli -u ") and equivalent.endswith("CONFIG SET maxmemory 12gb")
            assert "eq-pw" not in equivalent and "kubectl" not in equivalent
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
            modal = await open_modal(pilot, app, "ctrl+f")
            assert modal.plan.equivalent.startswith("redis-cli -u ") and "FLUSHDB" in modal.plan.equivalent
    finally:
        server.stop()


async def test_the_modal_buttons_name_the_keys_the_keymap_binds(sim, make_app, tmp_path):
    """A keymap that moves Apply off ctrl+s: the button said "Apply (ctrl+s)", a key that did nothing."""
    from textual.widgets import Button

    from memtui.ui.bindings import binding_ids
    from memtui.ui.keymap import load_keymap
    from memtui.runbook import load_catalogue

    keys = tmp_path / "keys.toml"
    keys.write_text('[bindings]\n"confirm.apply" = "ctrl+g"\n"confirm.cancel" = "f10"\n')
    keymap = load_keymap(keys, binding_ids(), {a.id for a in load_catalogue().actions})
    app = make_app(keymap=keymap, audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "D")
        assert str(modal.query_one("#apply", Button).label) == "Apply (^g)"
        assert str(modal.query_one("#cancel", Button).label) == "Cancel (f10)"
        await pilot.press("f10")  # the key the button names does what it says
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
    assert deletes(sim) == []


async def test_a_modal_cancelled_before_it_mounts_closes_quietly(sim, make_app, tmp_path):
    """R then Esc on a busy main thread (5,000 pods): the Esc reached the modal before its on_mount
    ran, and on_mount's query for the advice line found a dismissed screen: 'internal error'.
    Here the cancel comes right after the push, before the event loop mounts anything."""
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    shown = []
    confirm = app._confirm

    def confirm_then_cancel_at_once(*args) -> None:
        confirm(*args)
        shown.append(app.screen)
        app.screen.action_cancel()  # the Esc that was queued behind the planning's result

    app._confirm = confirm_then_cancel_at_once
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("R")
        await wait_for(pilot, lambda: bool(shown), timeout=15)
        await pilot.pause(0.5)
        assert isinstance(shown[0], ConfirmActionScreen)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert app.is_running and app.return_code is None, app.crash_line
        await pilot.press("j")  # the cockpit still answers
        await pilot.pause()
        assert app.is_running



async def test_a_runbook_key_hands_its_context_to_the_worker_without_a_repr_of_it(sim, make_app, tmp_path, monkeypatch):
    """Textual's ``@work`` describes a worker by the ``repr`` of its arguments unless told otherwise;
    for an ActionContext of 5,000 pods that was about 150 ms of the event loop per key."""
    from memtui.executor import ActionContext

    reprs: list[int] = []
    real_repr = ActionContext.__repr__
    monkeypatch.setattr(ActionContext, "__repr__", lambda self: reprs.append(1) or real_repr(self))
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        modal = await open_modal(pilot, app, "R")
        assert modal.plan.action.id == "fix.rollout-restart"
        assert {w.description for w in app.workers if w.group == "runbook"} <= {"_plan_in_worker"}
    assert reprs == []
