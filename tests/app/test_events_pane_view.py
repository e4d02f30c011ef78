"""The events pane draws only the lines on screen: what it draws is still the right events, at
the scroll offset, with ages that move with the clock although the events did not change."""

from __future__ import annotations

from memtui.widgets.events_pane import EventsPane
from tests.app.conftest import wait_for


def drawn(pane: EventsPane) -> list[str]:
    return [pane.render_line(y).text for y in range(1, pane.size.height)]


def assert_draws_the_rows(pane: EventsPane) -> None:
    """Each line on screen is the row at that position (the scroll offset counted): its age and object."""
    top = int(pane.scroll_offset.y)
    rows = [pane.get_row_at(i) for i in range(top, min(pane.row_count, top + pane.size.height - 1))]
    assert rows, "nothing to draw"
    for row, line in zip(rows, drawn(pane)):
        age, _, target, _ = (cell.plain for cell in row)
        assert line.startswith(f" {age:<5}"), (age, line)
        assert target[:20] in line, (target, line)


async def test_a_scroll_and_the_clock_draw_the_right_rows_and_only_those_on_screen(sim, make_app):
    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        pane = app.query_one(EventsPane)
        await wait_for(pilot, lambda: pane.row_count > pane.size.height > 3, timeout=30)
        await pilot.pause(0.2)
        assert_draws_the_rows(pane)
        assert pane.render_line(0).text.split() == ["AGE", "REASON", "OBJECT", "MESSAGE"]
        pane.scroll_to(y=2, animate=False, immediate=True)
        await pilot.pause(0.1)
        assert_draws_the_rows(pane)
        before = [pane.get_row_at(i)[0].plain for i in range(pane.row_count)]
        sim.advance(600)
        await wait_for(pilot, lambda: pane.get_row_at(pane.row_count - 1)[0].plain != before[-1], timeout=30)
        await pilot.pause(0.2)
        assert int(pane.scroll_offset.y) == 2 or pane.row_count != len(before)
        assert_draws_the_rows(pane)
        # rows off screen were never formatted into lines
        assert 0 < len(pane._line_cache) <= pane.size.height
