"""``strip_caches``: Textual's strips make their caches when first used, not seven each at birth."""

from __future__ import annotations

import gc

from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.strip import Strip

from memtui.ui import strip_caches


def _caches(strip: Strip) -> list[FIFOCache]:
    return [r for r in gc.get_referents(strip) if isinstance(r, FIFOCache)]


def test_installed_exactly_where_textual_s_own_init_fills_the_slots_as_expected():
    """Textual 8.2.8's does (seven caches); on another, ``install`` changes nothing."""
    sizes = strip_caches.textual_cache_sizes()
    assert strip_caches.install() is (sizes is not None)
    assert strip_caches.install() is (sizes is not None)  # again: a second app in the same process
    assert strip_caches.installed() is (sizes is not None)


def test_a_new_strip_holds_no_cache_until_one_is_used():
    if not strip_caches.install():
        return  # a Textual whose strips are built otherwise: nothing replaced, nothing to check
    strip = Strip([Segment("abcdef")], 6)
    assert _caches(strip) == []
    assert strip.cell_length == 6 and strip.text == "abcdef"


def test_a_used_cache_is_made_once_of_textual_s_size_and_caches():
    sizes = strip_caches.textual_cache_sizes()
    if not strip_caches.install() or sizes is None:
        return
    strip = Strip([Segment("abc"), Segment("def")], 6)
    cropped = strip.crop(1, 4)
    assert cropped.text == "bcd"
    assert strip.crop(1, 4) is cropped  # cached, as Textual's own
    assert [c._maxsize for c in _caches(strip)] == [sizes["_crop_cache"]]
    bold = strip.apply_style(Style(bold=True))
    assert strip.apply_style(Style(bold=True)) is bold
    assert len(_caches(strip)) == 2
    assert Strip.join([strip, cropped]).text == "abcdefbcd"
