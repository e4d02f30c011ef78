"""A big namespace's fold leaves the event loop turns: a key pressed meanwhile is answered before
the fold ends (ui/folding.py), and polls that come meanwhile fold after it, in order."""

from __future__ import annotations


from memtui.state.steps import FOLD_STEP_PODS
from memtui.ui.messages import SourceRefreshed

from tests.app.conftest import wait_for
from tests.recording.synthetic import kube

PODS = 4 * FOLD_STEP_PODS


async def test_a_key_pressed_during_a_big_fold_is_answered_before_the_fold_ends(make_app):
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: len(app.state.rows) > 0 and not app.folds.busy)
        kube_spec = app.pollers["kubernetes"].spec
        app.pollers["kubernetes"].stop()  # only the snapshots this test hands over fold into the state
        await pilot.pause(0.5)
        big, after = kube(1, pods=PODS), kube(2, pods=PODS)
        seen_when_filter_opened = []
        opened = app.action_filter

        def filter_opened() -> None:
            shown = app.state.snapshot
            seen_when_filter_opened.append(("first" if shown is big else "second" if shown is after else "earlier",
                                            app.folds.busy))
            opened()

        app.action_filter = filter_opened  # type: ignore[method-assign]
        app.post_message(SourceRefreshed(kube_spec, big, origin=app.session))
        app.post_message(SourceRefreshed(kube_spec, after, origin=app.session))
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.state.snapshot is after and not app.folds.busy, timeout=60)
        # the key came while the first fold was in slices: the state still showed the listing before it
        assert seen_when_filter_opened == [("earlier", True)]
        assert app.folds.sliced >= 1
        assert len(app.state.rows) == PODS
        assert app.query_one("#filter").has_class("-active")
