"""The one home for outside text: controls become visible stand-ins, markup stays literal."""

from __future__ import annotations

import pytest
from textual.content import Content

from memtui.widgets.outside_text import first_line, markup_escaped, plain, visible

HOSTILE = ["[bold red]x[/bold red]", "[link=https://x]l[/link]", "[/]", "[/x]", "a [ b", "[A]", "[$var]",
           "[@click=app.quit]clickme[/]", "a\\[b]", "ends with \\", "\\\\[x]"]


def test_controls_are_shown_not_obeyed():
    assert visible("t\x1b]0;pwned\x07 c\x1b[2J") == "t␛]0;pwned␇ c␛[2J"
    assert visible("nul\x00 del\x7f csi\x9b2J") == "nul␀ del␡ csi\\x9b2J"
    assert visible("abc\u202edcba") == "abc\\u202edcba"  # a bidi override would reverse what follows


def test_newlines_stay_in_multi_line_places_and_become_spaces_in_one_line_places():
    assert visible("a\r\nb\nc\rd\te") == "a\nb\nc␍d\te"
    assert visible("a\r\nb\nc\td", one_line=True) == "a b c d"


def test_printable_text_is_unchanged():
    assert visible("sap-llm-7d9f8-x2k4p · 11.3 GiB ▁▂▃ ✓ 日本") == "sap-llm-7d9f8-x2k4p · 11.3 GiB ▁▂▃ ✓ 日本"


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_escaped_round_trips_through_textual_markup(text):
    assert Content.from_markup(markup_escaped(text)).plain == text


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_is_a_text_that_is_never_parsed(text):
    rendered = plain(text)
    assert rendered.plain == text and not rendered.spans


def test_first_line_cuts_with_an_ellipsis():
    assert first_line("short", 10) == "short"
    assert first_line("one\ntwo three four", 10) == "one two t…"
    assert len(first_line("x" * 500, 40)) == 40
