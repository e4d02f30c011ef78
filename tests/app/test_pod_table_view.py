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


async def test_a_focus_change_draws_the_cursor_s_line_again_and_no_other_a_theme_every_line(sim_factory, make_app):
    """``/`` and Esc move the focus, and the table is restyled.  Its line cache was cleared at each
    restyle, so every row on screen was formatted again (40 rows, 11-16 ms of the key at 5,000 to
    20,000 pods); only the cursor's style follows the focus.  A theme still redraws them all."""
    handle = sim_factory(replicas=60)
    app = make_app(handle)
    async with app.run_test(size=(200, 30)) as pilot:
        table = app.query_one(PodTable)
        await wait_for(pilot, lambda: len(table.visible_rows) >= 40 and table.size.height > 10, timeout=30)
        table.focus()
        await pilot.pause(0.2)
        top = 1 + table._cursor - int(table.scroll_offset.y)
        focused = table.render_line(top)
        on_screen = {id(r) for r in table.visible_rows[: table.size.height - 1]}
        formatted: list[int] = []
        format_row = table._row_line
        table._row_line = lambda row, *args: formatted.append(id(row)) or format_row(row, *args)  # type: ignore[method-assign]
        await pilot.press("slash")
        await pilot.pause(0.2)
        blurred = table.render_line(1 + table._cursor - int(table.scroll_offset.y))
        cursor_row = id(table.visible_rows[table._cursor])
        await pilot.press("escape")
        await pilot.pause(0.2)
        again = table.render_line(1 + table._cursor - int(table.scroll_offset.y))
        # a refresh meanwhile may hand over new rows (new objects): those are drawn, as they should be
        again_formatted = [r for r in formatted if r in on_screen and r != cursor_row]
        assert again_formatted == [], f"{len(again_formatted)} unchanged rows off the cursor were formatted again"
        assert formatted.count(cursor_row) >= 2  # blurred, then focused again
        assert blurred.text == focused.text and blurred != focused  # the same pod, in the blurred cursor's style
        assert again == focused
        formatted.clear()
        app.theme = "memtui-high-contrast"
        await pilot.pause(0.3)
        assert len(set(formatted) & on_screen) >= table.size.height - 2, "a theme change redraws every line"
