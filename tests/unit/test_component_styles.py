"""``component_styles``: a restyled widget keeps its component classes' virtual nodes, and their
styles still follow the stylesheet (focus, classes) as Textual's own would."""

from __future__ import annotations

import gc

from textual.app import App, ComposeResult
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input

from memtui.ui import component_styles


class _Dial(Widget, can_focus=True):
    COMPONENT_CLASSES = {"dial--needle", "dial--face"}
    DEFAULT_CSS = """
    _Dial { height: 3; }
    _Dial > .dial--needle { color: red; }
    _Dial:focus > .dial--needle { color: green; }
    _Dial.-alarm > .dial--face { background: yellow; }
    """

    def render(self) -> str:
        return "dial"


class _Cockpit(App):
    def compose(self) -> ComposeResult:
        yield _Dial()
        yield Input()


def _virtual_nodes(widget: Widget) -> dict[str, DOMNode]:
    return {name: styles.node for name, styles in widget._component_styles.items()}


def test_installed_where_textual_s_method_is_the_one_read_and_only_there(monkeypatch):
    assert component_styles.install() is component_styles.textual_source_is_known()
    assert component_styles.install() is component_styles.textual_source_is_known()  # a second app
    monkeypatch.setattr(Stylesheet, "_process_component_classes", component_styles._textual_process)
    monkeypatch.setattr(component_styles, "TEXTUAL_SOURCE_SHA256", "0" * 64)  # another Textual
    assert component_styles.install() is False
    assert Stylesheet._process_component_classes is component_styles._textual_process


async def test_focus_and_classes_restyle_the_components_on_the_nodes_made_at_mount():
    if not component_styles.install():
        return  # another Textual: its own method, nothing replaced to check
    app = _Cockpit()
    async with app.run_test() as pilot:
        dial = app.query_one(_Dial)
        made = _virtual_nodes(dial)
        assert set(made) == {"dial--needle", "dial--face"}
        dial.focus()
        await pilot.pause()
        assert dial.get_component_styles("dial--needle").color == Color.parse("green")
        app.query_one(Input).focus()
        dial.add_class("-alarm")
        await pilot.pause()
        assert dial.get_component_styles("dial--needle").color == Color.parse("red")
        assert dial.get_component_styles("dial--face").background == Color.parse("yellow")
        dial.remove_class("-alarm")
        await pilot.pause()
        assert dial.get_component_styles("dial--face").background.a == 0
        assert _virtual_nodes(dial) == made  # the same nodes, restyled (Textual makes new ones)
        assert all(node is made[name] for name, node in _virtual_nodes(dial).items())


async def test_a_restyle_leaves_no_node_that_only_the_collector_frees():
    """Each restyle dropped its component nodes, a cycle of about forty objects each: half the
    cyclic garbage that keys left at 1,000 pods (``bench/app.py``, ``DEBUG_SAVEALL``)."""
    component_styles.install()
    app = _Cockpit()
    async with app.run_test() as pilot:
        dial, field = app.query_one(_Dial), app.query_one(Input)
        await pilot.pause()
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for _ in range(3):
                dial.focus()
                await pilot.pause()
                field.focus()
                await pilot.pause()
            gc.collect()
            dropped = [o for o in gc.garbage if type(o) is DOMNode]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    if component_styles.install():
        assert dropped == [], f"{len(dropped)} component nodes were left to the cyclic collector"
