"""The pods table draws only the lines on screen, from rows the state reuses while a pod is
unchanged: what it draws is still the right pods, in the view's order, after a sort, a scroll, a
filter and a refresh that changed a pod's figures."""

from __future__ import annotations

from memtui.widgets import cells
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for


def drawn(table: PodTable) -> list[str]:
    return [table.render_line(y).text for y in range(1, table.size.height)]


def assert_draws_the_view(table: PodTable) -> None:
    """Each line on screen is the visible row at that position (the scroll offset counted)."""
    top = int(table.scroll_offset.y)
    rows = table.visible_rows[top: top + table.size.height - 1]
    lines = drawn(table)
    assert rows, "nothing to draw"
    for row, line in zip(rows, lines):
        assert row.name[-11:] in line, (row.name, line)  # a long name is cropped in the middle
        assert cells.memory_text(row.working_set, row.limit) in line, (row.name, line)


async def test_sort_scroll_filter_and_a_refresh_draw_the_right_rows(sim_factory, make_app):
    handle = sim_factory(replicas=60)
    app = make_app(handle)
    async with app.run_test(size=(200, 30)) as pilot:
        table = app.query_one(PodTable)
        await wait_for(pilot, lambda: len(table.visible_rows) >= 60 and table.size.height > 10, timeout=30)
        await pilot.pause(0.2)
        assert_draws_the_view(table)
        while table.sort_key != "name":
            await pilot.press("s")
        await pilot.pause(0.1)
        names = [r.name for r in table.visible_rows]
        assert names == sorted(names)
        assert_draws_the_view(table)
        await pilot.press("end")
        await pilot.pause(0.1)
        assert table.scroll_offset.y > 0 and table.cursor_pod == names[-1]
        assert_draws_the_view(table)
        await pilot.press("/")
        suffix = names[-1][-3:]
        for key in suffix:
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert table.visible_rows and all(suffix in r.name for r in table.visible_rows)
        assert_draws_the_view(table)
        await pilot.press("escape")  # the filter goes, every pod is back
        await pilot.press("/", "escape")
        await wait_for(pilot, lambda: len(table.visible_rows) >= 60)
        # time moves: the pods' figures change, and the lines say the new ones
        before = {r.name: r for r in app.state.rows}
        handle.advance(120)
        await wait_for(pilot, lambda: any(r.working_set != before[r.name].working_set
                                          for r in app.state.rows if r.name in before), timeout=15)
        await pilot.press("home")
        await pilot.pause(0.2)
        assert_draws_the_view(table)


async def test_an_unchanged_pod_keeps_its_row_object_across_refreshes(sim, make_app):
    """The simulator's clock is frozen: nothing changes between refreshes, and the state hands
    the table the very same rows (so neither the order nor a line is computed again)."""
    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.state.rows) >= 3, timeout=30)
        await pilot.pause(1.0)
        first, snapshot = app.state.rows, app.state.snapshot
        await wait_for(pilot, lambda: app.state.snapshot is not snapshot, timeout=10)  # the next refresh
        assert all(a is b for a, b in zip(app.state.rows, first)) and len(app.state.rows) == len(first)
