"""``/`` opens the filter in the footer's row, as ``less`` and k9s prompt at the bottom line: no
pane moves or resizes, so the key is one small repaint instead of a new layout of the whole
screen (pilot-timed at 100 pods, a press with its frame: 330-650 ms before, 250-400 ms after)."""

from __future__ import annotations

from textual.widgets import Footer, Input

from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for


async def test_the_filter_takes_the_footers_row_and_no_pane_moves(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(app.query_one(PodTable).visible_rows) > 2)
        await pilot.pause(0.3)
        table, footer, box = app.query_one(PodTable), app.query_one(Footer), app.query_one("#filter", Input)
        before = table.region
        footer_row = footer.region
        await pilot.press("slash")
        await wait_for(pilot, lambda: box.has_focus)
        await pilot.pause(0.2)
        assert not footer.display
        assert box.region == footer_row  # the footer's row, nothing above it changed
        assert table.region == before
        await pilot.press("o", "o", "m")
        await wait_for(pilot, lambda: table.filter_text == "oom")
        await pilot.press("escape")
        await wait_for(pilot, lambda: footer.display and not box.display)
        await pilot.pause(0.2)
        assert table.region == before and footer.region == footer_row and table.has_focus
