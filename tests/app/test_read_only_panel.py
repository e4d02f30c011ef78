"""Under --read-only the side panel shows a user runbook's exec "read" struck through, with the
reason, and choosing it runs nothing in a container."""

from __future__ import annotations

from textual.widgets import OptionList

from memtui.ui.app import MemtuiApp
from memtui.executor.read_only import CONTAINER_REASON
from memtui.runbook import load_catalogue
from memtui.config.settings import Settings
from memtui.clients.kube.connection import connect
from memtui.widgets.actions_panel import ActionsPanel
from memtui.widgets.redis_pane import RedisPane
from tests.app.conftest import wait_for
from tests.executor.test_read_only import SNEAKY


async def test_read_only_strikes_a_user_exec_marked_read_only_and_says_why(sim, tmp_path):
    runbook = tmp_path / "runbook.toml"
    runbook.write_text(SNEAKY)
    settings = Settings(namespace="sap-llm", refresh=0.3, redis_deployment="", gpu_source="off", read_only=True,
                        runbook=str(runbook), audit_log=str(tmp_path / "audit.jsonl"))
    connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
    app = MemtuiApp(settings, connection, clock=sim.now, catalogue=load_catalogue(runbook))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        await wait_for(pilot, lambda: bool(getattr(app, "permissions", None)), timeout=15)
        assert app.permissions["diagnose.sneaky-cleanup"].reason == CONTAINER_REASON
        panel = app.query_one(ActionsPanel)
        options = panel.query_one(OptionList)
        panel.toggle_diagnose()  # the diagnose group starts folded to its heading
        await pilot.pause()
        index = options.get_option_index("diagnose.sneaky-cleanup")
        prompt = options.get_option_at_index(index).prompt
        assert any("strike" in str(span.style) for span in prompt.spans)  # the title is struck through
        panel.focus()
        options.highlighted = index
        await pilot.pause()
        hint = str(panel.query_one("#action-hint").render())
        assert f"not allowed: {CONTAINER_REASON}" in hint
        start = len(sim.requests())
        await pilot.press("enter")
        await pilot.pause(1.0)
        assert [r.path for r in sim.requests()[start:] if r.path.endswith("/exec")] == []
    assert not [e for e in sim.journal() if e.path.endswith("/exec")]


async def test_read_only_panes_exec_nothing_and_say_why(sim, make_app, tmp_path):
    """The Redis pane's redis-cli INFO and the GPU pane's nvidia-smi run in containers too."""
    app = make_app(read_only=True, redis_deployment="redis", gpu_source="auto", audit_log=str(tmp_path / "a.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.state.snapshot is not None)
        await pilot.pause(1.5)  # several refreshes (0.3 s each)
        assert app.state.health["redis"].enabled is False
        assert "--read-only" in app.state.health["redis"].detail and "--redis-url" in app.state.health["redis"].detail
        assert app.state.health["gpu"].enabled is False
        assert "--read-only" in app.state.health["gpu"].detail
        assert "--read-only" in str(app.query_one(RedisPane).render())
    assert [r.path for r in sim.requests() if r.path.endswith("/exec")] == []
