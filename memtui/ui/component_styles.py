"""Textual's component styles restyled in place, not rebuilt from new nodes at every restyle.

A widget's ``COMPONENT_CLASSES`` (the pods table has nine: header, cursor, the figures' roles)
get their styles from "virtual" nodes: ``Stylesheet._process_component_classes`` makes one bare
``DOMNode`` per class, attaches it under the widget and applies the stylesheet to it.  It does so
every time the widget is restyled, which is every key that moves focus or toggles a class (``/``
opening the filter, a modal opening and closing), and drops the last ones.  A ``DOMNode`` is a
message pump: its signal, its styles and its node list hold it, so each dropped one is a cycle of
40 tracked objects that only the cyclic collector frees.  Pressing ``j``, ``/`` and ``R`` six
times each at 1,000 pods left 28,821 objects of cyclic garbage; 340 dropped nodes, about half of
it (``DEBUG_SAVEALL`` over ``bench/app.py``'s keys).  Restyling them took 4.5 ms of each ``/``
or Esc at 20,000 pods.

Here the widget's existing virtual node is emptied of its rules and restyled, as a new one would
be (``apply`` sets nothing where no rule matches, so a rule of a class just removed would stay),
and the widget is refreshed when a component's rules changed, as Textual does.  A node is made
only the first time, or when the one held belongs to another widget.  ``install`` replaces
Textual's method only when its source is the one read here (Textual 8.2.8); any other Textual
keeps its own.
"""

from __future__ import annotations

import hashlib
import inspect

from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

from memtui.ui.textual_replaced import replace

_textual_process = Stylesheet._process_component_classes

TEXTUAL_SOURCE_SHA256 = "852b5e4b93c6fc25fa6f081923063399ddb6ac9d45f2365079cb825529926c02"
"""Of ``inspect.getsource(Stylesheet._process_component_classes)`` in Textual 8.2.8."""


def _rules(node: DOMNode) -> tuple[dict, dict]:
    styles = node.styles
    return dict(styles._base_styles._rules), dict(styles._inline_styles._rules)


def _process_component_classes(self: Stylesheet, node: DOMNode) -> None:
    """Textual's ``_process_component_classes``, keeping each component's virtual node."""
    component_classes = node._get_component_classes()
    if not component_classes:
        return
    held = node._component_styles
    refresh_node = False
    for component in sorted(component_classes):
        styles = held.get(component)
        virtual_node = styles.node if styles is not None else None
        if not isinstance(virtual_node, DOMNode) or virtual_node._parent is not node:
            virtual_node, before = DOMNode(classes=component), None
            virtual_node._attach(node)
        else:
            before = _rules(virtual_node)
            # as new: ``apply`` sets no rule at all where none matches (a class just removed)
            virtual_node.styles._base_styles.reset()
        self.apply(virtual_node, animate=False)
        if not refresh_node and before != _rules(virtual_node):
            refresh_node = True  # the styles changed: the widget draws with them
        held[component] = virtual_node.styles
    if refresh_node:
        node.refresh()


def textual_source_is_known() -> bool:
    """Textual's method is, character for character, the one this module replaces."""
    try:
        source = inspect.getsource(_textual_process)
    except (OSError, TypeError):  # no source to read (a frozen build): leave Textual's
        return False
    return hashlib.sha256(source.encode()).hexdigest() == TEXTUAL_SOURCE_SHA256


def install() -> bool:
    """Replace Textual's method where it is the one read here; True when it is (or was) replaced."""
    return replace(Stylesheet, "_process_component_classes", _process_component_classes, textual_source_is_known)
