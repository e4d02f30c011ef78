"""``memtui replay`` driven with Pilot over a recording made from the simulator for real."""

from __future__ import annotations

from datetime import timezone

from memtui.widgets.actions_panel import ActionsPanel
from memtui.widgets.incident_header import IncidentHeader
from memtui.widgets.pod_table import PodTable
from memtui.widgets.time_bar import TimeBar
from tests.app.conftest import wait_for

SIZE = (160, 48)


def header_text(app) -> str:
    return app.query_one(IncidentHeader).render().plain


def bar_text(app) -> str:
    return app.query_one(TimeBar).render().plain


def hms(at) -> str:
    return at.astimezone(timezone.utc).strftime("%H:%M:%S")


def figures(app) -> dict[str, int | None]:
    return {row.name: row.working_set for row in app.query_one(PodTable).rows}


def recorded_figures(snapshot) -> dict[str, int]:
    return {name: usage.working_set_bytes for name, usage in snapshot.usage.items()}


async def test_stepping_shows_each_refresh_as_it_was_recorded(recorded, replay_app):
    """→ and ← move one refresh: the header's time and every pod's working set are the frame's;
    back is a re-fold (from a checkpoint every 2 refreshes here) and gives the same figures."""
    frames = recorded.refreshes
    assert recorded_figures(frames[0][2]) != recorded_figures(frames[-1][2])  # the leak moved on
    app = replay_app(recorded, checkpoint_every=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for index, (seq, at, snapshot) in enumerate(frames):
            if index:
                await pilot.press("right")
                await pilot.pause()
            assert app.cursor == seq
            assert f"replay · {hms(at)} UTC" in header_text(app)
            assert figures(app) == recorded_figures(snapshot)
            assert f"refresh {index + 1}/{len(frames)}" in bar_text(app)
        for seq, at, snapshot in reversed(frames[:-1]):
            await pilot.press("left")
            await pilot.pause()
            assert app.cursor == seq
            assert f"replay · {hms(at)} UTC" in header_text(app)
            assert figures(app) == recorded_figures(snapshot)
        await pilot.press("end")
        await pilot.pause()
        assert figures(app) == recorded_figures(frames[-1][2])
        await pilot.press("home")
        await pilot.pause()
        assert app.cursor == frames[0][0]


async def test_brackets_jump_from_action_to_action(recorded, replay_app):
    (first, first_at, _), (second, second_at, _) = recorded.intents
    app = replay_app(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.cursor == first
        assert f"replay · {hms(first_at)} UTC" in header_text(app)
        assert "#1" in bar_text(app) and "Reduce batch size (B)" in bar_text(app)
        assert "success" in bar_text(app) and "11.8 GiB → 7.1 GiB" in bar_text(app)
        # the panes show what was on screen when the operator acted: the refresh before the intent
        before = max(r for r in recorded.refreshes if r[0] < first)
        assert figures(app) == recorded_figures(before[2])
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.cursor == second and f"replay · {hms(second_at)} UTC" in header_text(app)
        assert "#2" in bar_text(app)
        await pilot.press("right_square_bracket")  # no third: stays, says so
        await pilot.pause()
        assert app.cursor == second
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.cursor == first


async def test_runbook_keys_are_refused_with_the_reason_replay(recorded, replay_app, sim, private_state_home):
    """Fixes, diagnose steps and undo give a toast naming "replay" and send nothing: the simulator
    sees no request at all from the replay, and no audit log is made."""
    sim.clear_request_log()
    journal = len(sim.journal())
    app = replay_app(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("B", "R", "D", "l", "t", "u"):
            await pilot.press(key)
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Reduce batch size: not allowed: replay") for m in messages)
        assert any(m.startswith("Rollout restart") and m.endswith("not allowed: replay") for m in messages)
        assert any("not allowed: replay" in m and "logs" in m.lower() for m in messages)
        assert any(m.startswith("Undo: not allowed: replay") for m in messages)
        assert len(app.screen_stack) == 1  # no modal, no output viewer
        # the actions panel shows them unavailable, with the reason
        await pilot.press("a")
        await pilot.pause()
        panel = app.query_one(ActionsPanel)
        assert all(not p.allowed and p.reason == "replay" for p in panel.permissions.values())
        assert "not allowed: replay" in str(panel.query_one("#action-hint").render())
        await pilot.press("enter")  # Enter on the highlighted fix
        await pilot.pause(0.3)
        assert len(app.screen_stack) == 1
    assert sim.requests() == [] and len(sim.journal()) == journal
    assert not list(private_state_home.rglob("*.jsonl"))


async def test_looking_keys_still_work(recorded, replay_app, sim):
    """Filter, sort, pod details (without a log read: no request), help."""
    sim.clear_request_log()
    app = replay_app(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(PodTable)
        await pilot.press("s")
        assert table.sort_key != "memory"
        await pilot.press("slash", "a", "p", "i")
        await pilot.pause()
        assert table.filter_text == "api" and all("api" in r.name for r in table.visible_rows)
        cursor = app.cursor
        await pilot.press("left", "right", "space")  # the filter box keeps its keys
        assert app.cursor == cursor and not app.playing and table.filter_text == "api "
        await pilot.press("backspace", "enter", "enter")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "PodDetailsScreen"
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
    assert sim.requests() == []


async def test_play_moves_the_cursor_and_pauses_at_the_end(recorded, replay_app):
    app = replay_app(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(5):
            await pilot.press("plus")
        assert app.speed == 60.0 and "60×" in bar_text(app)
        await pilot.press("minus")
        assert app.speed == 30.0
        await pilot.press("plus", "space")
        assert app.playing and "▶" in bar_text(app)
        await wait_for(pilot, lambda: app.cursor == recorded.refreshes[-1][0] and not app.playing)
        assert "❚❚" in bar_text(app)
