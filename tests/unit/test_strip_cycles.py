"""``strip_cycles``: Textual's ``Strip.divide`` without the strip that holds itself."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip

from memtui.ui import strip_cycles


def test_divide_is_replaced_exactly_where_textual_s_own_makes_the_cycle():
    """Textual 8.2.8's does.  On a release whose ``divide`` no longer makes it, ``install``
    changes nothing (and the module can go)."""
    cycle = strip_cycles.textual_divide_holds_the_strip()
    assert strip_cycles.install() is cycle
    assert strip_cycles.install() is cycle  # again: a second app in the same process
    assert (Strip.divide is strip_cycles._divide) is cycle


def test_after_install_a_divided_strip_is_freed_by_its_reference_count():
    strip_cycles.install()
    strip = Strip([Segment("abcdef")], 6)
    assert strip.divide([6]) == [strip]
    assert strip.divide([9, 6]) == [strip]  # cuts past the end are dropped, as Textual does
    assert not strip_cycles.holds_itself(strip)


def test_cuts_inside_the_strip_divide_it_as_textual_does():
    strip_cycles.install()
    strip = Strip([Segment("abc"), Segment("def")], 6)
    parts = strip.divide([2, 6])
    assert [part.text for part in parts] == ["ab", "cdef"]
    assert [part.cell_length for part in parts] == [2, 4]
    assert strip.divide([2, 6]) is parts  # still cached by Textual
