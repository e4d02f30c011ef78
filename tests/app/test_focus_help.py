"""Focus that the operator can see and get back, memtui's own help, and layouts where the fixes
can be reached: at 80x24 and at 160x48."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from memtui.widgets.confirm_screen import ConfirmActionScreen
from memtui.widgets.output_screen import OutputScreen
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for


def footer_text(app) -> str:
    return " ".join(f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey))


async def started(pilot, app) -> None:
    await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
    await pilot.pause()


def border_colour(app, selector: str):
    return app.query_one(selector).styles.border_top[1]


async def test_escape_returns_focus_to_the_pods_table_from_everywhere(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        table = app.query_one(PodTable)
        assert app.focused is table
        assert "↑↓ pods" in footer_text(app)  # which pane the arrows move
        resting = border_colour(app, "#side")
        focused_pods = border_colour(app, "#pods-pane")
        assert focused_pods != border_colour(app, "#events-pane")  # the focused pane is marked

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.focused, OptionList)
        assert "↑↓ actions" in footer_text(app) and "pods" not in footer_text(app)
        assert border_colour(app, "#side") != resting and border_colour(app, "#pods-pane") != focused_pods
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is table
        assert border_colour(app, "#pods-pane") == focused_pods

        # a modal opened from the actions list: after Esc, the pods table, not the list
        await pilot.press("a")
        await pilot.pause()
        app.query_one("#action-list", OptionList).highlighted = (
            app.query_one("#action-list", OptionList).get_option_index("fix.reduce-batch-size"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmActionScreen), timeout=15)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
        await pilot.pause()
        assert app.focused is table

        # the output viewer
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, OutputScreen), timeout=15)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, OutputScreen))
        await pilot.pause()
        assert app.focused is table

        # the filter
        await pilot.press("slash")
        await pilot.pause()
        assert app.focused is app.query_one("#filter")
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is table


async def test_question_mark_opens_memtuis_own_grouped_help_that_fits_80x24(sim, make_app, tmp_path):
    from memtui.widgets.help_screen import HelpScreen

    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        dialog = app.screen.query_one("#help-dialog")
        region = dialog.region
        assert region.x >= 0 and region.y >= 0 and region.right <= 80 and region.bottom <= 24
        text = str(app.screen.query_one("#help-text").render())
        headings = ["Navigation", "Panes", "Runbook reads", "Runbook fixes"]
        positions = [text.index(h) for h in headings]
        assert positions == sorted(positions) and positions[0] == 0  # the app's and runbook's keys first
        assert "Delete the worst pod" in text and "Top pods by memory" in text
        fixes = text[text.index("Runbook fixes"):]
        assert " D  Delete the worst pod" in fixes and "^f  Redis FLUSHDB" in fixes
        assert dialog.max_scroll_y > 0  # more than fits: it scrolls
        await pilot.press("pagedown")
        await pilot.pause()
        assert dialog.scroll_y > 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await pilot.pause()
        assert app.focused is app.query_one(PodTable)
