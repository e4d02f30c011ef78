"""Text from outside (API error bodies, Events, pod names, ConfigMap values, Redis replies, runbook
files, what the operator types) is drawn literally: never parsed as markup, never obeyed as a
terminal control sequence, and never kills the app.

Each path gets markup that used to act (``[bold red]``, ``[link=…]``, ``[/]``, ``[/x]``, a lone ``[``,
``[@click=app.quit]clickme[/]``) and escape sequences (``ESC ] 0 ; … BEL`` sets the terminal title,
``ESC [ 2 J`` clears it) through the real data path, and the test reads what the screen shows.
"""

from __future__ import annotations

import copy
import json

import pytest
from kubernetes import client as k8s

from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.events_pane import EventsPane
from memtui.widgets.help_screen import HelpScreen
from memtui.widgets.output_screen import OutputScreen
from memtui.widgets.pod_table import PodTable
from memtui.widgets.reasons_screen import ReasonsScreen
from memtui.widgets.side_panel import SidePanel
from tests.app.conftest import wait_for
from tests.app.screen import assert_nothing_raw_on_screen, screen_text
from tests.error_front import ErrorFront
from tests.faults import FaultProxy
from tests.servers import start_redis

MARKUP = "[bold red]R [link=https://x]L [/] [/x] [ [@click=app.quit]clickme[/]"
ESCAPES = "t\x1b]0;pwned\x07 c\x1b[2J"
SHOWN_ESCAPES = "t␛]0;pwned␇ c␛[2J"
PAYLOAD = MARKUP + " " + ESCAPES
SHOWN = MARKUP + " " + SHOWN_ESCAPES


def assert_still_running(app) -> None:
    assert app.is_running and app.return_code is None and app._exception is None


def api(sim) -> k8s.ApiClient:
    from memtui.clients.kube.connection import connect

    return connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm").api_client


# -- API error bodies ---------------------------------------------------------------------------


@pytest.fixture
def error_front(sim):
    front = ErrorFront(sim, message=PAYLOAD)
    yield front
    front.close()


async def test_api_error_body_on_the_pane_borders_is_literal(sim, make_app, error_front, tmp_path):
    app = make_app(kubeconfig=error_front.kubeconfig(tmp_path / "front.kubeconfig"), request_timeout=2.0)
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.query_one("#pods-pane")
        await wait_for(pilot, lambda: pane.has_class("-stale"), timeout=15)
        await pilot.pause(0.5)  # several refreshes with the error: the crash came at a later repaint
        assert_still_running(app)
        text = screen_text(app)
        assert "HTTP 500" in text and "[bold red]R [link=https://x]L [/] [/x]" in text
        assert_nothing_raw_on_screen(app)
        assert "[bold red]R" in pane._border_subtitle.plain


# -- Events: message and involved object --------------------------------------------------------


async def test_event_message_and_object_name_are_literal(sim, make_app):
    event = k8s.CoreV1Event(
        metadata=k8s.V1ObjectMeta(generate_name="hostile-"),
        involved_object=k8s.V1ObjectReference(kind="Pod", name="[/x]evil", namespace="sap-llm"),
        reason="BackOff", message=PAYLOAD, type="Warning",
    )
    k8s.CoreV1Api(api(sim)).create_namespaced_event("sap-llm", event)
    app = make_app()
    async with app.run_test(size=(240, 60)) as pilot:
        await wait_for(pilot, lambda: any(e.message == PAYLOAD for e in app.state.events()), timeout=15)
        app.action_toggle_pane("side")  # room for the events pane's message column
        await pilot.pause(0.3)
        assert_still_running(app)
        table = app.query_one(EventsPane)
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        assert SHOWN in cells and "[/x]evil" in cells
        text = screen_text(app)
        assert "[/x]evil" in text and "[bold red]R [link=https://x]L" in text
        assert_nothing_raw_on_screen(app)


# -- pod names and container states -------------------------------------------------------------


def inject_pod(sim, name: str, reason: str) -> None:
    """A pod object as a permissive API (or a fake) may serve it: any name, any exit reason."""
    store = sim._server.state.cluster.store

    def put() -> None:
        template = next(s.obj for s in store.list("pods", "sap-llm") if s.obj["metadata"]["name"].startswith("sap-llm"))
        pod = copy.deepcopy(template)
        pod["metadata"].update(name=name, uid="hostile-uid")
        pod["metadata"].pop("resourceVersion", None)
        status = pod["status"]["containerStatuses"][0]
        status["lastState"] = {"terminated": {"reason": reason, "exitCode": 137,
                                              "finishedAt": pod["metadata"]["creationTimestamp"]}}
        store.put("pods", pod)

    sim._call(put)


async def test_pod_name_and_exit_reason_are_literal_in_table_and_side_panel(sim, make_app):
    name = "[/x][@click=app.quit]clickme[/]"
    inject_pod(sim, name, ESCAPES)
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: any(r.name == name for r in app.query_one(PodTable).rows), timeout=15)
        assert app.query_one(PodTable).select_pod(name)
        await wait_for(pilot, lambda: app.query_one(SidePanel).pod is not None
                       and app.query_one(SidePanel).pod.name == name)
        await pilot.pause(0.2)
        assert_still_running(app)
        side = app.query_one(SidePanel).render().plain
        assert name in side and SHOWN_ESCAPES[:10] in side
        assert name in screen_text(app)
        assert_nothing_raw_on_screen(app)


# -- typed into the modal -----------------------------------------------------------------------


