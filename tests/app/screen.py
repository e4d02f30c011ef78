"""What a Pilot-driven app really puts on the terminal: the compositor's strips, as text.

``export_screenshot`` draws the same strips into an SVG; reading them as text lets a test assert
the literal characters on screen, and that no control character or click action got there.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.segment import Segment


def _segments(app) -> Iterator[Segment]:
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for line in update.strips:
        for strip in line:
            for segment in strip:
                if not segment.control:
                    yield segment


def screen_text(app) -> str:
    """Every line of the screen (modals and toasts included), joined with newlines."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines = []
    for line in update.strips:
        lines.append("".join(seg.text for strip in line for seg in strip if not seg.control))
    return "\n".join(lines)


def assert_nothing_raw_on_screen(app) -> None:
    """No terminal control character is written, and outside text carries no link or click action."""
    for segment in _segments(app):
        raw = [c for c in segment.text if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
        assert not raw, f"raw control characters {raw!r} reach the terminal in {segment.text!r}"
        style = segment.style
        if style is not None and "clickme" in segment.text:
            assert not style.link, f"outside text became a link: {segment!r}"
            assert "app.quit" not in repr(style.meta), f"outside text became a click action: {segment!r}"
