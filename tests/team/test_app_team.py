"""The team's timeline in the running app: kubectl changes the simulator while memtui runs.

The real app (Pilot, ``make_app``) on the simulator over HTTPS, the real ``kubectl`` making the
changes; what is asserted is what the events pane shows and what the state keeps."""

from __future__ import annotations

import json

from memtui.sources.team import parse_memtui_event
from memtui.widgets.events_pane import EventsPane
from tests.app.conftest import wait_for
from tests.app.test_actions import open_modal

NS = "sap-llm"


def pane_lines(app) -> list[str]:
    table = app.query_one(EventsPane)
    return [" | ".join(cell.plain for cell in table.get_row_at(i)) for i in range(table.row_count)]


def team(app, **match) -> list:
    return [c for c in app.state.team_changes if all(getattr(c, k) == v for k, v in match.items())]


async def baseline(pilot, app) -> None:
    await wait_for(pilot, lambda: app.state.snapshot is not None and app.sources.team is not None
                   and app.sources.team.baselined, timeout=20)


def configmap(kubectl) -> dict:
    return json.loads(kubectl("get", "configmap", "sap-llm-config", "-n", NS, "-o", "json", check=True).stdout)["data"]


async def test_kubectl_patch_scale_and_restart_show_in_the_events_pane_with_who(sim, make_app, kubectl):
    before = configmap(kubectl)["batch_size"]
    replicas = json.loads(kubectl("get", "deployment", "sap-llm-api", "-n", NS, "-o", "json", check=True).stdout)[
        "spec"]["replicas"]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await baseline(pilot, app)
        assert app.state.team_changes == ()  # the first sync is the baseline

        kubectl("patch", "configmap", "sap-llm-config", "-n", NS, "--type", "merge",
                "-p", '{"data":{"batch_size":"32","api_token":"tok-9f8e7d"}}', check=True)
        await wait_for(pilot, lambda: bool(team(app, kind="ConfigMap")), timeout=15)
        (patch,) = team(app, kind="ConfigMap")
        assert (patch.name, patch.what, patch.manager, patch.operation) == ("sap-llm-config", "config", "kubectl-patch", "Update")
        assert f"batch_size {before}→32" in patch.summary
        assert "api_token ∅→***" in patch.summary  # a secret-looking key is redacted
        await wait_for(pilot, lambda: any("kubectl-patch" in line for line in pane_lines(app)))
        line = next(line for line in pane_lines(app) if "kubectl-patch" in line)
        assert line.split(" | ")[1:3] == ["team", "configmap/sap-llm-config"]
        assert f"batch_size {before}→32" in line and line.endswith(" · kubectl-patch")
        assert all("tok-9f8e7d" not in row for row in pane_lines(app))

        target = 2 if replicas != 2 else 3
        kubectl("scale", "deployment", "sap-llm-api", "-n", NS, f"--replicas={target}", check=True)
        await wait_for(pilot, lambda: bool(team(app, what="scale")), timeout=15)
        (scale,) = team(app, what="scale")
        assert scale.summary == f"replicas {replicas}→{target}" and scale.subresource == "scale"
        assert scale.manager.startswith("kubectl")

        kubectl("rollout", "restart", "deployment/sap-llm", "-n", NS, check=True)
        await wait_for(pilot, lambda: bool(team(app, what="rollout")), timeout=15)
        (rollout,) = team(app, what="rollout")
        assert (rollout.name, rollout.manager, rollout.summary) == ("sap-llm", "kubectl-rollout", "rollout restart")
        await wait_for(pilot, lambda: any("kubectl-rollout" in line for line in pane_lines(app)))
        rows = pane_lines(app)
        # newest first: the restart above the scale above the patch
        order = [next(i for i, r in enumerate(rows) if needle in r) for needle in ("kubectl-rollout", f"replicas {replicas}→", "kubectl-patch")]
        assert order == sorted(order)
        assert len(app.state.team_changes) == 3  # each once, however many polls saw them


async def test_own_action_is_not_the_teams_and_another_users_memtui_is(sim, make_app, kubectl, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await baseline(pilot, app)
        await open_modal(pilot, app, "B")  # fix.reduce-batch-size, through the app
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(o.ok for o in app.outcomes), timeout=15)
        assert configmap(kubectl)["batch_size"] == "32"
        own = [json.loads(kubectl("get", "events", "-n", NS, "--field-selector", "reason=MemtuiAction", "-o", "json",
                                  check=True).stdout)["items"]][0]
        assert len(own) == 1
        mine = parse_memtui_event(own[0])
        assert mine.entry == app.outcomes[-1].intent_id and mine.user  # the Event names its operator

        # another operator's memtui, on the same ConfigMap, as memtui's executor writes its Event
        other = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"generateName": "sap-llm-config.memtui-", "namespace": NS,
                         "annotations": {"audit.memtui.io/seq": "4", "audit.memtui.io/entry": "other-intent-1"}},
            "involvedObject": {"kind": "ConfigMap", "name": "sap-llm-config", "namespace": NS, "apiVersion": "v1"},
            "reason": "MemtuiAction", "type": "Normal",
            "message": "Limit concurrency [fix.limit-concurrency] by oncall-2 (bob@laptop2): ok (audit #4 0123456789ab)",
            "source": {"component": "memtui", "host": "laptop2"}, "count": 1,
            "firstTimestamp": own[0]["lastTimestamp"], "lastTimestamp": own[0]["lastTimestamp"],
        }
        kubectl("create", "--validate=false", "-f", "-", input=json.dumps(other), check=True)
        await wait_for(pilot, lambda: bool(team(app, kind="MemtuiAction")), timeout=15)
        (action,) = team(app, kind="MemtuiAction")
        assert (action.what, action.user, action.name) == ("memtui-action", "oncall-2 (bob@laptop2)", "configmap/sap-llm-config")
        assert action.summary == "Limit concurrency [fix.limit-concurrency]"
        assert action.changes == ()  # this session's own batch_size write is not given to oncall-2
        await wait_for(pilot, lambda: any("oncall-2" in line for line in pane_lines(app)))
        # the Event is the team row, not also a plain event row
        assert len([line for line in pane_lines(app) if "Limit concurrency" in line]) == 1
        # this session's own write and own Event never became team changes
        assert [c.key for c in app.state.team_changes] == [action.key]
        assert not any(mine.uid in c.key for c in app.state.team_changes)


async def test_a_403_on_hpas_is_a_note_in_the_events_pane_and_the_pods_pane_stays_live(sim_factory, make_app):
    handle = sim_factory(hpa=True, operator_denied=("horizontalpodautoscalers.autoscaling",))
    app = make_app(handle=handle)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.team_error is not None and app.state.snapshot is not None, timeout=20)
        assert app.state.team_error == "horizontalpodautoscalers: forbidden (RBAC)"
        await wait_for(pilot, lambda: bool(pane_lines(app)) and "forbidden" in pane_lines(app)[0])
        assert pane_lines(app)[0] == " | team |  | horizontalpodautoscalers: forbidden (RBAC)"
        health = app.state.health["kubernetes"]
        assert health.error is None and health.last_ok is not None and app.state.rows
