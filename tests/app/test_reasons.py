"""A long error reason is cut to one line on the pane's border, with the full text one key away."""

from __future__ import annotations

from memtui.widgets.pod_table import PodTable
from memtui.widgets.reasons_screen import ReasonsScreen
from tests.app.conftest import wait_for
from tests.app.screen import screen_text
from tests.error_front import ErrorFront

LONG_REASON = (
    'admission webhook "quota.example.com" denied the request: '
    + ", ".join(f"container-{i} over budget" for i in range(3))
    + " END-OF-REASON"
)
assert len(LONG_REASON) < 160  # describe_failure keeps 160 characters of a message; the border has fewer


async def test_long_reason_is_one_line_on_the_border_and_whole_behind_the_key(sim, make_app, tmp_path):
    front = ErrorFront(sim, message=LONG_REASON)
    try:
        app = make_app(kubeconfig=front.kubeconfig(tmp_path / "front.kubeconfig"), request_timeout=2.0)
        async with app.run_test(size=(160, 48)) as pilot:
            pane = app.query_one("#pods-pane")
            await wait_for(pilot, lambda: pane.has_class("-stale"), timeout=15)
            await pilot.pause(0.3)
            subtitle = pane._border_subtitle.plain
            assert subtitle.startswith("stale since start: pods: HTTP 500 Internal Server Error: admission webhook")
            assert "\n" not in subtitle and "END-OF-REASON" not in subtitle
            assert subtitle.endswith("… · H: full reason")
            assert len(subtitle) <= pane.size.width - 4  # fits the border: Textual does not cut it mid-hint
            assert "H: full reason" in screen_text(app)

            await pilot.press("H")
            await wait_for(pilot, lambda: isinstance(app.screen, ReasonsScreen))
            await pilot.pause(0.2)
            text = screen_text(app)
            assert "END-OF-REASON" in text and "container-2 over budget" in text
            assert "stale since start" in text
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ReasonsScreen))
            assert isinstance(app.focused, PodTable)
    finally:
        front.close()
