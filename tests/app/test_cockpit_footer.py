"""The footer keeps its keys while the keys it shows are the same (``widgets.cockpit_footer``).

Textual's footer unmounts and mounts all its keys at every focus change; at 20,000 pods that was
a tenth of the main thread's time while keys were typed.  ``/`` and Esc, a modal and its Esc,
leave the keys the same: the footer's widgets must be the same ones afterwards.  A focus change
that does change a key (the arrows' entry says which pane they move) must still show."""

from __future__ import annotations

from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from memtui.widgets.actions_panel import ActionList
from memtui.widgets.pod_table import PodTable
from tests.app.conftest import wait_for


def _arrows_entry(app) -> str | None:
    """The footer's entry for the arrows ("pods" or "actions"); None while it recomposes."""
    return next((k.description for k in app.query(FooterKey) if k.action == "cursor_down"), None)


async def test_slash_and_escape_keep_the_footers_keys_and_a_focus_change_still_shows(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(app.query_one(PodTable).visible_rows) > 2)
        await pilot.pause(0.3)
        footer, table, box = app.query_one(Footer), app.query_one(PodTable), app.query_one("#filter", Input)
        keys = list(footer.query(FooterKey))
        assert keys and _arrows_entry(app) == "pods"
        for _ in range(2):
            await pilot.press("slash")
            await wait_for(pilot, lambda: box.has_focus)
            await pilot.press("escape")
            await wait_for(pilot, lambda: footer.display and table.has_focus)
            await pilot.pause(0.2)
        assert all(a is b for a, b in zip(footer.query(FooterKey), keys, strict=True))  # not rebuilt
        app.query_one(ActionList).focus()
        await wait_for(pilot, lambda: _arrows_entry(app) == "actions")
        table.focus()
        await wait_for(pilot, lambda: _arrows_entry(app) == "pods")


async def test_keys_that_changed_while_the_footer_was_hidden_show_when_it_comes_back(sim, make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(app.query_one(PodTable).visible_rows) > 2)
        footer, box = app.query_one(Footer), app.query_one("#filter", Input)
        await pilot.press("slash")
        await wait_for(pilot, lambda: box.has_focus and not footer.display)
        app.query_one(ActionList).focus()  # the arrows' entry changes while the footer is hidden
        await pilot.pause(0.3)
        assert _arrows_entry(app) == "pods"
        footer.display = True  # and nothing else changes the bindings after it is shown again
        await wait_for(pilot, lambda: _arrows_entry(app) == "actions")
