"""Themes and NO_COLOR in the running app: what the compositor really draws, segment by segment."""

from __future__ import annotations

from collections.abc import Iterator

from rich.color import Color as RichColor
from rich.color import ColorType
from rich.segment import Segment

from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for


def _screen_segments(app) -> Iterator[Segment]:
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for line in update.strips:
        for strip in line:
            yield from (s for s in strip if not s.control)


def _luminance(color: RichColor) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: RichColor, bg: RichColor) -> float:
    """WCAG contrast ratio: 4.5 is the floor for body text."""
    high, low = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _cursor_name_segment(table: PodTable) -> Segment:
    """The selected pod's name as the table draws it (row 0 is the header)."""
    strip = table.render_line(1 + table._cursor - int(table.scroll_offset.y))
    name = table.cursor_pod
    assert name
    for segment in strip:
        if segment.text.strip() and segment.text.strip()[:8] == name[:8]:
            return segment
    raise AssertionError(f"{name} not on the cursor row: {[s.text for s in strip]}")


async def _ready(pilot, app) -> PodTable:
    await wait_for(pilot, lambda: app.state.snapshot is not None and bool(app.query_one(PodTable).visible_rows))
    table = app.query_one(PodTable)
    table.focus()
    await pilot.pause()
    return table


async def test_the_selected_row_is_readable_in_the_default_theme(sim, make_app):
    """It was the crit role's red on the focused blue bar (contrast about 1.5:1)."""
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        table = await _ready(pilot, app)
        assert app.theme == "textual-dark"
        worst = table.visible_rows[0]
        assert worst.over_threshold, "the leak scenario's worst pod is over the threshold: its name is crit"
        assert table.cursor_pod == worst.name
        segment = _cursor_name_segment(table)
        assert segment.style.color is not None and segment.style.bgcolor is not None
        assert contrast(segment.style.color, segment.style.bgcolor) >= 4.5, segment.style
        # off the cursor, the same kind of row keeps its role colour
        table.action_cursor_down()
        await pilot.pause()
        row0 = table.render_line(1)
        crit = table.get_component_rich_style("pod-table--crit", partial=True).color
        assert any(s.style and s.style.color == crit for s in row0 if worst.name[:8] in s.text)


async def test_high_contrast_theme_is_selected_by_the_setting_and_applied(sim, make_app):
    app = make_app(theme="memtui-high-contrast")
    async with app.run_test(size=(160, 48)) as pilot:
        table = await _ready(pilot, app)
        assert app.theme == "memtui-high-contrast"
        segment = _cursor_name_segment(table)
        assert segment.style.bgcolor.get_truecolor() == (255, 255, 255)
        assert segment.style.color.get_truecolor() == (0, 0, 0)
        # the panes are white on black, and text roles take the theme's signal colours
        backgrounds = {s.style.bgcolor.get_truecolor() for s in _screen_segments(app) if s.style and s.style.bgcolor}
        assert (0, 0, 0) in backgrounds
        from memtui.widgets.roles import role

        assert role("bad").color.get_truecolor() != (0, 0, 0)
        assert app.current_theme.error == "#FF5F5F"


def _colourless(color: RichColor | None) -> bool:
    return color is None or color.type == ColorType.DEFAULT


async def test_no_color_draws_no_colour_at_all(sim, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        table = await _ready(pilot, app)
        segments = [s for s in _screen_segments(app) if s.text.strip()]
        assert segments
        coloured = [s for s in segments if s.style and not (_colourless(s.style.color) and _colourless(s.style.bgcolor))]
        assert not coloured, coloured[:5]
        # the selected row still stands out: reversed, since there is no colour to mark it
        strip = table.render_line(1)
        assert any(s.style and s.style.reverse for s in strip if s.text.strip())


async def test_an_empty_no_color_is_ignored(sim, make_app, monkeypatch):
    """no-color.org: set *and not empty*; Textual alone would grey everything out for ``NO_COLOR=``."""
    monkeypatch.setenv("NO_COLOR", "")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(pilot, app)
        assert not app.no_color
        colours = {s.style.color.get_truecolor() for s in _screen_segments(app)
                   if s.style and not _colourless(s.style.color)}
        assert any(len({r, g, b}) > 1 for r, g, b in colours), "only greys on screen"
