"""The runbook's fixes can be reached: at 80x24 with `a`, at 160x48 without scrolling past diagnose."""

from __future__ import annotations

from textual.widgets import OptionList

from memtui.widgets.actions_panel import ActionsPanel

from tests.app.conftest import wait_for


def first_fix_index(options: OptionList) -> int:
    return next(i for i in range(options.option_count)
                if (options.get_option_at_index(i).id or "").startswith("fix."))


def on_screen(options: OptionList) -> str:
    """The list's lines as drawn now (what the operator sees, scrolled where it is)."""
    return "\n".join(options.render_line(y).text for y in range(options.scrollable_content_region.height))


async def started(pilot, app) -> None:
    await wait_for(pilot, lambda: app.state.snapshot is not None and app.executor is not None)
    await pilot.pause()


async def test_a_at_80x24_shows_the_actions_list_scrolled_to_the_first_fix(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        assert app.query_one("#side").display  # the ranking stays at 80 columns
        assert not app.query_one("#incident").display  # the selected pod's facts step aside
        panel = app.query_one(ActionsPanel)
        rebuilds = panel.rebuilds
        await pilot.press("a")
        await pilot.pause()
        options = app.query_one("#action-list", OptionList)
        assert app.focused is options and options.display
        region = options.region
        assert region.height >= 6 and region.right <= 80 and region.bottom <= 24, region
        # the first fix when `a` was pressed; the ranking may reorder the groups since (a source
        # answered), and the highlight stays on its action, scrolled into view
        chosen = options.get_option_at_index(options.highlighted).id or ""
        assert chosen.startswith("fix."), chosen
        assert app.catalogue.get(chosen).title in on_screen(options)
        if panel.rebuilds == rebuilds:  # the order it was chosen in
            assert options.highlighted == first_fix_index(options)


async def test_fixes_are_visible_at_160x48_without_scrolling(sim, make_app, tmp_path):
    app = make_app(audit_log=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        options = app.query_one("#action-list", OptionList)
        assert options.scroll_y == 0
        first_fix = first_fix_index(options)
        shown = on_screen(options)
        assert app.catalogue.get(options.get_option_at_index(first_fix).id).title in shown, shown
        # and the diagnose steps are one Enter away, not gone: the heading expands them
        assert "Diagnose" in shown.splitlines()[0]
        await pilot.press("a")
        options.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert "Top pods by memory" in on_screen(options)
        await pilot.press("enter")  # and folds them again
        await pilot.pause()
        assert "Top pods by memory" not in on_screen(options)
