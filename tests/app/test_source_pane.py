"""The pane chrome every source pane shares (widgets/source_pane.py), on its own: the border's
texts for each state of a source, the ``-stale`` class, and a long reason cut to one line."""

from __future__ import annotations

from datetime import datetime, timezone

from memtui.widgets.source_pane import SourcePane, clock_text, empty_text
from textual.app import App, ComposeResult
from textual.widgets import Static

from memtui.state.cockpit import SourceHealth

WHEN = datetime(2026, 3, 1, 12, 3, 41, tzinfo=timezone.utc)


class OnePane(App[None]):
    def compose(self) -> ComposeResult:
        with SourcePane(title="Redis", id="redis-pane", reasons_key="F9"):
            yield Static("figures")
        with SourcePane(id="pods-pane", show_detail=True):
            yield Static("pods")


def subtitle(pane: SourcePane) -> str:
    return pane._border_subtitle.plain if pane._border_subtitle is not None else ""


async def test_each_state_of_a_source_on_the_border_and_the_stale_class():
    app = OnePane()
    async with app.run_test(size=(60, 20)) as pilot:
        pane, pods = app.query_one("#redis-pane", SourcePane), app.query_one("#pods-pane", SourcePane)
        assert pane.has_class("pane") and str(pane.border_title) == "Redis"
        pane.show_health(SourceHealth("redis"))
        assert subtitle(pane) == "connecting…"
        pane.show_health(SourceHealth("redis", detail="off (set --redis-url)", enabled=False))
        assert subtitle(pane) == "off" and not pane.has_class("-stale")
        pane.show_health(SourceHealth("redis", last_ok=WHEN, detail="redis://x"))
        assert subtitle(pane) == f"updated {clock_text(WHEN)}"  # the detail only where asked for
        pods.show_health(SourceHealth("kubernetes", last_ok=WHEN, detail="3 requests, 12 ms"))
        assert subtitle(pods) == f"updated {clock_text(WHEN)} · 3 requests, 12 ms"
        pane.show_health(SourceHealth("redis", last_ok=WHEN, error="Connection refused"))
        assert subtitle(pane) == f"stale since {clock_text(WHEN)}: Connection refused" and pane.has_class("-stale")
        pane.show_health(SourceHealth("redis", last_ok=WHEN))
        assert not pane.has_class("-stale")
        # a second source the pane's figures come from makes it stale too
        pods.show_health(SourceHealth("kubernetes", last_ok=WHEN), also=SourceHealth("metrics API", error="HTTP 503"))
        assert subtitle(pods) == "stale since start: HTTP 503" and pods.has_class("-stale")
        # a reason longer than the border: one line, literal, with the key that shows it whole
        pane.show_health(SourceHealth("redis", error="[b]markup[/b] " + "x" * 200 + "\nsecond line"))
        await pilot.pause()
        text = subtitle(pane)
        assert text.startswith("stale since start: [b]markup[/b] x") and text.endswith("… · F9: full reason")
        assert "\n" not in text and len(text) <= 60


async def test_the_title_names_the_source_literally():
    app = OnePane()
    async with app.run_test(size=(60, 20)):
        pane = app.query_one("#redis-pane", SourcePane)
        pane.show_source("redis://[red]x[/red]:6379/0")
        assert pane._border_title.plain == "Redis · redis://[red]x[/red]:6379/0"
        pane.show_source(None)
        assert pane._border_title.plain == "Redis"


def test_an_empty_pane_says_why_off_why_failing_or_that_it_waits():
    assert empty_text(SourceHealth("gpu", detail="off (--gpu-source off)", enabled=False), "waiting…") == "off (--gpu-source off)"
    assert empty_text(SourceHealth("gpu", error="NVML: no driver"), "waiting…") == "NVML: no driver"
    assert empty_text(SourceHealth("gpu"), "waiting…") == "waiting…"