async def test_markup_typed_into_a_modal_field_is_repeated_literally(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("B")  # fix.reduce-batch-size
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        app.screen.query_one("#param-batch_size").focus()
        await pilot.press("left_square_bracket", "slash", "x", "right_square_bracket")
        await pilot.pause(0.3)
        assert_still_running(app)
        error = str(app.screen.query_one("#error-batch_size").render())
        assert "batch_size '[/x]' is not a whole number" in error
        assert "batch_size '[/x]' is not a whole number" in screen_text(app)
        assert_nothing_raw_on_screen(app)


# -- ConfigMap values: the modal's change and the diagnose output viewer ------------------------


async def test_configmap_value_is_literal_in_the_modal_and_the_output_viewer(sim, make_app, tmp_path):
    core = k8s.CoreV1Api(api(sim))
    core.patch_namespaced_config_map("sap-llm-config", "sap-llm", {"data": {"batch_size": PAYLOAD}})
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("m")  # diagnose.configmap-keys
        await wait_for(pilot, lambda: isinstance(app.screen, OutputScreen), timeout=15)
        await pilot.pause(0.3)
        assert "[bold red]R [link=https://x]L [/] [/x]" in screen_text(app)
        assert_nothing_raw_on_screen(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, OutputScreen))
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        await pilot.pause(0.3)
        assert_still_running(app)
        plan = app.screen.query_one("#plan").render()
        assert SHOWN in str(plan)
        assert "[bold red]R [link=https://x]L [/] [/x]" in screen_text(app)
        assert_nothing_raw_on_screen(app)


# -- runbook file values: toasts, modal labels, the actions panel -------------------------------


async def test_runbook_file_values_are_literal_in_toasts_modal_and_panel(sim, make_app, tmp_path):
    from memtui.runbook import load_catalogue

    runbook = tmp_path / "runbook.toml"
    runbook.write_text(
        '[[action]]\nid = "fix.reduce-batch-size"\n'
        'title = "[/x]Batch [bold red]R"\n'
        'summary = "[@click=app.quit]clickme[/] [link=https://x]L"\n'
        'params.batch_size.label = "[/x]size"\n'
    )
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    app.catalogue = load_catalogue(runbook)
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
        await pilot.press("B")
        await wait_for(pilot, lambda: "[/x]Batch [bold red]R" in screen_text(app))  # the planning modal or the plan
        assert_still_running(app)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        await pilot.pause(0.3)
        assert_still_running(app)
        text = screen_text(app)
        assert "[/x]size" in text and "[/x]Batch [bold red]R" in text
        assert "[@click=app.quit]clickme[/] [link=https://x]L" in text
        assert_nothing_raw_on_screen(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
        await pilot.press("question_mark")  # memtui's help lists the runbook's keys with their titles
        # waited for, not paused for: on a loaded machine the help screen took longer than 0.3 s;
        # the runbook's keys come after the app's own, below the fold of the dialog: scroll there
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), timeout=10)
        for _ in range(6):
            await pilot.press("pagedown")
        await wait_for(pilot, lambda: "[/x]Batch [bold red]R" in screen_text(app), timeout=10)
        assert_still_running(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        app.action_show_help_panel()  # Textual's keys panel (command palette) parses descriptions as Rich markup
        await wait_for(pilot, lambda: "[/x]Batch [bold red]R" in screen_text(app), timeout=10)
        assert_still_running(app)


# -- Redis replies ------------------------------------------------------------------------------


async def test_redis_error_reply_is_literal_on_the_redis_pane(sim, make_app, tmp_path):
    redis_server = start_redis(tmp_path / "redis")
    proxy = FaultProxy(redis_server.port)
    try:
        reply = ("-ERR " + PAYLOAD.replace("\n", " ") + "\r\n").encode()
        proxy.garbage = reply * 4  # the handshake's CLIENT SETINFO replies, then INFO's
        proxy.set_mode("garbage")
        app = make_app(redis_url=f"redis://127.0.0.1:{proxy.port}/0")
        async with app.run_test(size=(200, 50)) as pilot:
            pane = app.query_one("#redis-pane")
            await wait_for(pilot, lambda: pane.has_class("-stale"), timeout=15)
            await pilot.pause(0.5)
            assert_still_running(app)
            subtitle = pane._border_subtitle.plain
            assert subtitle.startswith("stale since start: redis://") and subtitle.endswith("… · H: full reason")
            assert_nothing_raw_on_screen(app)
            await pilot.press("H")  # the narrow pane cuts the reply; the reasons viewer has it all
            await wait_for(pilot, lambda: isinstance(app.screen, ReasonsScreen))
            await pilot.pause(0.2)
            assert "[bold red]R [link=https://x]L [/] [/x] [ [@click=app.quit]clickme[/]" in screen_text(app)
            assert_nothing_raw_on_screen(app)
    finally:
        proxy.close()
        redis_server.stop()


# -- typed into the filter ----------------------------------------------------------------------


async def test_markup_typed_into_the_filter_is_literal_in_the_pods_title(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        await pilot.press("slash", "left_square_bracket", "slash", "x", "right_square_bracket")
        await pilot.pause(0.3)
        assert_still_running(app)
        assert "filter: /[/x]/" in app.query_one("#pods-pane")._border_title.plain
        assert_nothing_raw_on_screen(app)


def test_event_payload_round_trips_through_the_api(sim):
    """The simulator stores what it is given: the Event test's payload really is hostile."""
    event = k8s.CoreV1Event(metadata=k8s.V1ObjectMeta(generate_name="raw-"),
                            involved_object=k8s.V1ObjectReference(kind="Pod", name="p", namespace="sap-llm"),
                            reason="X", message=PAYLOAD)
    created = k8s.CoreV1Api(api(sim)).create_namespaced_event("sap-llm", event)
    assert created.message == PAYLOAD
    assert json.dumps(PAYLOAD).count("\\u001b") == 2
